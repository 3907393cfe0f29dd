"""The keyword index (`keyword_user_sets`) and the audience sketches (`audience_sketches`) in Cassandra.

The Spark job of the keyword index writes both tables (through `dmp.storage.spark_io`, with the
batching below) after clearing the day; the audience estimate and exact audiences read them with
the prepared statements here. Keys share the buckets of `dmp.storage.formats`, so a day is a set of
whole partitions (index) or of clustering ranges (sketches), and a read is a few rows per key.
"""

from __future__ import annotations

import datetime as dt

from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import (
    BOTH_WORDS, KEY_BUCKETS, KEYWORD_KIND, KINDS, PAGE_KEYWORD_KIND, SEARCH_KEYWORD_KIND, SEARCH_WORDS,
    days_between, decode_users, key_bucket, legacy_fields, scope_mask,
)
from dmp.storage.session import cassandra_session, prepare

# A bucket's rows share a partition: group batches by partition, up to 64 KiB each (default: by
# replica set, 4 KiB), which halved the write time of a day's index (482K rows: 37 s -> 18 s).
BUCKET_WRITE_CONF = {"spark.cassandra.output.batch.grouping.key": "partition",
                     "spark.cassandra.output.batch.size.bytes": "65536"}
DELETE_CONCURRENCY = 64
DAYS_PER_READ = 31  # days listed in one read of a key's sketches


def clear_day(settings: Settings, day: dt.date, kinds: tuple[str, ...] = KINDS, index: bool = True) -> None:
    """Remove the day's sketches of `kinds` (and its index rows, with `index`), so a re-run leaves
    nothing of an earlier run behind."""
    from cassandra.concurrent import execute_concurrent_with_args

    with cassandra_session(settings) as session:
        sets = prepare(session, f"DELETE FROM {settings.keyspace}.{tables.KEYWORD_USER_SETS} "
                                "WHERE day = ? AND bucket = ?", settings.keyspace)
        sketches = prepare(session, f"DELETE FROM {settings.keyspace}.{tables.AUDIENCE_SKETCHES} "
                                    "WHERE kind = ? AND bucket = ? AND day = ?", settings.keyspace)
        buckets = range(KEY_BUCKETS)
        if index:
            execute_concurrent_with_args(session, sets, [(day, bucket) for bucket in buckets],
                                         concurrency=DELETE_CONCURRENCY)
        execute_concurrent_with_args(session, sketches, [(kind, bucket, day) for kind in kinds for bucket in buckets],
                                     concurrency=DELETE_CONCURRENCY)


