"""Segment definitions: the example files are valid, and each kind of mistake names file, field and what is allowed."""

from __future__ import annotations

import pytest

from dmp.errors import ConfigError
from dmp.segments.definitions import descendants, load_definitions, parse_definition
from dmp.segments.rules import AllOf, KeywordRule, Not, SegmentRef, ThemeRule
from dmp.tagging.taxonomy import parse_taxonomy

TAXONOMY = parse_taxonomy({"themes": {
    "automobile": {"seeds": ["car"]}, "electric-cars": {"seeds": ["battery"], "parent": "automobile"},
    "charging": {"seeds": ["charger"], "parent": "electric-cars"}, "travel": {"seeds": ["hotel"]},
}})


def _definition(rule, **extra):
    return {"id": "seg", "name": "A segment", "rule": rule, **extra}


def test_the_example_segments_are_valid(settings):
    from dmp.tagging.taxonomy import load_taxonomy

    definitions = load_definitions(settings.home / "segments", load_taxonomy(settings.taxonomy_file))
    ids = [definition.id for definition in definitions]
    assert ids.index("car-intenders") < ids.index("travel-not-cars"), "a segment comes after those it excludes"


def test_a_parent_theme_covers_its_children_and_presets_set_the_window():
    definition = parse_definition(_definition({"theme": "automobile", "term": "long", "min_events": 3}), TAXONOMY)
    assert isinstance(definition.rule, ThemeRule)
    assert definition.rule.themes == ("automobile", "electric-cars", "charging")
    assert definition.rule.window_days == 90
    assert descendants(TAXONOMY, "travel") == ("travel",)
    assert definition.consent_required and definition.membership_ttl_days == 7


def test_the_version_follows_meaning_not_layout():
    first = parse_definition(_definition({"theme": "travel", "min_events": 3}), TAXONOMY)
    same = parse_definition({"rule": {"min_events": 3, "theme": "travel"}, "name": "A segment", "id": "seg"}, TAXONOMY)
    other = parse_definition(_definition({"theme": "travel", "min_events": 4}), TAXONOMY)
    assert first.version == same.version != other.version


def test_keywords_are_normalised_and_weighted():
    rule = parse_definition(_definition({"keywords": ["Ford Focus", "opel"], "weights": {"ford focus": 2},
                                         "min_weight": 1.5, "match": "all"}), TAXONOMY).rule
    assert isinstance(rule, KeywordRule)
    assert rule.keywords == ("ford focus", "opel") and rule.weights == (2.0, 1.0) and rule.match == "all"


def test_field_weights_name_fields_or_every_page_field_and_default_to_every_field_alike():
    rule = parse_definition(_definition({"keywords": ["ford"], "fields": {"title": 2, "url": 1, "search": 3},
                                         "min_weight": 3}), TAXONOMY).rule
    assert rule.field_weights == (("url", 1.0), ("title", 2.0), ("search", 3.0)) and rule.min_weight == 3
    pages = parse_definition(_definition({"keywords": ["ford"], "fields": {"page": 1, "img_alt": 0, "title": 2}}),
                             TAXONOMY).rule
    assert dict(pages.field_weights)["title"] == 2 and "img_alt" not in dict(pages.field_weights)
    assert "search" not in dict(pages.field_weights), "page words only: searches weigh nothing"
    assert parse_definition(_definition({"keywords": ["ford"]}), TAXONOMY).rule.field_weights == ()


def test_a_definition_written_before_field_weights_keeps_its_version():
    definition = parse_definition(_definition({"keywords": ["ford focus"], "min_weight": 1}), TAXONOMY)
    assert definition.version == "15472bf801e5"  # the version this definition had before `fields` existed
    weighted = parse_definition(_definition({"keywords": ["ford focus"], "min_weight": 1, "fields": {"search": 1}}),
                                TAXONOMY)
    assert weighted.version != definition.version


