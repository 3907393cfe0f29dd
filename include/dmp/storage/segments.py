"""Cassandra I/O of segments: the inputs they read, the versions they publish, the lookups they answer.

Reads of the interest and person tables go through the Spark connector; the version bookkeeping
and key lookups through the Python driver with prepared statements. A version's membership key in
`segments_by_user` is `segment_id@version` (one function, `membership_key`, for writer and reader),
and readers keep only the entries of each segment's current version (`segment_current`).
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import append_to_table, read_table

MEMBER_BUCKETS = 64  # users_by_segment partitions per version: 2.5M members -> about 40K rows each
KEY_SEPARATOR = "@"
COMPLETE = "complete"
WRITING = "writing"
LOOKUP_CONCURRENCY = 64


def membership_key(segment_id: str, version: str) -> str:
    return f"{segment_id}{KEY_SEPARATOR}{version}"


def member_bucket(subject_id: str) -> int:
    """The users_by_segment bucket of a subject; `member_bucket_column` is the same in Spark."""
    return zlib.crc32(subject_id.encode("utf-8")) % MEMBER_BUCKETS


def member_bucket_column(column: str):
    return F.pmod(F.crc32(F.col(column).cast("binary")), F.lit(MEMBER_BUCKETS)).cast("int")


# --- inputs (Spark connector) -------------------------------------------------------------------

def _rows_in_days(frame: DataFrame, first: dt.date, last: dt.date) -> DataFrame:
    """The rows of `frame` whose `day` is from `first` to `last` (a filter; `formats.days_between` lists days)."""
    return frame.where((F.col("day") >= F.lit(first)) & (F.col("day") <= F.lit(last)))


def read_user_daily(spark: SparkSession, settings: Settings, first: dt.date, last: dt.date) -> DataFrame:
    """user_daily_interests rows (user_id, day, theme, events) of the days from `first` to `last`."""
    frame = read_table(spark, settings, tables.DAILY_INTERESTS)
    return _rows_in_days(frame, first, last).select("user_id", "day", "theme", "events")


def read_person_daily(spark: SparkSession, settings: Settings, first: dt.date, last: dt.date) -> DataFrame:
    frame = read_table(spark, settings, tables.PERSON_DAILY_INTERESTS)
    return _rows_in_days(frame, first, last).select("person_id", "day", "theme", "events")


def read_persons(spark: SparkSession, settings: Settings) -> DataFrame:
    return read_table(spark, settings, tables.PERSONS)


def identity_published(settings: Settings) -> bool:
    """Whether identity's `persons` table exists and holds at least one person."""
    from dmp.storage.session import cassandra_session

    with cassandra_session(settings) as session:
        exists = session.execute(
            "SELECT table_name FROM system_schema.tables WHERE keyspace_name = %s AND table_name = %s",
            (settings.keyspace, tables.PERSONS)).one()
        return bool(exists) and session.execute(
            f"SELECT person_id FROM {settings.keyspace}.{tables.PERSONS} LIMIT 1").one() is not None


def keyword_users(settings: Settings, keywords: tuple[str, ...], first: dt.date, last: dt.date) -> dict[str, set[str]]:
    """Keyword -> the ids that visited a page with it or searched for it from `first` to `last`."""
    return {keyword: set(users) for keyword, users in keyword_user_fields(settings, keywords, first, last).items()}


def keyword_user_fields(settings: Settings, keywords: tuple[str, ...], first: dt.date,
                        last: dt.date) -> dict[str, dict[str, int]]:
    """Keyword -> id -> the mask of the fields (`dmp.tagging.keywords`) the id met it in, `first` to `last`."""
    from dmp.storage.keyword_index import KeywordIndexReader
    from dmp.storage.session import cassandra_session

    with cassandra_session(settings) as session:
        return KeywordIndexReader(session, settings.keyspace).user_fields(keywords, first, last)


def read_version_members(spark: SparkSession, settings: Settings, segment_id: str, version: str) -> DataFrame:
    """The members of one version of a segment (reads only its partitions)."""
    frame = read_table(spark, settings, tables.USERS_BY_SEGMENT)
    return frame.where((F.col("segment_id") == segment_id) & (F.col("version") == version)
                       & F.col("bucket").isin(list(range(MEMBER_BUCKETS))))


# --- a version's rows ---------------------------------------------------------------------------

def write_version_members(members_df: DataFrame, settings: Settings, segment_id: str, version: str,
                          ttl_seconds: int) -> None:
    """users_by_segment rows of a version: (subject_id, ids, score, rule, last_qualified, expires)."""
    rows_df = members_df.select(
        F.lit(segment_id).alias("segment_id"), F.lit(version).alias("version"),
        member_bucket_column("subject_id").alias("bucket"), "subject_id", "ids", "score", "rule", "last_qualified",
        "expires")
    append_to_table(rows_df, settings, tables.USERS_BY_SEGMENT, conf={"spark.cassandra.output.ttl": str(ttl_seconds)})


def write_version_lookups(members_df: DataFrame, settings: Settings, segment_id: str, version: str,
                          ttl_seconds: int) -> None:
    """One map entry per id of every member in segments_by_user, each with the version's TTL.

    Through the driver: the connector replaces a whole map, and an id's row holds the entries of
    every segment. A failure stops the write (raise_on_first_error); the version is then never
    made current, so readers keep seeing the previous one.
    """
    keyspace, key = settings.keyspace, membership_key(segment_id, version)
    statement = f"UPDATE {keyspace}.{tables.SEGMENTS_BY_USER} USING TTL ? SET segments[?] = ? WHERE id = ?"

    def write_partition(rows) -> None:
        from cassandra.concurrent import execute_concurrent_with_args

        from dmp.storage.session import cassandra_session

        values = [(ttl_seconds, key, row["expires"], row["id"]) for row in rows]
        if values:
            with cassandra_session(settings) as session:
                execute_concurrent_with_args(session, session.prepare(statement), values,
                                             concurrency=LOOKUP_CONCURRENCY, raise_on_first_error=True)

    members_df.select(F.explode("ids").alias("id"), "expires").foreachPartition(write_partition)


