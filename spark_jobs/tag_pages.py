"""Spark job: tag the day's new pages with themes and keywords into Cassandra's `page_index`.

Run by the `audience_daily` DAG through spark-submit, or by hand:
    spark-submit spark_jobs/tag_pages.py --date 2026-11-01
Prints the day's tagging figures as one JSON line; exits 1 with a message when it cannot run
(no model trained yet, an invalid taxonomy, no landing data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from dmp.errors import DmpError
from dmp.pipeline.tag_day import tag_day
from dmp.settings import load
from dmp.spark import build_spark_session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", required=True, type=dt.date.fromisoformat, help="the day to tag, YYYY-MM-DD")
    args = parser.parse_args(argv)
    settings = load()
    spark = build_spark_session(f"tag_pages {args.date}", settings)
    try:
        summary = tag_day(spark, settings, args.date, tagged_at=dt.datetime.now(dt.timezone.utc))
    except DmpError as error:
        print(f"tag_pages: error: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
