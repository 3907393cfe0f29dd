"""Sketches read once and kept: an LRU keyed by (kind, key, day), dropped when a day is republished.

A marketer typing re-sends the same terms over the same days many times a minute; each (kind, key,
day) sketch is read from Cassandra once and kept deserialized (a missing one is kept too, as None),
and each term's union over a window is kept as well, so a request that changes one term reads and
unions only that term. A day's entries are dropped as soon as its publication changes: the token
of a day (`day_token`) is the modification time of the figures its publishing steps write, looked
at no more than once per CHECK_SECONDS; a token that changed empties that day. Entries also expire
after MAX_AGE_SECONDS, for a service that does not share the pipeline's runs folder.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

MAX_SKETCHES = 200_000  # a few KB each at most: well under a GB for the busiest keywords
MAX_WINDOWS = 20_000
CHECK_SECONDS = 1.0
MAX_AGE_SECONDS = 600.0

DayToken = Callable[[dt.date], object]
Loader = Callable[[str, tuple[str, ...], list[dt.date]], dict[tuple[str, dt.date], bytes]]


class _Lru:
    def __init__(self, capacity: int):
        self.capacity, self.items = capacity, OrderedDict()

    def get(self, key, default=None):
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        return default

    def put(self, key, value) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.capacity:
            self.items.popitem(last=False)


class SketchCache:
    """Deserialized daily sketches and per-term window unions, kept while their days are unchanged."""

    def __init__(self, loader: Loader, day_token: DayToken, clock: Callable[[], float] = time.monotonic):
        self.loader, self.day_token, self.clock = loader, day_token, clock
        self.sketches = _Lru(MAX_SKETCHES)
        self.windows = _Lru(MAX_WINDOWS)
        self.results = _Lru(MAX_WINDOWS)  # whole answers, kept like the windows
        self.tokens: dict[dt.date, tuple[object, float]] = {}  # day -> (token, when it was looked at)
        self.lock = threading.Lock()
        self.reads = 0  # sketches asked of Cassandra, for the figures and the tests

    def _token(self, day: dt.date) -> object:
        now = self.clock()
        seen = self.tokens.get(day)
        if seen is not None and now - seen[1] < CHECK_SECONDS:
            return seen[0]
        token = self.day_token(day)
        if seen is not None and seen[0] != token:
            self._forget_day(day)
        self.tokens[day] = (token, now)
        return token

    def _forget_day(self, day: dt.date) -> None:
        for key in [key for key in self.sketches.items if key[2] == day]:
            del self.sketches.items[key]

    def window_tokens(self, days: list[dt.date]) -> tuple:
        """The tokens of `days` (a window's), checking for republished days."""
        with self.lock:
            return tuple(self._token(day) for day in days)

    def daily(self, kind: str, keys: tuple[str, ...], days: list[dt.date]) -> dict[tuple[str, dt.date], object]:
        """(key, day) -> deserialized sketch (None when there is none), reading only what is not kept."""
        from datasketches import compact_theta_sketch

        now = self.clock()
        with self.lock:
            for day in days:
                self._token(day)
            found, missing = {}, []
            for key in keys:
                for day in days:
                    entry = self.sketches.get((kind, key, day))
                    if entry is None or now - entry[1] > MAX_AGE_SECONDS:
                        missing.append((key, day))
                    else:
                        found[(key, day)] = entry[0]
        if missing:
            missing_keys = tuple(dict.fromkeys(key for key, _ in missing))
            missing_days = sorted({day for _, day in missing})
            loaded = self.loader(kind, missing_keys, missing_days)
            with self.lock:
                self.reads += len(missing)
                for key, day in missing:
                    blob = loaded.get((key, day))
                    sketch = compact_theta_sketch.deserialize(blob) if blob is not None else None
                    self.sketches.put((kind, key, day), (sketch, now))
                    found[(key, day)] = sketch
        return found

    def window(self, key: tuple, tokens: tuple, build: Callable[[], object], kept: _Lru | None = None):
        """The kept value of `key` built while the window's days had `tokens`, or `build()` kept anew
        (in `kept`, by default the term windows)."""
        kept = self.windows if kept is None else kept
        now = self.clock()
        with self.lock:
            entry = kept.get(key)
        if entry is not None and entry[1] == tokens and now - entry[2] <= MAX_AGE_SECONDS:
            return entry[0]
        value = build()
        with self.lock:
            kept.put(key, (value, tokens, now))
        return value
