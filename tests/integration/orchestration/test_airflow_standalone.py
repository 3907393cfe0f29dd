"""Stopping the local Airflow stops all of it: SIGTERM to `dmp airflow standalone`, or `dmp services down`.

`airflow standalone` alone, on SIGTERM, ended and left its scheduler, API server, triggerer and
workers serving the port. Here a real one starts on a free port with its own Airflow home; once
every component is healthy (and its LocalExecutor has as many workers as the machine's sizing
says, not Airflow's 32) it gets SIGTERM, and nothing of its session may remain.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dmp.orchestration import standalone
from dmp.services.processes import port_in_use, running, session_processes
from dmp.settings import load

DMP = str(Path(sys.executable).parent / "dmp")
COMPONENTS = ("airflow scheduler", "airflow dag-processor", "airflow api_server", "airflow triggerer")
LOCAL_EXECUTOR_WORKER = "airflow worker -- LocalExecutor"
STOP_PORT_OFFSET = 1


def _command_lines(pids) -> str:
    lines = []
    for pid in pids:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            pass
    return "\n".join(lines)


@pytest.mark.airflow
def test_sigterm_stops_every_process_the_local_airflow_started(local_airflow):
    airflow = local_airflow("standalone-stop", STOP_PORT_OFFSET)
    airflow.wait_healthy()
    leader = airflow.leader()
    started = session_processes(leader)
    commands = _command_lines(started)
    assert all(component in commands for component in COMPONENTS), commands
    assert commands.count(LOCAL_EXECUTOR_WORKER) == airflow.settings.airflow_parallelism, "workers sized to the machine"

    assert airflow.stop() == 0, airflow.log_tail()
    assert session_processes(leader) == set(), _command_lines(session_processes(leader))
    assert running(started) == set(), _command_lines(running(started))
    assert not port_in_use(airflow.settings.airflow_port)
    assert not standalone.pid_file(airflow.settings).exists()


def test_services_down_stops_a_local_airflow_it_did_not_start(tmp_path):
    """`make down` from another terminal: the pid file leads to the session, which is stopped whole."""
    env = {**os.environ, "DMP_VAR_DIR": str(tmp_path / "var")}
    settings = load(env)
    settings.airflow_home.mkdir(parents=True)
    # Processes that say they are Airflow's, as the pid file's session must (pids are reused).
    stand_in = subprocess.Popen(["bash", "-c", "exec -a 'airflow standalone' bash -c 'sleep 300 & sleep 300 & wait'"],
                                start_new_session=True)
    standalone.pid_file(settings).write_text(f"{stand_in.pid}\n")
    down = subprocess.run([DMP, "services", "down"], env=env, capture_output=True, text=True, timeout=120)
    stand_in.wait(timeout=10)
    assert down.returncode == 0, down.stderr
    assert "Airflow stopped" in down.stdout and "Cassandra was not running" in down.stdout
    assert session_processes(stand_in.pid) == set()
    assert not standalone.pid_file(settings).exists()


def test_a_stale_pid_file_never_stops_a_session_that_is_not_airflow(tmp_path):
    settings = load({**os.environ, "DMP_VAR_DIR": str(tmp_path / "var")})
    settings.airflow_home.mkdir(parents=True)
    stranger = subprocess.Popen(["sleep", "300"], start_new_session=True)
    standalone.pid_file(settings).write_text(f"{stranger.pid}\n")
    try:
        assert standalone.stop(settings) is False
        assert stranger.poll() is None, "an unrelated process that got the old pid is left alone"
        assert not standalone.pid_file(settings).exists()
    finally:
        stranger.kill()
        stranger.wait()
