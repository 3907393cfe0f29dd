"""The committed suites: each is valid GX, belongs to a gate, and gets every parameter it names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from dmp.errors import ConfigError, DmpError
from dmp.pipeline import steps
from dmp.pipeline.runs import write_step_summary
from dmp.quality.gates import GATES, gate_named
from dmp.quality.runner import load_suite_document

DAY = dt.date(2026, 11, 2)
SUITES = sorted({check.suite for gate in GATES.values() for check in gate.checks})  # a suite may serve two gates


def _parameter_names(value) -> set[str]:
    if isinstance(value, dict):
        return {value["$PARAMETER"]} if "$PARAMETER" in value else set().union(*map(_parameter_names, value.values()))
    if isinstance(value, list):
        return set().union(*map(_parameter_names, value)) if value else set()
    return set()


@pytest.fixture
def day_figures(settings, tmp_path):
    """Settings with the figures the gates read from the day's earlier steps."""
    day_settings = dataclasses.replace(settings, runs_dir=tmp_path / "runs")
    write_step_summary(day_settings, DAY, steps.VALIDATE_EVENTS, {"staged": 10})
    write_step_summary(day_settings, DAY, steps.TAG_EVENTS, {"model_version": "w2v-test",
                                                           "events_by_theme": {"horse-riding": 3, "music": 5, "unknown": 2}})
    write_step_summary(day_settings, DAY, steps.STORE_EVENTS, {"stored": 10})
    write_step_summary(day_settings, DAY, steps.KEYWORD_INDEX, {"keywords": 4, "keyword_user_sets": 5, "theme_sketches": 2})
    write_step_summary(day_settings, DAY, steps.IDENTITY, {"persons": 3, "crm_match_rate": 0.5})
    write_step_summary(day_settings, DAY, steps.PERSON_SKETCHES, {"person_sketches": 3})
    return day_settings


def test_every_suite_file_belongs_to_a_gate(settings):
    assert sorted(path.stem for path in settings.expectations_dir.glob("*.json")) == SUITES


@pytest.mark.parametrize("gate_name", sorted(GATES))
def test_each_gate_supplies_every_parameter_its_suites_name(day_figures, gate_name):
    gate = gate_named(gate_name)
    supplied = set(gate.parameters(day_figures, DAY))
    for check in gate.checks:
        named = _parameter_names(load_suite_document(day_figures, check.suite)["expectations"])
        assert named <= supplied, f"{check.suite} names {sorted(named - supplied)} that gate {gate_name} does not give"


def test_interests_reconcile_with_each_event_counted_under_its_theme_and_its_ancestors(day_figures, tmp_path):
    assert gate_named("interests").parameters(day_figures, DAY)["counted_events"] == 10, "no parent, no extra row"
    taxonomy = tmp_path / "themes.yaml"
    taxonomy.write_text("themes:\n  sports: {seeds: [football]}\n  music: {seeds: [music]}\n"
                        "  horse-riding: {seeds: [horse], parent: sports}\n")
    with_parent = dataclasses.replace(day_figures, taxonomy_file=taxonomy)
    assert gate_named("interests").parameters(with_parent, DAY)["counted_events"] == 10 + 3


@pytest.mark.parametrize("suite", SUITES)
def test_each_suite_is_valid_great_expectations(settings, suite):
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    document = load_suite_document(settings, suite)
    expectations = [ExpectationConfiguration(**item).to_domain_obj() for item in document["expectations"]]
    assert len(expectations) >= 5 and document["meta"]["notes"]


def test_a_gate_before_its_step_ran_says_which_step_to_run(settings, tmp_path):
    empty = dataclasses.replace(settings, runs_dir=tmp_path / "runs")
    with pytest.raises(DmpError, match=r"run store_events first"):
        gate_named("interests").parameters(empty, DAY)


def test_a_broken_suite_file_is_a_clear_error(settings, tmp_path):
    broken = dataclasses.replace(settings, expectations_dir=tmp_path)
    (tmp_path / "raw_events.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"raw_events.json is not valid JSON"):
        load_suite_document(broken, "raw_events")
    (tmp_path / "raw_events.json").write_text(json.dumps({"name": "other", "expectations": []}))
    with pytest.raises(ConfigError, match=r"must hold a GX suite"):
        load_suite_document(broken, "raw_events")
    with pytest.raises(ConfigError, match=r"is missing"):
        load_suite_document(broken, "tagged_events")
    with pytest.raises(ConfigError, match=r"No gate named 'nope'"):
        gate_named("nope")
