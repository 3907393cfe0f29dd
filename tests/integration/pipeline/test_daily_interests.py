"""A generated day through validation, tagging, storage and interests on the real node.

The interests are staged, gated, then published: nothing reaches Cassandra before the gate; once
published, the totals reconcile with the stored events, and re-runs change nothing. A day whose
staged rows make a negative score stops like a failed gate, with its reason in the day's figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.day import TO_STORED, run_day
from dmp.pipeline.interests import interests_day, unreconciled_events
from dmp.pipeline.lifetime import lifetime_day
from dmp.pipeline.publish import publish_interests_day
from dmp.pipeline.runs import DataStopped, day_stop_reasons, read_day_summary, stop_reason
from dmp.quality.gates import gate_named
from dmp.quality.runner import run_gate
from dmp.tagging.taxonomy import load_taxonomy

DAY = dt.date(2026, 11, 14)


@pytest.fixture(scope="module")
def stored_day(spark, cql, generated_world):
    day_settings = generated_world("interests", DAY, days=1, people=60, seed=21)
    stored = run_day(spark, day_settings, DAY, steps=TO_STORED,
                     tagged_at=dt.datetime(2026, 11, 15, tzinfo=dt.timezone.utc))["store_events"]
    return day_settings, stored


def _rows(cql, settings, users) -> dict:
    table = f"{settings.keyspace}.user_daily_interests"
    return {user: sorted((r.theme, r.events, r.pages) for r in cql.execute(
        f"SELECT theme, events, pages FROM {table} WHERE user_id = %s AND day = %s", (user, DAY))) for user in users}


def test_daily_interests_are_published_only_after_their_gate_and_reconcile(spark, cql, stored_day):
    day_settings, stored = stored_day
    users = [row.user_id for row in spark.read.parquet(day_settings.staged(DAY, staging.EVENTS)).select("user_id").distinct().collect()]
    cql.execute(f"TRUNCATE {day_settings.keyspace}.user_daily_interests")  # the keyspace outlives sessions

    figures = interests_day(spark, day_settings, DAY)
    lifetime_day(spark, day_settings, DAY)
    assert all(rows == [] for rows in _rows(cql, day_settings, users).values()), "nothing stored before the gate"
    run_gate(spark, day_settings, DAY, gate_named(steps.INTERESTS_GATE))
    published = publish_interests_day(spark, day_settings, DAY)

    assert figures["events"] == stored["stored"] == sum(figures["events_by_theme"].values())
    assert len(users) == figures["users"]
    rows = _rows(cql, day_settings, users)
    for user in users[:20]:
        events = cql.execute(f"SELECT COUNT(*) FROM {day_settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s",
                             (user, DAY)).one()[0]
        assert sum(count for _, count, _ in rows[user]) == events
        assert all(0 < pages <= count for _, count, pages in rows[user])
    assert sum(len(theme_rows) for theme_rows in rows.values()) == figures["rows"] == published["daily_rows"]

    again = interests_day(spark, day_settings, DAY)
    lifetime_day(spark, day_settings, DAY)
    assert again == figures
    assert publish_interests_day(spark, day_settings, DAY) == {**published, "stale_rows_removed": {"daily": 0, "lifetime": 0}}
    assert _rows(cql, day_settings, users) == rows


def test_a_negative_score_stops_the_day_with_its_reason_and_publishes_nothing(spark, cql, stored_day, tmp_path):
    day_settings, _ = stored_day
    broken = dataclasses.replace(day_settings, staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs")
    (tmp_path / "runs" / DAY.isoformat()).mkdir(parents=True)
    validated = f"{DAY.isoformat()}/{steps.VALIDATE_EVENTS}.json"  # what `dmp runs show` starts from
    (tmp_path / "runs" / validated).write_text((day_settings.runs_dir / validated).read_text())
    interests_day(spark, day_settings, DAY)
    daily_df = spark.read.parquet(day_settings.staged(DAY, staging.DAILY_INTERESTS))
    staging.write_staged(daily_df.withColumn("events", -F.col("events")), broken, DAY, staging.DAILY_INTERESTS)
    started = time.time()

    with pytest.raises(DataStopped, match=r"negative or NaN score"):
        lifetime_day(spark, broken, DAY)

    reason = stop_reason(broken, DAY, steps.LIFETIME_INTERESTS, since=started - 1)
    assert reason and "nothing was published" in reason
    assert day_stop_reasons(broken, DAY) == {steps.LIFETIME_INTERESTS: reason}
    assert read_day_summary(broken, DAY)["lifetime"]["stopped"] == reason, "dmp runs show has the reason"


def test_interest_totals_that_do_not_match_the_events_are_a_stop_reason(settings):
    taxonomy = load_taxonomy(settings.taxonomy_file)
    assert unreconciled_events(10, {"music": 6, "unknown": 4}, taxonomy) is None
    reason = unreconciled_events(10, {"music": 6}, taxonomy)
    assert "count 6 events but 10 were staged by tag_events" in reason
