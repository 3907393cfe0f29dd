"""The Audience Builder's estimate: a query over the window, from cached theta sketches.

Person level where identity is known: the pipeline's `person_sketches` step keeps sketches of
consented person ids per (keyword, day) and (theme, day) under the `*_person` kinds, and marks each
day it built with the sketch of every consented person seen that day (theme_person, `*`). When the
window has such days the answer counts people who can be published (what a build would publish);
otherwise it counts ids (cookies, devices) and says so. Keywords come from the fields the query
names: page words, search words, or both (their sketches unioned).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from dmp.audience.expression import Query, Term
from dmp.audience.sketch_algebra import Size, combine, size_of, union
from dmp.audience.sketch_cache import SketchCache
from dmp.storage.formats import (KEYWORD_KIND, PERSON_DAY_KEY, SEARCH_KEYWORD_KIND, THEME_KIND, days_between,
                                 person_kind, window_ending)

# The keyword index's sketches: `keyword` counts everyone who met the keyword (pages and searches),
# `keyword:search` the searchers. Page-only counts read `keyword` too, so they include the day's
# searchers of a keyword (the index's exact page-only rule, dmp.storage.keyword_index, is not applied here).
SEARCH_KIND = SEARCH_KEYWORD_KIND
FIELD_KINDS = {"page": (KEYWORD_KIND,), "search": (SEARCH_KIND,), "both": (KEYWORD_KIND,)}
ID_LEVEL, PERSON_LEVEL = "id", "person"
LEVEL_WORDS = {PERSON_LEVEL: "distinct people with consent (identity applied)",
               ID_LEVEL: "distinct ids (cookies, devices): no person-level sketch in the window yet"}


@dataclass(frozen=True)
class TermSize:
    term: Term
    size: Size
    seen: bool


@dataclass(frozen=True)
class Answer:
    size: Size
    level: str
    first: dt.date
    last: dt.date
    terms: tuple[TermSize, ...]
    person_days: int
    milliseconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {
            **self.size.as_dict(), "level": self.level, "level_means": LEVEL_WORDS[self.level],
            "first_day": self.first.isoformat(), "last_day": self.last.isoformat(), "person_days": self.person_days,
            "terms": [{"term": item.term.text, "seen": item.seen, **item.size.as_dict()} for item in self.terms],
            "milliseconds": round(self.milliseconds, 2),
        }


class Estimator:
    """Answers queries from a SketchCache; one per process, shared by its requests."""

    def __init__(self, cache: SketchCache):
        self.cache = cache

    def _kinds(self, term: Term, field_name: str, level: str) -> tuple[str, ...]:
        kinds = (THEME_KIND,) if term.is_theme else FIELD_KINDS[field_name]
        return tuple(person_kind(kind) for kind in kinds) if level == PERSON_LEVEL else kinds

    def person_days(self, days: list[dt.date]) -> int:
        marks = self.cache.daily(person_kind(THEME_KIND), (PERSON_DAY_KEY,), days)
        return sum(1 for sketch in marks.values() if sketch is not None)

    def term_sketch(self, term: Term, field_name: str, level: str, days: list[dt.date], tokens: tuple):
        """The union of a term's daily sketches (of every kind its field names) over `days`, and whether any exists."""
        kinds = self._kinds(term, field_name, level)

        def build():
            daily = [sketch for kind in kinds for sketch in self.cache.daily(kind, (term.key,), days).values()
                     if sketch is not None]
            return union(daily), bool(daily)

        return self.cache.window((kinds, term.key, days[0], days[-1]), tokens, build)

    def estimate(self, query: Query, last: dt.date) -> Answer:
        """The size of `query` over its window ending on `last`, at person level when the window has it."""
        started = time.perf_counter()
        first, last = window_ending(last, query.window_days)
        days = days_between(first, last)
        tokens = self.cache.window_tokens(days)
        person_days = self.person_days(days)
        level = PERSON_LEVEL if person_days else ID_LEVEL

        def sizes():
            sketches = {term: self.term_sketch(term, query.field, level, days, tokens) for term in query.terms}
            result = combine([sketches[term][0] for term in query.positives],
                             [sketches[term][0] for term in query.negatives], query.mode)
            return size_of(result), tuple(TermSize(term, size_of(sketches[term][0]), sketches[term][1])
                                          for term in query.terms)

        # The same query again (another client, a re-render) costs no set operation.
        size, terms = self.cache.window((level, query, first, last), tokens, sizes, kept=self.cache.results)
        return Answer(size, level, first, last, terms, person_days, (time.perf_counter() - started) * 1000)
