"""Spark job: resolve the day's identities (ids -> persons, the CRM joined, consent) and stage them.

Run by the `audience_daily` DAG after `publish_interests`, or by hand:
    spark-submit spark_jobs/identity.py --date 2026-11-01
Reads the day's login hashes, the CRM export and the partner id-syncs; stages persons, ids,
merges, edges, CRM rows and person interests for `gate_identity`. Prints the day's figures as one
JSON line.
"""

from __future__ import annotations

import sys

from dmp.identity.stage import identity_day
from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.IDENTITY, __doc__.splitlines()[0], identity_day, argv)


if __name__ == "__main__":
    sys.exit(main())