# --- versions and pointers (driver) -------------------------------------------------------------

@dataclass(frozen=True)
class VersionInfo:
    segment_id: str
    version: str
    run_day: dt.date
    definition_version: str
    members: int
    ids: int
    status: str


@dataclass(frozen=True)
class Pointer:
    segment_id: str
    version: str
    previous: str | None
    run_day: dt.date


def _day(value) -> dt.date:
    """A CQL `date` as the driver returns it (cassandra.util.Date) as a datetime.date."""
    return value.date() if hasattr(value, "date") else value


def _version_info(row) -> VersionInfo:
    return VersionInfo(row.segment_id, row.version, _day(row.run_day), row.definition_version, row.members, row.ids,
                       row.status)


class SegmentStore:
    """Prepared statements on segment versions, pointers and lookups; build once per process."""

    def __init__(self, session, keyspace: str):
        self.session = session
        ks = keyspace
        self._versions = session.prepare(
            f"SELECT segment_id, version, run_day, definition_version, members, ids, status "
            f"FROM {ks}.{tables.SEGMENT_VERSIONS} WHERE segment_id = ?")
        self._version = session.prepare(
            f"SELECT segment_id, version, run_day, definition_version, members, ids, status "
            f"FROM {ks}.{tables.SEGMENT_VERSIONS} WHERE segment_id = ? AND version = ?")
        self._record = session.prepare(
            f"INSERT INTO {ks}.{tables.SEGMENT_VERSIONS} (segment_id, version, run_day, definition_version, members, "
            f"ids, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, toTimestamp(now())) USING TTL ?")
        self._pointers = session.prepare(
            f"SELECT segment_id, version, previous, run_day FROM {ks}.{tables.SEGMENT_CURRENT}")
        self._point = session.prepare(
            f"INSERT INTO {ks}.{tables.SEGMENT_CURRENT} (segment_id, version, previous, run_day, updated_at) "
            f"VALUES (?, ?, ?, ?, toTimestamp(now()))")
        self._lookup = session.prepare(f"SELECT segments FROM {ks}.{tables.SEGMENTS_BY_USER} WHERE id = ?")
        self._count = session.prepare(
            f"SELECT count(*) AS n FROM {ks}.{tables.USERS_BY_SEGMENT} WHERE segment_id = ? AND version = ? "
            f"AND bucket = ?")

    def versions(self, segment_id: str) -> list[VersionInfo]:
        return [_version_info(row) for row in self.session.execute(self._versions, (segment_id,))]

    def version(self, segment_id: str, version: str) -> VersionInfo | None:
        row = self.session.execute(self._version, (segment_id, version)).one()
        return _version_info(row) if row else None

    def record_version(self, info: VersionInfo, ttl_seconds: int) -> None:
        self.session.execute(self._record, (info.segment_id, info.version, info.run_day, info.definition_version,
                                            info.members, info.ids, info.status, ttl_seconds))

    def pointers(self) -> dict[str, Pointer]:
        """Each segment's current version."""
        return {row.segment_id: Pointer(row.segment_id, row.version, row.previous, _day(row.run_day))
                for row in self.session.execute(self._pointers)}

    def make_current(self, segment_id: str, version: str, previous: str | None, run_day: dt.date) -> None:
        """The one write that publishes a version."""
        self.session.execute(self._point, (segment_id, version, previous, run_day))

    def counted_members(self, segment_id: str, version: str) -> int:
        """Rows of a version in users_by_segment, counted bucket by bucket."""
        futures = [self.session.execute_async(self._count, (segment_id, version, bucket))
                   for bucket in range(MEMBER_BUCKETS)]
        return sum(future.result().one().n for future in futures)

    def lookup(self, member_id: str, today: dt.date, pointers: dict[str, Pointer] | None = None) -> dict[str, dt.date]:
        """Segment -> expiry of the current versions `member_id` is in and that have not expired."""
        pointers = self.pointers() if pointers is None else pointers
        row = self.session.execute(self._lookup, (member_id,)).one()
        entries = (row.segments or {}) if row else {}
        found = {}
        for segment_id, pointer in pointers.items():
            expires = entries.get(membership_key(segment_id, pointer.version))
            if expires is not None and _day(expires) > today:
                found[segment_id] = _day(expires)
        return found


class CurrentVersions:
    """The segments' current versions as a lookup service keeps them: re-read at most every `refresh_seconds`.

    An ad server answers thousands of lookups a second; reading `segment_current` on each would
    double the reads and scan a table. Between refreshes a lookup is one key read. A version made
    current is seen at most `refresh_seconds` later, and until then lookups keep reading the
    previous version, which stays complete and readable (publishing never touches it).
    """

    def __init__(self, store: SegmentStore, refresh_seconds: float, clock: Callable[[], float] = time.monotonic):
        self._store = store
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._pointers: dict[str, Pointer] | None = None
        self._read_at = 0.0

    def pointers(self) -> dict[str, Pointer]:
        now = self._clock()
        if self._pointers is None or now - self._read_at >= self._refresh_seconds:
            self._pointers, self._read_at = self._store.pointers(), now
        return self._pointers

    def lookup(self, member_id: str, today: dt.date) -> dict[str, dt.date]:
        """Segment -> expiry, as `SegmentStore.lookup`, against the kept current versions."""
        return self._store.lookup(member_id, today, self.pointers())
