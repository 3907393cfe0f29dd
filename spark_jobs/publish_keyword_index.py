"""Spark job: publish the day's gated keyword index and sketches to `keyword_user_sets` and `audience_sketches`.

Run by the `audience_daily` DAG once `gate_keyword_index` passed, or by hand:
    spark-submit spark_jobs/publish_keyword_index.py --date 2026-11-01
Clears the day's rows, then writes exactly the staged rows the gate checked.
Prints the day's figures as one JSON line.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.publish import publish_keyword_index_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.PUBLISH_KEYWORD_INDEX, __doc__.splitlines()[0], publish_keyword_index_day, argv)


if __name__ == "__main__":
    sys.exit(main())
