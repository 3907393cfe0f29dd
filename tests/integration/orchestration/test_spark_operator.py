"""The spark-submit operator run for real (a Spark job in local mode): a job that stops the day on its
data fails the task for good, with the reason its figures give."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.orchestration.airflow_env import airflow_environment
from dmp.pipeline import steps
from dmp.pipeline.runs import read_step_summary
from dmp.settings import load
from dmp_airflow.operators import DmpSparkSubmitOperator

DAY = dt.date(2026, 11, 1)


def test_a_job_that_stops_the_day_fails_the_task_without_retry_and_says_why(tmp_path, project_connections):
    from airflow.sdk.exceptions import AirflowFailException

    (tmp_path / "landing" / DAY.isoformat()).mkdir(parents=True)
    (tmp_path / "landing" / DAY.isoformat() / "events-00000.jsonl.gz").write_bytes(b"not gzip at all")
    env_vars = {"DMP_LANDING_DIR": str(tmp_path / "landing"), "DMP_RUNS_DIR": str(tmp_path / "runs"),
                "DMP_QUARANTINE_DIR": str(tmp_path / "quarantine"), "DMP_STAGING_DIR": str(tmp_path / "staging"),
                "DMP_SPARK_DRIVER_MEMORY": "1g"}
    # What an Airflow worker of the project has (`dmp airflow ...`): Java 17 and the venv's spark-submit.
    env_vars.update({key: airflow_environment(load())[key] for key in ("JAVA_HOME", "PATH")})
    operator = DmpSparkSubmitOperator(task_id="validate_events", job="validate_events", env_vars=env_vars,
                                      application_args=["--date", DAY.isoformat()])
    with pytest.raises(AirflowFailException, match=r"validate_events stopped the day: damaged landing file"):
        operator.execute({"ds": DAY.isoformat(), "params": {}})
    figures = read_step_summary(load(overrides=operator.env_vars), DAY, steps.VALIDATE_EVENTS)
    assert figures["stopped"].startswith("damaged landing file") and figures["staged"] == 0
