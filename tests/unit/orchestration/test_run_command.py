"""`dmp run`: its `--param` parsing, the progress lines it draws from Airflow's output, and the
errors it gives before starting Airflow at all."""

from __future__ import annotations

import pytest

from dmp.cli import main
from dmp.errors import InputError
from dmp.orchestration.command import _PROGRESS_RE, _progress_message, parse_params

# Lines as `airflow dags test` writes them (Airflow 3.3), with the noise around them.
AIRFLOW_OUTPUT = """\
[2026-11-02T00:00:01.000+0000] {dag.py:2301} INFO - [DAG TEST] starting task_id=validate_events map_index=-1
[2026-11-02T00:00:09.000+0000] {spark_submit.py:600} INFO - 25/11/02 INFO SparkContext: Running Spark version 3.5.6
[2026-11-02T00:00:30.000+0000] {dag.py:2316} INFO - [DAG TEST] end task task_id=validate_events map_index=-1
[2026-11-02T00:00:31.000+0000] {taskinstance.py:1200} ERROR - Task failed with exception
[2026-11-02T00:05:00.000+0000] {dagrun.py:900} INFO - Marking run <DagRun audience_daily @ 2026-11-01: manual__2026-11-01, state:running> successful
"""


def test_params_are_json_values_when_they_can_be():
    assert parse_params(["min_tagged_share=0.3", "max_lateness_hours=5", "note=late day", "flag=true"]) == {
        "min_tagged_share": 0.3, "max_lateness_hours": 5, "note": "late day", "flag": True}
    assert parse_params([]) == {}


@pytest.mark.parametrize("item", ["min_tagged_share", "=0.3", " =1"])
def test_a_param_without_name_or_value_is_a_clear_error(item):
    with pytest.raises(InputError, match="NAME=VALUE"):
        parse_params([item])


def test_progress_lines_name_each_task_and_the_run_s_end():
    lines = [_progress_message(match) for line in AIRFLOW_OUTPUT.splitlines()
             if (match := _PROGRESS_RE.search(line))]
    assert lines == ["started validate_events", "finished validate_events",
                     "a task failed (retried unless it stopped the day on its data)", "run successful"]


def test_a_bad_param_or_a_day_before_the_start_ends_in_one_line_before_airflow_runs(monkeypatch, capsys):
    monkeypatch.setenv("DMP_PIPELINE_START", "2026-11-01")
    assert main(["run", "2026-11-01", "--param", "min_tagged_share"]) == 1
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main(["run", "2026-10-31"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "DMP_PIPELINE_START=2026-10-31" in error
