"""Live audience-size estimates: a union of theta sketches, read straight from Cassandra.

A marketer types 'ford focus, opel astra'; each comma-separated entry is a keyword (one word or a
two-word phrase, normalised like page keywords). The estimate is the number of distinct users who
visited a page with any of them, or searched for it, during the chosen days (or only readers, or
only searchers: the word scope): the union of the (keyword, day) sketches,
a few small reads per keyword (`dmp.storage.keyword_index`), so it answers while the marketer
types.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from dmp.errors import InputError
from dmp.storage.formats import BOTH_WORDS, union_of_sketches
from dmp.storage.keyword_index import SketchReader
from dmp.tagging.text import words

MAX_PHRASE_WORDS = 2


@dataclass(frozen=True)
class Estimate:
    users: float
    keywords: tuple[str, ...]
    keywords_seen: tuple[str, ...]
    sketches: int
    milliseconds: float
    lower: float = 0.0
    upper: float = 0.0
    exact: bool = True


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


def estimate(reader: SketchReader, kind: str, keys: tuple[str, ...], first: dt.date, last: dt.date,
             scope: str = BOTH_WORDS) -> Estimate:
    """The distinct users of any of `keys` (of `kind`) from `first` to `last`: the union of their sketches.
    For keywords, `scope` counts who met them on pages (`page`), in searches (`search`) or either (`both`)."""
    started = time.perf_counter()
    found = reader.sketches(kind, keys, first, last, scope)
    from dmp.audience.sketch_algebra import size_of

    union = union_of_sketches(sketch for sketches in found.values() for sketch in sketches)
    size = size_of(union)
    return Estimate(union.get_estimate(), keys, tuple(key for key in keys if key in found),
                    sum(map(len, found.values())), (time.perf_counter() - started) * 1000,
                    size.lower, size.upper, size.exact)
