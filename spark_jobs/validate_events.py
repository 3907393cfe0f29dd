"""Spark job: validate one landing day of connection logs; accepted events to staging, the rest to quarantine.

Run by the `audience_daily` DAG through spark-submit (connection `spark_default`), or by hand:
    spark-submit spark_jobs/validate_events.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when the day must stop.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.validate import validate_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.VALIDATE_EVENTS, __doc__.splitlines()[0], validate_day, argv)


if __name__ == "__main__":
    sys.exit(main())
