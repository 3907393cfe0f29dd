"""Lifetime interests from daily rows (local Spark): totals, decay, windows, 'unknown' left out."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.pipeline.lifetime import lifetime_interests

D = dt.date(2026, 11, 30)


def test_lifetime_folds_daily_rows_with_decay_as_of_the_last_day_seen(spark):
    daily_df = spark.createDataFrame(
        [("u1", D, "music", 4), ("u1", D - dt.timedelta(days=10), "music", 2),
         ("u1", D - dt.timedelta(days=40), "music", 8), ("u1", D - dt.timedelta(days=5), "cars", 1),
         ("u1", D, "unknown", 9), ("u2", D - dt.timedelta(days=1), "music", 3)],
        "user_id string, day date, theme string, events int",
    )
    rows = {(r.user_id, r.theme): r for r in lifetime_interests(daily_df, half_life_days=10).collect()}

    assert set(rows) == {("u1", "music"), ("u1", "cars"), ("u2", "music")}
    music = rows[("u1", "music")]
    assert (music.total_events, music.active_days, music.first_seen, music.last_seen) == (
        14, 3, D - dt.timedelta(days=40), D)
    assert music.score == pytest.approx(4 + 2 * 0.5 + 8 * 0.5 ** 4)
    assert (music.events_7d, music.events_30d, music.events_90d) == (4, 6, 14)
    cars = rows[("u1", "cars")]
    assert (cars.last_seen, cars.score, cars.events_7d) == (D - dt.timedelta(days=5), 1.0, 1)
    assert rows[("u2", "music")].half_life_days == 10
