"""The processes a supervised service started, found and stopped as one.

A service started in a session of its own (`start_new_session=True`) keeps every process it forks
in that session, even those that make a process group of their own (Airflow's task supervisors
do). A process that starts yet another session (a bash task's command) is still a descendant.
`/proc` tells both, so a stop reaches the whole tree, not just the leader: a plain SIGTERM to
`airflow standalone` ends the leader and leaves its scheduler, API server and workers running.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
PORT_PROBE_SECONDS = 0.5


def _process_table() -> dict[int, tuple[int, int]]:
    """Every live (not zombie) process as pid -> (parent pid, session id)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone since the listing
        state, ppid, _pgrp, sid = fields[0], int(fields[1]), fields[2], int(fields[3])
        if state != "Z":
            table[int(entry.name)] = (ppid, sid)
    return table


def session_processes(leader: int) -> set[int]:
    """The live processes of the session `leader` started, and all their descendants."""
    table = _process_table()
    found = {pid for pid, (_, sid) in table.items() if sid == leader}
    frontier = set(found)
    while frontier:
        frontier = {pid for pid, (ppid, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (an ended process waiting to be reaped has stopped)."""
    return pids & _process_table().keys()


def _signal_all(pids: set[int], signum: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def stop_session(leader: int, grace_seconds: float) -> list[str]:
    """SIGTERM the whole session, wait up to `grace_seconds`, SIGKILL what is left (their command lines)."""
    targets = session_processes(leader)
    _signal_all(targets, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        # Processes forked while the others shut down belong to the stop too.
        targets = running(targets) | session_processes(leader)
        if not targets:
            return []
        time.sleep(POLL_SECONDS)
    stubborn = command_names(targets)
    _signal_all(targets, signal.SIGKILL)
    return stubborn


def command_names(pids: set[int]) -> list[str]:
    """The process names (as `ps` shows them) of `pids`, for messages."""
    names = []
    for pid in sorted(pids):
        try:
            names.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip())
        except OSError:
            continue
    return names


def port_in_use(port: int) -> bool:
    """True when something accepts connections on the local `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(PORT_PROBE_SECONDS)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def runs_main_class(pid: int, main_class: str) -> bool:
    """True when `pid` is alive and is the JVM running `main_class` (pids get reused after a reboot)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    # An empty command line is a process between two execs (the java launcher re-executes itself).
    return state != "Z" and (main_class.encode() + b"\0" in cmdline or cmdline == b"")


def stop_daemon(name: str, pid: int, main_class: str, timeout: float) -> None:
    """SIGTERM a JVM daemon (its shutdown hook runs), wait up to `timeout` s, then SIGKILL it."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and runs_main_class(pid, main_class):
        time.sleep(POLL_SECONDS)
    if runs_main_class(pid, main_class):
        log.warning("%s (pid %s) ignored SIGTERM for %s s; killing it", name, pid, timeout)
        os.kill(pid, signal.SIGKILL)


def log_tail(paths: tuple[Path, ...], lines: int, log_dir: Path) -> str:
    """The last `lines` of each of `paths` that exists, for an error message."""
    sections = []
    for path in paths:
        if path.is_file():
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            sections.append(f"Last lines of {path}:\n" + "\n".join(tail))
    return "\n\n".join(sections) or f"No log was written in {log_dir}."
