"""The client's taxonomy and rules files: the minimum format works, mistakes get clear errors."""

from __future__ import annotations

import pytest

from dmp.errors import ConfigError
from dmp.tagging.rules import load_rules, parse_rules
from dmp.tagging.taxonomy import check_against_vocabulary, load_taxonomy, parse_taxonomy

MINIMAL = {"themes": {"music": {"seeds": ["concert", "album"]}, "horse riding": {"seeds": ["horse racing"]}}}


def test_the_minimum_format_is_enough():
    taxonomy = parse_taxonomy(MINIMAL)
    assert taxonomy.names == ("music", "horse riding")
    assert taxonomy.theme("horse riding").seeds == ("horse", "racing")
    assert taxonomy.theme("music").threshold == pytest.approx(0.4)


def test_optional_fields_are_read():
    taxonomy = parse_taxonomy({"themes": {
        "sports": {"seeds": ["sport"]},
        "football": {"seeds": "football", "seeds_by_language": {"fr": ["foot"], "ru": ["футбол"]},
                     "parent": "sports", "threshold": 0.6, "description": "the round ball"},
    }})
    football = taxonomy.theme("football")
    assert football.seeds == ("football", "foot", "футбол")
    assert (football.parent, football.threshold, football.description) == ("sports", 0.6, "the round ball")


def test_a_theme_counts_toward_its_parent_and_the_parent_s_parents():
    taxonomy = parse_taxonomy({"themes": {
        "sports": {"seeds": ["sport"]},
        "horse-riding": {"seeds": ["horse"], "parent": "sports"},
        "dressage": {"seeds": ["dressage"], "parent": "horse-riding"},
    }})
    assert taxonomy.lineage("dressage") == ("dressage", "horse-riding", "sports")
    assert taxonomy.ancestors("horse-riding") == ("sports",)
    assert taxonomy.ancestors("sports") == taxonomy.ancestors("unknown") == ()


def test_the_digest_changes_with_the_content():
    changed = {"themes": {**MINIMAL["themes"], "music": {"seeds": ["concert", "album", "singer"]}}}
    assert parse_taxonomy(MINIMAL).digest == parse_taxonomy(MINIMAL).digest != parse_taxonomy(changed).digest


@pytest.mark.parametrize(
    "document, message",
    [
        ({}, "expected `themes:`"),
        ({"themes": []}, "expected `themes:`"),
        ({"themes": {"music": ["concert"]}}, "theme 'music': expected a mapping"),
        ({"themes": {"music": {"seeds": []}}}, "theme 'music': no seed word"),
        ({"themes": {"music": {"seeds": ["the", "of"]}}}, "theme 'music': no seed word"),
        ({"themes": {"music": {"seeds": [1, 2]}}}, "theme 'music' seeds: expected a list of words"),
        ({"themes": {"music": {"seeds": ["a"], "colour": "red"}}}, "unknown field"),
        ({"themes": {"music": {"seeds": ["album"], "threshold": 2}}}, "threshold 2"),
        ({"themes": {"music": {"seeds": ["album"], "parent": "art"}}}, "parent 'art', which is not a theme"),
        ({"themes": {"unknown": {"seeds": ["album"]}}}, "reserved"),
        ({"themes": {"a": {"seeds": ["album"], "parent": "b"}, "b": {"seeds": ["song"], "parent": "a"}}},
         r"parents form a cycle \(a -> b -> a\)"),
        ({"themes": {"a": {"seeds": ["album"], "parent": "a"}}}, r"cycle \(a -> a\)"),
    ],
)
def test_mistakes_name_the_theme_and_the_field(document, message):
    with pytest.raises(ConfigError, match=message):
        parse_taxonomy(document, "themes.yaml")


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_taxonomy(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("themes: {music: [")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_taxonomy(broken)


def test_unknown_seeds_are_reported_and_fatal_only_for_a_theme_with_none():
    taxonomy = parse_taxonomy({"themes": {"music": {"seeds": ["concert", "zzzz"]}, "cars": {"seeds": ["car"]}}})
    check = check_against_vocabulary(taxonomy, {"concert", "car"})
    assert check.missing == {"music": ("zzzz",), "cars": ()}
    assert check.warnings() == ["theme 'music': seed words not in the model's vocabulary: zzzz"]
    with pytest.raises(ConfigError, match="'music' have no seed word the model knows"):
        check_against_vocabulary(taxonomy, {"car"})


def test_rules_match_host_and_path_patterns_in_order():
    taxonomy = parse_taxonomy({"themes": {"horse": {"seeds": ["horse"]}, "music": {"seeds": ["music"]}}})
    rules = parse_rules({"rules": [
        {"host": "*.geny.com", "path": "/arrivee/*", "theme": "horse"},
        {"host": "*.geny.com", "theme": "ignore"},
        {"host": "www.nrj.fr", "theme": "music"},
    ]}, taxonomy)
    assert rules.decide("http://www.geny.com/arrivee/prix-dione").theme == "horse"
    assert rules.decide("https://geny.com/arrivee/x").theme == "horse", "*.geny.com covers geny.com"
    assert rules.decide("http://www.geny.com/partants").theme == "ignore"
    assert rules.decide("www.nrj.fr/actu/1").index == 3
    assert rules.decide("http://other.org/arrivee/x") is None
    assert rules.decide("http://[::1") is None


@pytest.mark.parametrize(
    "document, message",
    [
        ({"rules": [{"host": "a.com", "theme": "sports"}]}, "rule 1: theme 'sports' is not in the taxonomy"),
        ({"rules": [{"path": "/x", "theme": "horse"}]}, "rule 1: needs `host`"),
        ({"rules": "all"}, "expected `rules:`"),
    ],
)
def test_rule_mistakes_are_clear(document, message):
    taxonomy = parse_taxonomy({"themes": {"horse": {"seeds": ["horse"]}}})
    with pytest.raises(ConfigError, match=message):
        parse_rules(document, taxonomy, "rules.yaml")


def test_no_rules_file_configured_means_no_rules_but_a_configured_missing_one_is_an_error(tmp_path):
    taxonomy = parse_taxonomy(MINIMAL)
    assert load_rules(None, taxonomy).rules == ()
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(tmp_path / "rules.yaml", taxonomy)


def test_the_project_files_are_valid(settings):
    taxonomy = load_taxonomy(settings.home / "taxonomy" / "themes.yaml")
    assert len(taxonomy.themes) == 10
    assert load_rules(settings.home / "taxonomy" / "rules.yaml", taxonomy).rules
    assert load_taxonomy(settings.home / "taxonomy" / "news.yaml").names == (
        "business", "science-tech", "entertainment", "health")


def test_editing_the_rules_changes_the_version_pages_are_tagged_under():
    taxonomy = parse_taxonomy({"themes": {"music": {"seeds": ["music"]}, "travel": {"seeds": ["hotel"]}}})
    first = parse_rules({"rules": [{"host": "*.nrj.fr", "theme": "music"}]}, taxonomy)
    same = parse_rules({"rules": [{"host": "*.nrj.fr", "theme": "music"}]}, taxonomy)
    edited = parse_rules({"rules": [{"host": "*.nrj.fr", "theme": "travel"}]}, taxonomy)
    assert first.digest == same.digest != edited.digest
    assert parse_rules({"rules": []}, taxonomy).digest == ""
