"""`dmp generate`: a realistic, reproducible clickstream and CRM file in the landing folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from dmp import settings as settings_module
from dmp.dates import parse_day
from dmp.generate.run import DEFAULT_EVENTS_PER_PERSON_DAY, DEFAULT_SEED, GenerateRequest, generate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write days of synthetic clickstream and a CRM file to the landing folder",
        description="Write <out>/<YYYY-MM-DD>/events-*.jsonl.gz with _manifest.json per day, and "
        "<out>/crm/customers.csv.gz. The same arguments always write the same bytes.",
    )
    parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD (UTC)")
    parser.add_argument("--days", type=int, required=True, help="number of days")
    parser.add_argument("--users", type=int, required=True, help="number of people (each has 1 to 4 cookies)")
    parser.add_argument("--out", type=Path, help="output folder (default: the settings' landing folder)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--urls", type=Path, help="uci_news_aggregator.tsv.gz for real page URLs (default: synthetic)")
    parser.add_argument(
        "--events-per-user-day", type=float, default=DEFAULT_EVENTS_PER_PERSON_DAY,
        help=f"mean events per person and day (default {DEFAULT_EVENTS_PER_PERSON_DAY})",
    )
    parser.set_defaults(func=_generate)


def _generate(args: argparse.Namespace) -> int:
    request = GenerateRequest(
        start=parse_day(args.start, "--start"),
        days=args.days,
        people=args.users,
        out_dir=args.out or Path(settings_module.load().landing_dir),
        seed=args.seed,
        urls_file=args.urls,
        events_per_person_day=args.events_per_user_day,
    )
    summary = generate(request)
    print(
        f"generated {summary.days} day(s): {summary.events:,} events from {summary.people:,} people "
        f"({summary.cookies:,} cookies, {summary.customers:,} CRM customers) in {summary.out_dir} "
        f"in {summary.seconds:.1f} s"
    )
    return 0

