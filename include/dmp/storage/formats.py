"""The formats the keyword index and the sketches are written in, shared by writers and readers.

The Spark jobs write `keyword_user_sets` and `audience_sketches`; the Python driver reads them back
(`dmp audience estimate`, exact audiences). Both sides take every parameter of those formats from
here, so a change reaches writer and reader together:

- buckets: CRC32 of a key's UTF-8 bytes modulo KEY_BUCKETS (`zlib.crc32` and Spark's `crc32` give
  the same unsigned value);
- user blobs: a chunk's sorted user ids joined by USER_SEPARATOR, UTF-8 (validation rejects user
  ids with control characters, so the separator never occurs inside one);
- sketches: compact theta sketches of user ids at SKETCH_LG_K, unioned at the same lgK;
- day ranges: a window of days is every day from its first to its last, both included;
- keyword fields: a (keyword, day) has one list of users per field mask (`dmp.tagging.keywords`),
  each in hash chunks; a list's stored `chunk` is (mask - 1) * FIELD_CHUNK_STRIDE + its hash chunk
  (URL keywords, mask 1, keep the chunk numbers they always had), and rows without a mask (written
  before fields were kept) are URL keywords (`legacy_fields`);
- sketch kinds: `keyword` counts a keyword's users over all fields, `keyword:search` its searchers
  and `keyword:page` its readers; the last two are written only for keywords someone searched for
  (for the others, page readers are all its users and searchers none: `SketchReader` falls back).
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
SEARCH_KEYWORD_KIND = "keyword:search"
PAGE_KEYWORD_KIND = "keyword:page"
KINDS = (KEYWORD_KIND, THEME_KIND, SEARCH_KEYWORD_KIND, PAGE_KEYWORD_KIND)
FIELD_CHUNK_STRIDE = 65_536  # hash chunks of one list: 65,536 x 4,096 users, far above any day
# Which words an estimate or a rule counts: what people read, what they searched for, or both.
BOTH_WORDS, PAGE_WORDS, SEARCH_WORDS = "both", "page", "search"
WORD_SCOPES = (BOTH_WORDS, PAGE_WORDS, SEARCH_WORDS)


def legacy_fields() -> int:
    """The field mask of index rows written before fields were kept: all their keywords came from URLs."""
    from dmp.tagging.keywords import FIELD_BITS, URL_FIELD

    return FIELD_BITS[URL_FIELD]


def scope_mask(scope: str) -> int:
    """The field mask of a word scope (`both`, `page` or `search`)."""
    from dmp.tagging.keywords import ALL_MASK, PAGE_MASK, SEARCH_MASK

    if scope not in WORD_SCOPES:
        raise ValueError(f"unknown word scope {scope!r}; known: {', '.join(WORD_SCOPES)}")
    return {BOTH_WORDS: ALL_MASK, PAGE_WORDS: PAGE_MASK, SEARCH_WORDS: SEARCH_MASK}[scope]


def stored_fields_column(fields_column: str):
    """A list's field mask as stored: lists without one (keys other than page keywords) are URL keywords."""
    from pyspark.sql import functions as F

    return F.coalesce(F.col(fields_column), F.lit(legacy_fields())).cast("int")


def stored_chunk_column(fields_column: str, chunk_column: str):
    """A list's stored chunk number from its field mask and hash chunk (Spark column expression)."""
    from pyspark.sql import functions as F

    return ((stored_fields_column(fields_column) - 1) * F.lit(FIELD_CHUNK_STRIDE) + F.col(chunk_column)).cast("int")


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


def encode_users(users: Iterable[str]) -> bytes:
    """The stored blob of a chunk's user ids (sorted, as `users_blob_column` writes them from Spark)."""
    return USER_SEPARATOR.join(sorted(users)).encode("utf-8")


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
