"""Data-quality gates at the daily pipeline's stage boundaries, run with Great Expectations.

A gate validates some of the day's staged datasets (the batch the next stage would publish)
against suites committed in `expectations/`, one JSON file per suite in GX's own format. Values
that change per day come in as GX parameters (`{"$PARAMETER": "accepted"}` in a suite) from the
day's figures and the settings, so a suite states the rule and the run supplies the numbers.
Every run's results are kept in a GX file project under DMP_QUALITY_DIR, whose Data Docs site is
rebuilt after each gate, and summarised as `gate_<name>.json` in the day's run folder.
A failed gate raises GateFailed: the DAG stops there and nothing downstream is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dmp.errors import ConfigError, DmpError
from dmp.pipeline import staging, steps
from dmp.pipeline.keyword_index import MAX_SKETCH_ERROR
from dmp.pipeline.runs import read_step_summary, step_summary_path
from dmp.pipeline.theme_lineage import ancestor_rows
from dmp.quality.baseline import match_rate_parameters, volume_parameters
from dmp.settings import Settings
from dmp.storage.formats import KINDS, person_kinds
from dmp.tagging.taxonomy import UNKNOWN, load_taxonomy


class GateFailed(DmpError):
    """The day's data broke a gate's expectations; the message says which."""


@dataclass(frozen=True)
class Check:
    """One suite run on one of the day's staged datasets."""

    suite: str
    dataset: str

    @property
    def name(self) -> str:
        """Its validation's and checkpoint's name in the GX project: one per (suite, dataset), since a
        stored validation names its data asset and each gate's process declares only its own assets."""
        return self.suite if self.suite == self.dataset else f"{self.suite}-on-{self.dataset}"


@dataclass(frozen=True)
class Gate:
    """A stage boundary: the checks that must pass and the day's values their suites need."""

    name: str
    checks: tuple[Check, ...]
    parameters: Callable[[Settings, dt.date], dict]

    @property
    def step(self) -> str:
        """The name of the gate's figures in the day's run folder (and of its Airflow task)."""
        return steps.gate_step(self.name)


def _figure(settings: Settings, day: dt.date, step: str, key: str):
    """One figure an earlier step wrote for the day; a clear error when that step has not run."""
    summary = read_step_summary(settings, day, step)
    if summary is None or summary.get(key) is None:
        raise DmpError(f"No {key} figure for {day} in {step_summary_path(settings, day, step)}: run {step} first.")
    return summary[key]


def _themes(settings: Settings) -> list[str]:
    """The themes a tag can carry: the taxonomy's, then 'unknown'."""
    return [*load_taxonomy(settings.taxonomy_file).names, UNKNOWN]


def _raw_parameters(settings: Settings, day: dt.date) -> dict:
    return {
        "accepted": _figure(settings, day, steps.VALIDATE_EVENTS, "staged"),
        "day_start": dt.datetime.combine(day, dt.time()).isoformat(),
        "min_on_time_share": round(1 - settings.max_late_share, 6),
        **volume_parameters(settings, day),
    }


def _tagged_parameters(settings: Settings, day: dt.date) -> dict:
    return {
        "accepted": _figure(settings, day, steps.VALIDATE_EVENTS, "staged"),
        "themes": _themes(settings),
        "min_tagged_share": settings.min_tagged_share,
        "model_versions": [_figure(settings, day, steps.TAG_EVENTS, "model_version")],
    }


def _interests_parameters(settings: Settings, day: dt.date) -> dict:
    stored = _figure(settings, day, steps.STORE_EVENTS, "stored")
    themes = _themes(settings)
    tagged_by_theme = _figure(settings, day, steps.TAG_EVENTS, "events_by_theme")
    return {
        # Each stored event counts once under its theme and once more under each of the theme's ancestors.
        "counted_events": stored + ancestor_rows(tagged_by_theme, load_taxonomy(settings.taxonomy_file)),
        "themes": themes,
        "known_themes": [theme for theme in themes if theme != UNKNOWN],
        "half_life_days": [settings.interest_half_life_days],
    }


def _keyword_index_parameters(settings: Settings, day: dt.date) -> dict:
    figure = lambda key: _figure(settings, day, steps.KEYWORD_INDEX, key)  # noqa: E731
    # One sketch per keyword and theme, and for keywords someone searched for, one of the searchers
    # and (when pages had them too) one of the readers (figures of days indexed before searches: none).
    searched = {key: (read_step_summary(settings, day, steps.KEYWORD_INDEX) or {}).get(key, 0)
                for key in ("searched_keywords", "searched_and_read_keywords")}
    sketches = figure("keywords") + figure("theme_sketches") + sum(searched.values())
    return {
        "keyword_user_sets": figure("keyword_user_sets"),
        "sketches": sketches,
        "kinds": list(KINDS),
        "max_sketch_error": MAX_SKETCH_ERROR,
    }


def _identity_parameters(settings: Settings, day: dt.date) -> dict:
    _figure(settings, day, steps.IDENTITY, "persons")  # a clear error when the stage has not run
    return {"max_ids_per_person": settings.identity.caps.max_ids_per_person, **match_rate_parameters(settings, day)}
def _person_sketches_parameters(settings: Settings, day: dt.date) -> dict:
    return {
        "sketches": _figure(settings, day, steps.PERSON_SKETCHES, "person_sketches"),
        "kinds": list(person_kinds()),
        "max_sketch_error": MAX_SKETCH_ERROR,
    }


GATES = {
    gate.name: gate
    for gate in (
        Gate(steps.RAW_EVENTS_GATE, (Check("raw_events", staging.EVENTS),), _raw_parameters),
        Gate(steps.TAGGED_EVENTS_GATE, (Check("tagged_events", staging.TAGGED_EVENTS),), _tagged_parameters),
        Gate(steps.INTERESTS_GATE, (Check("daily_interests", staging.DAILY_INTERESTS),
                                    Check("lifetime_interests", staging.LIFETIME_INTERESTS)), _interests_parameters),
        Gate(steps.KEYWORD_INDEX_GATE, (Check("keyword_user_sets", staging.KEYWORD_USER_SETS),
                                        Check("audience_sketches", staging.AUDIENCE_SKETCHES)),
             _keyword_index_parameters),
        Gate(steps.IDENTITY_GATE, (Check("persons", staging.PERSONS), Check("person_by_id", staging.PERSON_BY_ID),
                                   Check("email_scan", staging.EMAIL_SCAN),
                                   Check("identity_figures", staging.IDENTITY_FIGURES)), _identity_parameters),
        # The id-level sketches' suite: one row per counted key, known kinds, each within its error bound.
        Gate(steps.PERSON_SKETCHES_GATE, (Check("audience_sketches", staging.PERSON_SKETCHES),),
             _person_sketches_parameters),
    )
}


def gate_named(name: str) -> Gate:
    if name not in GATES:
        raise ConfigError(f"No gate named {name!r}; the gates are {', '.join(GATES)}.")
    return GATES[name]
