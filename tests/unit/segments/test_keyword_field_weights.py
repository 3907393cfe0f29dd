"""A keyword rule's field weights on inline rows (local Spark): a keyword counts once, at the weight
of the heaviest field its subject met it in; without field weights every field weighs 1, as before."""

from __future__ import annotations

import datetime as dt

from dmp.segments.evaluate import Context, keyword_matches
from dmp.segments.rules import KeywordRule
from dmp.segments.subjects import user_subjects
from dmp.tagging.keywords import FIELD_BITS

DAY = dt.date(2026, 11, 1)
URL, TITLE, SEARCH = FIELD_BITS["url"], FIELD_BITS["title"], FIELD_BITS["search"]


def _matches(spark, rule: KeywordRule) -> dict[str, float]:
    daily_df = spark.createDataFrame([(user, DAY, "automobile", 1) for user in ("u1", "u2", "u3", "u4")],
                                     "user_id string, day date, theme string, events int")
    hits_df = spark.createDataFrame([
        ("u1", "ford", SEARCH), ("u2", "ford", URL), ("u2", "opel", URL), ("u2", "opel", URL | TITLE),
        ("u3", "ford", TITLE), ("u4", "opel", URL),
    ], "subject_id string, keyword string, fields int")
    ctx = Context(DAY, user_subjects(daily_df), 14, lambda _: hits_df)
    return {row.subject_id: row.score for row in keyword_matches(rule, ctx).collect()}


def _rule(field_weights=(), min_weight=0.0, match="any") -> KeywordRule:
    return KeywordRule("rule.keywords", ("ford", "opel"), (1.0, 1.0), match, 7, min_weight, field_weights)


def test_field_weights_include_a_search_and_exclude_a_url_word_below_the_minimum(spark):
    weighted = (("url", 1.0), ("title", 2.0), ("search", 3.0))
    assert _matches(spark, _rule(weighted, min_weight=3)) == {"u1": 3.0, "u2": 3.0}, "u2: ford in a URL 1 + opel in a title 2"
    assert _matches(spark, _rule((("search", 1.0),))) == {"u1": 1.0}, "search words only"


def test_without_field_weights_each_keyword_counts_once_whatever_its_fields(spark):
    assert _matches(spark, _rule()) == {"u1": 1.0, "u2": 2.0, "u3": 1.0, "u4": 1.0}
    assert _matches(spark, _rule(match="all")) == {"u2": 2.0}
