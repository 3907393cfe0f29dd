"""Versioned CQL schema migrations, applied in order and recorded in the keyspace.

Migration files live in `dmp/storage/migrations/NNNN_name.cql`: CQL statements separated by `;`,
with `${keyspace}` and setting placeholders (`${events_ttl_seconds}`, `${page_index_ttl_seconds}`) filled from the settings.
Each applied file is recorded with its checksum in `schema_migrations`; applying again changes
nothing, and an applied file that was edited afterwards is refused (add a new migration instead).
The keyspace itself is created from the settings (replication differs between a laptop and a
cluster), and the tables' retention follows DMP_EVENTS_TTL_DAYS and DMP_PAGE_INDEX_TTL_DAYS on every run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from string import Template

from dmp.errors import ConfigError
from dmp.settings import SECONDS_PER_DAY, Settings
from dmp.storage import tables

_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.cql$")
_COMMENT_RE = re.compile(r"^\s*--.*$", re.MULTILINE)
SCHEMA_TABLE = "schema_migrations"


def _retention(settings: Settings) -> dict[str, tuple[tuple[str, ...], int]]:
    """Placeholder -> (tables, TTL in seconds) for the tables whose default TTL follows a setting."""
    return {
        "events_ttl_seconds": ((tables.EVENTS, tables.KEYWORD_USER_SETS, tables.AUDIENCE_SKETCHES),
                               settings.events_ttl_seconds),
        "page_index_ttl_seconds": ((tables.PAGE_INDEX,), settings.page_index_ttl_seconds),
        "interests_ttl_seconds": ((tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS, tables.PERSON_DAILY_INTERESTS,
                                   tables.PERSON_INTERESTS), settings.interests_ttl_seconds),
    }


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def statements(self, settings: Settings) -> list[str]:
        """The file's statements with the settings filled in."""
        values = {"keyspace": settings.keyspace, **{name: ttl for name, (_, ttl) in _retention(settings).items()}}
        try:
            cql = Template(_COMMENT_RE.sub("", self.text)).substitute(values)
        except (KeyError, ValueError) as error:
            raise ConfigError(f"Migration {self.version:04d}_{self.name}.cql has an unknown placeholder: {error}") from None
        return [statement.strip() for statement in cql.split(";") if statement.strip()]


def available_migrations() -> list[Migration]:
    """The packaged migration files, in version order."""
    found = []
    for entry in resources.files("dmp.storage").joinpath("migrations").iterdir():
        match = _FILE_RE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise ConfigError(f"Two migration files share a version number: {versions}")
    return found


def _ensure_keyspace(session, settings: Settings) -> None:
    session.execute(
        f"CREATE KEYSPACE IF NOT EXISTS {settings.keyspace} "
        f"WITH replication = {settings.replication.as_cql()} AND durable_writes = true"
    )
    session.execute(
        f"CREATE TABLE IF NOT EXISTS {settings.keyspace}.{SCHEMA_TABLE} ("
        "version int PRIMARY KEY, name text, checksum text, applied_at timestamp)"
    )


def applied_versions(session, settings: Settings) -> dict[int, str]:
    """Version -> checksum of the migrations already applied."""
    rows = session.execute(f"SELECT version, checksum FROM {settings.keyspace}.{SCHEMA_TABLE}")
    return {row.version: row.checksum for row in rows}


def _sync_retention(session, settings: Settings) -> list[str]:
    """Apply changed retention settings to their tables; what changed, as messages."""
    changes = []
    for table, ttl in ((table, ttl) for names, ttl in _retention(settings).values() for table in names):
        row = session.execute(
            "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = %s AND table_name = %s",
            (settings.keyspace, table),
        ).one()
        if row is None or row.default_time_to_live == ttl:
            continue
        session.execute(f"ALTER TABLE {settings.keyspace}.{table} WITH default_time_to_live = {ttl}")
        changes.append(f"set {table} retention to {ttl // SECONDS_PER_DAY} days")
    return changes


def migrate(session, settings: Settings) -> list[str]:
    """Bring the keyspace to the newest schema; returns what was done, empty when nothing was."""
    _ensure_keyspace(session, settings)
    done = applied_versions(session, settings)
    changes = []
    for migration in available_migrations():
        label = f"{migration.version:04d}_{migration.name}"
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                raise ConfigError(
                    f"Migration {label}.cql changed after it was applied to keyspace {settings.keyspace}. "
                    "Applied migrations are history: revert the edit and add a new migration file."
                )
            continue
        for statement in migration.statements(settings):
            session.execute(statement)
        session.execute(
            f"INSERT INTO {settings.keyspace}.{SCHEMA_TABLE} (version, name, checksum, applied_at) "
            "VALUES (%s, %s, %s, toTimestamp(now()))",
            (migration.version, migration.name, migration.checksum),
        )
        changes.append(f"applied {label}")
    return changes + _sync_retention(session, settings)
