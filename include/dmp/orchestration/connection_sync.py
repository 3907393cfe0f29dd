"""Keep `cassandra_default` and `spark_default` in Airflow's metadata database, where the UI edits them.

Airflow reads `AIRFLOW_CONN_*` variables before its database, so connections given that way would
hide any edit made in the UI. The platform writes them to the database instead, from the settings:

- a connection that is missing is created;
- one that still holds what the platform wrote last is updated when the settings change;
- one that differs from what the platform wrote was edited (in the UI, the CLI or the REST API):
  it is left as it is, and a note says which settings it now overrides.

The fingerprint of what was written last is kept beside the database (`var/airflow/.dmp-connections.json`), so when
the settings have not changed since, nothing starts Airflow at all. A connection defined by an
`AIRFLOW_CONN_*` variable or a secrets backend still wins over the database, as Airflow intends.

Run as `python -m dmp.orchestration.connection_sync` inside Airflow's environment
(`airflow_env.sync_connections` does it): JSON on stdin {conn_id: {"wanted": {...}, "written":
fingerprint | null}}, JSON on stdout {conn_id: "created" | "updated" | "unchanged" | "edited"}.
"""

from __future__ import annotations

import hashlib
import json
import sys
from typing import Any

CREATED, UPDATED, UNCHANGED, EDITED = "created", "updated", "unchanged", "edited"
FIELDS = ("conn_type", "host", "port", "schema", "login", "password", "extra")


def comparable(connection: dict[str, Any]) -> dict[str, Any]:
    """A connection's JSON form with every field present and extras as a dict, to compare two forms."""
    extra = connection.get("extra") or {}
    if isinstance(extra, str):
        extra = json.loads(extra) if extra.strip() else {}
    return {**{name: connection.get(name) or None for name in FIELDS}, "extra": extra or None}


def fingerprint(connection: dict[str, Any]) -> str:
    """SHA-256 of a connection's comparable form: what the stamp keeps, so no password lands in it."""
    return hashlib.sha256(json.dumps(comparable(connection), sort_keys=True).encode()).hexdigest()


def decide(stored: dict[str, Any] | None, wanted: dict[str, Any], written: str | None) -> str:
    """What to do with one connection: create it, update it, leave it (unchanged) or leave it (edited).

    `written` is the fingerprint of what the platform wrote last (None when it never did).
    """
    if stored is None:
        return CREATED
    if comparable(stored) == comparable(wanted):
        return UNCHANGED
    if written is not None and fingerprint(stored) == written:
        return UPDATED
    return EDITED


def _stored(connection) -> dict[str, Any]:
    return {"conn_type": connection.conn_type, "host": connection.host, "port": connection.port,
            "schema": connection.schema, "login": connection.login, "password": connection.password,
            "extra": connection.extra}


def _apply(session, connection_class, conn_id: str, wanted: dict[str, Any], existing) -> None:
    fields = {name: wanted.get(name) for name in FIELDS}
    if isinstance(fields["extra"], dict):
        fields["extra"] = json.dumps(fields["extra"])
    if existing is None:
        session.add(connection_class(conn_id=conn_id, **fields))
        return
    for name, value in fields.items():
        setattr(existing, name, value)


def main() -> int:
    from airflow.models import Connection
    from airflow.utils.session import create_session

    request = json.load(sys.stdin)
    outcome = {}
    with create_session() as session:
        for conn_id, forms in request.items():
            existing = session.query(Connection).filter(Connection.conn_id == conn_id).one_or_none()
            action = decide(_stored(existing) if existing else None, forms["wanted"], forms.get("written"))
            if action in (CREATED, UPDATED):
                _apply(session, Connection, conn_id, forms["wanted"], existing)
            outcome[conn_id] = action
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
