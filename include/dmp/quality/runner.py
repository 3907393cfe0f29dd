"""Run a gate with Great Expectations on Spark, keep its results, and say whether the day may go on.

The GX project (a file context under DMP_QUALITY_DIR) is rebuilt from the committed suites on
every run, so editing a file in `expectations/` is all it takes to change a rule. Validation runs
on the Spark DataFrame of the staged dataset (GX's Spark engine), never on a pandas copy. Runs of
different days may overlap, so the project is used under a file lock. Results older than
DMP_QUALITY_RETENTION_DAYS are removed, with their Data Docs pages, before each gate runs.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from dmp.errors import ConfigError
from dmp.pipeline import staging
from dmp.pipeline.runs import write_step_summary
from dmp.quality.gates import Check, Gate, GateFailed
from dmp.settings import Settings

log = logging.getLogger(__name__)
DATASOURCE = "dmp_staging"
BATCH = "day"
DATA_DOCS_SITE = "local_site"
# What a failed expectation reports in the day's figures: enough to act on without opening the docs.
REPORTED_RESULT_KEYS = ("observed_value", "unexpected_count", "unexpected_percent", "partial_unexpected_list")
MAX_REPORTED_VALUES = 5
# A suite is first run for its verdict only; a failing one runs again for its failing values and
# counts. Those details cost more Spark jobs per expectation even when nothing fails (a search for
# unexpected rows scans the whole batch): raw and tagged gates on 10M events took 148 s with them,
# 105 s without.
VERDICT_RESULT = "BOOLEAN_ONLY"
DETAILED_RESULT = "SUMMARY"
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"  # how GX names a run's folder


def load_suite_document(settings: Settings, name: str) -> dict:
    """The committed suite `expectations/<name>.json`; a clear error when missing or unreadable."""
    path = settings.expectations_dir / f"{name}.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"The expectation suite {path} is missing (DMP_EXPECTATIONS_DIR={settings.expectations_dir}).") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"The expectation suite {path} is not valid JSON: {error}") from None
    if document.get("name") != name or not isinstance(document.get("expectations"), list):
        raise ConfigError(f"{path} must hold a GX suite: {{\"name\": \"{name}\", \"expectations\": [...]}}.")
    return document


def _result_folders(settings: Settings) -> tuple[Path, ...]:
    """Where GX keeps each run's results: <folder>/<suite>/<run name>/<run time>/..."""
    uncommitted = settings.quality_dir / "gx" / "uncommitted"
    return uncommitted / "validations", uncommitted / "data_docs" / DATA_DOCS_SITE / "validations"


def prune_results(settings: Settings, now: dt.datetime) -> int:
    """Remove the gate runs older than the retention (results and their pages); how many run folders went."""
    oldest = now - dt.timedelta(days=settings.quality_retention_days)
    removed = 0
    for folder in _result_folders(settings):
        for run_dir in folder.glob("*/*/*"):
            try:
                run_time = dt.datetime.strptime(run_dir.name, RUN_TIME_FORMAT).replace(tzinfo=dt.timezone.utc)
            except ValueError:  # not a run folder of ours
                continue
            if run_time < oldest:
                shutil.rmtree(run_dir)
                removed += 1
                for parent in (run_dir.parent, run_dir.parent.parent):
                    if parent.is_dir() and not any(parent.iterdir()):
                        parent.rmdir()
    return removed


def data_docs_index(settings: Settings) -> Path:
    return settings.quality_dir / "gx" / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


