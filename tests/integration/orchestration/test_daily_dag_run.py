"""`dmp run DATE` drives the real `audience_daily` DAG: Airflow, spark-submit, the gates, Cassandra.

Generated days go through the DAG as an operator would run them: day 1 carries every kind of bad
row partners send (quarantined with reasons, the rest published); day 2 holds a truncated gzip
(the day stops at validation without retries, downstream never runs, nothing is lost). Each DAG run
costs minutes here (one spark-submit per task), so the rest is covered below the DAG: a failed gate
stopping the day before anything is written in tests/integration/quality/test_gates.py, a stop
without retries in test_spark_operator.py, and re-runs and backfills in any order giving identical
aggregates over three days with the same step functions in tests/integration/pipeline.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dmp.generate import GenerateRequest, generate
from dmp.generate.corpus import CORPUS_FILE
from dmp.pipeline.landing import CORRUPT_FOLDER
from dmp.storage import tables
from dmp.tagging.model import publish, train_model

START = dt.date(2026, 11, 20)
DAY_1, DAY_2 = START, START + dt.timedelta(days=1)
DMP = str(Path(sys.executable).parent / "dmp")
BAD_ROWS = {
    '{"user_id": "u1", "ts": "2026-11-20T10:00:00Z", "url": ': "malformed_json",
    json.dumps({"user_id": "u2", "ts": "2026-11-20T10:00:00Z", "url": "https://x.org/" + "a" * 1_000_000}): "url_too_long",
    json.dumps({"user_id": "u3", "ts": "2026-11-20T10:00:00Z", "url": "https://x.org/\u0007bell"}): "invalid_url",
    json.dumps({"user_id": "u4", "ts": "2025-03-01T10:00:00Z", "url": "https://x.org/c"}): "timestamp_outside_day",
    json.dumps({"user": "u5", "timestamp": "2026-11-20T10:00:00Z", "link": "https://x.org/e"}): "missing_user_id",
}
TASKS = ("validate_events", "gate_raw_events", "tag_events", "gate_tagged_events", "store_events",
         "daily_interests", "lifetime_interests", "gate_interests", "publish_interests", "identity", "gate_identity",
         "publish_identity", "keyword_index", "gate_keyword_index", "publish_keyword_index", "person_sketches",
         "gate_person_sketches", "publish_person_sketches", "evaluate_segments", "gate_segments", "publish_segments",
         "report")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Two generated days (day 1 with bad rows, day 2 with a truncated file), a model, and the run's env."""
    root = tmp_path_factory.mktemp("dag")
    landing = root / "landing"
    generate(GenerateRequest(start=START, days=2, people=150, out_dir=landing, seed=11))
    with gzip.open(landing / DAY_1.isoformat() / "partner-bad.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(BAD_ROWS) + "\n")
    whole = next((landing / DAY_2.isoformat()).glob("*.jsonl.gz")).read_bytes()
    (landing / DAY_2.isoformat() / "partner-cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    publish(root / "models", train_model(landing / CORPUS_FILE, root / "models" / "v1").path)
    env = {
        **os.environ,
        "DMP_MODEL_DIR": str(root / "models"),
        "DMP_LANDING_DIR": str(landing),
        "DMP_QUARANTINE_DIR": str(root / "quarantine"),
        "DMP_RUNS_DIR": str(root / "runs"),
        "DMP_STAGING_DIR": str(root / "staging"),
        "DMP_QUALITY_DIR": str(root / "quality"),
    }
    return root, env


def _dmp(env, *args, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([DMP, *args], env=env, capture_output=True, text=True, timeout=timeout)


def _figures(env, day) -> dict:
    return json.loads(_dmp(env, "runs", "show", day.isoformat()).stdout)


def _users(landing: Path, day: dt.date) -> set[str]:
    return {json.loads(line)["user_id"] for part in sorted((landing / day.isoformat()).glob("events-*.jsonl.gz"))
            for line in gzip.open(part, "rt").read().splitlines()}


def _stored(cql, settings, users, day) -> list[tuple]:
    return sorted((row.user_id, row.event_id, row.theme, row.model_version) for user in users for row in cql.execute(
        f"SELECT user_id, event_id, theme, model_version FROM {settings.keyspace}.events_by_user "
        "WHERE user_id = %s AND day = %s", (user, day)))


@pytest.fixture
def no_persons(cql, settings):
    """Identity starts from no persons (the keyspace outlives sessions), and leaves none to later tests."""
    for table in tables.IDENTITY_TABLES:
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")
    yield
    for table in tables.IDENTITY_TABLES:
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")


@pytest.mark.airflow
def test_days_through_the_dag_with_bad_rows_and_a_damaged_file(cql, settings, world, no_persons):
    root, env = world
    landing = root / "landing"

    day_1 = _dmp(env, "run", DAY_1.isoformat())
    assert day_1.returncode == 0, f"dmp run failed:\n{day_1.stdout[-3000:]}\n{day_1.stderr[-3000:]}"
    assert all(f"finished {task}" in day_1.stdout for task in TASKS)
    figures = _figures(env, DAY_1)
    manifest = json.loads((landing / DAY_1.isoformat() / "_manifest.json").read_text())
    assert figures["read"] == manifest["events"] + len(BAD_ROWS) == figures["accepted"] + figures["quarantined"]
    assert figures["quarantined_by_reason"] == {reason: 1 for reason in BAD_ROWS.values()}
    assert figures["stored"] == figures["accepted"] == manifest["events"]
    assert {name: gate["success"] for name, gate in figures["gates"].items()} == {
        "raw_events": True, "tagged_events": True, "interests": True, "keyword_index": True, "identity": True,
        "person_sketches": True, "segments": True}
    assert figures["identity"]["persons"] > 0 and figures["identity"]["users_without_person"] == 0
    persons = cql.execute(f"SELECT count(*) FROM {settings.keyspace}.persons").one()[0]
    assert persons == figures["identity"]["persons"] == figures["identity_published"]["written"]["persons"]
    assert figures["interests"]["events"] == figures["stored"] == sum(figures["interests"]["events_by_theme"].values())
    assert figures["keywords"]["keywords"] > 0 and figures["keywords"]["theme_sketches"] > 0
    published = _stored(cql, settings, _users(landing, DAY_1), DAY_1)
    assert len(published) == figures["stored"] and all(theme and version for _, _, theme, version in published)

    day_2 = _dmp(env, "run", DAY_2.isoformat(), "--param", "max_lateness_hours=5")
    assert day_2.returncode != 0
    assert "validate_events stopped the day: damaged landing file(s): partner-cut.jsonl.gz (truncated_gzip)" in day_2.stdout
    assert "started gate_raw_events" not in day_2.stdout
    assert day_2.stdout.count("started validate_events") == 1, "a day stopped on its data is not retried"
    assert (root / "quarantine" / DAY_2.isoformat() / CORRUPT_FOLDER / "partner-cut.jsonl.gz").is_file()
    assert _stored(cql, settings, _users(landing, DAY_2), DAY_2) == []
    assert _figures(env, DAY_2)["max_lateness_hours"] == 5, "run parameters reach the Spark jobs"

