"""The keyword index and audience sketches of a generated day, and estimates read back from them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from pyspark.sql import functions as F

from dmp.audience.estimate import estimate
from dmp.pipeline import staging, steps
from dmp.pipeline.day import TO_STORED, run_day
from dmp.pipeline.keyword_index import (
    CHUNK_USERS, keyword_index_day, keyword_user_lists, unreconciled_themes, user_lists, user_sets, user_sketches,
    with_key_users,
)
from dmp.pipeline.publish import publish_keyword_index_day
from dmp.quality.gates import GateFailed, gate_named
from dmp.quality.runner import run_gate
from dmp.storage.formats import decode_users, key_bucket, user_sketch
from dmp.storage.keyword_index import KeywordIndexReader, SketchReader, clear_day

DAY = dt.date(2026, 11, 16)


def _index(spark, settings) -> dict:
    """The day's index staged, gated and published, as the DAG runs it; the staging step's figures."""
    figures = keyword_index_day(spark, settings, DAY)
    run_gate(spark, settings, DAY, gate_named(steps.KEYWORD_INDEX_GATE))
    publish_keyword_index_day(spark, settings, DAY)
    return figures


@pytest.fixture(scope="module")
def indexed_day(spark, cql, generated_world, tmp_path_factory):
    day_settings = dataclasses.replace(generated_world("keywords", DAY, days=1, people=120, seed=44),
                                       quality_dir=tmp_path_factory.mktemp("quality"))
    run_day(spark, day_settings, DAY, steps=TO_STORED, tagged_at=dt.datetime(2026, 11, 17, tzinfo=dt.timezone.utc))
    clear_day(day_settings, DAY)  # the keyspace outlives sessions: start from an empty day
    keyword_index_day(spark, day_settings, DAY)
    assert _exact_users(cql, day_settings, "music") == set(), "staged only: nothing in Cassandra before the gate"
    assert estimate(SketchReader(cql, day_settings.keyspace), "theme", ("music",), DAY, DAY).users == 0
    return day_settings, _index(spark, day_settings)


def _exact_users(cql, settings, keyword: str, scope: str = "both") -> set[str]:
    return KeywordIndexReader(cql, settings.keyspace).users((keyword,), DAY, DAY, scope)


def _readers_and_searchers(spark, settings) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Keyword -> who read it in a page field, and who searched for it (the query of the engine they
    came from, or of the site search page they read), worked out here row by row."""
    from dmp.tagging.keywords import FIELD_BITS, PAGE_MASK, SEARCH_MASK, load_synonyms, search_keywords
    from dmp.tagging.search_terms import referrer_query

    synonyms = load_synonyms(settings.synonyms_file)  # 'voiture' is 'car' in the index, as on pages

    pages = {row.url: row.keyword_fields if row.keyword_fields is not None else {  # tagged before fields: URL words
        keyword: FIELD_BITS["url"] for keyword in row.keywords or {}}
        for row in spark.read.parquet(settings.staged(DAY, staging.PAGES)).collect()}
    readers: dict[str, set[str]] = {}
    searchers: dict[str, set[str]] = {}
    for row in spark.read.parquet(settings.staged(DAY, staging.TAGGED_EVENTS)).select("user_id", "url", "referrer").collect():
        for keyword, mask in pages.get(row.url, {}).items():
            for found, bits in ((readers, PAGE_MASK), (searchers, SEARCH_MASK)):
                if mask & bits:
                    found.setdefault(keyword, set()).add(row.user_id)
        search = referrer_query(row.referrer)
        for keyword in search_keywords(search.query, synonyms) if search and search.query else ():
            searchers.setdefault(keyword, set()).add(row.user_id)
    return readers, searchers


def test_the_index_holds_exactly_who_visited_pages_with_each_keyword_or_searched_for_it(spark, cql, indexed_day):
    settings, figures = indexed_day
    events_df = spark.read.parquet(settings.staged(DAY, staging.TAGGED_EVENTS))
    pages = spark.read.parquet(settings.staged(DAY, staging.PAGES)).collect()
    readers, searchers = _readers_and_searchers(spark, settings)
    assert searchers, "the generated day has searches with their query"
    for keyword in ("music", "recipe", "ford focus", *sorted(searchers)[:5]):
        with_keyword = [row.url for row in pages if keyword in (row.keywords or {})]
        visitors = {row.user_id for row in events_df.where(events_df.url.isin(with_keyword)).select("user_id").collect()}
        assert _exact_users(cql, settings, keyword, "page") == readers.get(keyword, set()), keyword
        assert _exact_users(cql, settings, keyword, "search") == searchers.get(keyword, set()), keyword
        assert _exact_users(cql, settings, keyword) == visitors | searchers.get(keyword, set()), keyword
    assert figures["keyword_user_sets"] >= figures["keywords"], "below 4,096 users a keyword's day is a set per field mask"
    assert figures["search"]["events_with_query"] > 0 and figures["search"]["dropped_queries"]["encrypted"] > 0


