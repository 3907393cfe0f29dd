"""Cassandra I/O of privacy requests: the reads, counts and deletes a deletion needs, one prepared statement each.

Every statement is built from the platform's table and column names (constants), never from what a
request holds: ids, days and digests are bound values. `KeyedRows` counts and deletes the rows of one
table under a full primary-key prefix, the shape most tables are erased in; the keyword index and
the sketches, which hold many users per row, have their own reads and rewrites here. Rewrites keep
the cell's remaining TTL, so a rewritten row expires when the original would have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import KEY_BUCKETS
from dmp.storage.session import prepare

CONCURRENCY = 64
DONE = "done"


def _day(value) -> dt.date:
    """A CQL `date` as the driver returns it (cassandra.util.Date) as a datetime.date."""
    return value.date() if hasattr(value, "date") else value


def _run_all(session, statement, values: Sequence[tuple]) -> list:
    """Each bound execution's result rows, in the order of `values` (concurrent)."""
    from cassandra.concurrent import execute_concurrent_with_args

    results = execute_concurrent_with_args(session, statement, values, concurrency=CONCURRENCY,
                                           raise_on_first_error=True)
    return [list(result) for _, result in results]


def table_key(session, keyspace: str, table: str) -> tuple[str, ...] | None:
    """The primary-key columns of `table` (partition key, then clustering, in order); None when it does not exist."""
    rows = list(session.execute(
        "SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = %s AND table_name = %s",
        (keyspace, table)))
    if not rows:
        return None
    kinds = {"partition_key": 0, "clustering": 1}
    keyed = sorted((kinds[row.kind], row.position, row.column_name) for row in rows if row.kind in kinds)
    return tuple(name for _, _, name in keyed)


class KeyedRows:
    """Count and delete the rows of `table` under a prefix of its primary key (`key_columns`, in order)."""

    def __init__(self, session, keyspace: str, table: str, key_columns: tuple[str, ...]):
        self.session, self.table = session, table
        where = " AND ".join(f"{column} = ?" for column in key_columns)
        self._count = prepare(session, f"SELECT count(*) AS n FROM {keyspace}.{table} WHERE {where}", keyspace)
        self._delete = prepare(session, f"DELETE FROM {keyspace}.{table} WHERE {where}", keyspace)

    def counts(self, keys: Sequence[tuple]) -> list[int]:
        """The rows under each key of `keys`, in order."""
        return [rows[0].n for rows in _run_all(self.session, self._count, list(keys))] if keys else []

    def count(self, keys: Sequence[tuple]) -> int:
        return sum(self.counts(keys))

    def delete(self, keys: Sequence[tuple]) -> None:
        if keys:
            _run_all(self.session, self._delete, list(keys))


@dataclass(frozen=True)
class Chunk:
    """One row of keyword_user_sets: a keyword's users of a day (one chunk of them), with its TTL left."""

    day: dt.date
    bucket: int
    keyword: str
    chunk: int
    users: tuple[str, ...]
    ttl: int | None


