"""Spark job: publish one gated day: tagged events to `events_by_user`, new pages to `page_index`.

Run by the `audience_daily` DAG through spark-submit (connection `spark_default`), once the day's
gates passed, or by hand:
    spark-submit spark_jobs/store_events.py --date 2026-11-01
Prints the day's figures as one JSON line.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.store import store_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.STORE_EVENTS, __doc__.splitlines()[0], store_day, argv)


if __name__ == "__main__":
    sys.exit(main())
