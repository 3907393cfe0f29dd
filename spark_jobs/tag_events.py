"""Spark job: tag the day's events with the theme of their page (each distinct page tagged once).

Run by the `audience_daily` DAG through spark-submit, or by hand:
    spark-submit spark_jobs/tag_events.py --date 2026-11-01
Stages the day's pages and tagged events for the tagged-events gate; prints the tagging figures
as one JSON line; exits 1 with a message when it cannot run (no model trained yet, an invalid
taxonomy, the day not validated).
"""

from __future__ import annotations

import datetime as dt
import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.tag_day import tag_day


def main(argv: list[str] | None = None) -> int:
    tagged_at = dt.datetime.now(dt.timezone.utc)  # when this run tagged, recorded on each page
    return run_day_job(
        steps.TAG_EVENTS, __doc__.splitlines()[0], lambda spark, settings, day: tag_day(spark, settings, day, tagged_at), argv
    )


if __name__ == "__main__":
    sys.exit(main())
