"""The formats the keyword index and the sketches are written in, shared by writers and readers.

The Spark jobs write `keyword_user_sets` and `audience_sketches`; the Python driver reads them back
(`dmp audience estimate`, exact audiences). Both sides take every parameter of those formats from
here, so a change reaches writer and reader together:

- buckets: CRC32 of a key's UTF-8 bytes modulo KEY_BUCKETS (`zlib.crc32` and Spark's `crc32` give
  the same unsigned value);
- user blobs: a chunk's sorted user ids joined by USER_SEPARATOR, UTF-8 (validation rejects user
  ids with control characters, so the separator never occurs inside one);
- sketches: compact theta sketches of user ids at SKETCH_LG_K, unioned at the same lgK;
- day ranges: a window of days is every day from its first to its last, both included.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable

KEY_BUCKETS = 4096  # a 1M-event day puts about 120 keywords in a bucket; 200M, some 1,000s
USER_SEPARATOR = "\n"
SKETCH_LG_K = 12  # 4,096 entries: exact below that, about 1.6% relative error above
KEYWORD_KIND = "keyword"
THEME_KIND = "theme"
KINDS = (KEYWORD_KIND, THEME_KIND)
# Sketches of consented person ids (the `person_sketches` step) sit beside the id-level ones, under
# `<kind>_person`; PERSON_DAY_KEY under theme_person holds every consented person seen that day and
# marks the days that have person-level sketches.
PERSON_SUFFIX = "_person"
PERSON_DAY_KEY = "*"


def person_kind(kind: str) -> str:
    """The kind of the person-level sketches of an id-level kind (`keyword` -> `keyword_person`)."""
    return f"{kind}{PERSON_SUFFIX}"


def person_kinds() -> tuple[str, ...]:
    return tuple(person_kind(kind) for kind in KINDS)


def key_bucket(key: str) -> int:
    """The bucket of a keyword or theme, as the readers compute it."""
    return zlib.crc32(key.encode("utf-8")) % KEY_BUCKETS


def key_bucket_column(key_column: str):
    """The same bucket as a Spark column expression, as the writers compute it."""
    from pyspark.sql import functions as F

    return F.pmod(F.crc32(F.col(key_column).cast("binary")), F.lit(KEY_BUCKETS)).cast("int")


def users_blob_column(users_column: str):
    """A chunk's array of user ids as the stored blob (Spark column expression)."""
    from pyspark.sql import functions as F

    return F.encode(F.concat_ws(USER_SEPARATOR, users_column), "UTF-8")


def decode_users(blob: bytes | None) -> list[str]:
    """The user ids of a stored blob, in their stored (sorted) order."""
    return blob.decode("utf-8").split(USER_SEPARATOR) if blob else []


def user_sketch(users: Iterable[str]):
    """A compact theta sketch of `users`."""
    from datasketches import update_theta_sketch

    sketch = update_theta_sketch(SKETCH_LG_K)
    for user in users:
        sketch.update(user)
    return sketch.compact()


def union_of_sketches(serialized: Iterable[bytes]):
    """The compact sketch of the union of serialized sketches (of one key's chunks, or days, or keys)."""
    from datasketches import compact_theta_sketch, theta_union

    union = theta_union(SKETCH_LG_K)
    for blob in serialized:
        union.update(compact_theta_sketch.deserialize(blob))
    return union.get_result()


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from `first` to `last`, both included (none when `last` is before `first`)."""
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def window_ending(last: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the `days` days that end with `last`."""
    return last - dt.timedelta(days=days - 1), last
