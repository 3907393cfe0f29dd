"""The sketch cache reads each (kind, key, day) once, and again only after that day is republished."""

from __future__ import annotations

import datetime as dt

from dmp.audience.sketch_cache import CHECK_SECONDS, SketchCache
from dmp.storage.formats import user_sketch

DAYS = [dt.date(2026, 11, 1), dt.date(2026, 11, 2)]


class _Store:
    def __init__(self):
        self.calls, self.users, self.tokens = [], {"ford": ["a", "b"]}, {day: 1 for day in DAYS}

    def load(self, kind, keys, days):
        self.calls.append((kind, keys, tuple(days)))
        return {(key, day): user_sketch(self.users[key]).serialize() for key in keys if key in self.users for day in days}


def test_each_sketch_is_read_once_missing_ones_too_until_its_day_changes():
    store, now = _Store(), [0.0]
    cache = SketchCache(store.load, lambda day: store.tokens[day], clock=lambda: now[0])
    first = cache.daily("keyword", ("ford", "opel"), DAYS)
    assert first[("ford", DAYS[0])].get_estimate() == 2 and first[("opel", DAYS[0])] is None
    cache.daily("keyword", ("ford", "opel"), DAYS)
    assert len(store.calls) == 1 and cache.reads == 4

    store.users["ford"] = ["a", "b", "c"]
    store.tokens[DAYS[1]] = 2  # the second day is published again
    now[0] += CHECK_SECONDS + 0.1
    again = cache.daily("keyword", ("ford",), DAYS)
    assert store.calls[-1] == ("keyword", ("ford",), (DAYS[1],)), "only the republished day is read again"
    assert again[("ford", DAYS[1])].get_estimate() == 3 and again[("ford", DAYS[0])].get_estimate() == 2


def test_a_window_value_is_rebuilt_when_its_days_tokens_change():
    store = _Store()
    cache = SketchCache(store.load, lambda day: store.tokens[day])
    builds = []
    value = cache.window("k", (1, 1), lambda: builds.append(1) or "first")
    assert cache.window("k", (1, 1), lambda: builds.append(1) or "second") == value == "first"
    assert cache.window("k", (1, 2), lambda: builds.append(1) or "third") == "third" and len(builds) == 2
