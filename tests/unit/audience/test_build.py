"""Saved audiences: the segment definition of a query, validated by the segments' own parser."""

from __future__ import annotations

import dataclasses

import pytest

from dmp.audience.build import SAVED_MARK, definition_document, prepare_build, save_definition, segment_id_for
from dmp.audience.expression import parse_query
from dmp.errors import InputError
from dmp.segments.definitions import parse_definition
from dmp.segments.rules import AllOf, AnyOf, KeywordRule, Not, ThemeRule
from dmp.settings import load
from dmp.tagging.taxonomy import load_taxonomy


@pytest.fixture
def settings(tmp_path):
    return dataclasses.replace(load(), segments_dir=tmp_path / "segments", var_dir=tmp_path / "var")


def _definition(settings, terms, mode="any"):
    document = definition_document("an-audience", "An audience", parse_query(terms, mode, 30, "page"), 7)
    return parse_definition(document, load_taxonomy(settings.taxonomy_file))


def test_keywords_themes_and_exclusions_become_the_segment_rule(settings):
    plain = _definition(settings, ["ford focus", "opel astra"])
    assert isinstance(plain.rule, KeywordRule) and plain.rule.keywords == ("ford focus", "opel astra")
    assert plain.rule.match == "any" and plain.rule.window_days == 30 and plain.consent_required

    mixed = _definition(settings, ["ford focus", "theme:automobile", "-theme:sports", "-opel"], mode="all")
    assert isinstance(mixed.rule, AllOf)
    included, excluded = mixed.rule.rules
    assert isinstance(included, AllOf) and [type(rule) for rule in included.rules] == [KeywordRule, ThemeRule]
    assert included.rules[1].themes[0] == "automobile" and included.rules[1].min_active_days == 1
    assert isinstance(excluded, Not) and isinstance(excluded.rule, AnyOf)


def test_an_unknown_theme_is_refused_by_the_segments_parser(settings):
    with pytest.raises(Exception, match="not a theme"):
        _definition(settings, ["theme:zeppelins"])


def test_saving_writes_a_valid_file_and_never_overwrites_a_segment_made_elsewhere(settings):
    query = parse_query(["ford focus"], "any", 7, "both")
    path = save_definition(settings, "Ford Focus readers", query, 14)
    assert path.name == "ford-focus-readers.yaml" and path.read_text().startswith(SAVED_MARK)
    assert save_definition(settings, "Ford Focus readers", query, 7) == path, "the builder's own file is replaced"
    (settings.segments_dir / "car-intenders.yaml").write_text("id: car-intenders\n")
    with pytest.raises(InputError, match="already exists"):
        save_definition(settings, "Car intenders", query, 7)
    assert sorted(p.name for p in settings.segments_dir.glob("*.yaml")) == ["car-intenders.yaml", "ford-focus-readers.yaml"]
    with pytest.raises(InputError, match="interest duration"):
        save_definition(settings, "Too long", query, 1000)
    with pytest.raises(InputError, match="give a name"):
        segment_id_for("!!!")


def test_a_build_folder_holds_only_the_saved_definition(settings):
    save_definition(settings, "Ford Focus readers", parse_query(["ford focus"], "any", 7, "both"), 7)
    overrides = prepare_build(settings, "ford-focus-readers", "manual__2026-11-01T00:00:00+00:00")
    folder = settings.var_dir / "audiences" / "builds" / "ford-focus-readers"
    (copied,) = list((folder.glob("*/segments/*.yaml")))
    assert overrides["DMP_SEGMENTS_DIR"] == str(copied.parent) and copied.name == "ford-focus-readers.yaml"
    with pytest.raises(InputError, match="save it in the Audience Builder first"):
        prepare_build(settings, "never-saved", "manual__1")
