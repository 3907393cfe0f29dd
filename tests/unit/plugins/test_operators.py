"""The Spark operator hands its job the settings of when it runs: connections, given parameters, the worker's env.

Connections come through Airflow's own lookup, here from `AIRFLOW_CONN_*` variables holding the
forms the platform writes to Airflow's database (no task runner serves the database to a test);
nothing is submitted: `prepare` is everything the operator
does before spark-submit starts, and its `env_vars` and `conf` are what spark-submit gets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import tls_material

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "plugins"))

from dmp_airflow.operators import DmpGateOperator, DmpSparkSubmitOperator  # noqa: E402

from dmp.errors import ConfigError  # noqa: E402
from dmp.orchestration.connections import CASSANDRA_CONN_ID, cassandra_connection, cassandra_overrides  # noqa: E402
from dmp.settings import load  # noqa: E402

OTHER_PORT = 19_342


def _operator(**kwargs) -> DmpSparkSubmitOperator:
    return DmpSparkSubmitOperator(task_id="validate_events", job="validate_events", **kwargs)


def test_the_project_connections_give_the_job_the_settings_they_were_made_from(project_connections):
    settings = load()
    job_settings = _operator().prepare({"params": {}})
    assert (job_settings.cassandra_hosts, job_settings.cassandra_port) == (settings.cassandra_hosts,
                                                                          settings.cassandra_port)
    assert job_settings.spark_master == settings.spark_master


def test_a_changed_cassandra_connection_changes_what_the_job_gets(project_connections, monkeypatch, tmp_path):
    ca_file, _ = tls_material.new_ca("dmp test CA").write_pem(tmp_path, "ca")
    monkeypatch.setenv("AIRFLOW_CONN_CASSANDRA_DEFAULT", json.dumps(
        {"conn_type": "cassandra", "host": "10.0.0.7,10.0.0.8", "port": OTHER_PORT, "login": "dmp",
         "password": "s3cret", "extra": {"ssl": "on", "ssl_ca": str(ca_file), "protocol_version": 5}}))
    operator = _operator()
    job_settings = operator.prepare({"params": {}})
    assert job_settings.cassandra_hosts == ("10.0.0.7", "10.0.0.8") and job_settings.cassandra_port == OTHER_PORT
    assert operator.env_vars["DMP_CASSANDRA_PORT"] == str(OTHER_PORT)
    assert (operator.env_vars["DMP_CASSANDRA_USERNAME"], operator.env_vars["DMP_CASSANDRA_PASSWORD"]) == (
        "dmp", "s3cret")
    assert (operator.env_vars["DMP_CASSANDRA_SSL"], operator.env_vars["DMP_CASSANDRA_SSL_CA"]) == ("on", str(ca_file))
    assert job_settings.cassandra_tls.ca_file == ca_file
    assert not any("PROTOCOL" in name for name in operator.env_vars)
    assert operator.conf["spark.cassandra.connection.host"] == "10.0.0.7,10.0.0.8"
    assert operator.conf["spark.cassandra.connection.port"] == str(OTHER_PORT)


def test_the_spark_master_of_the_connection_is_the_jobs_master_setting(project_connections, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "spark://master",
                                                                 "port": 7077}))
    monkeypatch.setenv("DMP_SPARK_MASTER", "local[2]")
    operator = _operator()
    job_settings = operator.prepare({"params": {}})
    assert job_settings.spark_master == "spark://master:7077"
    assert "spark.sql.shuffle.partitions" not in operator.conf  # the local-only width is not applied on a cluster


def test_a_cassandra_connection_without_a_host_is_a_clear_error(project_connections, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CASSANDRA_DEFAULT", json.dumps({"conn_type": "cassandra", "port": 9042}))
    with pytest.raises(ConfigError, match="cassandra_default.*no host"):
        _operator().prepare({"params": {}})


def test_the_workers_settings_apply_unless_a_parameter_is_given(project_connections, monkeypatch):
    monkeypatch.setenv("DMP_MAX_REJECTED_SHARE", "0.12")
    monkeypatch.setenv("DMP_MIN_TAGGED_SHARE", "0.7")
    empty = {"max_rejected_share": None, "min_tagged_share": None, "max_lateness_hours": None}
    assert _operator().prepare({"params": empty}).max_rejected_share == 0.12
    given = _operator().prepare({"params": {**empty, "max_rejected_share": 0.3}})
    assert (given.max_rejected_share, given.min_tagged_share) == (0.3, 0.7)


def test_env_vars_given_to_the_task_win(project_connections):
    operator = _operator(env_vars={"DMP_CASSANDRA_PORT": str(OTHER_PORT)})
    assert operator.prepare({"params": {}}).cassandra_port == OTHER_PORT


def test_the_job_and_driver_memory_are_resolved_when_the_task_runs(project_connections, monkeypatch):
    monkeypatch.setenv("DMP_SPARK_DRIVER_MEMORY", "3g")
    operator = DmpGateOperator(gate="raw_events", application_args=["--date", "2026-11-01"])
    assert operator.application == ""  # nothing of the settings at parse time
    operator.prepare({"params": {}})
    assert operator.application == str(load().home / "spark_jobs" / "gate.py")
    assert operator._driver_memory == "3g"
    assert operator.application_args[:2] == ["--gate", "raw_events"]


def test_the_connection_made_for_a_secured_platform_carries_its_login_and_tls(tmp_path):
    ca_file, _ = tls_material.new_ca("dmp test CA").write_pem(tmp_path, "ca")
    settings = load({"DMP_CASSANDRA_USERNAME": "dmp", "DMP_CASSANDRA_PASSWORD": "s3cret", "DMP_CASSANDRA_SSL": "on",
                     "DMP_CASSANDRA_SSL_CA": str(ca_file), "DMP_CASSANDRA_SSL_VERIFY_HOSTNAME": "off"})
    connection = cassandra_connection(settings)
    overrides = cassandra_overrides(CASSANDRA_CONN_ID, connection["host"], connection["port"], connection["login"],
                                    connection["password"], connection["extra"])
    back = load({}, overrides=overrides)
    assert back.cassandra_auth == settings.cassandra_auth
    assert back.cassandra_tls == settings.cassandra_tls


def test_the_spark_operator_takes_keyword_arguments_only():
    with pytest.raises(TypeError):
        DmpSparkSubmitOperator("validate", "validate_events")


def test_the_gate_operator_runs_the_gate_job_for_its_gate():
    operator = DmpGateOperator(gate="raw_events", application_args=["--date", "{{ ds }}"])
    assert operator.task_id == "gate_raw_events" and operator.step == "gate_raw_events"
    assert operator.application_args == ["--gate", "raw_events", "--date", "{{ ds }}"]
