"""A day run by `dmp run` records when it ran, not its logical date (the UI's durations come from it).

Airflow 3.3's `airflow dags test` stores the run's start as the logical date
(apache/airflow#66127), so a day processed today showed as running for weeks. A one-task DAG in a
scratch project home is run the way `dmp run` runs the daily DAG, for a day months ago, and the
metadata database must then hold the run's and the task's true start and end.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DMP = str(Path(sys.executable).parent / "dmp")
DAG_ID = "one_task"
LOGICAL_DAY = dt.date(2026, 1, 2)
ONE_TASK_DAG = f'''
import datetime as dt

from airflow.sdk import dag, task


@dag(schedule="@daily", start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), catchup=False, tags=["test"])
def {DAG_ID}():
    @task
    def say_done():
        return "done"

    say_done()


{DAG_ID}()
'''


def _utc(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@pytest.mark.airflow
def test_a_dmp_run_records_when_it_ran_not_its_logical_date(tmp_path):
    home = tmp_path / "project"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / f"{DAG_ID}.py").write_text(ONE_TASK_DAG)
    var = tmp_path / "var"
    env = {**os.environ, "DMP_HOME": str(home), "DMP_VAR_DIR": str(var), "DMP_PIPELINE_START": "2026-01-01"}

    before = dt.datetime.now(dt.timezone.utc)
    result = subprocess.run([DMP, "run", LOGICAL_DAY.isoformat(), "--dag", DAG_ID], env=env,
                            capture_output=True, text=True, timeout=600)
    after = dt.datetime.now(dt.timezone.utc)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    with sqlite3.connect(var / "airflow" / "airflow.db") as db:
        runs = db.execute("SELECT logical_date, start_date, end_date FROM dag_run WHERE dag_id = ?", (DAG_ID,)).fetchall()
        tasks = db.execute("SELECT start_date, end_date FROM task_instance WHERE dag_id = ?", (DAG_ID,)).fetchall()
    assert len(runs) == 1 and len(tasks) == 1
    logical, run_start, run_end = (_utc(value) for value in runs[0])
    task_start, task_end = (_utc(value) for value in tasks[0])
    assert logical.date() == LOGICAL_DAY
    assert before <= run_start <= task_start <= task_end <= run_end <= after, (
        f"run {run_start} - {run_end}, task {task_start} - {task_end}, command {before} - {after}")
