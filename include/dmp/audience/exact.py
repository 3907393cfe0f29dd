"""Exact keyword audiences: the users who visited pages with any of some keywords, from the index.

Where the sketches estimate while the marketer types, this reads the keyword index itself
(`keyword_user_sets`: a keyword's day is a few rows, its users in chunks, in the day's partition for
the keyword's bucket) for the full list a segment build or an export needs: a few rows per keyword
and day, never a scan. A chunk's users are one blob, their sorted ids one per line (validation
rejects user ids with control characters); days written before that keep them as a set.
"""

from __future__ import annotations

import datetime as dt

from dmp.audience.buckets import key_bucket

USER_SEPARATOR = "\n"


def decode_users(blob: bytes | None) -> list[str]:
    """The user ids of a stored chunk, in their stored (sorted) order."""
    return blob.decode("utf-8").split(USER_SEPARATOR) if blob else []


class KeywordIndexReader:
    """Prepared reads of the keyword index; build once per process and reuse."""

    def __init__(self, session, keyspace: str):
        from dmp.storage import tables

        self.session = session
        self._select = session.prepare(
            f"SELECT users, user_ids FROM {keyspace}.{tables.KEYWORD_USER_SETS} "
            "WHERE day = ? AND bucket = ? AND keyword = ?"
        )

    def users(self, keywords: tuple[str, ...], first: dt.date, last: dt.date) -> set[str]:
        """Distinct users who visited a page with any of `keywords` from `first` to `last` (inclusive)."""
        days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
        futures = [self.session.execute_async(self._select, (day, key_bucket(keyword), keyword))
                   for keyword in keywords for day in days]
        found: set[str] = set()
        for future in futures:
            for row in future.result():
                found.update(row.users or decode_users(row.user_ids))
        return found
