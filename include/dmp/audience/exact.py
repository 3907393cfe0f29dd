"""Exact keyword audiences: the users who visited pages with any of some keywords, from the index.

Where the sketches estimate while the marketer types, this reads the keyword index itself
(`keyword_user_sets`: a keyword's day is a few rows, its users in chunks, in the day's partition for
the keyword's bucket) for the full list a
segment build or an export needs: a few rows per keyword and day, never a scan.
"""

from __future__ import annotations

import datetime as dt

from dmp.audience.buckets import key_bucket


class KeywordIndexReader:
    """Prepared reads of the keyword index; build once per process and reuse."""

    def __init__(self, session, keyspace: str):
        from dmp.storage import tables

        self.session = session
        self._select = session.prepare(
            f"SELECT users FROM {keyspace}.{tables.KEYWORD_USER_SETS} WHERE day = ? AND bucket = ? AND keyword = ?"
        )

    def users(self, keywords: tuple[str, ...], first: dt.date, last: dt.date) -> set[str]:
        """Distinct users who visited a page with any of `keywords` from `first` to `last` (inclusive)."""
        days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
        futures = [self.session.execute_async(self._select, (day, key_bucket(keyword), keyword))
                   for keyword in keywords for day in days]
        found: set[str] = set()
        for future in futures:
            for row in future.result():
                found.update(row.users)
        return found
