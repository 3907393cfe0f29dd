"""Spark job: per-user daily interests (events and pages per theme), staged for the interests gate.

Run by the `audience_daily` DAG after the day's events are stored and its pages tagged, or by hand:
    spark-submit spark_jobs/daily_interests.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when it cannot run.
"""

from __future__ import annotations

import sys

from dmp.pipeline.interests import interests_day
from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.DAILY_INTERESTS, __doc__.splitlines()[0], interests_day, argv)


if __name__ == "__main__":
    sys.exit(main())
