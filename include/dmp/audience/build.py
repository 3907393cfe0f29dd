"""Save an audience as a segment definition, and the folders its exact build runs in.

Saving writes `<segments_dir>/<id>.yaml` in the segments' own format (`dmp.segments.definitions`
validates it before it replaces anything), so the daily DAG evaluates and publishes it like every
segment from then on. Keyword terms become a `keywords` rule (`match: any` or `all`), theme terms
a `theme` rule active on at least one day of the window (a parent theme covers its children), an
excluded term a `not`; consent is always required, so the build publishes only consented people.
The `audience_build` DAG then builds that one segment at once: its evaluate, gate and publish
steps (the segments' own jobs) run with the segments folder, staging, figures and report of a
build folder holding only that definition, so the day's other segments and figures stay as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import yaml

from dmp.audience.expression import Query, Term
from dmp.errors import InputError
from dmp.segments.definitions import DEFINITION_SUFFIX, ID_RE, load_definition
from dmp.settings import Settings
from dmp.tagging.taxonomy import load_taxonomy

SAVED_MARK = "# Saved by the Audience Builder"
BUILD_DAG_ID = "audience_build"
MIN_TTL_DAYS, MAX_TTL_DAYS = 1, 365
SEGMENTS_FOLDER, STAGING_FOLDER, RUNS_FOLDER, REPORTS_FOLDER = "segments", "staging", "runs", "reports"
PUBLISH_FIGURES = "publish_segments.json"


def segment_id_for(name: str) -> str:
    """'Compact cars, 30 days' -> 'compact-cars-30-days' (a segment id), or an InputError."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:64].strip("-")
    if not slug or not ID_RE.match(slug):
        raise InputError(f"name {name!r}: give a name with letters or digits, e.g. 'Compact car shoppers'.")
    return slug


def _term_rule(term: Term, window_days: int) -> dict:
    return {"theme": term.key, "window_days": window_days, "min_active_days": 1}


def rule_of(query: Query) -> dict:
    """The segment rule that selects exactly who the query counts."""
    keywords = [term.key for term in query.positives if not term.is_theme]
    parts = [{"keywords": keywords, "match": query.mode, "window_days": query.window_days}] if keywords else []
    parts += [_term_rule(term, query.window_days) for term in query.positives if term.is_theme]
    included = parts[0] if len(parts) == 1 else {"all" if query.mode == "all" else "any": parts}
    excluded = [{"keywords": [term.key], "window_days": query.window_days} if not term.is_theme
                else _term_rule(term, query.window_days) for term in query.negatives]
    if not excluded:
        return included
    return {"all": [included, {"not": excluded[0] if len(excluded) == 1 else {"any": excluded}}]}


def definition_document(segment_id: str, name: str, query: Query, ttl_days: int) -> dict:
    if not MIN_TTL_DAYS <= ttl_days <= MAX_TTL_DAYS:
        raise InputError(f"interest duration {ttl_days} days: from {MIN_TTL_DAYS} to {MAX_TTL_DAYS}.")
    terms = ", ".join(term.text for term in query.terms)
    return {
        "id": segment_id, "name": name.strip(),
        "description": f"Audience Builder: {terms} ({query.mode}, {query.window_days} days, {query.field} words).",
        "rule": rule_of(query), "consent": "required", "membership_ttl_days": ttl_days,
    }


def save_definition(settings: Settings, name: str, query: Query, ttl_days: int) -> Path:
    """Write the definition file (validated first); a segment not saved here is never overwritten."""
    segment_id = segment_id_for(name)
    folder = Path(settings.segments_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{segment_id}{DEFINITION_SUFFIX}"
    if path.exists() and not path.read_text(encoding="utf-8").startswith(SAVED_MARK):
        raise InputError(f"a segment {segment_id!r} already exists ({path.name}) and was not made here: choose another name.")
    text = f"{SAVED_MARK}; edit it here or in the builder.\n" + yaml.safe_dump(
        definition_document(segment_id, name, query, ttl_days), sort_keys=False, allow_unicode=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    checked = _checked_copy(partial, path)
    try:
        load_definition(checked, load_taxonomy(settings.taxonomy_file))
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    finally:
        checked.unlink(missing_ok=True)
    partial.replace(path)
    return path


def _checked_copy(partial: Path, path: Path) -> Path:
    """A copy of `partial` named like the final file (a definition's id must be its file's name), in a
    scratch folder the segments' loader does not read."""
    scratch = partial.parent / ".audience-check"
    scratch.mkdir(exist_ok=True)
    copy = scratch / path.name
    copy.write_text(partial.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def build_folder(settings: Settings, segment_id: str, run_id: str) -> Path:
    """Where one build of a segment keeps its definition, staging, figures and report."""
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id)
    return settings.var_dir / "audiences" / "builds" / segment_id / safe_run


def prepare_build(settings: Settings, segment_id: str, run_id: str) -> dict[str, str]:
    """Copy the saved definition into a fresh build folder; the settings its steps run with."""
    if not ID_RE.match(segment_id):
        raise InputError(f"segment id {segment_id!r}: lower-case letters, digits, '-' and '_'.")
    source = Path(settings.segments_dir) / f"{segment_id}{DEFINITION_SUFFIX}"
    if not source.is_file():
        raise InputError(f"no segment {segment_id!r} in {settings.segments_dir}: save it in the Audience Builder first.")
    folder = build_folder(settings, segment_id, run_id)
    (folder / SEGMENTS_FOLDER).mkdir(parents=True, exist_ok=True)
    (folder / SEGMENTS_FOLDER / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return {"DMP_SEGMENTS_DIR": str(folder / SEGMENTS_FOLDER), "DMP_STAGING_DIR": str(folder / STAGING_FOLDER),
            "DMP_RUNS_DIR": str(folder / RUNS_FOLDER), "DMP_SEGMENT_REPORTS_DIR": str(folder / REPORTS_FOLDER)}


def built_size(settings: Settings, segment_id: str, run_id: str, day: dt.date) -> dict | None:
    """The published figures of a finished build (members, version), or None while there are none."""
    path = build_folder(settings, segment_id, run_id) / RUNS_FOLDER / day.isoformat() / PUBLISH_FIGURES
    if not path.is_file():
        return None
    return json.loads(path.read_text()).get("published", {}).get(segment_id)
