"""Spark job: publish the day's gated identity rows (persons, ids, merges, edges, CRM, person interests).

Run by the `audience_daily` DAG once `gate_identity` passed, or by hand:
    spark-submit spark_jobs/publish_identity.py --date 2026-11-01
Writes exactly the staged rows the gate checked and deletes the stale keys the stage staged.
Prints the day's figures as one JSON line.
"""

from __future__ import annotations

import sys

from dmp.identity.publish import publish_identity_day
from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.PUBLISH_IDENTITY, __doc__.splitlines()[0], publish_identity_day, argv)


if __name__ == "__main__":
    sys.exit(main())