class IndexStore:
    """Reads and rewrites of the keyword index and the sketches for a deletion."""

    def __init__(self, session, keyspace: str):
        self.session = session
        sets, sketches = f"{keyspace}.{tables.KEYWORD_USER_SETS}", f"{keyspace}.{tables.AUDIENCE_SKETCHES}"
        self._bucket = prepare(session, f"SELECT keyword, chunk, users, user_ids, TTL(user_ids) AS ttl FROM {sets} "
                                        "WHERE day = ? AND bucket = ?", keyspace)
        self._keyword = prepare(session, f"SELECT chunk, users, user_ids, TTL(user_ids) AS ttl FROM {sets} "
                                         "WHERE day = ? AND bucket = ? AND keyword = ?", keyspace)
        self._write_chunk = prepare(session, f"INSERT INTO {sets} (day, bucket, keyword, chunk, user_ids) "
                                             "VALUES (?, ?, ?, ?, ?) USING TTL ?", keyspace)
        self._delete_chunk = prepare(session, f"DELETE FROM {sets} WHERE day = ? AND bucket = ? AND keyword = ? "
                                              "AND chunk = ?", keyspace)
        self._sketch = prepare(session, f"SELECT sketch, TTL(sketch) AS ttl FROM {sketches} "
                                        "WHERE kind = ? AND bucket = ? AND day = ? AND key = ?", keyspace)
        self._write_sketch = prepare(session, f"INSERT INTO {sketches} (kind, bucket, day, key, sketch, estimate) "
                                              "VALUES (?, ?, ?, ?, ?, ?) USING TTL ?", keyspace)
        self._delete_sketch = prepare(session, f"DELETE FROM {sketches} WHERE kind = ? AND bucket = ? AND day = ? "
                                               "AND key = ?", keyspace)

    @staticmethod
    def _users(row) -> tuple[str, ...]:
        from dmp.storage.formats import decode_users

        return tuple(sorted(row.users)) if row.users else tuple(decode_users(row.user_ids))

    def chunks_holding(self, day: dt.date, ids: frozenset[str]) -> list[Chunk]:
        """The day's chunks (of every keyword) that hold any of `ids`: a read of the day's buckets."""
        found = []
        rows_by_bucket = _run_all(self.session, self._bucket, [(day, bucket) for bucket in range(KEY_BUCKETS)])
        for bucket, rows in enumerate(rows_by_bucket):
            for row in rows:
                users = self._users(row)
                if ids.intersection(users):
                    found.append(Chunk(day, bucket, row.keyword, row.chunk, users, row.ttl))
        return found

    def keyword_chunks(self, day: dt.date, bucket: int, keyword: str) -> list[Chunk]:
        return [Chunk(day, bucket, keyword, row.chunk, self._users(row), row.ttl)
                for row in self.session.execute(self._keyword, (day, bucket, keyword))]

    def write_chunk(self, chunk: Chunk) -> None:
        from dmp.storage.formats import USER_SEPARATOR

        blob = USER_SEPARATOR.join(chunk.users).encode("utf-8")
        self.session.execute(self._write_chunk, (chunk.day, chunk.bucket, chunk.keyword, chunk.chunk, blob,
                                                 chunk.ttl or 0))

    def delete_chunk(self, chunk: Chunk) -> None:
        self.session.execute(self._delete_chunk, (chunk.day, chunk.bucket, chunk.keyword, chunk.chunk))

    def sketch(self, kind: str, bucket: int, day: dt.date, key: str) -> tuple[bytes, int | None] | None:
        """A stored sketch and its TTL left, None when there is none."""
        row = self.session.execute(self._sketch, (kind, bucket, day, key)).one()
        return (row.sketch, row.ttl) if row else None

    def sketches(self, kind: str, day: dt.date, keys: Iterable[str]) -> dict[str, tuple[bytes, int | None]]:
        """The stored sketches of `keys` on `day` (keys without one left out)."""
        from dmp.storage.formats import key_bucket

        keys = list(keys)
        rows = _run_all(self.session, self._sketch, [(kind, key_bucket(key), day, key) for key in keys])
        return {key: (found[0].sketch, found[0].ttl) for key, found in zip(keys, rows) if found}

    def write_sketch(self, kind: str, bucket: int, day: dt.date, key: str, sketch: bytes, estimate: float,
                     ttl: int | None) -> None:
        self.session.execute(self._write_sketch, (kind, bucket, day, key, sketch, estimate, ttl or 0))

    def delete_sketch(self, kind: str, bucket: int, day: dt.date, key: str) -> None:
        self.session.execute(self._delete_sketch, (kind, bucket, day, key))


class PersonLookups:
    """Who an id belongs to: `person_by_id` (typed node -> person) and the person's own row."""

    def __init__(self, session, keyspace: str):
        self.session = session
        self._person_of = prepare(session, f"SELECT person_id FROM {keyspace}.{tables.PERSON_BY_ID} WHERE id = ?",
                                  keyspace)
        self._person = prepare(session, f"SELECT person_id, ids, email_sha256, email_uid2, customer_ids FROM "
                                        f"{keyspace}.{tables.PERSONS} WHERE person_id = ?", keyspace)

    def person_of(self, node: str) -> str | None:
        row = self.session.execute(self._person_of, (node,)).one()
        return row.person_id if row else None

    def person(self, person_id: str):
        """The person's row (ids, email_sha256, email_uid2, customer_ids), None when identity has no such person."""
        return self.session.execute(self._person, (person_id,)).one()


class DailyRows:
    """The (day, theme) pairs of a subject's daily interest rows (one partition read): where its index and
    sketches may be."""

    def __init__(self, session, keyspace: str, table: str, key_column: str):
        self.session = session
        self._rows = prepare(session, f"SELECT day, theme FROM {keyspace}.{table} WHERE {key_column} = ?", keyspace)

    def pairs(self, key: str) -> set[tuple[dt.date, str]]:
        return {(_day(row.day), row.theme) for row in self.session.execute(self._rows, (key,))}


