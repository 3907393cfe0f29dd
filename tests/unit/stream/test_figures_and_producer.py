"""Batch figures that reconcile when a batch is rewritten, latency read from them, and the producer's lines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from dmp.stream import figures
from dmp.stream.producer import retimed, user_of


def test_a_rewritten_batch_is_counted_once_and_counts_reconcile(settings, tmp_path):
    settings = dataclasses.replace(settings, stream_dir=tmp_path)
    first = {"read": 5, "stored": 4, "quarantined": 1, "quarantined_by_reason": {"invalid_url": 1}}
    figures.write_batch(settings, 0, first)
    figures.write_batch(settings, 1, {"read": 3, "stored": 1, "quarantined": 2,
                                      "quarantined_by_reason": {"invalid_url": 1, "malformed_json": 1}})
    figures.write_batch(settings, 0, first)  # the replay of batch 0
    totals = figures.totals(figures.read_batches(settings))
    assert totals == {"batches": 2, "read": 8, "stored": 5, "quarantined": 3,
                      "quarantined_by_reason": {"invalid_url": 2, "malformed_json": 1}}


def test_event_ages_are_read_from_the_per_second_histogram():
    batch = {"written_at_ms": 100_000, "produced_per_second": {"90": 3, "99": 1}}
    assert sorted(figures.event_ages(batch)) == [(0.5, 1), (9.5, 3)]


def test_replayed_lines_get_the_send_time_and_keep_their_key():
    now = dt.datetime(2026, 12, 2, 10, 0, 0, 250000, tzinfo=dt.timezone.utc)
    line, user = retimed('{"user_id": "u1", "ts": "2026-11-01T08:00:00Z", "url": "a.com/x"}', now)
    assert user == "u1" and json.loads(line)["ts"] == "2026-12-02T10:00:00.250Z"
    assert retimed('{"user_id": ', now) == ('{"user_id": ', None), "a broken line is sent as it is, to be quarantined"
    assert retimed("[1]", now) == ("[1]", None)
    assert user_of('{"user_id": 5}') is None
