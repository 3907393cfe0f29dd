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
from dmp.pipeline import staging
from dmp.pipeline.events import EVENT_ID_HEX_CHARS, accepted_window, MAX_URL_LENGTH, MAX_USER_ID_LENGTH, URL_SHAPE
from dmp.pipeline.runs import STORE_STEP, TAG_STEP, VALIDATE_STEP, read_step_summary, step_summary_path
from dmp.pipeline.theme_lineage import ancestor_rows
from dmp.settings import Settings
from dmp.tagging.taxonomy import UNKNOWN, load_taxonomy


class GateFailed(DmpError):
    """The day's data broke a gate's expectations; the message says which."""


@dataclass(frozen=True)
class Check:
    """One suite run on one of the day's staged datasets."""

    suite: str
    dataset: str


@dataclass(frozen=True)
class Gate:
    """A stage boundary: the checks that must pass and the day's values their suites need."""

    name: str
    checks: tuple[Check, ...]
    parameters: Callable[[Settings, dt.date], dict]

    @property
    def step(self) -> str:
        """The name of the gate's figures in the day's run folder (and of its Airflow task)."""
        return f"gate_{self.name}"


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
    start, end = accepted_window(day, settings.max_lateness_hours)
    return {
        "accepted": _figure(settings, day, VALIDATE_STEP, "staged"),
        "days": [day.isoformat()],
        "earliest_ts": start.isoformat(),
        "latest_ts": (end - dt.timedelta(microseconds=1)).isoformat(),
        "max_user_id_length": MAX_USER_ID_LENGTH,
        "max_url_length": MAX_URL_LENGTH,
        "url_shape": URL_SHAPE,
        "event_id_length": EVENT_ID_HEX_CHARS,
    }


def _tagged_parameters(settings: Settings, day: dt.date) -> dict:
    return {
        "accepted": _figure(settings, day, VALIDATE_STEP, "staged"),
        "themes": _themes(settings),
        "min_tagged_share": settings.min_tagged_share,
        "model_versions": [_figure(settings, day, TAG_STEP, "model_version")],
    }


def _interests_parameters(settings: Settings, day: dt.date) -> dict:
    stored = _figure(settings, day, STORE_STEP, "stored")
    themes = _themes(settings)
    tagged_by_theme = _figure(settings, day, TAG_STEP, "events_by_theme")
    return {
        # Each stored event counts once under its theme and once more under each of the theme's ancestors.
        "counted_events": stored + ancestor_rows(tagged_by_theme, load_taxonomy(settings.taxonomy_file)),
        "themes": themes,
        "known_themes": [theme for theme in themes if theme != UNKNOWN],
        "half_life_days": [settings.interest_half_life_days],
    }


GATES = {
    gate.name: gate
    for gate in (
        Gate("raw_events", (Check("raw_events", staging.EVENTS),), _raw_parameters),
        Gate("tagged_events", (Check("tagged_events", staging.TAGGED_EVENTS),), _tagged_parameters),
        Gate("interests", (Check("daily_interests", staging.DAILY_INTERESTS),
                           Check("lifetime_interests", staging.LIFETIME_INTERESTS)), _interests_parameters),
    )
}


def gate_named(name: str) -> Gate:
    if name not in GATES:
        raise ConfigError(f"No gate named {name!r}; the gates are {', '.join(GATES)}.")
    return GATES[name]
