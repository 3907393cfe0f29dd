"""A page of a child theme counts toward its parents: the transform, daily interests and theme sketches
on inline rows (local Spark), with a small taxonomy that has a parent and a grandparent."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline.interests import daily_interests
from dmp.pipeline.keyword_index import theme_user_lists
from dmp.pipeline.theme_lineage import ancestor_rows, events_once, with_ancestor_themes
from dmp.tagging.taxonomy import parse_taxonomy

DAY = dt.date(2026, 11, 1)
TAXONOMY = parse_taxonomy({"themes": {
    "sports": {"seeds": ["sport"]},
    "horse-riding": {"seeds": ["horse"], "parent": "sports"},
    "dressage": {"seeds": ["dressage"], "parent": "horse-riding"},
    "music": {"seeds": ["music"]},
}})
EVENTS = "user_id string, day date, url string, theme string"


def _events(spark):
    return spark.createDataFrame([
        ("u1", DAY, "https://a/dressage", "dressage"), ("u1", DAY, "https://a/football", "sports"),
        ("u2", DAY, "https://a/derby", "horse-riding"), ("u2", DAY, "https://a/jazz", "music"),
        ("u3", DAY, "https://a/x", "unknown"), ("u4", DAY, "https://a/y", None),
    ], EVENTS)


def test_each_event_counts_under_its_theme_and_every_ancestor(spark, assert_frames_equal):
    expected_df = spark.createDataFrame([
        ("u1", DAY, "https://a/dressage", "dressage"), ("u1", DAY, "https://a/dressage", "horse-riding"),
        ("u1", DAY, "https://a/dressage", "sports"), ("u1", DAY, "https://a/football", "sports"),
        ("u2", DAY, "https://a/derby", "horse-riding"), ("u2", DAY, "https://a/derby", "sports"),
        ("u2", DAY, "https://a/jazz", "music"), ("u3", DAY, "https://a/x", "unknown"), ("u4", DAY, "https://a/y", None),
    ], EVENTS)
    assert_frames_equal(_events(spark).transform(with_ancestor_themes(TAXONOMY)), expected_df)


def test_a_taxonomy_without_parents_leaves_the_events_as_they_are(spark):
    flat = parse_taxonomy({"themes": {"sports": {"seeds": ["sport"]}, "music": {"seeds": ["music"]}}})
    events_df = _events(spark)
    assert events_df.transform(with_ancestor_themes(flat)) is events_df


def test_daily_interests_of_a_parent_count_its_children_and_reconcile_once(spark, assert_frames_equal):
    interests_df = daily_interests(_events(spark).transform(with_ancestor_themes(TAXONOMY)))
    expected_df = spark.createDataFrame([
        ("u1", DAY, "dressage", 1, 1), ("u1", DAY, "horse-riding", 1, 1), ("u1", DAY, "sports", 2, 2),
        ("u2", DAY, "horse-riding", 1, 1), ("u2", DAY, "sports", 1, 1), ("u2", DAY, "music", 1, 1),
        ("u3", DAY, "unknown", 1, 1), ("u4", DAY, None, 1, 1),
    ], "user_id string, day date, theme string, events int, pages int")
    assert_frames_equal(interests_df, expected_df)
    by_theme = {row["theme"]: row["total"] for row in interests_df.groupBy("theme").agg({"events": "sum"})
                .withColumnRenamed("sum(events)", "total").collect()}
    assert events_once(by_theme, TAXONOMY) == 6, "the six events, each once under a theme without a parent"


def test_the_gate_s_count_of_ancestor_rows_matches_the_transform(spark):
    events_df = _events(spark)
    own = {row["theme"]: row["count"] for row in events_df.groupBy("theme").count().collect()}
    assert ancestor_rows(own, TAXONOMY) == 3
    assert events_df.transform(with_ancestor_themes(TAXONOMY)).count() == events_df.count() + ancestor_rows(own, TAXONOMY)


def test_a_parent_theme_s_audience_holds_the_readers_of_its_children(spark, assert_frames_equal):
    lists_df = theme_user_lists(_events(spark).transform(with_ancestor_themes(TAXONOMY)))
    expected_df = spark.createDataFrame([
        ("theme", "dressage", DAY, 1, 0, None, True, ["u1"]),
        ("theme", "horse-riding", DAY, 1, 0, None, True, ["u1", "u2"]),
        ("theme", "sports", DAY, 1, 0, None, True, ["u1", "u2"]), ("theme", "music", DAY, 1, 0, None, True, ["u2"]),
    ], "kind string, key string, day date, chunks int, chunk int, fields int, is_whole boolean, users array<string>")
    assert_frames_equal(lists_df, expected_df)
