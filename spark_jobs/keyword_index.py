"""Spark job: the day's keyword index (keyword -> users) and sketches per keyword and theme, staged for the gate.

Run by the `audience_daily` DAG after the day's pages are tagged, or by hand:
    spark-submit spark_jobs/keyword_index.py --date 2026-11-01
Prints the day's figures as one JSON line; exits 1 with a message when it cannot run.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.pipeline.keyword_index import keyword_index_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.KEYWORD_INDEX, __doc__.splitlines()[0], keyword_index_day, argv)


if __name__ == "__main__":
    sys.exit(main())
