"""The project's Cassandra node: truthful status, idempotent start, clear messages when it cannot start."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from dmp.errors import ServiceError
from dmp.services.cassandra import CassandraNode, State


def _elsewhere(settings, tmp_path, **changes):
    """Settings for a second node with its own folder, reusing the project's downloaded jars."""
    (tmp_path / "lib").mkdir()
    os.symlink(settings.cassandra_jars_dir, tmp_path / "lib" / "cassandra")
    return dataclasses.replace(settings, var_dir=tmp_path, **changes)


def test_a_running_node_says_so_with_its_version(cassandra):
    status = cassandra.status()
    assert status.state is State.RUNNING
    assert status.version.startswith("5.0.")
    assert f"pid {status.pid}" in status.describe(cassandra)


def test_starting_a_running_node_is_a_no_op(cassandra):
    before = cassandra.status()
    started = time.monotonic()
    after = cassandra.start()
    assert after.pid == before.pid
    assert time.monotonic() - started < 10, "a second start must not spawn or wait for a new JVM"


def test_a_node_that_never_started_is_stopped(settings, tmp_path):
    node = CassandraNode(_elsewhere(settings, tmp_path))
    assert node.status().state is State.STOPPED
    assert node.stop() is False


def test_a_taken_port_is_named_with_what_to_do(cassandra, settings, tmp_path):
    other = CassandraNode(_elsewhere(settings, tmp_path, cassandra_storage_port=17999))
    with pytest.raises(ServiceError, match=rf"Port {settings.cassandra_port} .* taken.*DMP_CASSANDRA_PORT"):
        other.start(timeout=5)


def test_a_failed_start_shows_the_log_path_and_its_last_lines(settings, tmp_path):
    broken = CassandraNode(
        _elsewhere(settings, tmp_path, cassandra_port=19942, cassandra_storage_port=17998, cassandra_heap="1X")
    )
    with pytest.raises(ServiceError, match="exited during start-up") as failure:
        broken.start(timeout=60)
    message = str(failure.value)
    assert str(broken.stdout_log) in message
    assert "heap" in message.lower(), "the JVM's own complaint is part of the message"
    assert broken.status().state is State.STOPPED
