"""Spark job: the segment gate (sizes, consent, a re-checked sample) on the day's staged members.

Run by the `audience_daily` DAG after evaluate_segments, or by hand:
    spark-submit spark_jobs/gate_segments.py --date 2026-11-01
Exits 1 with the failed checks when a segment fails; nothing is published then.
"""

from __future__ import annotations

import sys

from dmp.pipeline import steps
from dmp.pipeline.jobs import run_day_job
from dmp.segments.gate import gate_segments_day


def main(argv: list[str] | None = None) -> int:
    return run_day_job(steps.gate_step(steps.SEGMENTS_GATE), __doc__.splitlines()[0], gate_segments_day, argv)


if __name__ == "__main__":
    sys.exit(main())
