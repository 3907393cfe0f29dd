"""The local Airflow is sized to the machine: parallelism and API server workers from its cores."""

from __future__ import annotations

import pytest

from dmp.errors import ConfigError
from dmp.orchestration.airflow_env import airflow_environment
from dmp.settings import load, machine_cpus

AIRFLOW_DEFAULT_PARALLELISM = "32"


def test_parallelism_and_api_workers_follow_the_cores_by_default():
    env = airflow_environment(load({}), base={})
    cpus = machine_cpus()
    assert env["AIRFLOW__CORE__PARALLELISM"] == str(cpus) != AIRFLOW_DEFAULT_PARALLELISM
    assert env["AIRFLOW__API__WORKERS"] == str(max(1, cpus // 2))
    assert env["AIRFLOW__API__PORT"] == "8080"


def test_sizes_and_port_are_settings():
    settings = load({"DMP_AIRFLOW_PARALLELISM": "6", "DMP_AIRFLOW_API_WORKERS": "3", "DMP_AIRFLOW_PORT": "18650"})
    env = airflow_environment(settings, base={})
    assert (env["AIRFLOW__CORE__PARALLELISM"], env["AIRFLOW__API__WORKERS"]) == ("6", "3")
    assert env["AIRFLOW__API__PORT"] == "18650"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://localhost:18650/execution/", \
        "tasks report to this API server, not to whatever listens on 8080"


@pytest.mark.parametrize("name", ["DMP_AIRFLOW_PARALLELISM", "DMP_AIRFLOW_API_WORKERS", "DMP_AIRFLOW_PORT"])
def test_a_bad_size_names_the_setting(name):
    with pytest.raises(ConfigError, match=name):
        load({name: "0"})
