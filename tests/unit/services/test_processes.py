"""Stopping a supervised service stops its whole tree, stubborn and re-sessioned processes included.

The tree is real processes: a leader in its own session, a child in a process group of its own
(as Airflow's task supervisors make), a grandchild that starts a session of its own (as a bash
task's command does), and one that ignores SIGTERM.
"""

from __future__ import annotations

import subprocess
import time

from dmp.services.processes import log_tail, runs_main_class, session_processes, stop_daemon, stop_session

# A leader that starts: a child in its own process group, a grandchild in a new session, and a
# child that ignores SIGTERM; then waits.
TREE = (
    "set -m; sleep 300 & "
    "python3 -c 'import subprocess; subprocess.Popen([\"sleep\", \"300\"], start_new_session=True).wait()' & "
    "sh -c 'trap \"\" TERM; sleep 300; sleep 300' & "
    "wait"
)
TREE_SIZE = 6  # the leader, its three children, the sleeps of the last two
SETTLE_SECONDS = 10


def _started_tree() -> subprocess.Popen:
    leader = subprocess.Popen(["bash", "-c", TREE], start_new_session=True)
    deadline = time.monotonic() + SETTLE_SECONDS
    while len(session_processes(leader.pid)) < TREE_SIZE and time.monotonic() < deadline:
        time.sleep(0.1)
    return leader


def test_a_stop_reaches_every_process_of_the_tree():
    leader = _started_tree()
    started = session_processes(leader.pid)
    assert len(started) >= TREE_SIZE
    killed = stop_session(leader.pid, grace_seconds=2)
    leader.wait(timeout=10)
    assert killed, "the process that ignores SIGTERM needed a SIGKILL"
    time.sleep(0.5)
    assert session_processes(leader.pid) == set()
    ps = subprocess.run(["ps", "-o", "pid=,stat=", "-p", ",".join(map(str, started))], capture_output=True, text=True)
    alive = [line for line in ps.stdout.splitlines() if not line.split()[1].startswith("Z")]  # zombies have ended
    assert alive == [], f"still running: {alive}"


def test_an_ended_session_has_no_processes():
    leader = subprocess.Popen(["true"], start_new_session=True)
    leader.wait()
    assert session_processes(leader.pid) == set()


def test_a_daemon_is_known_by_its_main_class_argument_and_stopped_by_it(tmp_path):
    daemon = subprocess.Popen(["sleep", "301"])
    try:
        assert runs_main_class(daemon.pid, "301") and not runs_main_class(daemon.pid, "30")
        stop_daemon("sleep", daemon.pid, "301", timeout=5)
        daemon.wait(timeout=5)
        assert not runs_main_class(daemon.pid, "301"), "gone once reaped"
    finally:
        daemon.kill()


def test_the_log_tail_names_each_log_or_says_none_was_written(tmp_path):
    (tmp_path / "a.log").write_text("".join(f"line {n}\n" for n in range(30)))
    tail = log_tail((tmp_path / "a.log", tmp_path / "missing.log"), 3, tmp_path)
    assert tail == f"Last lines of {tmp_path / 'a.log'}:\nline 27\nline 28\nline 29"
    assert log_tail((tmp_path / "missing.log",), 3, tmp_path) == f"No log was written in {tmp_path}."
