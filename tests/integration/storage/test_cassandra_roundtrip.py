"""A round trip through the real node with the driver: write events, read them back, see the TTL."""

from __future__ import annotations

import datetime as dt
import uuid


def test_events_round_trip_with_the_retention_ttl(cql, settings):
    user = f"test-{uuid.uuid4().hex}"
    day = dt.date(2026, 11, 1)
    stamps = [dt.datetime(2026, 11, 1, hour, 30) for hour in (9, 7, 21)]
    insert = cql.prepare(
        f"INSERT INTO {settings.keyspace}.events_by_user (user_id, day, ts, event_id, url, event_type) "
        "VALUES (?, ?, ?, ?, ?, 'page_view')"
    )
    for index, stamp in enumerate(stamps):
        cql.execute(insert, (user, day, stamp, f"e{index}", f"https://example.org/{index}"))

    rows = list(
        cql.execute(
            f"SELECT ts, url, TTL(url) AS ttl FROM {settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s",
            (user, day),
        )
    )

    assert [row.ts for row in rows] == sorted(stamps), "rows come back in time order within the partition"
    assert [row.url for row in rows] == ["https://example.org/1", "https://example.org/0", "https://example.org/2"]
    assert all(0 < row.ttl <= settings.events_ttl_seconds for row in rows)


def test_writing_the_same_event_twice_keeps_one_row(cql, settings):
    user = f"test-{uuid.uuid4().hex}"
    day, stamp = dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 12)
    statement = (
        f"INSERT INTO {settings.keyspace}.events_by_user (user_id, day, ts, event_id, url) VALUES (%s, %s, %s, %s, %s)"
    )
    for _ in range(2):
        cql.execute(statement, (user, day, stamp, "same-event", "https://example.org/a"))

    count = cql.execute(
        f"SELECT COUNT(*) FROM {settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s", (user, day)
    ).one()[0]
    assert count == 1
