"""Settings from the environment: defaults for one machine, cluster values by configuration."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.errors import ConfigError
from dmp.settings import load, parse_replication


def test_defaults_are_a_local_single_node():
    settings = load({})
    assert settings.cassandra_hosts == ("127.0.0.1",)
    assert (settings.cassandra_port, settings.cassandra_storage_port) == (9042, 7000)
    assert settings.spark_master == "local[*]"
    assert settings.replication.as_cql() == "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    assert settings.events_ttl_seconds == settings.events_ttl_days * 86_400
    assert settings.runs_dir == settings.var_dir / "runs"


def test_a_cluster_is_configuration_only():
    settings = load({
        "DMP_CASSANDRA_HOSTS": "10.0.0.1, 10.0.0.2",
        "DMP_REPLICATION": "NetworkTopologyStrategy:dc1=3,dc2=2",
        "DMP_SPARK_MASTER": "spark://master:7077",
        "DMP_EVENTS_TTL_DAYS": "90",
        "DMP_PIPELINE_START": "2025-01-01",
        "DMP_MAX_REJECTED_SHARE": "0.2",
    })
    assert settings.cassandra_hosts == ("10.0.0.1", "10.0.0.2")
    assert settings.replication.as_cql() == "{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}"
    assert settings.spark_master == "spark://master:7077"
    assert settings.events_ttl_seconds == 90 * 86_400
    assert settings.pipeline_start == dt.date(2025, 1, 1)
    assert settings.max_rejected_share == 0.2


@pytest.mark.parametrize("text", ["Simple", "NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1=x", "SimpleStrategy:a"])
def test_unknown_replication_says_what_is_understood(text):
    with pytest.raises(ConfigError, match="SimpleStrategy:1"):
        parse_replication(text)


@pytest.mark.parametrize(
    "env, name",
    [
        ({"DMP_EVENTS_TTL_DAYS": "a month"}, "DMP_EVENTS_TTL_DAYS"),
        ({"DMP_EVENTS_TTL_DAYS": "0"}, "DMP_EVENTS_TTL_DAYS"),
        ({"DMP_CASSANDRA_PORT": "-1"}, "DMP_CASSANDRA_PORT"),
        ({"DMP_CASSANDRA_HOSTS": " , "}, "DMP_CASSANDRA_HOSTS"),
        ({"DMP_PIPELINE_START": "November"}, "DMP_PIPELINE_START"),
        ({"DMP_MAX_REJECTED_SHARE": "5%"}, "DMP_MAX_REJECTED_SHARE"),
        ({"DMP_MAX_REJECTED_SHARE": "1.5"}, "DMP_MAX_REJECTED_SHARE"),
        ({"DMP_VOLUME_DRIFT_MIN": "0"}, "DMP_VOLUME_DRIFT_MIN"),
        ({"DMP_VOLUME_DRIFT_MAX": "twice"}, "DMP_VOLUME_DRIFT_MAX"),
        ({"DMP_MAX_LATE_SHARE": "nan"}, "DMP_MAX_LATE_SHARE"),
    ],
)
def test_bad_values_name_the_setting(env, name):
    with pytest.raises(ConfigError, match=name):
        load(env)


def test_volume_drift_bounds_and_late_share_are_settings():
    settings = load({"DMP_VOLUME_DRIFT_MIN": "0.8", "DMP_VOLUME_DRIFT_MAX": "1.25", "DMP_MAX_LATE_SHARE": "0.02"})
    assert (settings.volume_drift_min, settings.volume_drift_max, settings.max_late_share) == (0.8, 1.25, 0.02)
    assert (load({}).volume_drift_min, load({}).volume_drift_max, load({}).max_late_share) == (0.5, 2.0, 0.1)
