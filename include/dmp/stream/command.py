"""`dmp stream start|stop|status|produce`: the real-time stream and its test producer."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from dmp import settings as settings_module
from dmp.dates import parse_day
from dmp.errors import InputError

# Exit status of `status` when the stream is not serving or stale, as init scripts do (LSB: 3 = not running).
EXIT_NOT_RUNNING = 3
DEMO_TRIGGER_SECONDS = 5
DEMO_TIMEOUT_SECONDS = 300
DEMO_URL = "https://www.autoreview.example.com/car/used-car-buying-guide"


def register(subparsers: argparse._SubParsersAction) -> None:
    stream = subparsers.add_parser("stream", help="the real-time stream: Kafka -> keyword index, sketches, live segments")
    actions = stream.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="start the stream in the background (no-op if it runs)")
    start.add_argument("--trigger-seconds", type=float, default=None,
                       help="micro-batch interval (default DMP_STREAM_TRIGGER_SECONDS, 30)")
    start.set_defaults(func=_start)
    actions.add_parser("stop", help="stop the stream (a batch under way runs again on the next start)").set_defaults(
        func=_stop)
    status = actions.add_parser("status", help="running or not, last committed batch, lag; exit 3 when down or stale")
    status.add_argument("--json", action="store_true", help="print the status and the totals as JSON")
    status.set_defaults(func=_status)
    produce = actions.add_parser("produce", help="send landing lines to the stream's topic at a steady rate")
    produce.add_argument("--rate", type=float, required=True, help="events per second")
    source = produce.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-landing", metavar="DAY", help="the JSON files of a landing day")
    source.add_argument("--from-file", metavar="FILE", type=Path, help="a JSON-lines file (gzip or not)")
    produce.add_argument("--seconds", type=float, default=None, help="stop after this long (default: when the lines end)")
    produce.add_argument("--loop", action="store_true", help="send the lines again and again (with --seconds)")
    produce.add_argument("--keep-ts", action="store_true",
                         help="send `ts` as it is (default: the send time, so replayed lines count for today)")
    produce.set_defaults(func=_produce)
    demo = actions.add_parser("demo", help="one event produced, then the user's segments a trigger later")
    demo.add_argument("--trigger-seconds", type=float, default=DEMO_TRIGGER_SECONDS,
                      help=f"trigger of a stream the demo starts (default {DEMO_TRIGGER_SECONDS:g})")
    demo.add_argument("--timeout", type=float, default=DEMO_TIMEOUT_SECONDS, help="seconds to wait for the segment")
    demo.set_defaults(func=_demo)


def _start(args: argparse.Namespace) -> int:
    from dmp.stream import service

    settings = settings_module.load()
    pid = service.start(settings, args.trigger_seconds)
    print(f"stream running (pid {pid}); log in {service.log_file(settings)}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    from dmp.stream import service

    print("stream stopped" if service.stop(settings_module.load()) else "stream was not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    from dmp.stream import figures, service

    settings = settings_module.load()
    current = service.status(settings)
    if args.json:
        print(json.dumps({**current.__dict__, **figures.totals(figures.read_batches(settings))}, default=str))
    else:
        print(current.describe(settings))
    return 0 if current.running and not current.is_stale(settings) else EXIT_NOT_RUNNING


def _produce(args: argparse.Namespace) -> int:
    from dmp.stream.producer import file_lines, landing_lines, produce

    settings = settings_module.load()
    if args.loop and args.seconds is None:
        raise InputError("--loop repeats the lines for ever: give --seconds too.")
    if args.from_file is not None and not args.from_file.is_file():
        raise InputError(f"--from-file {args.from_file}: no such file.")
    lines = (landing_lines(settings, parse_day(args.from_landing, "--from-landing")) if args.from_landing
             else file_lines(args.from_file))
    result = produce(settings, lines, args.rate, keep_ts=args.keep_ts, loop=args.loop, seconds=args.seconds)
    print(json.dumps({"topic": settings.stream_topic, **result.as_dict()}))
    return 1 if result.failed else 0


def _demo(args: argparse.Namespace) -> int:
    """Start the stream if needed, send one page view of a car page, print the user's segments once in."""
    import time
    import uuid

    from dmp.errors import ServiceError
    from dmp.storage.segments import SegmentStore
    from dmp.storage.session import cassandra_session
    from dmp.stream import service
    from dmp.stream.producer import produce

    settings = settings_module.load()
    started_here = service.running_pid(settings) is None
    service.start(settings, args.trigger_seconds)
    user = f"demo-{uuid.uuid4().hex[:12]}"
    line = json.dumps({"user_id": user, "ts": "now", "url": DEMO_URL, "event_type": "page_view"})
    try:
        produce(settings, [line], rate=1)
        sent = time.monotonic()
        print(f"produced: {line} (ts set to the send time)")
        with cassandra_session(settings) as session:
            segments = SegmentStore(session, settings.keyspace)
            while time.monotonic() - sent < args.timeout:
                today = dt.datetime.now(dt.timezone.utc).date()
                found = segments.lookup(user, today)
                if found:
                    print(f"{user} after {time.monotonic() - sent:.1f} s: "
                          + ", ".join(f"{segment} (until {expires})" for segment, expires in sorted(found.items())))
                    return 0
                time.sleep(1)
        raise ServiceError(f"{user} was in no segment after {args.timeout:.0f} s: see {service.log_file(settings)} "
                           "and `dmp stream status`; is a `realtime: true` segment defined under segments/?")
    finally:
        if started_here:
            service.stop(settings)
