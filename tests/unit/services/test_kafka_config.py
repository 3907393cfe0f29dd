"""The local Kafka node's configuration: the committed base plus this checkout's ports and folders."""

from __future__ import annotations

import dataclasses
import re

from dmp.services.kafka import KafkaBroker, new_cluster_id
from dmp.settings import load


def test_the_written_config_listens_on_the_configured_loopback_ports(tmp_path):
    settings = load({"DMP_VAR_DIR": str(tmp_path), "DMP_KAFKA_PORT": "29100"})
    assert (settings.kafka_port, settings.kafka_controller_port, settings.kafka_servers) == (
        29100, 29101, "127.0.0.1:29100")
    broker = KafkaBroker(settings)
    broker._write_config()
    lines = dict(line.split("=", 1) for line in broker.config_file.read_text().splitlines()
                 if "=" in line and not line.startswith("#"))
    assert lines["listeners"] == "PLAINTEXT://127.0.0.1:29100,CONTROLLER://127.0.0.1:29101"
    assert lines["controller.quorum.voters"] == "1@127.0.0.1:29101"
    assert lines["process.roles"] == "broker,controller", "KRaft: no ZooKeeper"
    assert lines["log.dirs"] == str(tmp_path / "kafka" / "data")


def test_the_cluster_id_is_made_once_and_kept(tmp_path):
    broker = KafkaBroker(load({"DMP_VAR_DIR": str(tmp_path)}))
    broker.home.mkdir(parents=True)
    first = broker.cluster_id()
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", first)
    assert broker.cluster_id() == first
    assert new_cluster_id() != first


def test_a_bootstrap_setting_replaces_the_local_broker():
    settings = load({"DMP_KAFKA_BOOTSTRAP": " k1:9092,k2:9092 "})
    assert settings.kafka_servers == "k1:9092,k2:9092"
    assert dataclasses.replace(settings, kafka_bootstrap=None).kafka_servers == "127.0.0.1:9092"
