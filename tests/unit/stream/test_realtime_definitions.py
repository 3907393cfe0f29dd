"""`realtime: true` in a segment definition: only a keyword or theme rule over the current day."""

from __future__ import annotations

import pytest

from dmp.errors import ConfigError
from dmp.segments.definitions import parse_definition
from dmp.tagging.taxonomy import parse_taxonomy

TAXONOMY = parse_taxonomy({"themes": {"automobile": {"seeds": ["car"]}, "travel": {"seeds": ["hotel"]}}})


def _definition(rule, **extra):
    return {"id": "seg", "name": "A segment", "rule": rule, **extra}


@pytest.mark.parametrize("rule", [
    {"keywords": ["ford focus", "car"], "window_days": 1, "match": "all"},
    {"keywords": ["car"], "window_days": 1, "weights": {"car": 2}, "min_weight": 2},
    {"theme": "automobile", "window_days": 1, "min_events": 2},
    {"theme": "automobile", "window_days": 1, "min_decayed_score": 1.5},
], ids=["keywords-all", "keywords-weighted", "theme-events", "theme-score"])
def test_keyword_and_theme_rules_over_the_current_day_can_be_realtime(rule):
    definition = parse_definition(_definition(rule, realtime=True), TAXONOMY)
    assert definition.realtime


@pytest.mark.parametrize("rule, realtime, expected", [
    ({"keywords": ["car"], "term": "short"}, True, "window_days: 1"),
    ({"theme": "automobile", "window_days": 1, "min_share": 0.2}, True, "min_share cannot be real-time"),
    ({"theme": "automobile", "window_days": 1, "regularly": {"min_events_per_week": 1, "weeks": 2, "min_weeks": 1}},
     True, "regularly cannot be real-time"),
    ({"all": [{"keywords": ["car"], "window_days": 1}, {"theme": "travel", "window_days": 1, "min_events": 1}]},
     True, "single `keywords` or `theme` rule"),
    ({"attribute": "country", "value": "FR"}, True, "single `keywords` or `theme` rule"),
    ({"theme": "automobile", "window_days": 1, "min_active_days": 2}, True, "cannot happen in one day"),
    ({"keywords": ["car"], "window_days": 1}, "yes", "expected true or false"),
], ids=["week-window", "share", "regularly", "combination", "attribute", "active-days", "not-a-bool"])
def test_what_cannot_be_realtime_is_a_clear_error(rule, realtime, expected):
    with pytest.raises(ConfigError, match="realtime|rule") as error:
        parse_definition(_definition(rule, realtime=realtime), TAXONOMY, "segments/seg.yaml")
    assert expected in str(error.value)
    assert "segments/seg.yaml" in str(error.value)


def test_realtime_leaves_the_version_alone_and_defaults_to_off():
    rule = {"keywords": ["car"], "window_days": 1}
    daily_only = parse_definition(_definition(rule), TAXONOMY)
    realtime = parse_definition(_definition(rule, realtime=True), TAXONOMY)
    assert not daily_only.realtime and realtime.realtime
    assert daily_only.version == realtime.version, "who qualifies is the same; only when members are added differs"
