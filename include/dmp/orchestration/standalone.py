"""The local Airflow (`make airflow`, `dmp airflow standalone`) as one supervised service.

`airflow standalone` starts a scheduler, a DAG processor, an API server and a triggerer, and the
scheduler's LocalExecutor its workers; it stops them only on Ctrl-C, so a SIGTERM (a service
manager, a closed terminal) ends it alone and leaves the rest serving the port. Here it runs in a
session of its own with its id in `var/airflow/standalone.pid`: SIGTERM, SIGINT or SIGHUP to
`dmp`, or `dmp services down` from elsewhere, stops that whole session, waits for it, and kills
what is still there after `STOP_GRACE_SECONDS`.
"""

from __future__ import annotations

import logging
import signal
import subprocess
from pathlib import Path

from dmp.errors import ServiceError
from dmp.orchestration.airflow_env import airflow_environment, airflow_url, venv_bin
from dmp.services.processes import command_names, port_in_use, session_processes, stop_session
from dmp.settings import Settings

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 30
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
AIRFLOW_COMMAND = "airflow"


class _StopRequested(Exception):
    """Raised by the signal handler so the supervisor leaves its wait and stops the session."""


def pid_file(settings: Settings) -> Path:
    return settings.airflow_home / "standalone.pid"


def running_leader(settings: Settings) -> int | None:
    """The session id of the local Airflow when any of its processes lives; a stale pid file goes."""
    path = pid_file(settings)
    try:
        leader = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    # A session id is a pid, and pids are reused: the session must still be Airflow's.
    if any(AIRFLOW_COMMAND in command for command in command_names(session_processes(leader))):
        return leader
    path.unlink(missing_ok=True)
    return None


def _check_can_start(settings: Settings) -> None:
    leader = running_leader(settings)
    if leader is not None:
        raise ServiceError(
            f"The local Airflow already runs (session {leader}, {airflow_url(settings)}); "
            "`dmp services down` (or `make down`) stops it."
        )
    if port_in_use(settings.airflow_port):
        raise ServiceError(
            f"Port {settings.airflow_port} is taken by another process, so Airflow's API server cannot listen "
            f"there. Stop that process (`ss -ltnp | grep {settings.airflow_port}` shows it) or set DMP_AIRFLOW_PORT."
        )


def _raise_stop(signum, _frame) -> None:
    raise _StopRequested(signal.Signals(signum).name)


def serve(settings: Settings) -> int:
    """Run `airflow standalone` in the foreground until it ends or a stop signal arrives."""
    _check_can_start(settings)
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    print(f"Airflow UI: {airflow_url(settings)}, user admin, password in {settings.airflow_home / PASSWORDS_FILE} "
          "(printed below on the first start); stop with Ctrl-C, SIGTERM or `dmp services down`", flush=True)
    process = subprocess.Popen(
        [str(venv_bin() / "airflow"), "standalone"], env=airflow_environment(settings), start_new_session=True
    )
    pid_file(settings).write_text(f"{process.pid}\n")
    previous = {signum: signal.signal(signum, _raise_stop) for signum in STOP_SIGNALS}
    try:
        return process.wait()
    except _StopRequested as stop:
        log.info("%s received: stopping the local Airflow (session %s)", stop, process.pid)
        return 0
    finally:
        # A second Ctrl-C must not end the supervisor halfway: the stop is bounded by the grace period.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        _stop(settings, process.pid)
        process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop(settings: Settings, leader: int) -> None:
    still_running = stop_session(leader, STOP_GRACE_SECONDS)
    if still_running:
        log.warning("killed the Airflow process(es) still running %s s after SIGTERM: %s",
                    STOP_GRACE_SECONDS, "; ".join(still_running))
    pid_file(settings).unlink(missing_ok=True)


def stop(settings: Settings) -> bool:
    """Stop the local Airflow started by `serve` (from any process); True when it was running."""
    leader = running_leader(settings)
    if leader is None:
        return False
    _stop(settings, leader)
    return True
