"""The real-time stream: Kafka clickstream -> micro-batches -> keyword index, sketches, live segments.

A long-lived service, not a DAG step: `dmp stream start` runs it in the background (pid file and
log under var/stream), `dmp stream stop` ends it, the `stream_watchdog` DAG restarts it when it
stops committing batches. By hand, in the foreground (Ctrl-C stops it):
    python spark_jobs/stream.py [--trigger-seconds 30]
"""

from __future__ import annotations

import argparse
import signal
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trigger-seconds", type=float, default=None,
                        help="micro-batch interval (default DMP_STREAM_TRIGGER_SECONDS, 30)")
    args = parser.parse_args(argv)

    from dmp.errors import DmpError
    from dmp.settings import load
    from dmp.stream.service import run_stream

    try:
        return run_stream(load(), args.trigger_seconds, stop_signals=(signal.SIGTERM, signal.SIGINT))
    except DmpError as error:
        print(f"stream: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
