"""Gate results are kept for DMP_QUALITY_RETENTION_DAYS, then removed with their Data Docs pages."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dmp.quality.runner import RUN_TIME_FORMAT, _result_folders, prune_results

NOW = dt.datetime(2026, 11, 24, 3, tzinfo=dt.timezone.utc)


def _run(folder, suite: str, day: str, age_days: float):
    run_dir = folder / suite / f"{day} gate" / (NOW - dt.timedelta(days=age_days)).strftime(RUN_TIME_FORMAT)
    run_dir.mkdir(parents=True)
    (run_dir / "result.json").write_text("{}")
    return run_dir


def test_runs_older_than_the_retention_go_with_their_pages_and_newer_ones_stay(settings, tmp_path):
    kept_settings = dataclasses.replace(settings, quality_dir=tmp_path, quality_retention_days=30)
    results, pages = _result_folders(kept_settings)
    old = [_run(folder, "raw_events", "2026-09-01", 84) for folder in (results, pages)]
    recent = [_run(folder, "raw_events", "2026-11-20", 4) for folder in (results, pages)]
    (results / ".ge_store_backend_id").parent.mkdir(parents=True, exist_ok=True)
    (results / ".ge_store_backend_id").write_text("store")

    assert prune_results(kept_settings, NOW) == 2

    assert not any(run.exists() or run.parent.exists() for run in old), "the old day's folders are gone too"
    assert all(run.exists() for run in recent) and (results / ".ge_store_backend_id").exists()
    assert prune_results(kept_settings, NOW) == 0