class SegmentVersions:
    """Every kept version of every published segment (pointers, then their version rows)."""

    def __init__(self, session, keyspace: str):
        self.session = session
        self._segments = prepare(session, f"SELECT segment_id FROM {keyspace}.{tables.SEGMENT_CURRENT}", keyspace)
        self._versions = prepare(session, f"SELECT version FROM {keyspace}.{tables.SEGMENT_VERSIONS} "
                                          "WHERE segment_id = ?", keyspace)

    def all(self) -> list[tuple[str, str]]:
        segments = [row.segment_id for row in self.session.execute(self._segments)]
        return [(segment_id, row.version) for segment_id in segments
                for row in self.session.execute(self._versions, (segment_id,))]


class Suppressions:
    """The digests that must not come back: written by a deletion, read by validation and publishing."""

    def __init__(self, session, keyspace: str):
        self.session = session
        self._add = prepare(session, f"INSERT INTO {keyspace}.{tables.PRIVACY_SUPPRESSIONS} (digest, kind, request_id, "
                                     "created_at) VALUES (?, ?, ?, toTimestamp(now()))", keyspace)
        self._any = prepare(session, f"SELECT digest FROM {keyspace}.{tables.PRIVACY_SUPPRESSIONS} LIMIT 1", keyspace)
        self._one = prepare(session, f"SELECT digest FROM {keyspace}.{tables.PRIVACY_SUPPRESSIONS} WHERE digest = ?",
                            keyspace)

    def add(self, entries: Iterable[tuple[str, str]], request_id: str) -> None:
        """Record (digest, kind) pairs for `request_id`."""
        values = [(digest, kind, request_id) for digest, kind in entries]
        if values:
            _run_all(self.session, self._add, values)

    def any(self) -> bool:
        return self.session.execute(self._any).one() is not None

    def count(self, digests: Sequence[str]) -> int:
        return sum(bool(rows) for rows in _run_all(self.session, self._one, [(d,) for d in digests])) if digests else 0


def has_suppressions(settings: Settings) -> bool:
    """Whether any id is suppressed (validation skips its joins otherwise)."""
    from dmp.storage.session import cassandra_session

    with cassandra_session(settings) as session:
        return Suppressions(session, settings.keyspace).any()


def read_suppressed(spark, settings: Settings):
    """The suppressed digests as a DataFrame (digest, kind), through the connector."""
    from dmp.storage.spark_io import read_table

    return read_table(spark, settings, tables.PRIVACY_SUPPRESSIONS).select("digest", "kind")


@dataclass(frozen=True)
class RequestRecord:
    request_id: str
    kind: str
    subject_digest: str
    source: str
    status: str
    persons: int | None
    ids: int | None
    before: dict[str, int]
    after: dict[str, int]
    exports: list[str]
    notes: list[str]
    received_at: dt.datetime | None
    completed_at: dt.datetime | None


class Requests:
    """The `privacy_requests` table: one row per request, its status and its per-table counts."""

    def __init__(self, session, keyspace: str):
        self.session = session
        table = f"{keyspace}.{tables.PRIVACY_REQUESTS}"
        self._open = prepare(session, f"INSERT INTO {table} (request_id, kind, subject_digest, source, status, "
                                      "received_at) VALUES (?, ?, ?, ?, ?, toTimestamp(now()))", keyspace)
        self._close = prepare(session, f"UPDATE {table} SET status = ?, persons = ?, ids = ?, before = ?, after = ?, "
                                       "exports = ?, notes = ?, completed_at = toTimestamp(now()) WHERE request_id = ?",
                              keyspace)
        self._get = prepare(session, f"SELECT request_id, kind, subject_digest, source, status, persons, ids, before, "
                                     f"after, exports, notes, received_at, completed_at FROM {table} "
                                     "WHERE request_id = ?", keyspace)

    def open(self, request_id: str, kind: str, subject_digest: str, source: str, status: str) -> None:
        self.session.execute(self._open, (request_id, kind, subject_digest, source, status))

    def close(self, request_id: str, status: str, persons: int, ids: int, before: dict[str, int],
              after: dict[str, int], exports: list[str], notes: list[str]) -> None:
        self.session.execute(self._close, (status, persons, ids, before, after, exports, notes, request_id))

    def get(self, request_id: str) -> RequestRecord | None:
        row = self.session.execute(self._get, (request_id,)).one()
        if row is None:
            return None
        return RequestRecord(row.request_id, row.kind, row.subject_digest, row.source, row.status, row.persons, row.ids,
                             dict(row.before or {}), dict(row.after or {}), list(row.exports or []),
                             list(row.notes or []), row.received_at, row.completed_at)
