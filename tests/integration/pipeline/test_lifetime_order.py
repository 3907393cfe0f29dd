"""Three generated days on the real node: lifetime interests are the same in order, re-run, or backwards.

Each day is staged (daily, then lifetime from the day's staged rows and the other days' stored ones)
and then published, as the DAG does once the interests gate passed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pyspark.sql import functions as F

from dmp.pipeline.interests import interests_day
from dmp.pipeline.lifetime import lifetime_day
from dmp.pipeline import staging
from dmp.pipeline.publish import publish_interests_day
from dmp.pipeline.day import TO_STORED, run_day

START = dt.date(2026, 11, 20)
DAYS = [START + dt.timedelta(days=offset) for offset in range(3)]


@pytest.fixture(scope="module")
def three_days(spark, cql, generated_world):
    """Three days stored and tagged; interests tables emptied, so each test runs them itself."""
    day_settings = generated_world("lifetime", START, days=3, people=40, seed=33)
    for day in DAYS:
        run_day(spark, day_settings, day, steps=TO_STORED, tagged_at=dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc))
    return day_settings


def _run(spark, settings, days):
    for day in days:
        interests_day(spark, settings, day)
        lifetime_day(spark, settings, day)
        publish_interests_day(spark, settings, day)


def _snapshot(cql, settings) -> list[tuple]:
    rows = cql.execute(
        f"SELECT user_id, theme, total_events, active_days, first_seen, last_seen, score, events_7d, events_30d, "
        f"events_90d FROM {settings.keyspace}.user_interests"
    )
    return sorted((*row[:6], round(row.score, 9), *row[7:]) for row in rows)


def _empty(cql, settings):
    for table in ("user_daily_interests", "user_interests"):
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")


def test_in_order_rerun_and_backwards_give_identical_lifetime_interests(spark, cql, three_days):
    _empty(cql, three_days)
    _run(spark, three_days, DAYS)
    in_order = _snapshot(cql, three_days)
    assert in_order and any(row[3] > 1 for row in in_order), "some users are active on several days"

    _run(spark, three_days, [DAYS[1]])
    assert _snapshot(cql, three_days) == in_order, "re-running a day changes nothing"

    _empty(cql, three_days)
    _run(spark, three_days, list(reversed(DAYS)))
    assert _snapshot(cql, three_days) == in_order


def test_a_rerun_after_retagging_removes_the_themes_the_day_no_longer_has(spark, cql, three_days, tmp_path):
    day = DAYS[0]
    _empty(cql, three_days)
    _run(spark, three_days, [day])
    retagged = dataclasses.replace(three_days, staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs")
    staging.write_staged(staging.read_staged(spark, three_days, day, staging.EVENTS), retagged, day, staging.EVENTS)
    everything_music_df = staging.read_staged(spark, three_days, day, staging.TAGGED_EVENTS).withColumn(
        "theme", F.lit("music"))  # what a new model that sees only music would leave
    staging.write_staged(everything_music_df, retagged, day, staging.TAGGED_EVENTS)

    interests_day(spark, retagged, day)
    staged = lifetime_day(spark, retagged, day)
    assert {row.theme for row in cql.execute(f"SELECT theme FROM {retagged.keyspace}.user_interests")} != {"music"}, \
        "nothing is removed before the gate"
    figures = publish_interests_day(spark, retagged, day)

    assert figures["stale_rows_removed"] == staged["stale_rows"]
    assert figures["stale_rows_removed"]["daily"] > 0 and figures["stale_rows_removed"]["lifetime"] > 0
    daily_themes = {row.theme for row in cql.execute(f"SELECT theme FROM {retagged.keyspace}.user_daily_interests")}
    lifetime_themes = {row.theme for row in cql.execute(f"SELECT theme FROM {retagged.keyspace}.user_interests")}
    assert daily_themes == lifetime_themes == {"music"}
    assert sum(row.total_events for row in cql.execute(f"SELECT total_events FROM {retagged.keyspace}.user_interests")) \
        == everything_music_df.count()
