"""The keyword index's transforms on inline rows (local Spark): each keyword's readers, a frequent key
split into chunks, and the stored blobs read back by the reader's own decoder; null rows included."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline import keyword_index
from dmp.pipeline.keyword_index import keyword_user_lists, user_lists, user_sets
from dmp.storage.formats import decode_users, key_bucket

DAY = dt.date(2026, 11, 1)
LISTS = "kind string, key string, day date, chunks int, chunk int, users array<string>"


def test_each_keyword_lists_the_distinct_readers_of_its_pages(spark, assert_frames_equal):
    events_df = spark.createDataFrame([
        ("https://a/ford-focus", DAY, "u2"), ("https://a/ford-focus", DAY, "u1"), ("https://a/ford-focus", DAY, "u1"),
        ("https://a/ford-focus", DAY, None), ("https://a/ford", DAY, "u3"), (None, DAY, "u4"),
        ("https://a/no-keywords", DAY, "u5"),
    ], "url string, day date, user_id string")
    pages_df = spark.createDataFrame([
        ("https://a/ford-focus", {"ford": 1.0, "focus": 0.5}), ("https://a/ford", {"ford": 1.0}),
        ("https://a/no-keywords", None),
    ], "url string, keywords map<string, float>")
    expected_df = spark.createDataFrame([
        ("keyword", "ford", DAY, 1, 0, ["u1", "u2", "u3"]), ("keyword", "focus", DAY, 1, 0, ["u1", "u2"]),
    ], LISTS)
    assert_frames_equal(keyword_user_lists(events_df, pages_df), expected_df)


def test_a_key_with_more_users_than_a_chunk_is_split_and_each_user_is_in_one_chunk(spark, monkeypatch):
    monkeypatch.setattr(keyword_index, "CHUNK_USERS", 2)
    pairs_df = spark.createDataFrame([("music", DAY, f"u{n}") for n in range(5)] + [("cars", DAY, "u9")],
                                     "theme string, day date, user_id string")
    lists = user_lists(pairs_df, "theme", "theme").collect()
    music = [row for row in lists if row["key"] == "music"]
    assert {row["chunks"] for row in music} == {3}
    assert sorted(user for row in music for user in row["users"]) == [f"u{n}" for n in range(5)]
    assert [(row["chunks"], row["chunk"], row["users"]) for row in lists if row["key"] == "cars"] == [(1, 0, ["u9"])]


def test_user_sets_store_each_chunk_as_one_blob_the_reader_decodes(spark):
    lists_df = spark.createDataFrame([("keyword", "ford", DAY, 1, 0, ["u1", "u2"]),
                                      ("keyword", "opel", DAY, 1, 0, [])], LISTS)
    rows = {row["keyword"]: row for row in user_sets(lists_df).collect()}
    assert decode_users(rows["ford"]["user_ids"]) == ["u1", "u2"]
    assert decode_users(rows["opel"]["user_ids"]) == []
    assert {name: row["bucket"] for name, row in rows.items()} == {name: key_bucket(name) for name in rows}
