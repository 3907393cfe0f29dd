"""The `dmp` command: everything an operator does outside the Airflow UI.

Each area of the platform registers its own sub-commands (`register(subparsers)` in its
`command` module) so this file only assembles them and turns user errors into short messages.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from dmp.errors import DmpError

COMMAND_MODULES = (
    "dmp.services.command",
    "dmp.storage.command",
    "dmp.generate.command",
    "dmp.orchestration.command",
    "dmp.pipeline.command",
    "dmp.tagging.command",
    "dmp.audience.command",
    "dmp.segments.command",
    "dmp.privacy.command",
    "dmp.identity.command",
    "dmp.stream.command",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every area's sub-commands."""
    import importlib

    parser = argparse.ArgumentParser(prog="dmp", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `dmp` command; user errors print a message and return 1, never a traceback."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("cassandra", "py4j", "gensim"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args) or 0)
    except DmpError as error:
        print(f"dmp: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dmp: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