def test_a_frequent_keyword_is_split_into_chunks_that_hold_each_user_once(spark):
    day = dt.date(2026, 11, 16)
    visits_df = spark.createDataFrame(
        [("news", day, f"user-{index}") for index in range(9000)] + [("rare", day, "user-1")],
        "keyword string, day date, user_id string",
    )
    rows = user_sets(user_lists(visits_df.unionByName(visits_df), "keyword", "keyword")).collect()  # once per user
    news = [(row.bucket, decode_users(row.user_ids)) for row in rows if row.keyword == "news"]
    assert len(news) >= 3 and all(len(users) <= 4096 and users == sorted(users) for _, users in news)
    assert sorted(user for _, users in news for user in users) == sorted(f"user-{index}" for index in range(9000))
    assert [(row.chunk, decode_users(row.user_ids)) for row in rows if row.keyword == "rare"] == [(0, ["user-1"])]
    assert {bucket for bucket, _ in news} == {key_bucket("news")}


def test_a_keyword_whose_pages_have_many_readers_is_split_and_each_reader_counted_once(spark):
    day = dt.date(2026, 11, 16)
    events_df = spark.createDataFrame(
        [(f"https://a.example/{index % 3}", day, f"user-{index}") for index in range(9000)]
        + [("https://a.example/0", day, "user-1"), ("https://b.example/rare", day, "user-1")],
        "url string, day date, user_id string",
    )
    pages_df = spark.createDataFrame(
        [(f"https://a.example/{page}", {"news": 1.0}) for page in range(3)]
        + [("https://b.example/rare", {"rare": 1.0})],
        "url string, keywords map<string,double>",
    )
    rows = keyword_user_lists(events_df, pages_df).collect()
    news = [row for row in rows if row.key == "news"]
    assert len({row.chunk for row in news}) == len(news) >= 2
    assert all(len(row.users) < CHUNK_USERS for row in news) and all(row.users == sorted(row.users) for row in news)
    assert sorted(user for row in news for user in row.users) == sorted(f"user-{index}" for index in range(9000))
    assert [(row.chunk, row.users) for row in rows if row.key == "rare"] == [(0, ["user-1"])]


def test_a_key_split_in_chunks_gets_one_sketch_of_all_its_users(spark):
    day = dt.date(2026, 11, 16)
    pairs_df = spark.createDataFrame([("music", day, f"user-{index}") for index in range(20000)],
                                     "theme string, day date, user_id string")
    assert user_lists(pairs_df, "theme", "theme").count() >= 5
    rows = user_sketches(user_lists(pairs_df, "theme", "theme")).collect()
    assert [(row.kind, row.key) for row in rows] == [("theme", "music")]
    assert abs(rows[0].estimate - 20000) < 20000 * 0.05  # 1.6% standard error at lg_k 12


def test_a_key_with_more_users_than_an_arrow_batch_gets_one_sketch_of_them_all(spark):
    day = dt.date(2026, 11, 16)
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
    try:
        pairs_df = spark.createDataFrame([("music", day, f"user-{index}") for index in range(3000)],
                                         "theme string, day date, user_id string")
        rows = user_sketches(user_lists(pairs_df, "theme", "theme")).collect()
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    assert [(row.kind, row.key, row.estimate) for row in rows] == [("theme", "music", 3000.0)]


def test_sketch_estimates_match_the_inverted_index(cql, indexed_day):
    settings, figures = indexed_day
    assert figures["keywords"] > 50 and figures["theme_sketches"] >= 5 and figures["keyword_users"] >= figures["keywords"]
    reader = SketchReader(cql, settings.keyspace)
    for keyword in ("music", "recipe", "football", "ford focus", "voiture"):
        for scope in ("both", "page", "search"):
            exact = _exact_users(cql, settings, keyword, scope)
            assert estimate(reader, "keyword", (keyword,), DAY, DAY, scope).users == len(exact), (keyword, scope)
    union = _exact_users(cql, settings, "music") | _exact_users(cql, settings, "recipe")
    both = estimate(reader, "keyword", ("music", "recipe"), DAY, DAY)
    assert both.users == len(union) > 0 and both.keywords_seen == ("music", "recipe")


