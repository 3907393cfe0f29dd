"""Per-day run figures: each step writes its counts as JSON under `var/runs/<date>/`.

Spark jobs run in their own process, so they hand their figures to Airflow (and to operators) as
small JSON files rather than through memory; XCom then carries the figures, never data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dmp.errors import DmpError, InputError
from dmp.pipeline import steps
from dmp.pipeline.steps import GATE_PREFIX
from dmp.settings import Settings

# Keys of the day's figures (`dmp runs show`) -> the step whose figures they are.
LATER_STEPS = {
    "tagging": steps.TAG_EVENTS, "store": steps.STORE_EVENTS, "interests": steps.DAILY_INTERESTS,
    "lifetime": steps.LIFETIME_INTERESTS, "interests_published": steps.PUBLISH_INTERESTS,
    "identity": steps.IDENTITY, "identity_published": steps.PUBLISH_IDENTITY,
    "keywords": steps.KEYWORD_INDEX, "keywords_published": steps.PUBLISH_KEYWORD_INDEX,
    "person_sketches": steps.PERSON_SKETCHES, "person_sketches_published": steps.PUBLISH_PERSON_SKETCHES,
    "segments": steps.EVALUATE_SEGMENTS, "segments_published": steps.PUBLISH_SEGMENTS,
}
RECONCILED_COUNTS = ("read", "accepted", "quarantined")  # read = accepted + quarantined, always


class DataStopped(DmpError):
    """A step found the day's data wrong (totals that do not reconcile, a NaN score): the day stops."""


def _day_folder(settings: Settings, day: dt.date) -> Path:
    return settings.runs_dir / day.isoformat()


def step_summary_path(settings: Settings, day: dt.date, step: str) -> Path:
    return _day_folder(settings, day) / f"{step}.json"


def clear_day_figures(settings: Settings, day: dt.date) -> None:
    """Forget the figures of an earlier run of the day, so the day shows this run's steps only."""
    for path in _day_folder(settings, day).glob("*.json"):
        path.unlink()


def write_step_summary(settings: Settings, day: dt.date, step: str, summary: dict) -> Path:
    """Write a step's figures whole or not at all (a step killed mid-write leaves the old file)."""
    path = step_summary_path(settings, day, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(summary, indent=2) + "\n")
    partial.replace(path)
    return path


def stop_day(settings: Settings, day: dt.date, step: str, summary: dict, reason: str) -> None:
    """Stop the day on its data as a failed gate does: the reason in the step's figures, then DataStopped.

    The operator finds the reason in the figures and fails the task without retries (a retry would
    meet the same data); `dmp runs show` and `dmp run` show it.
    """
    write_step_summary(settings, day, step, {**summary, "stopped": reason})
    raise DataStopped(f"{day} stopped at {step}: {reason}")


def _read_figures(path: Path, day: dt.date) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}): a step stopped while writing it; "
            f"run the day again with `dmp run {day}`, or delete the file."
        ) from None


def read_step_summary(settings: Settings, day: dt.date, step: str) -> dict | None:
    """One step's figures for the day, None when that step has not run."""
    path = step_summary_path(settings, day, step)
    return _read_figures(path, day) if path.is_file() else None


def read_day_summary(settings: Settings, day: dt.date) -> dict:
    """The stored day's figures; an error when they are missing or do not reconcile."""
    summary = read_step_summary(settings, day, steps.VALIDATE_EVENTS)
    path = step_summary_path(settings, day, steps.VALIDATE_EVENTS)
    if summary is None:
        raise DmpError(f"No figures for {day}: {path} is missing (has validate_events run for that day?).")
    missing = sorted(set(RECONCILED_COUNTS) - set(summary))
    if missing:
        raise InputError(f"{path} lacks {', '.join(missing)}: run the day again with `dmp run {day}`.")
    if summary["read"] != summary["accepted"] + summary["quarantined"]:
        raise DmpError(
            f"Counts for {day} do not reconcile: read {summary['read']} != accepted {summary['accepted']} "
            f"+ quarantined {summary['quarantined']} ({path})."
        )
    figures = {name: found for name, step in LATER_STEPS.items() if (found := read_step_summary(settings, day, step))}
    gates = {path.stem.removeprefix(GATE_PREFIX): _read_figures(path, day)
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
