"""The raw-events gate's volume bounds from the trailing days' figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dmp.pipeline import steps
from dmp.pipeline.runs import write_step_summary
from dmp.quality.baseline import NO_HISTORY, TRAILING_DAYS, volume_parameters

DAY = dt.date(2026, 11, 10)


def _with_history(settings, tmp_path, figures_by_offset: dict[int, dict]):
    day_settings = dataclasses.replace(settings, runs_dir=tmp_path / "runs", volume_drift_min=0.5, volume_drift_max=2.0)
    for offset, figures in figures_by_offset.items():
        write_step_summary(day_settings, DAY - dt.timedelta(days=offset), steps.VALIDATE_EVENTS, figures)
    return day_settings


def test_a_day_without_history_is_not_compared_and_says_so(settings, tmp_path):
    parameters = volume_parameters(_with_history(settings, tmp_path, {}), DAY)
    assert parameters == {"min_events": 1, "max_events": None, "min_users": 1, "max_users": None,
                          "volume_baseline": NO_HISTORY}


def test_bounds_are_the_trailing_median_times_the_drift_ratios(settings, tmp_path):
    history = {offset: {"staged": 1000 * offset, "users": 100 * offset, "stopped": None} for offset in (1, 2, 3)}
    history[4] = {"staged": 0, "users": 0, "stopped": "damaged landing file(s)"}  # a stopped day is no baseline
    history[TRAILING_DAYS + 1] = {"staged": 10**9, "users": 10**8, "stopped": None}  # outside the window
    parameters = volume_parameters(_with_history(settings, tmp_path, history), DAY)
    assert (parameters["min_events"], parameters["max_events"]) == (1000, 4000)
    assert (parameters["min_users"], parameters["max_users"]) == (100, 400)
    assert parameters["volume_baseline"].startswith("median of 3 earlier day(s) (2026-11-07 to 2026-11-09)")