def test_theme_sketches_count_the_users_of_each_theme(cql, indexed_day, spark):
    settings, _ = indexed_day
    reader = SketchReader(cql, settings.keyspace)
    music = estimate(reader, "theme", ("music",), DAY, DAY)
    nothing = estimate(reader, "theme", ("music",), DAY - dt.timedelta(days=10), DAY - dt.timedelta(days=1))
    assert music.users > 0 and nothing.users == 0 and nothing.keywords_seen == ()


def test_a_rerun_writes_the_same_index_and_leaves_nothing_of_an_earlier_run(spark, cql, indexed_day):
    settings, figures = indexed_day
    gone = "keyword-of-an-earlier-run"  # e.g. before the synonyms changed
    cql.execute(f"INSERT INTO {settings.keyspace}.keyword_user_sets (day, bucket, keyword, chunk, users) "
                "VALUES (%s, %s, %s, 0, {'someone'})", (DAY, key_bucket(gone), gone))  # as before blobs
    cql.execute(f"INSERT INTO {settings.keyspace}.audience_sketches (kind, bucket, day, key, sketch, estimate) "
                "VALUES ('keyword', %s, %s, %s, %s, 1)", (key_bucket(gone), DAY, gone, user_sketch(["someone"]).serialize()))
    assert _exact_users(cql, settings, gone) == {"someone"}

    assert _index(spark, settings) == figures

    assert _exact_users(cql, settings, gone) == set()
    assert estimate(SketchReader(cql, settings.keyspace), "keyword", (gone,), DAY, DAY).users == 0
    assert _exact_users(cql, settings, "music"), "the day's own keywords are back"


def test_estimates_over_more_days_than_one_read_holds(cql, indexed_day):
    settings, _ = indexed_day
    first, last = DAY - dt.timedelta(days=80), DAY + dt.timedelta(days=10)  # other tests' days may be in there
    a_quarter = estimate(SketchReader(cql, settings.keyspace), "keyword", ("music",), first, last)
    exact = KeywordIndexReader(cql, settings.keyspace).users(("music",), first, last)
    assert a_quarter.users == len(exact) > 0 and a_quarter.sketches >= 1


