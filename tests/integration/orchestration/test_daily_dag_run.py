"""`dmp run DATE` drives the real `audience_daily` DAG: Airflow, spark-submit, Cassandra, end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dmp.generate import GenerateRequest, generate
from dmp.generate.corpus import CORPUS_FILE
from dmp.tagging.model import publish, train_model

DAY = dt.date(2026, 11, 20)
DMP = str(Path(sys.executable).parent / "dmp")


@pytest.fixture(scope="module")
def landed_day(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing")
    generate(GenerateRequest(start=DAY, days=1, people=150, out_dir=out, seed=11))
    return out


@pytest.mark.airflow
def test_dmp_run_stores_and_tags_a_generated_day_and_reports_reconciled_figures(cql, settings, landed_day, tmp_path):
    publish(tmp_path / "models", train_model(landed_day / CORPUS_FILE, tmp_path / "models" / "v1").path)
    env = {
        **os.environ,
        "DMP_MODEL_DIR": str(tmp_path / "models"),
        "DMP_LANDING_DIR": str(landed_day),
        "DMP_QUARANTINE_DIR": str(tmp_path / "quarantine"),
        "DMP_RUNS_DIR": str(tmp_path / "runs"),
        "DMP_STAGING_DIR": str(tmp_path / "staging"),
    }
    run = subprocess.run([DMP, "run", DAY.isoformat()], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"dmp run failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    for task in ("store_events", "tag_pages", "daily_interests", "lifetime_interests", "keyword_index", "report"):
        assert f"finished {task}" in run.stdout
    assert "run successful" in run.stdout

    shown = subprocess.run([DMP, "runs", "show", DAY.isoformat()], env=env, capture_output=True, text=True)
    figures = json.loads(shown.stdout)
    manifest = json.loads((landed_day / DAY.isoformat() / "_manifest.json").read_text())
    assert figures["read"] == manifest["events"] == figures["accepted"] + figures["quarantined"]
    assert figures["stored"] == figures["accepted"] > 0

    users = {json.loads(line)["user_id"] for line in _lines(landed_day / DAY.isoformat())}
    stored = sum(
        cql.execute(
            f"SELECT COUNT(*) FROM {settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s", (user, DAY)
        ).one()[0]
        for user in users
    )
    assert stored == figures["stored"]
    tagging = figures["tagging"]
    assert tagging["pages"] == len({json.loads(line)["url"] for line in _lines(landed_day / DAY.isoformat())})
    assert tagging["tagged"] + tagging["already_tagged"] == tagging["pages"]
    assert figures["interests"]["events"] == figures["stored"] == sum(figures["interests"]["events_by_theme"].values())
    assert figures["keywords"]["keywords"] > 0 and figures["keywords"]["theme_sketches"] > 0
    assert 0 < figures["lifetime"]["users_with_interests"] <= figures["lifetime"]["users"] == figures["interests"]["users"]


def _lines(day_dir: Path) -> list[str]:
    import gzip

    return [line for part in sorted(day_dir.glob("*.jsonl.gz")) for line in gzip.open(part, "rt").read().splitlines()]
