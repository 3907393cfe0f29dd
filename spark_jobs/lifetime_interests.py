"""Spark job: lifetime interests (totals, active days, decayed score) of the day's users, staged for the gate.

Run by the `audience_daily` DAG after daily_interests, or by hand:
    spark-submit spark_jobs/lifetime_interests.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when it cannot run.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.lifetime import lifetime_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.LIFETIME_INTERESTS, __doc__.splitlines()[0], lifetime_day, argv)


if __name__ == "__main__":
    sys.exit(main())
