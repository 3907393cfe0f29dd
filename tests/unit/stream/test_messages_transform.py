"""Kafka messages to validated events on inline rows (local Spark): reasons, received day, hashed emails."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pyspark.sql import functions as F

from dmp.stream.messages import MAX_MESSAGE_BYTES, accepted_events, classify, parse_messages

RECEIVED = dt.datetime(2026, 12, 2, 10, 0, 5)
DAY = RECEIVED.date()
KAFKA_SCHEMA = "key binary, value binary, partition int, offset long, timestamp timestamp"


def _line(**fields) -> bytes:
    event = {"user_id": "u1", "ts": "2026-12-02T10:00:00Z", "url": "https://cars.example.com/ford-focus", **fields}
    return json.dumps(event).encode()


def _messages(spark, values, received=RECEIVED):
    rows = [(None, value, 0, offset, received) for offset, value in enumerate(values)]
    return parse_messages(spark.createDataFrame(rows, KAFKA_SCHEMA))


def test_each_message_gets_the_daily_runs_reason_or_a_message_reason(spark, assert_frames_equal):
    values = [
        _line(),
        b'{"user_id": "u2", "ts": ',  # cut short
        b'[1, 2]',  # JSON, but not an object
        _line(user_id="u3", url="https://a.com/" + "x" * 9000),
        _line(user_id="u4", url="https://a.com/\x07bell"),
        _line(user_id="u5", ts="2026-11-25T10:00:00Z"),  # a week old: not this day's
        b'{"user_id": "u6", "url": "' + b"y" * MAX_MESSAGE_BYTES + b'"}',
        None,
        "\u00e9t\u00e9".encode("latin-1"),  # not UTF-8
    ]
    classified_df = classify(_messages(spark, values), [DAY], lateness_hours=2)
    result_df = classified_df.select("offset", "user_id", "rejection_reason")
    expected_df = spark.createDataFrame([
        (0, "u1", None), (1, None, "malformed_json"), (2, None, "malformed_json"), (3, "u3", "url_too_long"),
        (4, "u4", "invalid_url"), (5, "u5", "timestamp_outside_day"), (6, None, "message_too_large"),
        (7, None, "malformed_json"), (8, None, "malformed_json"),
    ], "offset long, user_id string, rejection_reason string")
    assert_frames_equal(result_df, expected_df)
    assert classified_df.count() == len(values), "read = accepted + rejected"


def test_emails_are_hashed_at_once_and_never_kept_in_clear(spark):
    values = [_line(event_type="login", email=" Jane.Doe+news@GMail.com "), b'{"email": "bob@example.com", "ts": ']
    classified_df = classify(_messages(spark, values), [DAY], lateness_hours=0)
    assert "email" not in classified_df.columns
    rows = {row.offset: row for row in classified_df.collect()}
    assert rows[0].email_sha256 == hashlib.sha256(b"janedoe@gmail.com").hexdigest()
    assert "bob@example.com" not in rows[1]._corrupt_record, "the raw text kept for quarantine has its emails removed"


def test_the_received_day_is_the_kafka_times_and_accepted_events_keep_the_batch_ids(spark):
    just_after_midnight = dt.datetime(2026, 12, 3, 0, 10)
    messages_df = _messages(spark, [_line(ts="2026-12-02T23:59:00Z")], received=just_after_midnight)
    assert [row.received_day for row in messages_df.collect()] == [dt.date(2026, 12, 3)]
    classified_df = classify(messages_df, [dt.date(2026, 12, 3)], lateness_hours=2)
    events = accepted_events(classified_df, [dt.date(2026, 12, 3)]).collect()
    assert [(event.day, event.user_id) for event in events] == [(dt.date(2026, 12, 3), "u1")], \
        "a late event of the evening before counts for the day it was received, as in the daily run"
    assert len(events[0].event_id) == 32
    assert classify(messages_df, [dt.date(2026, 12, 3)], lateness_hours=0).where(
        F.col("rejection_reason").isNotNull()).count() == 1
