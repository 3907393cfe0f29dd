"""Spark job: publish the gated segments (a new version each, made current at once), exports, report.

Run by the `audience_daily` DAG after gate_segments, or by hand:
    spark-submit spark_jobs/publish_segments.py --date 2026-11-01
Prints the path of the report page.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.segments.publish_day import publish_segments_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.PUBLISH_SEGMENTS, __doc__.splitlines()[0], publish_segments_day, argv)


if __name__ == "__main__":
    sys.exit(main())
