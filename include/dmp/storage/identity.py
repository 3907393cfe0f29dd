"""Identity's reads for the command line: one person and everything kept about them, by any of their ids.

Statements are prepared with bound values only (ids come from users), through `dmp.storage.session`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmp.storage import tables
from dmp.storage.session import prepare

TOP_INTERESTS = 10


@dataclass
class PersonRecord:
    """A person as published: its row, interests (best first) and merges and splits."""

    person: object
    interests: list = field(default_factory=list)
    merges: list = field(default_factory=list)


class IdentityStore:
    def __init__(self, session, keyspace: str):
        self._session = session
        self._keyspace = keyspace

    def _rows(self, cql: str, *values):
        return list(self._session.execute(prepare(self._session, cql, self._keyspace), values))

    def person_of(self, typed_id: str) -> str | None:
        rows = self._rows(f"SELECT person_id FROM {self._keyspace}.{tables.PERSON_BY_ID} WHERE id = ?", typed_id)
        return rows[0].person_id if rows else None

    def person(self, person_id: str) -> PersonRecord | None:
        rows = self._rows(f"SELECT * FROM {self._keyspace}.{tables.PERSONS} WHERE person_id = ?", person_id)
        if not rows:
            return None
        interests = self._rows(f"SELECT theme, score, total_events, active_days, last_seen FROM "
                               f"{self._keyspace}.{tables.PERSON_INTERESTS} WHERE person_id = ?", person_id)
        merges = self._rows(f"SELECT day, kind, loser, winner, role, edge_src, edge_dst FROM "
                            f"{self._keyspace}.{tables.PERSON_MERGES} WHERE person_id = ?", person_id)
        interests.sort(key=lambda row: -(row.score or 0))
        return PersonRecord(rows[0], interests[:TOP_INTERESTS], merges)

    def cookie_persons(self) -> tuple[dict[str, str], set[str]]:
        """(cookie -> person id, the cookies with a login edge): a full read, for the demo's truth check."""
        found = {row.id.removeprefix("user:"): row.person_id for row in self._rows(
            f"SELECT id, person_id FROM {self._keyspace}.{tables.PERSON_BY_ID}") if row.id.startswith("user:")}
        logged_in = {row.node.removeprefix("user:") for row in self._rows(
            f"SELECT node, other FROM {self._keyspace}.{tables.IDENTITY_EDGES}")
            if row.node.startswith("user:") and row.other.startswith("email:")}
        return found, logged_in
