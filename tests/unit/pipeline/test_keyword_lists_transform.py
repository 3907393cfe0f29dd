"""The keyword index's transforms on inline rows (local Spark): each keyword's readers, a frequent key
split into chunks, and the stored blobs read back by the reader's own decoder; null rows included."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline import keyword_index
from dmp.pipeline.keyword_index import keyword_user_lists, user_lists, user_sets
from dmp.storage.formats import FIELD_CHUNK_STRIDE, decode_users, key_bucket
from dmp.tagging.keywords import FIELD_BITS

DAY = dt.date(2026, 11, 1)
LISTS = "kind string, key string, day date, chunks int, chunk int, fields int, is_whole boolean, users array<string>"
URL, TITLE, SEARCH = FIELD_BITS["url"], FIELD_BITS["title"], FIELD_BITS["search"]


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
        ("keyword", "ford", DAY, 1, 0, URL, True, ["u1", "u2", "u3"]),
        ("keyword", "focus", DAY, 1, 0, URL, True, ["u1", "u2"]),
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
    lists_df = spark.createDataFrame([("keyword", "ford", DAY, 1, 0, URL, True, ["u1", "u2"]),
                                      ("keyword", "opel", DAY, 1, 0, URL, True, [])], LISTS)
    rows = {row["keyword"]: row for row in user_sets(lists_df).collect()}
    assert decode_users(rows["ford"]["user_ids"]) == ["u1", "u2"]
    assert decode_users(rows["opel"]["user_ids"]) == []
    assert {name: row["bucket"] for name, row in rows.items()} == {name: key_bucket(name) for name in rows}


def test_a_keyword_met_in_several_fields_has_disjoint_lists_each_user_under_all_its_fields(spark, assert_frames_equal):
    events_df = spark.createDataFrame([
        ("https://a/ford-review", DAY, "u1"), ("https://a/ford-review", DAY, "u2"), ("https://a/cars", DAY, "u2"),
        ("https://a/cars", DAY, "u3"), ("https://a/legacy-ford", DAY, "u4"),
    ], "url string, day date, user_id string")
    pages_df = spark.createDataFrame([
        ("https://a/ford-review", {"ford": 2.0, "review": 2.0}, {"ford": URL, "review": URL}),
        ("https://a/cars", {"ford": 3.0}, {"ford": TITLE}),
        ("https://a/legacy-ford", {"ford": 2.0}, None),  # tagged before fields were kept: URL keywords
    ], "url string, keywords map<string, float>, keyword_fields map<string, int>")
    searches_df = spark.createDataFrame([("ford", DAY, "u3"), ("ford", DAY, "u5"), ("opel", DAY, "u5"),
                                         ("ford", DAY, None)], "key string, day date, user_id string")
    expected_df = spark.createDataFrame([
        ("keyword", "ford", DAY, 1, 0, URL, False, ["u1", "u4"]),
        ("keyword", "ford", DAY, 1, 0, URL | TITLE, False, ["u2"]),
        ("keyword", "ford", DAY, 1, 0, TITLE | SEARCH, False, ["u3"]),
        ("keyword", "ford", DAY, 1, 0, SEARCH, False, ["u5"]),
        ("keyword", "review", DAY, 1, 0, URL, True, ["u1", "u2"]),
        ("keyword", "opel", DAY, 1, 0, SEARCH, True, ["u5"]),
    ], LISTS)
    lists_df = keyword_user_lists(events_df, pages_df, searches_df.where("user_id is not null"))
    assert_frames_equal(lists_df, expected_df)
    rows = user_sets(lists_df).collect()
    assert sorted((row["keyword"], row["chunk"], row["fields"]) for row in rows if row["keyword"] == "ford") == sorted(
        ("ford", (mask - 1) * FIELD_CHUNK_STRIDE, mask) for mask in (URL, URL | TITLE, TITLE | SEARCH, SEARCH))


def test_sketches_count_all_users_searchers_and_readers_of_a_searched_keyword(spark):
    lists_df = spark.createDataFrame([
        ("keyword", "ford", DAY, 1, 0, URL, False, ["u1", "u4"]), ("keyword", "ford", DAY, 1, 0, TITLE | SEARCH, False, ["u3"]),
        ("keyword", "ford", DAY, 1, 0, SEARCH, False, ["u5"]), ("keyword", "review", DAY, 1, 0, URL, True, ["u1"]),
        ("keyword", "opel", DAY, 1, 0, SEARCH, True, ["u5"]), ("theme", "automobile", DAY, 1, 0, None, True, ["u1"]),
    ], LISTS)
    rows = {(row["kind"], row["key"]): (row["estimate"], row["users"])
            for row in keyword_index.with_key_users(keyword_index.user_sketches(lists_df), lists_df).collect()}
    assert rows == {
        ("keyword", "ford"): (4.0, 4), ("keyword:search", "ford"): (2.0, 2), ("keyword:page", "ford"): (3.0, 3),
        ("keyword", "review"): (1.0, 1), ("keyword", "opel"): (1.0, 1), ("keyword:search", "opel"): (1.0, 1),
        ("theme", "automobile"): (1.0, 1),
    }, "no page sketch for opel: only searchers had it"
