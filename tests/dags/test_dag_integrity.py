"""Every DAG imports cleanly and quickly, without heavy imports, and follows the project's policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(DAGS_DIR.glob("*.py"))
# Imported inside tasks only: each costs seconds or opens connections at parse time.
HEAVY_MODULES = ("pyspark", "gensim", "cassandra", "great_expectations", "pandas", "datasketches")
MAX_PARSE_SECONDS = 1.0

# Run in a fresh interpreter so modules imported by other tests do not hide a heavy import.
_PARSE_PROBE = """
import importlib.util, json, sys, time
import airflow.sdk  # the framework itself is not the DAG file's cost
before = set(sys.modules)
start = time.perf_counter()
spec = importlib.util.spec_from_file_location("dag_under_test", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(json.dumps({"seconds": time.perf_counter() - start, "modules": sorted(set(sys.modules) - before)}))
"""


@pytest.fixture(scope="module")
def dag_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_there_are_dags():
    assert DAG_FILES, f"no DAG file in {DAGS_DIR}"


def test_every_dag_file_imports_without_errors(dag_bag):
    assert dag_bag.import_errors == {}
    assert {Path(dag.fileloc).name for dag in dag_bag.dags.values()} == {path.name for path in DAG_FILES}


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda path: path.name)
def test_dag_file_parses_fast_without_heavy_imports(dag_file):
    result = subprocess.run(
        [sys.executable, "-c", _PARSE_PROBE, str(dag_file)],
        capture_output=True, text=True, check=True, cwd=DAGS_DIR.parent,
        env={**__import__("os").environ, "PYTHONPATH": str(DAGS_DIR.parent / "plugins")},
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    heavy = sorted({name.split(".")[0] for name in probe["modules"]} & set(HEAVY_MODULES))
    assert heavy == [], f"{dag_file.name} imports {heavy} at parse time: import them inside the tasks"
    assert probe["seconds"] < MAX_PARSE_SECONDS, f"{dag_file.name} took {probe['seconds']:.2f} s to parse"


def test_every_dag_has_tags_an_owner_and_retries(dag_bag):
    for dag_id, dag in dag_bag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no docs for the UI"
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id} has no owner"
            assert task.retries >= 2, f"{dag_id}.{task.task_id} has {task.retries} retries"


def test_no_dag_has_a_cycle(dag_bag):
    for dag_id, dag in dag_bag.dags.items():
        ordered = [task.task_id for task in dag.topological_sort()]
        assert sorted(ordered) == sorted(dag.task_ids), f"{dag_id} cannot be ordered"


def test_nothing_is_published_before_the_gates_of_its_data(dag_bag):
    """Every task that writes to Cassandra runs downstream of the gates that check what it writes."""
    dag = dag_bag.dags["audience_daily"]
    gates_before = {
        "tag_events": {"gate_raw_events"},
        "store_events": {"gate_raw_events", "gate_tagged_events"},
        "keyword_index": {"gate_raw_events", "gate_tagged_events"},
        "report": {"gate_raw_events", "gate_tagged_events", "gate_interests", "gate_segments"},
        "publish_segments": {"gate_raw_events", "gate_tagged_events", "gate_interests", "gate_segments"},
    }
    for task_id, gates in gates_before.items():
        upstream = {task.task_id for task in dag.get_task(task_id).get_flat_relatives(upstream=True)}
        assert gates <= upstream, f"{task_id} can run before {sorted(gates - upstream)}"
    assert {task.task_id for task in dag.tasks if task.task_id.startswith("gate_")} == {
        "gate_raw_events", "gate_tagged_events", "gate_interests", "gate_segments"}


def test_the_interests_asset_is_updated_by_the_gate_only(dag_bag):
    """Segments follow the interests asset: it must mean 'interests that passed their gate'."""
    dag = dag_bag.dags["audience_daily"]
    writers = [task.task_id for task in dag.tasks if any("user_interests" in str(o) for o in task.outlets)]
    assert writers == ["gate_interests"]


def test_the_daily_dag_can_be_triggered_with_parameters_that_reach_its_spark_jobs(dag_bag):
    dag = dag_bag.dags["audience_daily"]
    assert {"max_rejected_share", "min_tagged_share", "max_lateness_hours"} <= set(dag.params)
    validate = dag.get_task("validate_events")
    assert validate.env_vars["DMP_MAX_REJECTED_SHARE"] == "{{ params.max_rejected_share }}"
