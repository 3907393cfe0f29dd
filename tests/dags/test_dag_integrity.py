"""Every DAG imports cleanly and quickly, without heavy imports, and follows the project's policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dmp.pipeline.steps import GATES, INTERESTS_GATE, PUBLISH_INTERESTS, PUBLISHES, SEGMENTS_GATE, gate_step

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(DAGS_DIR.glob("*.py"))
# Imported inside tasks only: each costs seconds or opens connections at parse time.
HEAVY_MODULES = ("pyspark", "gensim", "cassandra", "great_expectations", "pandas", "datasketches")
MAX_PARSE_SECONDS = 1.0
CASSANDRA_SCHEME = "cassandra://"
GATE_JOB = "gate"  # spark_jobs/gate.py runs the gates of suites
STREAM_JOB = "stream"  # spark_jobs/stream.py is the long-lived stream, a service (`dmp stream`), not a step

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


def _is_gate(task) -> bool:
    return task.task_type == "DmpGateOperator"


def _writes_cassandra(task) -> bool:
    return any(str(getattr(outlet, "uri", "")).startswith(CASSANDRA_SCHEME) for outlet in task.outlets)


def ungated_writes(dag) -> list[str]:
    """Why tasks of `dag` that write to Cassandra could publish data no gate checked (empty: none can).

    A writer is any task with a Cassandra outlet. Every task upstream of it (what computed and
    staged the data it publishes, and what fed that) must have a gate after it and before the writer.
    """
    gates = {task.task_id for task in dag.tasks if _is_gate(task)}
    problems = []
    for writer in (task for task in dag.tasks if _writes_cassandra(task)):
        upstream = {task.task_id: task for task in writer.get_flat_relatives(upstream=True)}
        if not gates & set(upstream):
            problems.append(f"{writer.task_id} writes with no gate upstream")
        for task_id, task in upstream.items():
            between = gates & set(upstream) & {down.task_id for down in task.get_flat_relatives(upstream=False)}
            if task_id not in gates and not between:
                problems.append(f"{writer.task_id} can publish what {task_id} computed without a gate between them")
    return problems


def test_nothing_is_published_before_the_gates_of_its_data(dag_bag):
    """Every task that writes to Cassandra (a Cassandra outlet) runs after gates that follow everything it reads."""
    dag = dag_bag.dags["audience_daily"]
    assert ungated_writes(dag) == []
    assert {task.task_id for task in dag.tasks if _is_gate(task)} == {gate_step(gate) for gate in (*GATES, SEGMENTS_GATE)}


def test_the_writers_are_the_publishing_steps_with_the_tables_they_write(dag_bag):
    """A task that writes must say so: its outlets are the tables `steps.PUBLISHES` lists, and only those tasks have any."""
    dag = dag_bag.dags["audience_daily"]
    writes = {task.task_id: sorted(str(outlet.uri).rsplit("/", 1)[-1] for outlet in task.outlets)
              for task in dag.tasks if _writes_cassandra(task)}
    assert writes == {step: sorted(tables) for step, tables in PUBLISHES.items()}


def test_every_spark_job_is_a_step_of_the_daily_dag(dag_bag):
    """Job files, task ids and figures share one set of names (`dmp.pipeline.steps`)."""
    task_ids = set(dag_bag.dags["audience_daily"].task_ids)
    jobs = {path.stem for path in (DAGS_DIR.parent / "spark_jobs").glob("*.py")} - {GATE_JOB, STREAM_JOB}
    assert jobs <= task_ids, f"spark jobs with no task: {sorted(jobs - task_ids)}"


def _small_dag(wiring):
    """A throwaway DAG: `wiring(compute, gate, writer, other)` connects a compute task, a gate, a writer."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG, Asset

    from dmp_airflow.operators import DmpGateOperator

    with DAG("wiring_under_test", schedule=None) as dag:
        compute, other = EmptyOperator(task_id="compute"), EmptyOperator(task_id="other_compute")
        gate = DmpGateOperator(gate="under_test", application_args=[])
        writer = EmptyOperator(task_id="writer", outlets=[Asset(f"{CASSANDRA_SCHEME}dmp/some_table")])
        wiring(compute, gate, writer, other)
    return dag


@pytest.mark.parametrize("wiring, problems", [
    (lambda compute, gate, writer, other: compute >> gate >> writer, []),
    (lambda compute, gate, writer, other: compute >> writer, ["writer writes with no gate upstream",
                                                             "writer can publish what compute computed without a gate between them"]),
    (lambda compute, gate, writer, other: compute >> writer >> gate,  # the interests' shape before the change
     ["writer writes with no gate upstream", "writer can publish what compute computed without a gate between them"]),
    (lambda compute, gate, writer, other: [compute >> gate >> writer, other >> writer],
     ["writer can publish what other_compute computed without a gate between them"]),
    (lambda compute, gate, writer, other: compute >> gate >> other >> writer,
     ["writer can publish what other_compute computed without a gate between them"]),
], ids=["gated", "no-gate", "gate-after-writer", "second-input-ungated", "compute-after-gate"])
def test_the_gate_check_catches_a_writer_without_a_gate_before_it(wiring, problems):
    assert ungated_writes(_small_dag(wiring)) == problems