@contextmanager
def _locked(settings: Settings):
    settings.quality_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.quality_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _context(settings: Settings):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network calls from a pipeline step
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(settings.quality_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.variables.save()
    return context


def _checkpoint(context, settings: Settings, check: Check, result_format: str):
    """The checkpoint for `check`, its suite freshly loaded from `expectations/`."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    document = load_suite_document(settings, check.suite)
    try:
        expectations = [ExpectationConfiguration(**item).to_domain_obj() for item in document["expectations"]]
    except Exception as error:  # GX raises several types for a wrong expectation; all are config errors here
        raise ConfigError(f"{settings.expectations_dir / check.suite}.json has an invalid expectation: {error}") from None
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=check.suite, expectations=expectations, meta=document.get("meta", {}))
    )
    source = context.data_sources.add_or_update_spark(name=DATASOURCE)
    try:
        asset = source.get_asset(check.dataset)
    except LookupError:
        asset = source.add_dataframe_asset(name=check.dataset)
    try:
        batch = asset.get_batch_definition(BATCH)
    except (KeyError, LookupError):
        batch = asset.add_batch_definition_whole_dataframe(BATCH)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=check.name, data=batch, suite=suite)
    )
    return context.checkpoints.add_or_update(gx.Checkpoint(
        name=check.name, validation_definitions=[definition],
        actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DATA_DOCS_SITE])],
        result_format=result_format,
    ))


def _as_figure(value):
    """A reported value as the day's JSON figures can hold it: timestamps and dates in ISO-8601."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _failed_expectations(validation) -> list[dict]:
    failed = []
    for result in validation.results:
        if result.success:
            continue
        config = result.expectation_config
        item = {"expectation": config.type, **{k: config.kwargs[k] for k in ("column", "column_A", "column_B")
                                                 if k in config.kwargs}}
        for key in REPORTED_RESULT_KEYS:
            if key in (result.result or {}):
                value = result.result[key]
                item[key] = [_as_figure(one) for one in value[:MAX_REPORTED_VALUES]] if isinstance(value, list) \
                    else _as_figure(value)
        if result.exception_info and result.exception_info.get("raised_exception"):
            item["error"] = result.exception_info.get("exception_message")
        failed.append(item)
    return failed


def _validate(context, settings: Settings, check: Check, frame, parameters: dict, run_id, result_format: str):
    result = _checkpoint(context, settings, check, result_format).run(
        batch_parameters={"dataframe": frame}, expectation_parameters=parameters, run_id=run_id
    )
    return next(iter(result.run_results.values()))


def run_gate(spark, settings: Settings, day: dt.date, gate: Gate) -> dict:
    """Validate the day's datasets for `gate`; its figures, or GateFailed when an expectation fails."""
    import great_expectations as gx

    parameters = gate.parameters(settings, day)
    frames = {check: staging.read_staged(spark, settings, day, check.dataset) for check in gate.checks}
    now = dt.datetime.now(dt.timezone.utc)
    run_id = gx.RunIdentifier(run_name=f"{day.isoformat()} {gate.name}", run_time=now)
    suites = []
    with _locked(settings):
        pruned = prune_results(settings, now)
        if pruned:
            log.info("removed %s gate runs older than %s days", pruned, settings.quality_retention_days)
        context = _context(settings)
        for check, frame in frames.items():
            validation = _validate(context, settings, check, frame, parameters, run_id, VERDICT_RESULT)
            if not validation.success:  # same run id: the detailed result replaces the verdict in the docs
                validation = _validate(context, settings, check, frame, parameters, run_id, DETAILED_RESULT)
            suites.append({
                "suite": check.suite,
                "dataset": check.dataset,
                "success": bool(validation.success),
                "evaluated": len(validation.results),
                "failed": _failed_expectations(validation),
            })
    failures = [f"{suite['suite']}: {item['expectation']}" + (f" on {item['column']}" if "column" in item else "")
                for suite in suites for item in suite["failed"]]
    summary = {
        "date": day.isoformat(),
        "gate": gate.name,
        "success": not failures,
        "suites": suites,
        "parameters": parameters,  # what the suites compared with, e.g. the volume baseline
        "data_docs": str(data_docs_index(settings)),
        "stopped": None if not failures else (
            f"the {gate.name} gate failed {len(failures)} expectation(s): {'; '.join(failures)}. "
            f"Details: {data_docs_index(settings)} (or dmp runs show {day})."
        ),
    }
    write_step_summary(settings, day, gate.step, summary)
    log.info("gate %s for %s: %s", gate.name, day, "passed" if not failures else "FAILED")
    if failures:
        raise GateFailed(f"{day}: {summary['stopped']}")
    return summary
