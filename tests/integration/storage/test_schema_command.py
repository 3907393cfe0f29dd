"""`dmp schema migrate|status` as a user runs them, against the real node."""

from __future__ import annotations

from dmp.cli import main
from dmp.storage.migrations import available_migrations


def test_status_lists_every_migration_as_applied_and_migrate_again_changes_nothing(cql, settings, capsys):
    assert main(["schema", "status"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{migration.version:04d}_{migration.name}: applied" for migration in available_migrations()]
    assert main(["schema", "migrate"]) == 0
    assert capsys.readouterr().out.strip() == f"keyspace {settings.keyspace} (SimpleStrategy) is up to date"


def test_status_of_a_keyspace_never_migrated_is_all_pending(cql, monkeypatch, capsys):
    monkeypatch.setenv("DMP_KEYSPACE", "dmp_never_migrated")
    assert main(["schema", "status"]) == 0
    *migrations, advice = capsys.readouterr().out.splitlines()
    assert {line.rsplit(": ", 1)[1] for line in migrations} == {"pending"}
    assert advice == (f"keyspace dmp_never_migrated: {len(migrations)} migration(s) pending; "
                      "run `dmp schema migrate` to apply them")
