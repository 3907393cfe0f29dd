"""The platform's operators, built as a DAG file builds them: the job each submits, and its configuration."""

from __future__ import annotations

import pytest

from dmp.settings import load
from dmp_airflow.operators import DmpGateOperator, DmpSparkSubmitOperator


def test_the_spark_operator_submits_the_project_s_job_with_the_platform_s_memory():
    operator = DmpSparkSubmitOperator(task_id="validate", job="validate_events")
    settings = load()
    assert operator.application == str(settings.home / "spark_jobs" / "validate_events.py")
    assert (settings.home / "spark_jobs" / "validate_events.py").is_file()
    assert operator.step == "validate_events", "the step whose figures say why a day stopped"
    assert operator.name == "validate_events_{{ ds_nodash }}"
    assert operator._driver_memory == settings.spark_driver_memory
    assert operator._conn_id == "spark_default"


def test_the_spark_operator_takes_keyword_arguments_only():
    with pytest.raises(TypeError):
        DmpSparkSubmitOperator("validate", "validate_events")


def test_run_parameters_reach_the_job_s_settings_through_env_vars(monkeypatch):
    monkeypatch.setenv("DMP_MIN_TAGGED_SHARE", "0.5")
    operator = DmpSparkSubmitOperator(task_id="tag", job="tag_events", env_vars={"DMP_MIN_TAGGED_SHARE": 0.3})
    assert load(operator._job_environment()).min_tagged_share == 0.3
    assert load(DmpSparkSubmitOperator(task_id="tag", job="tag_events")._job_environment()).min_tagged_share == 0.5


def test_the_gate_operator_runs_the_gate_job_for_its_gate():
    operator = DmpGateOperator(gate="raw_events", application_args=["--date", "{{ ds }}"])
    assert operator.task_id == "gate_raw_events" and operator.step == "gate_raw_events"
    assert operator.application.endswith("spark_jobs/gate.py")
    assert operator.application_args == ["--gate", "raw_events", "--date", "{{ ds }}"]
