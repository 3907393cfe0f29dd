"""Spark job: replace the day's person-level sketches with the gated staged rows.

Run by the `audience_daily` DAG, or by hand:
    spark-submit spark_jobs/publish_person_sketches.py --date 2026-11-01
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.publish import publish_person_sketches_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.PUBLISH_PERSON_SKETCHES, __doc__.splitlines()[0], publish_person_sketches_day, argv)


if __name__ == "__main__":
    sys.exit(main())
