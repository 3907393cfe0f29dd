"""Live audience-size estimates: a union of theta sketches, read straight from Cassandra.

A marketer types 'ford focus, opel astra'; each comma-separated entry is a keyword (one word or a
two-word phrase, normalised like page keywords). The estimate is the number of distinct users who
visited a page with any of them during the chosen days: the union of the (keyword, day) sketches,
a few small reads per keyword, so it answers while the marketer types.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from dmp.audience.buckets import key_bucket
from dmp.errors import InputError
from dmp.storage import tables
from dmp.tagging.text import words

SKETCH_LG_K = 12
MAX_PHRASE_WORDS = 2
DAYS_PER_READ = 31  # days listed in one read of a key's sketches


@dataclass(frozen=True)
class Estimate:
    users: float
    keywords: tuple[str, ...]
    keywords_seen: tuple[str, ...]
    sketches: int
    milliseconds: float


def parse_keywords(text: str) -> tuple[str, ...]:
    """'Ford Focus, opel astra' -> ('ford focus', 'opel astra'); an entry of 3+ words is an error."""
    keywords = []
    for entry in text.split(","):
        normalised = words(entry)
        if len(normalised) > MAX_PHRASE_WORDS:
            raise InputError(f"{entry.strip()!r}: keywords are single words or two-word phrases; split it with commas.")
        if normalised:
            keywords.append(" ".join(normalised))
    if not keywords:
        raise InputError(f"{text!r} has no keyword: type words separated by commas, e.g. 'ford focus, opel astra'.")
    return tuple(dict.fromkeys(keywords))


class SketchReader:
    """Prepared reads of the sketches table; build once per process and reuse."""

    def __init__(self, session, keyspace: str):
        self.session = session
        self._select = session.prepare(
            f"SELECT sketch FROM {keyspace}.{tables.AUDIENCE_SKETCHES} "
            "WHERE kind = ? AND bucket = ? AND day IN ? AND key = ?"
        )

    def estimate(self, kind: str, keys: tuple[str, ...], first: dt.date, last: dt.date) -> Estimate:
        from datasketches import compact_theta_sketch, theta_union

        started = time.perf_counter()
        days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
        day_groups = [days[start:start + DAYS_PER_READ] for start in range(0, len(days), DAYS_PER_READ)]
        reads = [(key, some_days) for key in keys for some_days in day_groups]
        futures = [(key, self.session.execute_async(self._select, (kind, key_bucket(key), some_days, key)))
                   for key, some_days in reads]
        union, seen, count = theta_union(SKETCH_LG_K), [], 0
        for key, future in futures:
            rows = list(future.result())
            if rows:
                seen.append(key)
            for row in rows:
                union.update(compact_theta_sketch.deserialize(row.sketch))
                count += 1
        users = union.get_result().get_estimate()
        return Estimate(users, keys, tuple(seen), count, (time.perf_counter() - started) * 1000)
