"""Tagging events with their page's theme, and the daily interests transform, on inline rows (local Spark)."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline.interests import daily_interests
from dmp.pipeline.tag_day import with_page_tags

DAY = dt.date(2026, 11, 1)


def test_events_and_distinct_pages_per_user_day_and_theme(spark):
    events_df = spark.createDataFrame(
        [("u1", DAY, "https://a/music-1"), ("u1", DAY, "https://a/music-1"), ("u1", DAY, "https://a/music-2"),
         ("u1", DAY, "https://a/cars"), ("u2", DAY, "https://a/music-1"), ("u2", DAY, "https://never/tagged")],
        "user_id string, day date, url string",
    )
    pages_df = spark.createDataFrame(
        [("https://a/music-1", "music", 0.9, "model", "m1"), ("https://a/music-2", "music", 0.8, "rule:1", "m1"),
         ("https://a/cars", "automobile", 0.7, "model", "m1"), ("https://a/unused", None, None, None, None)],
        "url string, theme string, score double, source string, model_version string",
    )
    tagged_df = with_page_tags(events_df, pages_df)
    assert tagged_df.where("theme = 'unknown'").select("url", "score").collect() == [("https://never/tagged", None)]
    result_df = daily_interests(tagged_df.select("user_id", "day", "url", "theme"))
    # pyspark.testing needs numpy < 2 (it imports pyspark.pandas), so rows are compared directly.
    assert result_df.schema.simpleString() == "struct<user_id:string,day:date,theme:string,events:int,pages:int>"
    assert sorted(map(tuple, result_df.collect())) == sorted([
        ("u1", DAY, "music", 3, 2), ("u1", DAY, "automobile", 1, 1),
        ("u2", DAY, "music", 1, 1), ("u2", DAY, "unknown", 1, 1),
    ])
