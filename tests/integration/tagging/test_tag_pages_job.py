"""The day's pages tagged by Spark into the real page index: once per model, with TTL and keywords."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dmp.generate.corpus import CORPUS_FILE
from dmp.pipeline.store import store_day
from dmp.pipeline.tag_day import tag_day
from dmp.tagging.model import publish, train_model

DAY = dt.date(2026, 11, 10)


@pytest.fixture(scope="module")
def day_settings(settings, cql, spark, generated_world):
    """Settings whose landing day, model and runs live in a scratch folder; page index truncated."""
    day_settings = generated_world("tagjob", DAY, days=1, people=80, seed=5)
    cql.execute(f"TRUNCATE {settings.keyspace}.page_index")
    store_day(spark, day_settings, DAY)  # stages the day's accepted events, which tagging reads
    return day_settings


def test_a_day_is_tagged_once_then_skipped_and_retagged_by_a_new_model(spark, cql, day_settings):
    at = dt.datetime(2026, 11, 11, 1, tzinfo=dt.timezone.utc)
    first = tag_day(spark, day_settings, DAY, tagged_at=at)
    assert first["pages"] == first["tagged"] > 50 and first["already_tagged"] == 0
    assert set(first["by_source"]) <= {"model", "rule", "none"} and first["by_source"]["model"] > 0

    rows = list(cql.execute(
        f"SELECT url, theme, source, keywords, model_version, TTL(theme) AS ttl FROM {day_settings.keyspace}.page_index"
    ))
    assert len(rows) == first["pages"]
    assert {row.model_version for row in rows} == {first["model_version"]}
    assert all(0 < row.ttl <= day_settings.page_index_ttl_seconds for row in rows)
    assert sum(1 for row in rows if row.keywords) > 0.9 * len(rows)

    again = tag_day(spark, day_settings, DAY, tagged_at=at)
    assert again["tagged"] == 0 and again["already_tagged"] == first["pages"]

    newer = train_model(Path(day_settings.landing_dir) / CORPUS_FILE, day_settings.model_dir / "v2")
    publish(day_settings.model_dir, newer.path)
    retagged = tag_day(spark, day_settings, DAY, tagged_at=at)
    assert retagged["tagged"] == first["pages"] and retagged["model_version"] == newer.version

