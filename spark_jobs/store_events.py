"""Spark job: store one landing day of connection logs in Cassandra's `events_by_user`.

Run by the `audience_daily` DAG through spark-submit (connection `spark_default`), or by hand:
    spark-submit spark_jobs/store_events.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when the input is unusable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from dmp.errors import DmpError
from dmp.pipeline.store import store_day
from dmp.settings import load
from dmp.spark import build_spark_session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", required=True, type=dt.date.fromisoformat, help="the day to store, YYYY-MM-DD")
    args = parser.parse_args(argv)
    settings = load()
    spark = build_spark_session(f"store_events {args.date}", settings)
    try:
        summary = store_day(spark, settings, args.date)
    except DmpError as error:
        print(f"store_events: error: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
