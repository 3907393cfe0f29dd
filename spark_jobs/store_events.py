"""Spark job: store one landing day of connection logs in Cassandra's `events_by_user`.

Run by the `audience_daily` DAG through spark-submit (connection `spark_default`), or by hand:
    spark-submit spark_jobs/store_events.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when the input is unusable.
"""

from __future__ import annotations

import sys

from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.store import store_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job("store_events", __doc__.splitlines()[0], store_day, argv)


if __name__ == "__main__":
    sys.exit(main())
