"""A privacy request's record as text: what was asked (as a digest), its status, and per table the rows before and after."""

from __future__ import annotations

from dmp.privacy.registry import ENTRIES
from dmp.privacy.requests import SUPPRESSED_COUNT
from dmp.storage.privacy import RequestRecord


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def format_record(record: RequestRecord) -> str:
    """The report `dmp privacy report` prints."""
    lines = [
        f"request     {record.request_id}",
        f"status      {record.status}",
        f"asked       {record.kind or '-'} (sha256 {record.subject_digest or '-'})",
        f"source      {record.source}",
        f"received    {_when(record.received_at)}    completed {_when(record.completed_at)}",
        f"subject     {record.persons or 0} person(s), {record.ids or 0} user id(s)",
    ]
    order = {entry.table: position for position, entry in enumerate(ENTRIES)}
    tables = sorted((table for table in record.before if table != SUPPRESSED_COUNT),
                    key=lambda table: (order.get(table, len(order)), table))
    if tables:
        width = max(len(table) for table in tables)
        lines.append(f"{'table':<{width}}  {'before':>10}  {'after':>10}")
        lines += [f"{table:<{width}}  {record.before[table]:>10,}  {record.after.get(table, 0):>10,}"
                  for table in tables]
    if SUPPRESSED_COUNT in record.after:
        lines.append(f"suppressed  {record.after[SUPPRESSED_COUNT]} digest(s) (ids and email hashes, SHA-256 only)")
    lines += [f"export rewritten: {folder}" for folder in record.exports]
    lines += [f"note: {note}" for note in record.notes]
    return "\n".join(lines)
