"""`dmp segments validate|list|lookup|rollback`: segment definitions and what is published of them."""

from __future__ import annotations

import argparse
import datetime as dt

from dmp import settings as settings_module
from dmp.dates import parse_day


def register(subparsers: argparse._SubParsersAction) -> None:
    segments = subparsers.add_parser("segments", help="segment definitions, lookups and rollbacks")
    actions = segments.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("validate", help="check every definition under DMP_SEGMENTS_DIR").set_defaults(func=_validate)
    actions.add_parser("list", help="id, name, version and last published size of each segment").set_defaults(
        func=_list)
    lookup = actions.add_parser("lookup", help="the current segments of an id (cookie, device or person id)")
    lookup.add_argument("id")
    lookup.add_argument("--on", metavar="DATE",
                        help="the day to judge expiry against, YYYY-MM-DD (default: today, UTC), e.g. a past run's day")
    lookup.set_defaults(func=_lookup)
    rollback = actions.add_parser("rollback", help="make an earlier complete version of a segment current again")
    rollback.add_argument("segment")
    rollback.add_argument("--to", required=True, metavar="VERSION", help="a version `dmp segments list` shows")
    rollback.set_defaults(func=_rollback)


def _definitions(settings):
    from dmp.segments.definitions import load_definitions
    from dmp.tagging.taxonomy import load_taxonomy

    return load_definitions(settings.segments_dir, load_taxonomy(settings.taxonomy_file))


def _validate(args: argparse.Namespace) -> int:
    definitions = _definitions(settings_module.load())
    for definition in definitions:
        print(f"{definition.id}: valid (version {definition.version})")
    print(f"{len(definitions)} definition(s) valid")
    return 0


def _list(args: argparse.Namespace) -> int:
    from dmp.storage.segments import SegmentStore
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    definitions = _definitions(settings)
    with cassandra_session(settings) as session:
        segments = SegmentStore(session, settings.keyspace)
        pointers = segments.pointers()
        print(f"{'id':<24} {'name':<36} {'version':<14} {'size':>10}  published version (kept)")
        for definition in definitions:
            pointer = pointers.get(definition.id)
            info = segments.version(definition.id, pointer.version) if pointer else None
            kept = [v.version for v in segments.versions(definition.id) if pointer and v.version != pointer.version]
            size = f"{info.members:,}" if info else "-"
            published = f"{pointer.version} ({', '.join(kept) or 'no other'})" if pointer else "never published"
            print(f"{definition.id:<24} {definition.name[:36]:<36} {definition.version:<14} {size:>10}  {published}")
    return 0


def _lookup(args: argparse.Namespace) -> int:
    from dmp.storage.segments import SegmentStore
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    on = parse_day(args.on, "--on") if args.on else dt.datetime.now(dt.timezone.utc).date()
    with cassandra_session(settings) as session:
        found = SegmentStore(session, settings.keyspace).lookup(args.id, on)
    if not found:
        print(f"{args.id}: in no current segment on {on}")
    for segment_id, expires in sorted(found.items()):
        print(f"{args.id}\t{segment_id}\texpires {expires}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from dmp.segments.publish import rollback
    from dmp.storage.segments import SegmentStore
    from dmp.storage.session import cassandra_session

    settings = settings_module.load()
    with cassandra_session(settings) as session:
        pointer = rollback(SegmentStore(session, settings.keyspace), args.segment, args.to)
    print(f"{pointer.segment_id}: current version is now {pointer.version} (was {pointer.previous})")
    return 0