def _damaged(spark, settings, tmp_path, dataset: str, damage):
    """Settings whose staging holds the day's keyword datasets with `dataset` replaced by `damage(frame)`."""
    damaged = dataclasses.replace(settings, staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs")
    for name in (staging.USER_LISTS, staging.KEYWORD_USER_SETS, staging.AUDIENCE_SKETCHES):
        frame = spark.read.parquet(settings.staged(DAY, name))
        staging.write_staged(damage(frame) if name == dataset else frame, damaged, DAY, name)
    figures = f"{DAY.isoformat()}/{steps.KEYWORD_INDEX}.json"
    (tmp_path / "runs" / DAY.isoformat()).mkdir(parents=True)
    (tmp_path / "runs" / figures).write_text((settings.runs_dir / figures).read_text())
    return damaged


def test_a_sketch_that_misses_users_of_its_key_fails_the_gate(spark, indexed_day, tmp_path):
    settings, _ = indexed_day
    lists_df = spark.read.parquet(settings.staged(DAY, staging.USER_LISTS))
    # A bug that sketches only the first chunk, or the wrong users: here, the estimates of half the keys halve.
    wrong_df = with_key_users(user_sketches(lists_df).withColumn(
        "estimate", F.when(F.xxhash64("key") % 2 == 0, F.col("estimate") / 2).otherwise(F.col("estimate"))), lists_df)
    damaged = _damaged(spark, settings, tmp_path, staging.AUDIENCE_SKETCHES, lambda _: wrong_df)
    with pytest.raises(GateFailed, match=r"audience_sketches: expect_column_values_to_be_between on relative_error"):
        run_gate(spark, damaged, DAY, gate_named(steps.KEYWORD_INDEX_GATE))


def test_an_empty_keyword_or_a_lost_chunk_fails_the_gate(spark, indexed_day, tmp_path):
    settings, _ = indexed_day
    damaged = _damaged(spark, settings, tmp_path, staging.KEYWORD_USER_SETS, lambda frame: frame.where(
        F.col("keyword") != "recipe").withColumn(
        "keyword", F.when(F.col("keyword") == "music", F.lit("")).otherwise(F.col("keyword"))))
    with pytest.raises(GateFailed) as failure:
        run_gate(spark, damaged, DAY, gate_named(steps.KEYWORD_INDEX_GATE))
    assert "keyword_user_sets: expect_table_row_count_to_equal" in str(failure.value)
    assert "keyword_user_sets: expect_column_value_lengths_to_be_between on keyword" in str(failure.value)


def test_theme_lists_that_miss_a_user_of_the_events_are_a_stop_reason(spark):
    day = dt.date(2026, 11, 16)
    events_df = spark.createDataFrame([("u1", "music"), ("u2", "music"), ("u2", "unknown"), ("u3", "sport")],
                                      "user_id string, theme string")
    lists_df = user_lists(events_df.where("theme != 'unknown'").withColumn("day", F.lit(day)), "theme", "theme")
    assert unreconciled_themes(events_df, lists_df) is None
    missing_df = lists_df.withColumn("users", F.slice("users", 1, 1))
    assert "hold 2 (theme, user) pairs but the day's tagged events have 3" in unreconciled_themes(events_df, missing_df)


def _keyword_segment(spark, settings, events_df, rule: dict):
    """Who the keyword rule `rule` holds for on DAY, evaluated as a segment's rule against the index."""
    from dmp.segments.daily import index_hits
    from dmp.segments.definitions import parse_definition
    from dmp.segments.evaluate import Context, evaluate_rule
    from dmp.segments.subjects import user_subjects
    from dmp.tagging.taxonomy import load_taxonomy

    definition = parse_definition({"id": "kw", "name": "kw", "rule": {"window_days": 1, **rule}},
                                  load_taxonomy(settings.taxonomy_file))
    daily_df = events_df.groupBy("user_id", "day", "theme").agg(F.count(F.lit(1)).alias("events"))
    subjects = user_subjects(daily_df)
    ctx = Context(DAY, subjects, settings.interest_half_life_days, index_hits(settings, subjects, DAY))
    return {row.subject_id: row.score for row in evaluate_rule(definition.rule, ctx).collect()}


def test_a_person_who_only_searched_for_a_word_is_in_its_estimate_and_keyword_segment(spark, cql, indexed_day):
    settings, _ = indexed_day
    events_df = spark.read.parquet(settings.staged(DAY, staging.TAGGED_EVENTS))
    readers, searchers = _readers_and_searchers(spark, settings)
    only_searched = sorted((keyword, user) for keyword, users in searchers.items() for user in users
                           if user not in readers.get(keyword, set()) and " " not in keyword)
    assert only_searched, "the generated day has someone who searched for a word no page they read had"
    keyword, searcher = only_searched[0]
    assert searcher not in _exact_users(cql, settings, keyword, "page")

    reader = SketchReader(cql, settings.keyspace)
    everyone = readers.get(keyword, set()) | searchers[keyword]
    assert estimate(reader, "keyword", (keyword,), DAY, DAY).users == len(everyone) and searcher in everyone
    assert estimate(reader, "keyword", (keyword,), DAY, DAY, "search").users == len(searchers[keyword])
    assert estimate(reader, "keyword", (keyword,), DAY, DAY, "page").users == len(readers.get(keyword, set()))
    assert searcher in _keyword_segment(spark, settings, events_df, {"keywords": [keyword]})
    assert searcher not in _keyword_segment(spark, settings, events_df, {"keywords": [keyword], "fields": {"page": 1}})


def test_a_field_weighted_rule_counts_a_search_above_a_url_word(spark, cql, indexed_day):
    from dmp.tagging.keywords import FIELD_BITS

    settings, _ = indexed_day
    events_df = spark.read.parquet(settings.staged(DAY, staging.TAGGED_EVENTS))
    readers, searched = _readers_and_searchers(spark, settings)
    fields = KeywordIndexReader(cql, settings.keyspace).user_fields(tuple(searched), DAY, DAY)
    keyword, url_only = next((keyword, user) for keyword in sorted(searched) for user, mask in sorted(fields[keyword].items())
                             if mask == FIELD_BITS["url"])
    rule = {"keywords": [keyword], "fields": {"title": 2, "url": 1, "search": 3}, "min_weight": 3}
    members = _keyword_segment(spark, settings, events_df, rule)
    assert searched[keyword] <= set(members) and all(members[user] >= 3 for user in searched[keyword])
    assert url_only not in members, "a word in the URL alone weighs 1, below the rule's minimum of 3"
    assert url_only in _keyword_segment(spark, settings, events_df, {**rule, "min_weight": 1})
