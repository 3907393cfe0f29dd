"""The day's volume against the days before it: the raw-events gate's bounds on events and users.

A filter's own constants are enforced by the filter; what a gate can add is whether the day looks
like the days before it. The baseline is the median of the accepted events and distinct users of
the trailing days whose validation staged them (their figures under DMP_RUNS_DIR), so one odd day
in the window does not move it; the bounds are that median times DMP_VOLUME_DRIFT_MIN and _MAX.
A day with no such history (the first day, or after a gap) is not compared, and its gate says so.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

from dmp.pipeline import steps
from dmp.pipeline.runs import read_step_summary
from dmp.settings import Settings

TRAILING_DAYS = 7
NO_HISTORY = (f"no earlier day in the trailing {TRAILING_DAYS} days has validation figures: "
              "the day's events and users are not compared with a baseline")


def _history(settings: Settings, day: dt.date) -> list[tuple[dt.date, dict]]:
    """(day, validation figures) of the trailing days that staged events."""
    found = []
    for offset in range(1, TRAILING_DAYS + 1):
        earlier = day - dt.timedelta(days=offset)
        figures = read_step_summary(settings, earlier, steps.VALIDATE_EVENTS)
        if figures and not figures.get("stopped") and figures.get("staged") and figures.get("users"):
            found.append((earlier, figures))
    return found


def volume_parameters(settings: Settings, day: dt.date) -> dict:
    """The gate's `min_events`, `max_events`, `min_users`, `max_users` and the `volume_baseline` they come from."""
    history = _history(settings, day)
    if not history:
        return {"min_events": 1, "max_events": None, "min_users": 1, "max_users": None, "volume_baseline": NO_HISTORY}
    events = statistics.median(figures["staged"] for _, figures in history)
    users = statistics.median(figures["users"] for _, figures in history)
    low, high = settings.volume_drift_min, settings.volume_drift_max
    return {
        "min_events": math.floor(events * low), "max_events": math.ceil(events * high),
        "min_users": math.floor(users * low), "max_users": math.ceil(users * high),
        "volume_baseline": (f"median of {len(history)} earlier day(s) ({history[-1][0]} to {history[0][0]}): "
                            f"{events:g} events, {users:g} users; bounds x{low:g} to x{high:g}"),
    }


def match_rate_parameters(settings: Settings, day: dt.date) -> dict:
    """The identity gate's `min_match_rate` and `max_match_rate`: the trailing days' median CRM match
    rate (identity figures) plus or minus DMP_CRM_MATCH_RATE_MAX_CHANGE; 0 to 1 without history."""
    rates = []
    for offset in range(1, TRAILING_DAYS + 1):
        figures = read_step_summary(settings, day - dt.timedelta(days=offset), steps.IDENTITY)
        if figures and figures.get("crm_customers_with_email"):
            rates.append(figures["crm_match_rate"])
    if not rates:
        return {"min_match_rate": 0.0, "max_match_rate": 1.0,
                "match_rate_baseline": f"no earlier identity figures in the trailing {TRAILING_DAYS} days"}
    median, change = statistics.median(rates), settings.identity.crm_match_rate_max_change
    return {"min_match_rate": max(0.0, round(median - change, 6)), "max_match_rate": min(1.0, round(median + change, 6)),
            "match_rate_baseline": f"median of {len(rates)} earlier day(s): {median:.4f}, bounds +-{change:g}"}
