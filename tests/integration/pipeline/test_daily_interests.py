"""A generated day through validation, tagging, storage and interests on the real node: totals reconcile, re-runs change nothing."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline import staging
from dmp.pipeline.day import TO_STORED, run_day
from dmp.pipeline.interests import interests_day

DAY = dt.date(2026, 11, 14)


def test_daily_interests_reconcile_with_stored_events_and_rerun_identically(spark, cql, generated_world):
    day_settings = generated_world("interests", DAY, days=1, people=60, seed=21)
    stored = run_day(spark, day_settings, DAY, steps=TO_STORED,
                     tagged_at=dt.datetime(2026, 11, 15, tzinfo=dt.timezone.utc))["store_events"]

    figures = interests_day(spark, day_settings, DAY)

    assert figures["events"] == stored["stored"] == sum(figures["events_by_theme"].values())
    users = [row.user_id for row in spark.read.parquet(day_settings.staged(DAY, staging.EVENTS)).select("user_id").distinct().collect()]
    assert len(users) == figures["users"]
    table = f"{day_settings.keyspace}.user_daily_interests"
    rows = {user: sorted((r.theme, r.events, r.pages) for r in cql.execute(
        f"SELECT theme, events, pages FROM {table} WHERE user_id = %s AND day = %s", (user, DAY))) for user in users}
    for user in users[:20]:
        events = cql.execute(f"SELECT COUNT(*) FROM {day_settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s",
                             (user, DAY)).one()[0]
        assert sum(count for _, count, _ in rows[user]) == events
        assert all(0 < pages <= count for _, count, pages in rows[user])
    assert sum(len(theme_rows) for theme_rows in rows.values()) == figures["rows"]

    again = interests_day(spark, day_settings, DAY)
    assert again == figures
    assert {user: sorted((r.theme, r.events, r.pages) for r in cql.execute(
        f"SELECT theme, events, pages FROM {table} WHERE user_id = %s AND day = %s", (user, DAY))) for user in users} == rows
