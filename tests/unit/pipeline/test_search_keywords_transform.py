"""Search keywords of a day's events on inline rows (local Spark): engine referrers with a query give
their searcher its keywords, encrypted and bad ones none (counted by reason), and no event is lost."""

from __future__ import annotations

import datetime as dt

from dmp.pipeline.search_keywords import SearchSpec, parse_searches, search_candidates, search_figures, search_pairs

DAY = dt.date(2026, 11, 1)
SPEC = SearchSpec(engines_file=None, synonyms_file=None)
EVENTS = "user_id string, day date, url string, referrer string"


def _events(spark):
    return spark.createDataFrame([
        ("u1", DAY, "https://www.autoplus.fr/essai/peugeot-3008", "https://www.google.fr/search?q=essai+peugeot+3008"),
        ("u1", DAY, "https://www.autoplus.fr/essai/peugeot-208", "https://www.autoplus.fr/essai/peugeot-3008"),
        ("u2", DAY, "https://lenta.ru/news/lada", "https://yandex.ru/search/?text=%D0%BB%D0%B0%D0%B4%D0%B0+%D0%B2%D0%B5%D1%81%D1%82%D0%B0"),
        ("u3", DAY, "https://lenta.ru/news/lada", "https://yandex.ru/"),  # encrypted
        ("u4", DAY, "https://a.example/x", "https://www.bing.com/search?q=" + "x%FF" * 3000),  # 9 KB, invalid UTF-8
        ("u5", DAY, "https://a.example/x", "https://www.google.com/search?q=%E2%82"),  # invalid encoding
        ("u6", DAY, "https://a.example/x", "https://www.google.com/sea rch?q=\u0000%%%"),  # garbage
        ("u7", DAY, "https://www.autoplus.fr/recherche?q=citroen+c3", None),  # a site search page
        ("u8", DAY, "https://a.example/x", None), (None, DAY, None, None),
        ("u9", DAY, "https://a.example/y", "https://www.google.fr/search?q=Essai+Peugeot+3008"),  # the same query
    ], EVENTS)


def test_each_event_from_an_engine_with_a_query_gives_its_user_the_querys_keywords(spark, assert_frames_equal):
    events_df = _events(spark)
    parsed_df = parse_searches(search_candidates(events_df, SPEC), SPEC)
    expected_df = spark.createDataFrame([
        ("essai", DAY, "u1"), ("peugeot", DAY, "u1"), ("essai peugeot", DAY, "u1"),
        ("лада", DAY, "u2"), ("веста", DAY, "u2"), ("лада веста", DAY, "u2"),
        ("essai", DAY, "u9"), ("peugeot", DAY, "u9"), ("essai peugeot", DAY, "u9"),
    ], "key string, day date, user_id string")
    assert_frames_equal(search_pairs(events_df, parsed_df), expected_df)


def test_the_days_figures_count_queries_and_drops_by_reason_and_keep_every_event(spark):
    events_df = _events(spark)
    parsed_df = parse_searches(search_candidates(events_df, SPEC), SPEC)
    figures = search_figures(events_df, parsed_df)
    assert figures == {
        "events_with_query": 4,  # u1, u2, u9 from engines, u7 on a site search
        "distinct_queries": 3,  # essai peugeot (twice, in two spellings), лада веста, citroen c3
        "by_engine": {"google": 2, "site": 1, "yandex": 1},
        "dropped_queries": {"encrypted": 1, "invalid_encoding": 1, "no_words": 1, "too_long": 1},  # u3, u5, u6, u4
    }
    assert events_df.count() == 11, "searches are read from the events, never filtered out of them"
