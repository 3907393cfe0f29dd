"""The keyword index and audience sketches of a generated day, and estimates read back from them."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.audience.estimate import SketchReader
from dmp.pipeline.day import TO_STORED, run_day
from dmp.pipeline.keyword_index import KEYWORD_BUCKETS, keyword_index_day

DAY = dt.date(2026, 11, 16)


@pytest.fixture(scope="module")
def indexed_day(spark, cql, generated_world):
    day_settings = generated_world("keywords", DAY, days=1, people=120, seed=44)
    run_day(spark, day_settings, DAY, steps=TO_STORED, tagged_at=dt.datetime(2026, 11, 17, tzinfo=dt.timezone.utc))
    return day_settings, keyword_index_day(spark, day_settings, DAY)


def _exact_users(cql, settings, keyword: str) -> set[str]:
    return {row.user_id for bucket in range(KEYWORD_BUCKETS) for row in cql.execute(
        f"SELECT user_id FROM {settings.keyspace}.keyword_users WHERE keyword = %s AND day = %s AND bucket = %s",
        (keyword, DAY, bucket))}


def test_sketch_estimates_match_the_inverted_index(cql, indexed_day):
    settings, figures = indexed_day
    assert figures["keywords"] > 50 and figures["theme_sketches"] >= 5 and figures["keyword_user_pairs"] > 0
    reader = SketchReader(cql, settings.keyspace)
    for keyword in ("music", "recipe", "football", "ford focus", "voiture"):
        exact = _exact_users(cql, settings, keyword)
        estimate = reader.estimate("keyword", (keyword,), DAY, DAY)
        assert estimate.users == len(exact), keyword  # exact below 4,096 users
    union = _exact_users(cql, settings, "music") | _exact_users(cql, settings, "recipe")
    both = reader.estimate("keyword", ("music", "recipe"), DAY, DAY)
    assert both.users == len(union) > 0 and both.keywords_seen == ("music", "recipe")


def test_theme_sketches_count_the_users_of_each_theme(cql, indexed_day, spark):
    settings, _ = indexed_day
    reader = SketchReader(cql, settings.keyspace)
    music = reader.estimate("theme", ("music",), DAY, DAY)
    nothing = reader.estimate("theme", ("music",), DAY - dt.timedelta(days=10), DAY - dt.timedelta(days=1))
    assert music.users > 0 and nothing.users == 0 and nothing.keywords_seen == ()


def test_a_rerun_writes_the_same_sketches(spark, cql, indexed_day):
    settings, figures = indexed_day
    assert keyword_index_day(spark, settings, DAY) == figures
