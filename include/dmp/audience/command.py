"""`dmp audience estimate`: how many people a keyword audience reaches, while you type."""

from __future__ import annotations

import argparse
import datetime as dt

from dmp import settings as settings_module
from dmp.dates import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    audience = subparsers.add_parser("audience", help="audience sizes from keywords and themes")
    actions = audience.add_subparsers(dest="action", required=True, metavar="ACTION")
    estimate = actions.add_parser("estimate", help="distinct users who visited pages with any of the keywords")
    estimate.add_argument("keywords", help="comma-separated keywords, e.g. 'ford focus, opel astra'")
    estimate.add_argument("--until", help="last day, YYYY-MM-DD (default: today, UTC)")
    estimate.add_argument("--days", type=int, default=30, help="days up to --until (default 30)")
    estimate.add_argument("--theme", action="store_true", help="the entries are themes, not keywords")
    estimate.set_defaults(func=_estimate)


def _estimate(args: argparse.Namespace) -> int:
    from dmp.audience.estimate import SketchReader, parse_keywords
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    last = parse_day(args.until, "--until") if args.until else dt.datetime.now(dt.timezone.utc).date()
    first = last - dt.timedelta(days=max(args.days, 1) - 1)
    keys = tuple(key.strip() for key in args.keywords.split(",") if key.strip()) if args.theme else parse_keywords(args.keywords)
    with cassandra_session(settings) as session:
        result = SketchReader(session, settings.keyspace).estimate("theme" if args.theme else "keyword", keys, first, last)
    missing = sorted(set(result.keywords) - set(result.keywords_seen))
    print(f"about {result.users:,.0f} people from {first} to {last} for {', '.join(result.keywords)} "
          f"({result.sketches} sketches, {result.milliseconds:.1f} ms)"
          + (f"; never seen: {', '.join(missing)}" if missing else ""))
    return 0