class SketchReader:
    """Prepared reads of the sketches table; build once per process and reuse."""

    def __init__(self, session, keyspace: str):
        self.session = session
        self._select = prepare(session, f"SELECT day, sketch FROM {keyspace}.{tables.AUDIENCE_SKETCHES} "
                                        "WHERE kind = ? AND bucket = ? AND day IN ? AND key = ?", keyspace)
        self._select_days = prepare(session, f"SELECT day, sketch FROM {keyspace}.{tables.AUDIENCE_SKETCHES} "
                                             "WHERE kind = ? AND bucket = ? AND day IN ? AND key = ?", keyspace)

    def sketches_by_day(self, kind: str, keys: tuple[str, ...], days: list[dt.date]) -> dict[tuple[str, dt.date], bytes]:
        """(key, day) -> serialized sketch for each of `keys` (of `kind`) on each of `days` that has one;
        for callers that cache per day (the Audience Builder). Reads run concurrently, DAYS_PER_READ days each."""
        day_groups = [days[start:start + DAYS_PER_READ] for start in range(0, len(days), DAYS_PER_READ)]
        futures = [(key, self.session.execute_async(self._select_days, (kind, key_bucket(key), some_days, key)))
                   for key in keys for some_days in day_groups]
        found: dict[tuple[str, dt.date], bytes] = {}
        for key, future in futures:
            for row in future.result():
                found[(key, _as_date(row.day))] = row.sketch
        return found

    def _read(self, kind: str, keys: tuple[str, ...], first: dt.date, last: dt.date) -> dict[str, dict[dt.date, bytes]]:
        days = days_between(first, last)
        day_groups = [days[start:start + DAYS_PER_READ] for start in range(0, len(days), DAYS_PER_READ)]
        futures = [(key, self.session.execute_async(self._select, (kind, key_bucket(key), some_days, key)))
                   for key in keys for some_days in day_groups]
        found: dict[str, dict[dt.date, bytes]] = {}
        for key, future in futures:
            for row in future.result():
                found.setdefault(key, {})[_as_date(row.day)] = row.sketch
        return found

    def sketches(self, kind: str, keys: tuple[str, ...], first: dt.date, last: dt.date,
                 scope: str = BOTH_WORDS) -> dict[str, list[bytes]]:
        """Each key's serialized sketches from `first` to `last` (a key with none is left out); reads run
        concurrently, DAYS_PER_READ days each. For keywords, `scope` counts the users who met them on
        pages (`page`), in searches (`search`) or either (`both`, the default)."""
        scope_mask(scope)  # a clear error for an unknown scope
        if kind != KEYWORD_KIND or scope == BOTH_WORDS:
            found = self._read(kind, keys, first, last)
        elif scope == SEARCH_WORDS:
            found = self._read(SEARCH_KEYWORD_KIND, keys, first, last)
        else:
            found = self._page_sketches(keys, first, last)
        return {key: list(by_day.values()) for key, by_day in found.items() if by_day}

    def _page_sketches(self, keys: tuple[str, ...], first: dt.date, last: dt.date) -> dict[str, dict[dt.date, bytes]]:
        """A keyword day's page readers: its `keyword:page` sketch where someone searched for it that
        day (none when only searchers had it), else its whole sketch (no one searched for it)."""
        everyone = self._read(KEYWORD_KIND, keys, first, last)
        searched = self._read(SEARCH_KEYWORD_KIND, keys, first, last)
        readers = self._read(PAGE_KEYWORD_KIND, keys, first, last)
        return {key: {day: readers.get(key, {}).get(day, sketch) for day, sketch in by_day.items()
                      if day in readers.get(key, {}) or day not in searched.get(key, {})}
                for key, by_day in everyone.items()}


def _as_date(value) -> dt.date:
    """The driver returns `date` columns as its own Date type: a plain date, for lookups."""
    return value if isinstance(value, dt.date) else value.date()


class KeywordIndexReader:
    """Prepared reads of the keyword index, for exact audiences; build once per process and reuse.

    Where the sketches estimate while the marketer types, this reads the full list a segment build
    or an export needs: a keyword's day is a few rows (its users in lists per field mask and chunk,
    in the day's partition for the keyword's bucket), never a scan. Lists are blobs
    (`dmp.storage.formats`); days written before blobs keep a set, and days written before fields
    were kept have no mask (their keywords came from page URLs).
    """

    def __init__(self, session, keyspace: str):
        self.session = session
        self._select = prepare(session, f"SELECT users, user_ids, fields FROM {keyspace}.{tables.KEYWORD_USER_SETS} "
                                        "WHERE day = ? AND bucket = ? AND keyword = ?", keyspace)

    def _rows(self, keywords: tuple[str, ...], first: dt.date, last: dt.date):
        futures = [(keyword, self.session.execute_async(self._select, (day, key_bucket(keyword), keyword)))
                   for keyword in keywords for day in days_between(first, last)]
        legacy = legacy_fields()
        for keyword, future in futures:
            for row in future.result():
                mask = legacy if row.fields is None else row.fields
                yield keyword, mask, row.users or decode_users(row.user_ids)

    def users(self, keywords: tuple[str, ...], first: dt.date, last: dt.date, scope: str = BOTH_WORDS) -> set[str]:
        """Distinct users who met any of `keywords` from `first` to `last` (inclusive): on a page they
        read (`scope="page"`), in a search (`"search"`) or either (`"both"`, the default)."""
        wanted = scope_mask(scope)
        found: set[str] = set()
        for _, mask, users in self._rows(keywords, first, last):
            if mask & wanted:
                found.update(users)
        return found

    def user_fields(self, keywords: tuple[str, ...], first: dt.date, last: dt.date) -> dict[str, dict[str, int]]:
        """Keyword -> user -> the mask of every field the user met it in from `first` to `last`."""
        found: dict[str, dict[str, int]] = {}
        for keyword, mask, users in self._rows(keywords, first, last):
            by_user = found.setdefault(keyword, {})
            for user in users:
                by_user[user] = by_user.get(user, 0) | mask
        return found
