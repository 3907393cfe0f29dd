"""The platform's connections live in Airflow's database, where an edit made in the UI wins over the settings.

Edits are made on the `connection` table itself, the row the UI and the REST API write.
"""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from dmp.orchestration.airflow_env import sync_connections
from dmp.orchestration.connection_sync import CREATED, EDITED, UNCHANGED, UPDATED, decide, fingerprint
from dmp.settings import load

CASSANDRA = {"conn_type": "cassandra", "host": "127.0.0.1", "port": 9042, "schema": "dmp"}


def test_what_to_do_with_a_connection():
    assert decide(None, CASSANDRA, None) == CREATED
    assert decide({**CASSANDRA, "extra": "{}"}, CASSANDRA, None) == UNCHANGED, "an empty extra is no extra"
    moved = {**CASSANDRA, "port": 9142}
    assert decide(CASSANDRA, moved, fingerprint(CASSANDRA)) == UPDATED, "still what the platform wrote"
    assert decide({**CASSANDRA, "host": "cluster.example"}, moved, fingerprint(CASSANDRA)) == EDITED
    assert decide(CASSANDRA, moved, None) == EDITED, "never written by the platform: someone else's"
    assert "secret" not in fingerprint({**CASSANDRA, "password": "secret"})


def _row(settings, conn_id="cassandra_default"):
    with sqlite3.connect(settings.airflow_home / "airflow.db") as db:
        return db.execute("SELECT host, port FROM connection WHERE conn_id = ?", (conn_id,)).fetchone()


def _edit(settings, statement, *values):
    with sqlite3.connect(settings.airflow_home / "airflow.db") as db:
        db.execute(statement, values)


@pytest.mark.airflow
def test_settings_reach_the_database_until_someone_edits_the_connection(migrated_airflow_home, tmp_path):
    env = {**os.environ, "DMP_VAR_DIR": str(tmp_path / "var")}
    settings = load(env)
    shutil.copytree(migrated_airflow_home, settings.airflow_home)
    assert sync_connections(settings) == {}, "nothing changed since the database was made: Airflow is not started"

    moved = load({**env, "DMP_CASSANDRA_PORT": "9999"})
    assert sync_connections(moved)["cassandra_default"] == UPDATED
    assert _row(settings) == ("127.0.0.1", 9999)

    _edit(settings, "UPDATE connection SET host = 'cluster.example' WHERE conn_id = 'cassandra_default'")
    again = load({**env, "DMP_CASSANDRA_PORT": "9998"})
    assert sync_connections(again) == {"cassandra_default": EDITED, "spark_default": UNCHANGED}
    assert _row(settings) == ("cluster.example", 9999), "the edit stays"

    _edit(settings, "DELETE FROM connection WHERE conn_id = 'cassandra_default'")
    assert sync_connections(again)["cassandra_default"] == CREATED, "deleting the edit goes back to the settings"
    assert _row(settings) == ("127.0.0.1", 9998)
