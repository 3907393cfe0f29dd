"""`dmp audience estimate`: how many people a keyword audience reaches, while you type."""

from __future__ import annotations

import argparse
import datetime as dt

from dmp import settings as settings_module
from dmp.dates import parse_day
from dmp.errors import InputError
from dmp.storage.formats import BOTH_WORDS, KEYWORD_KIND, THEME_KIND, WORD_SCOPES, window_ending


def register(subparsers: argparse._SubParsersAction) -> None:
    audience = subparsers.add_parser("audience", help="audience sizes from keywords and themes")
    actions = audience.add_subparsers(dest="action", required=True, metavar="ACTION")
    estimate = actions.add_parser("estimate", help="distinct users who visited pages with any of the keywords")
    estimate.add_argument("keywords", help="comma-separated keywords, e.g. 'ford focus, opel astra'")
    estimate.add_argument("--until", help="last day, YYYY-MM-DD (default: today, UTC)")
    estimate.add_argument("--days", type=int, default=30, help="days up to --until (default 30)")
    estimate.add_argument("--theme", action="store_true", help="the entries are themes, not keywords")
    estimate.add_argument("--words", choices=WORD_SCOPES, default=BOTH_WORDS,
                          help="count who read the keywords on pages, searched for them, or both (default)")
    estimate.set_defaults(func=_estimate)
    serve = subparsers.add_parser("serve", help="the Audience Builder alone (the app Airflow mounts at /audience)")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default 8765)")
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from dmp.audience.dev import DEFAULT_PORT, serve

    port = args.port or DEFAULT_PORT
    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: a port from 1 to 65535.")
    serve(settings_module.load(), port)
    return 0


def _estimate(args: argparse.Namespace) -> int:
    from dmp.audience.estimate import estimate, parse_keywords
    from dmp.storage.keyword_index import SketchReader
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    if args.days < 1:
        raise InputError(f"--days {args.days}: give the number of days up to --until, 1 or more (default 30).")
    last = parse_day(args.until, "--until") if args.until else dt.datetime.now(dt.timezone.utc).date()
    first, last = window_ending(last, args.days)
    kind = THEME_KIND if args.theme else KEYWORD_KIND
    keys = tuple(key.strip() for key in args.keywords.split(",") if key.strip()) if args.theme else parse_keywords(args.keywords)
    with cassandra_session(settings) as session:
        result = estimate(SketchReader(session, settings.keyspace), kind, keys, first, last, args.words)
    if not result.keywords_seen:
        raise InputError(
            f"no {kind} sketch for {', '.join(keys)} from {first} to {last} in keyspace {settings.keyspace}: "
            "those days were not indexed or no page had them; see a day's keyword figures with "
            "`dmp runs show DATE`, or choose other days with --until and --days.")
    from dmp.audience.sketch_algebra import CONFIDENCE

    missing = sorted(set(result.keywords) - set(result.keywords_seen))
    bounds = ("exact count" if result.exact else
              f"{result.lower:,.0f} to {result.upper:,.0f} at {CONFIDENCE:.2%} confidence")
    print(f"about {result.users:,.0f} people from {first} to {last} for {', '.join(result.keywords)} "
          f"[{bounds}; distinct ids] "
          f"({result.sketches} sketches, {result.milliseconds:.1f} ms)"
          + (f"; never seen: {', '.join(missing)}" if missing else ""))
    return 0
