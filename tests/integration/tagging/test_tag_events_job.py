"""The day's events tagged by Spark against the real page index: each page once per model, with TTL and keywords."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dmp.generate.corpus import CORPUS_FILE
from dmp.pipeline import staging
from dmp.pipeline.day import run_day
from dmp.pipeline.store import store_day
from dmp.pipeline.tag_day import tag_day
from dmp.tagging.model import publish, train_model

DAY = dt.date(2026, 11, 10)
AT = dt.datetime(2026, 11, 11, 1, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def day_settings(settings, cql, spark, generated_world):
    """Settings whose landing day, model and runs live in a scratch folder; page index truncated."""
    day_settings = generated_world("tagjob", DAY, days=1, people=80, seed=5)
    cql.execute(f"TRUNCATE {settings.keyspace}.page_index")
    run_day(spark, day_settings, DAY, steps=["validate_events"])  # stages the accepted events tagging reads
    return day_settings


def test_a_day_is_tagged_once_then_skipped_and_retagged_by_a_new_model(spark, cql, day_settings):
    first = tag_day(spark, day_settings, DAY, tagged_at=AT)
    assert first["pages"] == first["tagged"] > 50 and first["already_tagged"] == 0
    assert set(first["by_source"]) <= {"model", "rule", "none"} and first["by_source"]["model"] > 0
    tagged_df = spark.read.parquet(day_settings.staged(DAY, staging.TAGGED_EVENTS))
    assert tagged_df.count() == first["events"] == sum(first["events_by_theme"].values())
    assert tagged_df.where("theme IS NULL OR model_version IS NULL").count() == 0
    assert list(cql.execute(f"SELECT url FROM {day_settings.keyspace}.page_index LIMIT 1")) == [], \
        "tagging publishes nothing: the store step does, after the gate"

    store_day(spark, day_settings, DAY)
    rows = list(cql.execute(
        f"SELECT url, theme, source, keywords, model_version, TTL(theme) AS ttl FROM {day_settings.keyspace}.page_index"
    ))
    assert len(rows) == first["pages"]
    assert {row.model_version for row in rows} == {first["model_version"]}
    assert all(0 < row.ttl <= day_settings.page_index_ttl_seconds for row in rows)
    assert sum(1 for row in rows if row.keywords) > 0.9 * len(rows)

    again = tag_day(spark, day_settings, DAY, tagged_at=AT)
    assert again["tagged"] == 0 and again["already_tagged"] == first["pages"]
    assert again["events_by_theme"] == first["events_by_theme"], "reused tags give the same themes"

    newer = train_model(Path(day_settings.landing_dir) / CORPUS_FILE, day_settings.model_dir / "v2")
    publish(day_settings.model_dir, newer.path)
    retagged = tag_day(spark, day_settings, DAY, tagged_at=AT)
    assert retagged["tagged"] == first["pages"] and retagged["model_version"] == newer.version
