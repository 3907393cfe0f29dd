"""Migrations on the real node: applied in order, recorded, idempotent, edits refused, TTL synced."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from dmp.errors import ConfigError
from dmp.storage import migrations
from dmp.storage.migrations import Migration, applied_versions, available_migrations, migrate


@pytest.fixture
def fresh_keyspace(cql, settings):
    """Settings pointing at a keyspace of its own, dropped after the test."""
    scratch = dataclasses.replace(settings, keyspace=f"dmp_mig_{uuid.uuid4().hex[:12]}")
    yield scratch
    cql.execute(f"DROP KEYSPACE IF EXISTS {scratch.keyspace}")


def _tables(cql, keyspace: str) -> set[str]:
    rows = cql.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s", (keyspace,))
    return {row.table_name for row in rows}


def test_first_migrate_applies_every_file_in_order_and_records_it(cql, fresh_keyspace):
    changes = migrate(cql, fresh_keyspace)

    files = available_migrations()
    assert changes == [f"applied {m.version:04d}_{m.name}" for m in files]
    assert applied_versions(cql, fresh_keyspace) == {m.version: m.checksum for m in files}
    assert {"schema_migrations", "events_by_user"} <= _tables(cql, fresh_keyspace.keyspace)


def test_second_migrate_changes_nothing(cql, fresh_keyspace):
    migrate(cql, fresh_keyspace)
    schema_before = list(cql.execute(
        "SELECT table_name, column_name, type FROM system_schema.columns WHERE keyspace_name = %s",
        (fresh_keyspace.keyspace,),
    ))

    assert migrate(cql, fresh_keyspace) == []
    schema_after = list(cql.execute(
        "SELECT table_name, column_name, type FROM system_schema.columns WHERE keyspace_name = %s",
        (fresh_keyspace.keyspace,),
    ))
    assert schema_after == schema_before


def test_an_applied_migration_that_was_edited_is_refused(cql, fresh_keyspace, monkeypatch):
    migrate(cql, fresh_keyspace)
    edited = [Migration(m.version, m.name, m.text + "\n-- edited") for m in available_migrations()]
    monkeypatch.setattr(migrations, "available_migrations", lambda: edited)

    with pytest.raises(ConfigError, match="changed after it was applied"):
        migrate(cql, fresh_keyspace)


def test_a_new_retention_setting_is_applied_to_the_events_table(cql, fresh_keyspace):
    migrate(cql, fresh_keyspace)
    shorter = dataclasses.replace(fresh_keyspace, events_ttl_days=7)

    assert migrate(cql, shorter) == [
        f"set {table} retention to 7 days" for table in ("events_by_user", "keyword_user_sets", "audience_sketches")
    ]
    ttl = cql.execute(
        "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = %s AND table_name = 'events_by_user'",
        (shorter.keyspace,),
    ).one()[0]
    assert ttl == 7 * 86_400
