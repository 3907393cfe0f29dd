"""`dmp schema migrate|status`: the Cassandra schema of the platform."""

from __future__ import annotations

import argparse

from dmp import settings as settings_module
from dmp.storage.migrations import applied_versions, available_migrations, migrate
from dmp.storage.session import cassandra_session


def register(subparsers: argparse._SubParsersAction) -> None:
    schema = subparsers.add_parser("schema", help="the Cassandra schema (versioned CQL migrations)")
    actions = schema.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("migrate", help="apply the migrations not applied yet (idempotent)").set_defaults(func=_migrate)
    actions.add_parser("status", help="list migrations and whether each is applied").set_defaults(func=_status)


def _migrate(args: argparse.Namespace) -> int:
    settings = settings_module.load()
    with cassandra_session(settings) as session:
        changes = migrate(session, settings)
    target = f"keyspace {settings.keyspace} ({settings.replication.strategy})"
    print("\n".join(f"{change} in {target}" for change in changes) or f"{target} is up to date")
    return 0


def _status(args: argparse.Namespace) -> int:
    from cassandra import InvalidRequest

    settings = settings_module.load()
    with cassandra_session(settings) as session:
        try:
            done = applied_versions(session, settings)
        except InvalidRequest:  # no keyspace or version table yet: nothing is applied
            done = {}
    migrations = available_migrations()
    for migration in migrations:
        state = "applied" if migration.version in done else "pending"
        print(f"{migration.version:04d}_{migration.name}: {state}")
    pending = sum(migration.version not in done for migration in migrations)
    if pending:
        print(f"keyspace {settings.keyspace}: {pending} migration(s) pending; run `dmp schema migrate` to apply them")
    return 0
