"""Segments evaluated on the real node from known interest rows: themes, keywords, consent, exclusion, expiry."""

from __future__ import annotations

import datetime as dt

from dmp.storage.formats import key_bucket
from dmp.segments.daily import evaluate_segments_day, staged_members
from dmp.storage import tables

DAY = dt.date(2026, 11, 30)
CARS = "rule: {theme: automobile, window_days: 4, min_active_days: 3}\nmembership_ttl_days: 3\n"


def _members(spark, world, day) -> dict[str, dict[str, tuple]]:
    rows = staged_members(spark, world, day).collect()
    found: dict[str, dict[str, tuple]] = {}
    for row in rows:
        found.setdefault(row["segment_id"], {})[row["subject_id"]] = (row["last_qualified"], row["expires"], row["rule"])
    return found


def _keyword_rows(cql, world, day, keyword, users):
    cql.execute(f"INSERT INTO {world.keyspace}.{tables.KEYWORD_USER_SETS} (day, bucket, keyword, chunk, user_ids) "
                "VALUES (%s, %s, %s, 0, %s)", (day, key_bucket(keyword), keyword, "\n".join(sorted(users)).encode()))


def test_user_level_segments_with_consent_exclusion_keywords_and_expiry(spark, cql, segment_world, helpers):
    world = segment_world
    define, daily_rows, days_before = helpers.define, helpers.daily_rows, helpers.days_before
    define(world, "cars-open", CARS + "consent: not_required\n")
    define(world, "cars-consented", CARS)
    define(world, "travel-no-cars", "consent: not_required\nrule:\n  all:\n    - {theme: travel, window_days: 7, "
                                    "min_events: 5}\n    - not: {segment: cars-open}\n")
    define(world, "ford-and-opel", "consent: not_required\nrule: {keywords: [ford focus, opel astra], match: all, "
                                   "window_days: 7, weights: {ford focus: 2}}\n")
    daily_rows(cql, world, tables.DAILY_INTERESTS, "user_id",
               [("u-regular", day, "automobile", 3) for day in days_before(DAY, 4)]
               + [("u-regular", DAY, "travel", 5), ("u-once", DAY, "automobile", 10),
                  ("u-travel", DAY, "travel", 10), ("u-travel", DAY - dt.timedelta(days=1), "travel", 10)])
    _keyword_rows(cql, world, DAY, "ford focus", {"u-once", "u-travel"})
    _keyword_rows(cql, world, DAY - dt.timedelta(days=2), "opel astra", {"u-once"})

    figures = evaluate_segments_day(spark, world, DAY)
    members = _members(spark, world, DAY)

    assert figures["level"] == "user"
    assert set(members["cars-open"]) == {"u-regular"}
    assert members["cars-open"]["u-regular"] == (DAY, DAY + dt.timedelta(days=3), "rule.theme:automobile")
    assert "cars-consented" not in members, "consent unknown at id level: excluded"
    assert figures["segments"]["cars-consented"]["excluded_unknown_consent"] == 1
    assert set(members["travel-no-cars"]) == {"u-travel"}, "u-regular reads travel but is a car intender"
    assert set(members["ford-and-opel"]) == {"u-once"}, "u-travel has one of the two keywords only"
    assert figures["overlaps"]["cars-open"]["cars-open"] == 1
    assert dict(figures["top_themes"]["cars-open"]) == {"automobile": 1, "travel": 1}

    again = evaluate_segments_day(spark, world, DAY)
    assert _members(spark, world, DAY) == members and again["segments"] == figures["segments"], "a re-run is the same"

    later = DAY + dt.timedelta(days=2)  # two active days left in the window: no longer qualifies, still a member
    evaluate_segments_day(spark, world, later)
    assert _members(spark, world, later)["cars-open"]["u-regular"][:2] == (DAY, DAY + dt.timedelta(days=3))
    gone = DAY + dt.timedelta(days=3)
    evaluate_segments_day(spark, world, gone)
    assert "cars-open" not in _members(spark, world, gone), "the membership TTL has passed"
