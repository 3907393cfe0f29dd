"""Spark job: publish the day's gated interests to `user_daily_interests` and `user_interests`.

Run by the `audience_daily` DAG once `gate_interests` passed, or by hand:
    spark-submit spark_jobs/publish_interests.py --date 2026-11-01
Writes exactly the staged rows the gate checked and deletes the stale ones a re-run staged.
Prints the day's figures as one JSON line.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.publish import publish_interests_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.PUBLISH_INTERESTS, __doc__.splitlines()[0], publish_interests_day, argv)


if __name__ == "__main__":
    sys.exit(main())
