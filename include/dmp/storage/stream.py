"""Cassandra writes of the real-time stream: idempotent upserts into the daily run's own tables.

A micro-batch adds to the current day what its events show, and a replayed batch (Spark runs the
last uncommitted batch again after a crash) must change nothing. So every write here is a merge
that gives the same row whatever it merges twice:
- `keyword_user_sets`: the stream keeps its own chunks of a (day, keyword), numbered below zero
  (-1 .. -STREAM_CHUNKS, a user's chunk a hash of its id) so they never meet the daily run's
  chunks 0..n; a chunk's stored users and the batch's are merged as sets, read then written.
  Readers (`KeywordIndexReader`) already take the union of every chunk of a key.
- `audience_sketches`: the stored sketch of a (kind, key, day) and the batch's are unioned (a theta
  union of a sketch with itself is that sketch, so a replay leaves the same bytes).
Both sides of a format come from `dmp.storage.formats`. The daily run of the day clears the day's
partitions before it writes (`dmp.storage.keyword_index.clear_day`), which removes the stream's
chunks and sketches with the rest: the daily run is the reference. One stream writes at a time
(the supervisor's pid file), so a read-merge-write of a row never races another writer of it.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import decode_users, encode_users, union_of_sketches

STREAM_CHUNKS = 8  # a busy keyword's day of stream users spread over 8 cells instead of one
WRITE_CONCURRENCY = 64


def stream_chunk(user: Column) -> Column:
    """The stream's chunk of a user: -1 .. -STREAM_CHUNKS (the daily run's chunks are 0 and up)."""
    return (F.lit(-1) - F.pmod(F.xxhash64(user), F.lit(STREAM_CHUNKS))).cast("int")


def _merged(settings: Settings, select: str, insert: str, rows: list, key_of, merge) -> None:
    """Read each row's stored value by key, merge it with the row's, write the merged value back."""
    from cassandra.concurrent import execute_concurrent_with_args

    from dmp.storage.session import cassandra_session, prepare

    if not rows:
        return
    with cassandra_session(settings) as session:
        read = prepare(session, select, settings.keyspace)
        stored = execute_concurrent_with_args(session, read, [key_of(row) for row in rows],
                                              concurrency=WRITE_CONCURRENCY, raise_on_first_error=True)
        values = [merge(row, result.one()) for row, (_, result) in zip(rows, stored)]
        execute_concurrent_with_args(session, prepare(session, insert, settings.keyspace), values,
                                     concurrency=WRITE_CONCURRENCY, raise_on_first_error=True)


def upsert_user_sets(sets_df: DataFrame, settings: Settings) -> None:
    """Merge (day, bucket, keyword, chunk, users) rows into `keyword_user_sets` (one row per key)."""
    ks, table = settings.keyspace, tables.KEYWORD_USER_SETS
    select = f"SELECT user_ids FROM {ks}.{table} WHERE day = ? AND bucket = ? AND keyword = ? AND chunk = ?"
    insert = f"INSERT INTO {ks}.{table} (day, bucket, keyword, chunk, user_ids) VALUES (?, ?, ?, ?, ?)"

    def key_of(row):
        return row["day"], row["bucket"], row["keyword"], row["chunk"]

    def merge(row, stored):
        users = set(row["users"]) | set(decode_users(stored.user_ids if stored else None))
        return (*key_of(row), encode_users(users))

    sets_df.select("day", "bucket", "keyword", "chunk", "users").foreachPartition(
        lambda rows: _merged(settings, select, insert, list(rows), key_of, merge))


def upsert_sketches(sketches_df: DataFrame, settings: Settings) -> None:
    """Union (kind, bucket, day, key, sketch) rows with the stored sketch of their key in `audience_sketches`."""
    ks, table = settings.keyspace, tables.AUDIENCE_SKETCHES
    select = f"SELECT sketch FROM {ks}.{table} WHERE kind = ? AND bucket = ? AND day = ? AND key = ?"
    insert = f"INSERT INTO {ks}.{table} (kind, bucket, day, key, sketch, estimate) VALUES (?, ?, ?, ?, ?, ?)"

    def key_of(row):
        return row["kind"], row["bucket"], row["day"], row["key"]

    def merge(row, stored):
        parts = [bytes(row["sketch"])] + ([stored.sketch] if stored and stored.sketch else [])
        union = union_of_sketches(parts)
        return (*key_of(row), union.serialize(), union.get_estimate())

    sketches_df.select("kind", "bucket", "day", "key", "sketch").foreachPartition(
        lambda rows: _merged(settings, select, insert, list(rows), key_of, merge))
