"""The common shape of the daily Spark jobs: `--date`, one SparkSession, figures as a JSON line.

Each job under `spark_jobs/` is a `main()` that hands its body to `run_day_job`; user errors
(no landing data, no model) print one line and exit 1, and the session is always stopped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence

from dmp.errors import DmpError
from dmp.settings import Settings, load
from dmp.spark import build_spark_session

DayBody = Callable[[object, Settings, dt.date], dict]


def run_day_job(name: str, description: str, body: DayBody, argv: Sequence[str] | None = None) -> int:
    """Parse `--date`, run `body(spark, settings, day)`, print its figures; the exit status."""
    parser = argparse.ArgumentParser(prog=name, description=description)
    parser.add_argument("--date", required=True, type=dt.date.fromisoformat, help="the day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    settings = load()
    spark = build_spark_session(f"{name} {args.date}", settings)
    try:
        summary = body(spark, settings, args.date)
    except DmpError as error:
        print(f"{name}: error: {error}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    print(json.dumps(summary))
    return 0
