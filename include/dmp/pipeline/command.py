"""`dmp runs show DATE`: a processed day's figures as JSON, for an operator's glance."""

from __future__ import annotations

import argparse
import json

from dmp import settings as settings_module
from dmp.dates import parse_day
from dmp.pipeline.runs import read_day_summary


def register(subparsers: argparse._SubParsersAction) -> None:
    runs = subparsers.add_parser("runs", help="figures of the days the daily pipeline processed")
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print a day's figures as JSON (read, accepted, quarantined, stored)")
    show.add_argument("date", help="the logical date, YYYY-MM-DD")
    show.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    day = parse_day(args.date)
    print(json.dumps(read_day_summary(settings_module.load(), day), indent=2))
    return 0