def test_the_interests_asset_is_updated_by_its_publishing_task_after_the_gate(dag_bag):
    """Segments follow the interests asset: it must mean 'interests that passed their gate'."""
    dag = dag_bag.dags["audience_daily"]
    writers = [task.task_id for task in dag.tasks if any("user_interests" in str(o) for o in task.outlets)]
    assert writers == [PUBLISH_INTERESTS]
    upstream = {task.task_id for task in dag.get_task(PUBLISH_INTERESTS).get_flat_relatives(upstream=True)}
    assert gate_step(INTERESTS_GATE) in upstream


def test_the_daily_dags_parameters_are_the_run_settings_and_empty_by_default(dag_bag):
    """An empty parameter overrides nothing, so no value of the DAG processor's environment is stored."""
    from dmp.settings import RUN_PARAMETERS

    params = dag_bag.dags["audience_daily"].params
    assert set(params) == set(RUN_PARAMETERS)
    assert params.dump() == dict.fromkeys(RUN_PARAMETERS)


def test_a_dag_parsed_in_one_environment_runs_with_the_workers_settings_and_given_params(monkeypatch,
                                                                                     project_connections):
    """Parsed where DMP_MAX_REJECTED_SHARE is 0.3, run where it is 0.1: the run's 0.1 applies, a given param wins."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    monkeypatch.setenv("DMP_MAX_REJECTED_SHARE", "0.3")
    monkeypatch.setenv("DMP_MIN_TAGGED_SHARE", "0.9")
    dag = DagBag(dag_folder=str(DAGS_DIR / "audience_daily.py")).dags["audience_daily"]
    stored = DagSerialization.from_dict(DagSerialization.to_dict(dag))  # what the scheduler makes runs from
    monkeypatch.setenv("DMP_MAX_REJECTED_SHARE", "0.1")
    monkeypatch.setenv("DMP_MIN_TAGGED_SHARE", "0.4")
    run_params = stored.params.dump()
    for task_id in ("validate_events", "gate_tagged_events"):
        task = dag.get_task(task_id)
        settings = task.prepare({"params": run_params})
        assert (settings.max_rejected_share, settings.min_tagged_share) == (0.1, 0.4), task_id
        given = task.prepare({"params": {**run_params, "min_tagged_share": 0.25}})
        assert (given.max_rejected_share, given.min_tagged_share) == (0.1, 0.25), task_id


def test_the_training_dags_parameters_default_to_the_training_defaults(dag_bag):
    import dataclasses

    from dmp.tagging.training import DEFAULT_TRAINING, USER_PARAMETERS

    params = dag_bag.dags["train_semantic_model"].params.dump()
    assert params == {name: getattr(DEFAULT_TRAINING, name) for name in USER_PARAMETERS}
    assert set(USER_PARAMETERS) <= {field.name for field in dataclasses.fields(DEFAULT_TRAINING)}


def test_privacy_requests_run_before_validation_and_publish_nothing(dag_bag):
    """Deletions run before the day's validation (which drops the ids they suppress) and are no publication:
    no Cassandra outlet, so no asset event tells consumers new data arrived."""
    from dmp.pipeline.steps import DELETES_PERSONAL_DATA, VALIDATE_EVENTS

    dag = dag_bag.dags["audience_daily"]
    for step in DELETES_PERSONAL_DATA:
        task = dag.get_task(step)
        assert not _writes_cassandra(task) and step not in PUBLISHES
        assert VALIDATE_EVENTS in {down.task_id for down in task.get_flat_relatives(upstream=False)}


def test_the_audience_build_publishes_one_segment_after_the_segment_gate(dag_bag):
    """The builder's DAG writes only what the segment gate passed, the tables the segments' publish writes."""
    dag = dag_bag.dags["audience_build"]
    assert ungated_writes(dag) == []
    writes = {task.task_id: sorted(str(outlet.uri).rsplit("/", 1)[-1] for outlet in task.outlets)
              for task in dag.tasks if _writes_cassandra(task)}
    from dmp.pipeline.steps import PUBLISH_SEGMENTS

    assert writes == {PUBLISH_SEGMENTS: sorted(PUBLISHES[PUBLISH_SEGMENTS])}
    assert set(dag.params) == {"segment_id", "day"}
