"""Running one deletion request: record it, find the subject, count, suppress, delete, count again.

Order matters. The subject's ids are suppressed first, so a pipeline run that validates a day
while the deletion runs already drops them; then each registry entry is counted, deleted and
counted again, and delivered exports are rewritten. The request's row in `privacy_requests` holds
its status and the per-table counts: `done` when every table is left with none of the subject's
rows, `incomplete` when some table still has rows or could not be reached (the notes say which),
`failed` with the error when it stopped. Running a request id again that is `done` does nothing.
Nothing here logs or records an email: only request ids, kinds and digests.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from dmp.errors import DmpError
from dmp.privacy.exports import rewrite_exports
from dmp.privacy.registry import Context, event_days, reach
from dmp.privacy.subjects import Identifier, Subject, resolve
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.privacy import DONE, DailyRows, IndexStore, PersonLookups, RequestRecord, Requests, Suppressions, \
    table_key
from dmp.storage.session import cassandra_session
from dmp.tagging.taxonomy import UNKNOWN, load_taxonomy

log = logging.getLogger(__name__)
RUNNING = "running"
INCOMPLETE = "incomplete"
FAILED = "failed"
REJECTED = "rejected"
REQUEST_PREFIX = "prv-"
SUPPRESSED_COUNT = "suppressed_digests"  # not a table of the subject: the digests recorded, in `after`
STAGED_NOTE = ("staged and landing files of the affected days still hold the person until those days run "
               "again (landing files are kept as received; their re-runs drop the suppressed ids)")


def new_request_id() -> str:
    return f"{REQUEST_PREFIX}{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Outcome:
    record: RequestRecord
    subject: Subject


def _plan(session, settings: Settings, subject: Subject, today: dt.date) -> Context:
    """Where the subject's rows are: event partitions, index days and chunks, themes of its sketches."""
    keyspace = settings.keyspace
    daily = DailyRows(session, keyspace, tables.DAILY_INTERESTS, "user_id")
    pairs = {pair for user_id in subject.user_ids for pair in daily.pairs(user_id)}
    days = event_days(settings, today, {day for day, _ in pairs})
    ctx = Context(session, settings, subject, [(user_id, day) for user_id in subject.user_ids for day in days], [],
                  ())
    held = ctx.keyed(tables.EVENTS, ("user_id", "day")).counts(ctx.event_keys)
    ctx.event_keys = [key for key, rows in zip(ctx.event_keys, held) if rows]
    ctx.index_days = sorted({day for _, day in ctx.event_keys} | {day for day, _ in pairs})
    taxonomy_themes = set(load_taxonomy(settings.taxonomy_file).names)
    ctx.themes = tuple(sorted((taxonomy_themes | {theme for _, theme in pairs}) - {UNKNOWN}))
    store = IndexStore(session, keyspace)
    ctx.chunks = [chunk for day in ctx.index_days for chunk in store.chunks_holding(day, ctx.ids)] if ctx.ids else []
    return ctx


def _counts(ctx: Context, entries) -> dict[str, int]:
    return {entry.table: entry.count(ctx) for entry in entries}


def run_request(settings: Settings, asked: Identifier, source: str, request_id: str | None = None,
                today: dt.date | None = None) -> Outcome:
    """Delete the subject of `asked` everywhere; the request's record. `today` bounds the events' retention window."""
    request_id = request_id or new_request_id()
    today = today or dt.datetime.now(dt.timezone.utc).date()
    with cassandra_session(settings) as session:
        requests = Requests(session, settings.keyspace)
        earlier = requests.get(request_id)
        if earlier is not None and earlier.status == DONE:
            log.info("privacy request %s is done already", request_id)
            return Outcome(earlier, Subject((), (), (), (), ()))
        requests.open(request_id, asked.kind, asked.subject_digest, source, RUNNING)
        try:
            return Outcome(*_run(session, settings, requests, asked, request_id, today))
        except DmpError as error:
            requests.close(request_id, FAILED, 0, 0, {}, {}, [], [str(error)])
            raise


def _run(session, settings: Settings, requests: Requests, asked: Identifier, request_id: str,
         today: dt.date) -> tuple[RequestRecord, Subject]:
    keyspace = settings.keyspace
    has_persons = table_key(session, keyspace, tables.PERSONS) and table_key(session, keyspace, tables.PERSON_BY_ID)
    subject = resolve(PersonLookups(session, keyspace) if has_persons else None, asked)
    suppressions = subject.suppressions()
    Suppressions(session, keyspace).add(suppressions, request_id)
    reachable = reach(session, keyspace)
    ctx = _plan(session, settings, subject, today)
    log.info("privacy request %s: %d person(s), %d id(s), %d event partition(s), %d index day(s)", request_id,
             len(subject.person_ids), len(subject.user_ids), len(ctx.event_keys), len(ctx.index_days))
    before = _counts(ctx, reachable.entries)
    for entry in reachable.entries:
        entry.delete(ctx)
    exports = rewrite_exports(settings.export_dir, subject, request_id)
    after = _counts(ctx, reachable.entries)
    after[SUPPRESSED_COUNT] = Suppressions(session, keyspace).count([digest for digest, _ in suppressions])
    left = sorted(table for table, rows in after.items() if rows and table != SUPPRESSED_COUNT)
    notes = [f"rows left in {', '.join(left)}"] if left else []
    if not any(before.values()) and not exports:
        notes.append("no row of the subject was found: deleted before, or an id the platform never stored")
    notes += [f"could not reach {table}" for table in reachable.unreachable]
    notes += [f"{table}: not created on this keyspace (nothing to delete)" for table in reachable.absent]
    notes.append(STAGED_NOTE)
    status = INCOMPLETE if left or reachable.unreachable else DONE
    requests.close(request_id, status, len(subject.person_ids), len(subject.user_ids), before, after, exports, notes)
    log.info("privacy request %s: %s (%d rows before, %d after)", request_id, status,
             sum(before.values()), sum(rows for table, rows in after.items() if table != SUPPRESSED_COUNT))
    return requests.get(request_id), subject
