"""Errors a user can cause with the storage commands, on the real node: one line saying what to do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dmp.cli import main

NEVER_MIGRATED = "dmp_never_migrated"


@pytest.fixture()
def never_migrated(cql, monkeypatch):
    """The settings pointed at a keyspace no migration ever created."""
    cql.execute(f"DROP KEYSPACE IF EXISTS {NEVER_MIGRATED}")
    monkeypatch.setenv("DMP_KEYSPACE", NEVER_MIGRATED)


def one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dmp: error: ") and not out, (out, err)
    return lines[0]


@pytest.mark.parametrize("argv", [["audience", "estimate", "music", "--until", "2026-11-16"],
                                  ["audience", "estimate", "music", "--theme", "--until", "2026-11-16"]])
def test_estimate_on_a_keyspace_never_migrated_says_to_migrate(never_migrated, argv):
    """In a process of its own: the driver's logging, which `cli.main` configures, must add no traceback."""
    done = subprocess.run([sys.executable, "-m", "dmp.cli", *argv], capture_output=True, text=True)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and not done.stdout and len(lines) == 1, done.stderr
    assert lines[0] == (f"dmp: error: keyspace {NEVER_MIGRATED} does not exist: the schema of keyspace "
                        f"{NEVER_MIGRATED} is not migrated. Run `dmp schema migrate` (or point DMP_KEYSPACE at the "
                        "platform's keyspace).")


def test_schema_status_on_a_keyspace_never_migrated_lists_all_pending_and_says_to_migrate(never_migrated, capsys):
    from dmp.storage.migrations import available_migrations

    assert main(["schema", "status"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(available_migrations()) + 1 and all(line.endswith(": pending") for line in lines[:-1])
    assert lines[-1] == (f"keyspace {NEVER_MIGRATED}: {len(available_migrations())} migration(s) pending; "
                         "run `dmp schema migrate` to apply them")


def test_schema_status_on_a_migrated_keyspace_says_nothing_more(cql, capsys):
    assert main(["schema", "status"]) == 0
    assert all(line.endswith(": applied") for line in capsys.readouterr().out.strip().splitlines())


def test_estimate_with_no_sketch_in_the_window_says_which_days_and_what_to_check(cql, settings, capsys):
    assert main(["audience", "estimate", "music, ford focus", "--until", "2040-01-31", "--days", "7"]) == 1
    line = one_error_line(capsys)
    assert "no keyword sketch for music, ford focus from 2040-01-25 to 2040-01-31" in line
    assert f"keyspace {settings.keyspace}" in line and "dmp runs show DATE" in line
