"""Spark job: evaluate every segment definition for the day and stage the members (nothing published).

Run by the `audience_daily` DAG after the interests gate and the keyword index, or by hand:
    spark-submit spark_jobs/evaluate_segments.py --date 2026-11-01
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.segments.daily import evaluate_segments_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.EVALUATE_SEGMENTS, __doc__.splitlines()[0], evaluate_segments_day, argv)


if __name__ == "__main__":
    sys.exit(main())
