"""Every table a deletion reaches, declared once: how to count the subject's rows there, how to delete them.

A request counts each entry's rows before, deletes, and counts again: the counts are the proof
`dmp privacy report` prints. Most tables are keyed by something the subject has (its user ids,
person ids, identity nodes, or the (id, day) partitions of its events): `keyed()` declares one in
a line. The keyword index and the sketches hold many users per row and have their own entries
(`dmp.privacy.index`). Entries of tables another stage owns (`owner`) run only where the table
exists, and only when its primary key starts with the columns the entry deletes by: otherwise the
request says which table it could not reach, rather than guessing.

Adding a table is one entry in ENTRIES (`keyed(table, key_columns, keys_of_the_subject)`), and a
test then checks that a deletion leaves none of the subject's rows there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from dmp.privacy import index
from dmp.privacy.subjects import Subject
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import days_between, key_bucket
from dmp.storage.privacy import Chunk, IndexStore, KeyedRows, SegmentVersions, table_key
from dmp.storage.segments import member_bucket

PLATFORM = "platform"
IDENTITY = "identity"


@dataclass
class Context:
    """What the entries of one request share: the session, the subject and what planning found."""

    session: object
    settings: Settings
    subject: Subject
    event_keys: list[tuple[str, dt.date]]  # (user_id, day) partitions of events_by_user to clear
    index_days: list[dt.date]  # days the subject may be in the keyword index and the sketches
    themes: tuple[str, ...]
    chunks: list[Chunk] = field(default_factory=list)  # index chunks that held the subject, found before
    _index: IndexStore | None = None
    _keyed: dict = field(default_factory=dict)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.subject.user_ids)

    @property
    def index_store(self) -> IndexStore:
        if self._index is None:
            self._index = IndexStore(self.session, self.settings.keyspace)
        return self._index

    def keyed(self, table: str, key_columns: tuple[str, ...]) -> KeyedRows:
        if table not in self._keyed:
            self._keyed[table] = KeyedRows(self.session, self.settings.keyspace, table, key_columns)
        return self._keyed[table]

    @property
    def index_keys(self) -> set[tuple[dt.date, str]]:
        return {(chunk.day, chunk.keyword) for chunk in self.chunks}


@dataclass(frozen=True)
class Entry:
    """One table: count the subject's rows, delete them. `key_columns`: what an owned-elsewhere table must be keyed by."""

    table: str
    count: Callable[[Context], int]
    delete: Callable[[Context], None]
    owner: str = PLATFORM
    key_columns: tuple[str, ...] = ()


def keyed(table: str, key_columns: tuple[str, ...], keys: Callable[[Context], list[tuple]],
          owner: str = PLATFORM) -> Entry:
    """An entry whose rows are those under the primary-key prefixes `keys(ctx)` (values of `key_columns`)."""
    return Entry(table, lambda ctx: ctx.keyed(table, key_columns).count(keys(ctx)),
                 lambda ctx: ctx.keyed(table, key_columns).delete(keys(ctx)), owner, key_columns)


def _by(values: Callable[[Subject], tuple[str, ...]]) -> Callable[[Context], list[tuple]]:
    return lambda ctx: [(value,) for value in values(ctx.subject)]


def _memberships(ctx: Context) -> list[tuple]:
    """(segment_id, version, bucket, subject_id) of every kept version and every id the subject may be a member as."""
    return [(segment_id, version, member_bucket(member), member)
            for segment_id, version in SegmentVersions(ctx.session, ctx.settings.keyspace).all()
            for member in ctx.subject.member_ids]


def _index_count(ctx: Context) -> int:
    """Chunks holding the subject, among those of the keywords planning found it under (re-read each time)."""
    store = ctx.index_store
    return sum(bool(ctx.ids.intersection(chunk.users)) for day, keyword in ctx.index_keys
               for chunk in store.keyword_chunks(day, key_bucket(keyword), keyword))


def _index_delete(ctx: Context) -> None:
    index.rewrite_chunks(ctx.index_store, ctx.chunks, ctx.ids)


