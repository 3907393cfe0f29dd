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

VALIDATE_STEP = "validate_events"
TAG_STEP = "tag_events"
STORE_STEP = "store_events"
INTERESTS_STEP = "daily_interests"
LIFETIME_STEP = "lifetime_interests"
KEYWORDS_STEP = "keyword_index"
SEGMENTS_STEP = "evaluate_segments"
SEGMENTS_PUBLISH_STEP = "publish_segments"
GATE_PREFIX = "gate_"


def _day_folder(settings: Settings, day: dt.date) -> Path:
    return settings.runs_dir / day.isoformat()


def step_summary_path(settings: Settings, day: dt.date, step: str) -> Path:
    return _day_folder(settings, day) / f"{step}.json"


def clear_day_figures(settings: Settings, day: dt.date) -> None:
    """Forget the figures of an earlier run of the day, so the day shows this run's steps only."""
    for path in _day_folder(settings, day).glob("*.json"):
        path.unlink()


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
    summary = read_step_summary(settings, day, VALIDATE_STEP)
    path = step_summary_path(settings, day, VALIDATE_STEP)
    if summary is None:
        raise DmpError(f"No figures for {day}: {path} is missing (has validate_events run for that day?).")
    if summary["read"] != summary["accepted"] + summary["quarantined"]:
        raise DmpError(
            f"Counts for {day} do not reconcile: read {summary['read']} != accepted {summary['accepted']} "
            f"+ quarantined {summary['quarantined']} ({path})."
        )
    later_steps = {"tagging": TAG_STEP, "store": STORE_STEP, "interests": INTERESTS_STEP, "lifetime": LIFETIME_STEP,
                   "keywords": KEYWORDS_STEP, "segments": SEGMENTS_STEP, "segments_published": SEGMENTS_PUBLISH_STEP}
    figures = {name: found for name, step in later_steps.items() if (found := read_step_summary(settings, day, step))}
    gates = {path.stem.removeprefix(GATE_PREFIX): json.loads(path.read_text())
             for path in sorted(_day_folder(settings, day).glob(f"{GATE_PREFIX}*.json"))}
    return {**summary, "stored": figures.get("store", {}).get("stored", 0), **figures, "gates": gates}


def day_stop_reasons(settings: Settings, day: dt.date) -> dict[str, str]:
    """Step -> why it stopped the day, for the steps of the day whose figures say they did."""
    reasons = {}
    for path in sorted(_day_folder(settings, day).glob("*.json")):
        try:
            stopped = json.loads(path.read_text()).get("stopped")
        except (json.JSONDecodeError, AttributeError):
            continue
        if stopped:
            reasons[path.stem] = stopped
    return reasons


def stop_reason(settings: Settings, day: dt.date, step: str, since: float) -> str | None:
    """Why `step` stopped the day, when its figures written after `since` (epoch seconds) say so.

    Steps that stop a day on its data (damaged files, too many rejected rows, a failed gate) write
    the reason before failing; Airflow then fails the task for good instead of retrying, since a
    retry would read the same data and stop the same way.
    """
    path = step_summary_path(settings, day, step)
    if not path.is_file() or path.stat().st_mtime < since:
        return None
    return read_step_summary(settings, day, step).get("stopped")