def test_combinations_keep_labels_of_where_each_rule_sits():
    rule = parse_definition(_definition({"all": [{"theme": "travel", "min_events": 1},
                                                 {"not": {"segment": "other"}}]}), TAXONOMY).rule
    assert isinstance(rule, AllOf) and isinstance(rule.rules[1], Not) and isinstance(rule.rules[1].rule, SegmentRef)
    assert rule.rules[0].label == "rule.all[0].theme:travel"


@pytest.mark.parametrize("document, message", [
    (_definition({"theme": "boats", "min_events": 1}), "field `rule.theme`: 'boats' is not a theme"),
    (_definition({"theme": "travel"}), "needs at least one of min_active_days"),
    (_definition({"theme": "travel", "min_events": 1, "term": "forever"}), "field `rule.term`: 'forever'; allowed: short (7 days)"),
    (_definition({"theme": "travel", "min_share": 1.5}), "field `rule.min_share`: 1.5: a share from 0 to 1"),
    (_definition({"theme": "travel", "min_events": 2.5}), "expected a whole number"),
    (_definition({"theme": "travel", "regularly": {"min_events_per_week": 1, "weeks": 2, "min_weeks": 3}}),
     "field `rule.regularly.min_weeks`: 3 is more than `weeks`"),
    (_definition({"attribute": "loyalty_tier", "op": ">=", "value": "diamond"}), "'diamond' is not on the scale"),
    (_definition({"attribute": "country", "op": ">=", "value": "FR"}), "needs an ordered scale"),
    (_definition({"attribute": "country", "op": "~", "value": "FR"}), "field `rule.op`: '~'; allowed: =, !="),
    (_definition({"keywords": ["a b c"]}), "field `rule.keywords`"),
    (_definition({"keywords": ["ford"], "fields": {"headline": 2}}),
     "field `rule.fields`: unknown field(s) ['headline']; allowed: page (every page field), url, title"),
    (_definition({"keywords": ["ford"], "fields": ["title"]}), "field `rule.fields`: expected a mapping"),
    (_definition({"keywords": ["ford"], "fields": {"title": -1}}), "field `rule.fields.title`: -1"),
    (_definition({"keywords": ["ford"], "fields": {"title": 0, "search": 0}}), "every weight is 0"),
    (_definition({"all": []}), "field `rule.all`: expected a non-empty list"),
    (_definition({"theme": "travel", "min_events": 1, "colour": "red"}), "unknown field(s) ['colour']"),
    (_definition({"theme": "travel", "min_events": 1}, consent="maybe"), "field `consent`: 'maybe'; allowed: required, not_required"),
    ({"id": "Bad Id", "name": "x", "rule": {"theme": "travel", "min_events": 1}}, "field `id`: 'Bad Id'"),
])
def test_mistakes_name_the_field_and_what_is_allowed(document, message):
    with pytest.raises(ConfigError) as error:
        parse_definition(document, TAXONOMY, "segments/seg.yaml")
    assert str(error.value).startswith("segments/seg.yaml: ") and message in str(error.value)


def test_unknown_references_and_cycles_are_refused(tmp_path):
    def write(name, rule):
        (tmp_path / f"{name}.yaml").write_text(f"id: {name}\nname: {name}\nrule: {rule}\n")

    write("a", "{not: {segment: b}}")
    with pytest.raises(ConfigError, match="segment 'b' is not defined"):
        load_definitions(tmp_path, TAXONOMY)
    write("b", "{segment: a}")
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        load_definitions(tmp_path, TAXONOMY)


def test_the_id_must_be_the_file_name(tmp_path):
    (tmp_path / "one.yaml").write_text("id: two\nname: x\nrule: {theme: travel, min_events: 1}\n")
    with pytest.raises(ConfigError, match="one.yaml: field `id`: 'two' must be the file's name"):
        load_definitions(tmp_path, TAXONOMY)