def _sketch_count(ctx: Context) -> int:
    if not ctx.ids:
        return 0
    store = ctx.index_store
    return (index.keyword_sketches_holding(store, ctx.index_keys, ctx.ids)
            + len(index.theme_sketches_holding(store, ctx.index_days, ctx.themes, ctx.ids)))


def _sketch_delete(ctx: Context) -> None:
    if not ctx.ids:
        return
    store = ctx.index_store
    index.rebuild_keyword_sketches(store, ctx.index_keys)
    index.forget_in_theme_sketches(store, index.theme_sketches_holding(store, ctx.index_days, ctx.themes, ctx.ids),
                                   ctx.ids)


ENTRIES: tuple[Entry, ...] = (
    keyed(tables.EVENTS, ("user_id", "day"), lambda ctx: ctx.event_keys),
    keyed(tables.DAILY_INTERESTS, ("user_id",), _by(lambda s: s.user_ids)),
    keyed(tables.LIFETIME_INTERESTS, ("user_id",), _by(lambda s: s.user_ids)),
    # Rewritten before the sketches, which are rebuilt from the rewritten chunks.
    Entry(tables.KEYWORD_USER_SETS, _index_count, _index_delete),
    Entry(tables.AUDIENCE_SKETCHES, _sketch_count, _sketch_delete),
    keyed(tables.SEGMENTS_BY_USER, ("id",), _by(lambda s: s.member_ids)),
    keyed(tables.USERS_BY_SEGMENT, ("segment_id", "version", "bucket", "subject_id"), _memberships),
    keyed(tables.PERSON_DAILY_INTERESTS, ("person_id",), _by(lambda s: s.person_ids), IDENTITY),
    keyed(tables.PERSON_INTERESTS, ("person_id",), _by(lambda s: s.person_ids), IDENTITY),
    keyed(tables.PERSON_MERGES, ("person_id",), _by(lambda s: s.person_ids), IDENTITY),
    # Each edge is stored under both its nodes, and both belong to the subject.
    keyed(tables.IDENTITY_EDGES, ("node",), _by(lambda s: s.nodes), IDENTITY),
    keyed(tables.CRM_CUSTOMERS, ("customer_id",), _by(lambda s: s.customer_ids), IDENTITY),
    keyed(tables.PERSON_BY_ID, ("id",), _by(lambda s: s.nodes), IDENTITY),
    keyed(tables.PERSONS, ("person_id",), _by(lambda s: s.person_ids), IDENTITY),
)


@dataclass(frozen=True)
class Reach:
    """The entries a keyspace lets a request run, and why the others cannot."""

    entries: tuple[Entry, ...]
    absent: tuple[str, ...]  # owned elsewhere and not created yet: nothing of anyone is there
    unreachable: tuple[str, ...]  # exists, keyed otherwise than the entry deletes by: the request is incomplete


def reach(session, keyspace: str, entries: tuple[Entry, ...] = ENTRIES) -> Reach:
    """Which entries can run on `keyspace`: platform tables always; others where they exist with the declared key."""
    usable, absent, unreachable = [], [], []
    for entry in entries:
        if entry.owner == PLATFORM:
            usable.append(entry)
            continue
        key = table_key(session, keyspace, entry.table)
        if key is None:
            absent.append(entry.table)
        elif key[:len(entry.key_columns)] == entry.key_columns:
            usable.append(entry)
        else:
            unreachable.append(f"{entry.table} (keyed by {', '.join(key)}, the entry deletes by "
                               f"{', '.join(entry.key_columns)})")
    return Reach(tuple(usable), tuple(absent), tuple(unreachable))


def event_days(settings: Settings, today: dt.date, known_days: set[dt.date]) -> list[dt.date]:
    """The days whose events_by_user partitions may hold the subject: the retention window up to `today`,
    every day the pipeline stored (its run folders) and the subject's days of daily interests."""
    first = today - dt.timedelta(days=settings.events_ttl_days)
    stored = set()
    if settings.runs_dir.is_dir():
        for folder in settings.runs_dir.iterdir():
            try:
                stored.add(dt.date.fromisoformat(folder.name))
            except ValueError:
                continue
    return sorted(set(days_between(first, today)) | stored | known_days)
