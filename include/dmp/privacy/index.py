"""The keyword index and the sketches without a deleted person's ids.

The index holds users in lists (chunks of a keyword's day, `dmp.pipeline.keyword_index`): each
chunk that held an id is written again without it (deleted when nothing is left). A theta sketch
has no delete, so each keyword sketch of an affected day is rebuilt from its rewritten chunks, the
way the keyword-index step builds it (one chunk: the sketch of its users; several: the union of
their sketches, at the same lgK). Theme sketches have no stored member lists (themes are counted
from the day's events), so their rebuild is the set difference of the stored sketch and the
person's ids (theta A-not-B): the entries of every other user stay as they are, the person's hash
is gone, and below 4,096 users (exact mode) the result is the sketch a rebuild would give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dmp.storage.formats import KEYWORD_KIND, THEME_KIND, key_bucket, union_of_sketches, user_sketch
from dmp.storage.privacy import Chunk, IndexStore


def _compact(blob: bytes):
    from datasketches import compact_theta_sketch

    return compact_theta_sketch.deserialize(blob)


def without_ids(blob: bytes, ids: Iterable[str]):
    """The compact sketch of `blob`'s set minus `ids` (theta A-not-B)."""
    from datasketches import theta_a_not_b

    return theta_a_not_b().compute(_compact(blob), user_sketch(ids))


def holds_any(blob: bytes, ids: Iterable[str]) -> bool:
    """Whether the sketch retains the hash of any of `ids`."""
    return without_ids(blob, ids).num_retained < _compact(blob).num_retained


def keyword_sketch(chunks: list[Chunk]):
    """The sketch of a keyword's day from its chunks, as the keyword-index step builds it."""
    if len(chunks) == 1:
        return user_sketch(chunks[0].users)
    return union_of_sketches(user_sketch(chunk.users).serialize() for chunk in chunks)


def rewrite_chunks(store: IndexStore, chunks: list[Chunk], ids: frozenset[str]) -> set[tuple[dt.date, str]]:
    """Write each chunk again without `ids` (or delete it when it held only them); the (day, keyword)s touched."""
    touched = set()
    for chunk in chunks:
        kept = tuple(user for user in chunk.users if user not in ids)
        if kept:
            store.write_chunk(Chunk(chunk.day, chunk.bucket, chunk.keyword, chunk.chunk, kept, chunk.ttl))
        else:
            store.delete_chunk(chunk)
        touched.add((chunk.day, chunk.keyword))
    return touched


def rebuild_keyword_sketches(store: IndexStore, keys: Iterable[tuple[dt.date, str]]) -> int:
    """Rebuild the sketch of each (day, keyword) from its stored chunks; the number rebuilt or removed."""
    done = 0
    for day, keyword in sorted(keys):
        bucket = key_bucket(keyword)
        stored = store.sketch(KEYWORD_KIND, bucket, day, keyword)
        chunks = store.keyword_chunks(day, bucket, keyword)
        if not chunks:
            store.delete_sketch(KEYWORD_KIND, bucket, day, keyword)
        else:
            sketch = keyword_sketch(chunks)
            store.write_sketch(KEYWORD_KIND, bucket, day, keyword, sketch.serialize(), sketch.get_estimate(),
                               stored[1] if stored else chunks[0].ttl)
        done += 1
    return done


def theme_sketches_holding(store: IndexStore, days: Iterable[dt.date], themes: Iterable[str],
                           ids: frozenset[str]) -> list[tuple[dt.date, str, bytes, int | None]]:
    """(day, theme, sketch, TTL left) of the theme sketches of `days` that retain any of `ids`."""
    themes = tuple(themes)
    found = []
    for day in sorted(days):
        for theme, (blob, ttl) in store.sketches(THEME_KIND, day, themes).items():
            if holds_any(blob, ids):
                found.append((day, theme, blob, ttl))
    return found


def keyword_sketches_holding(store: IndexStore, keys: Iterable[tuple[dt.date, str]], ids: frozenset[str]) -> int:
    """How many of the keyword sketches of `keys` retain any of `ids`."""
    held = 0
    for day, keyword in keys:
        stored = store.sketch(KEYWORD_KIND, key_bucket(keyword), day, keyword)
        held += bool(stored and holds_any(stored[0], ids))
    return held


def forget_in_theme_sketches(store: IndexStore, holding: list[tuple[dt.date, str, bytes, int | None]],
                             ids: frozenset[str]) -> None:
    """Write each theme sketch again without `ids` (A-not-B), with its TTL left."""
    for day, theme, blob, ttl in holding:
        sketch = without_ids(blob, ids)
        if sketch.is_empty():  # no one else read the theme that day: no row, as the keyword-index step leaves it
            store.delete_sketch(THEME_KIND, key_bucket(theme), day, theme)
            continue
        store.write_sketch(THEME_KIND, key_bucket(theme), day, theme, sketch.serialize(), sketch.get_estimate(), ttl)
