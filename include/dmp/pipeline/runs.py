"""Per-day run figures: each step writes its counts as JSON under `var/runs/<date>/`.

Spark jobs run in their own process, so they hand their figures to Airflow (and to operators) as
small JSON files rather than through memory; XCom then carries the figures, never data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dmp.errors import DmpError
from dmp.settings import Settings

STORE_STEP = "store_events"
TAG_STEP = "tag_pages"
INTERESTS_STEP = "daily_interests"
LIFETIME_STEP = "lifetime_interests"
KEYWORDS_STEP = "keyword_index"


def step_summary_path(settings: Settings, day: dt.date, step: str) -> Path:
    return settings.runs_dir / day.isoformat() / f"{step}.json"


def write_step_summary(settings: Settings, day: dt.date, step: str, summary: dict) -> Path:
    path = step_summary_path(settings, day, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n")
    return path


def read_step_summary(settings: Settings, day: dt.date, step: str) -> dict | None:
    """One step's figures for the day, None when that step has not run."""
    path = step_summary_path(settings, day, step)
    return json.loads(path.read_text()) if path.is_file() else None


def read_day_summary(settings: Settings, day: dt.date) -> dict:
    """The stored day's figures; an error when they are missing or do not reconcile."""
    summary = read_step_summary(settings, day, STORE_STEP)
    path = step_summary_path(settings, day, STORE_STEP)
    if summary is None:
        raise DmpError(f"No figures for {day}: {path} is missing (has store_events run for that day?).")
    if summary["read"] != summary["accepted"] + summary["quarantined"]:
        raise DmpError(
            f"Counts for {day} do not reconcile: read {summary['read']} != accepted {summary['accepted']} "
            f"+ quarantined {summary['quarantined']} ({path})."
        )
    later_steps = {"tagging": TAG_STEP, "interests": INTERESTS_STEP, "lifetime": LIFETIME_STEP, "keywords": KEYWORDS_STEP}
    return {**summary, **{name: figures for name, step in later_steps.items()
                          if (figures := read_step_summary(settings, day, step))}}
