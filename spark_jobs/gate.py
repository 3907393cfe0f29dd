"""Spark job: run one data-quality gate (Great Expectations) on the day's staged datasets.

Run by the `audience_daily` DAG between its stages, or by hand:
    spark-submit spark_jobs/gate.py --gate raw_events --date 2026-11-01
The gates and their suites are listed in `dmp.quality.gates` and `expectations/`. Prints the
gate's results as one JSON line; exits 1 with the failed expectations when the gate fails.
"""

from __future__ import annotations

import argparse
import sys

from dmp.pipeline.jobs import run_day_job
from dmp.quality.gates import GATES, gate_named
from dmp.quality.runner import run_gate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--gate", required=True, choices=sorted(GATES))
    args, rest = parser.parse_known_args(argv)
    gate = gate_named(args.gate)
    return run_day_job(
        gate.step, __doc__.splitlines()[0], lambda spark, settings, day: run_gate(spark, settings, day, gate), rest
    )


if __name__ == "__main__":
    sys.exit(main())
