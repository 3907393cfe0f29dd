"""The validation transforms on inline raw rows (local Spark): each row's first rejection reason, and
accepted rows turned into events; null rows included."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline.events import EVENT_ID_HEX_CHARS, to_events, with_rejection_reason
from dmp.pipeline.ingest import RAW_SCHEMA

DAY = dt.date(2026, 11, 1)
IN_DAY = "2026-11-01T10:00:00"
LATENESS_HOURS = 2


def _raw(spark, rows):
    return spark.createDataFrame(rows, RAW_SCHEMA)


def test_each_raw_row_gets_its_first_rejection_reason_or_none(spark, assert_frames_equal):
    #        user_id, ts, url, referrer, event_type, email, partner_id, _corrupt_record, _format
    raw_df = _raw(spark, [
        ("u-ok", IN_DAY, "https://a.com/x", None, None, "A@B.com", "p1", None, "json"),
        ("u-epoch", "1793527200", "a.com/x", None, None, None, None, None, "csv"),
        ("u-late", "2026-10-31T23:00:00", "https://a.com/x", None, None, None, None, None, "json"),
        ("u-too-late", "2026-10-31T21:00:00", "https://a.com/x", None, None, None, None, None, "json"),
        (None, None, None, None, None, None, None, '{"user_id": ', "json"),
        (None, IN_DAY, "https://a.com/x", None, None, None, None, None, "json"),
        ("u-ctl\x07", IN_DAY, "https://a.com/x", None, None, None, None, None, "json"),
        ("u-url", IN_DAY, "not a url", None, None, None, None, None, "json"),
        ("u-ts", "yesterday", "https://a.com/x", None, None, None, None, None, "json"),
        (None, None, None, None, None, None, None, None, None),
    ])
    expected_df = spark.createDataFrame([
        ("u-ok", None), ("u-epoch", None), ("u-late", None), ("u-too-late", "timestamp_outside_day"),
        (None, "malformed_json"), (None, "missing_user_id"), ("u-ctl\x07", "invalid_user_id"),
        ("u-url", "invalid_url"), ("u-ts", "unparsable_timestamp"), (None, "missing_user_id"),
    ], "user_id string, rejection_reason string")
    result_df = with_rejection_reason(raw_df, DAY, LATENESS_HOURS).select("user_id", "rejection_reason")
    assert_frames_equal(result_df, expected_df)


def test_accepted_rows_become_the_day_s_events_without_the_email(spark, assert_frames_equal):
    raw_df = _raw(spark, [
        (" u1 ", IN_DAY, "https://a.com/x", None, None, "a@b.com", None, None, "json"),
        ("u1", IN_DAY, "https://a.com/x", "https://ref", "click", None, "p1", None, "json"),
        ("u2", "2026-10-31T23:30:00", "https://a.com/y", None, None, None, None, None, "json"),
    ])
    events_df = to_events(raw_df, DAY)
    assert "email" not in events_df.columns
    expected_df = spark.createDataFrame([
        ("u1", DAY, dt.datetime(2026, 11, 1, 10), "https://a.com/x", None, "page_view", None),
        ("u1", DAY, dt.datetime(2026, 11, 1, 10), "https://a.com/x", "https://ref", "click", "p1"),
        ("u2", DAY, dt.datetime(2026, 10, 31, 23, 30), "https://a.com/y", None, "page_view", None),
    ], "user_id string, day date, ts timestamp, url string, referrer string, event_type string, partner_id string")
    assert_frames_equal(events_df.drop("event_id"), expected_df)
    ids = [row["event_id"] for row in events_df.collect()]
    assert all(len(event_id) == EVENT_ID_HEX_CHARS for event_id in ids) and len(set(ids)) == len(ids)
    assert ids == [row["event_id"] for row in to_events(raw_df, DAY).collect()], "ids are deterministic"
