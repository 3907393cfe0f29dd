"""The day's pages tagged by Spark into the real page index: once per model, with TTL and keywords."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from dmp.generate import GenerateRequest, generate
from dmp.generate.corpus import CORPUS_FILE
from dmp.pipeline.store import store_day
from dmp.pipeline.tag_day import tag_day
from dmp.tagging.model import publish, train_model

DAY = dt.date(2026, 11, 10)


@pytest.fixture(scope="module")
def day_settings(settings, cql, spark, tmp_path_factory):
    """Settings whose landing day, model and runs live in a scratch folder; page index truncated."""
    root = tmp_path_factory.mktemp("tagjob")
    generate(GenerateRequest(start=DAY, days=1, people=80, out_dir=root / "landing", seed=5))
    model = train_model(root / "landing" / CORPUS_FILE, root / "models" / "v1")
    publish(root / "models", model.path)
    cql.execute(f"TRUNCATE {settings.keyspace}.page_index")
    day_settings = dataclasses.replace(
        settings, landing_dir=str(root / "landing"), model_dir=root / "models", runs_dir=root / "runs",
        staging_dir=str(root / "staging"), quarantine_dir=str(root / "quarantine"),
    )
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

