"""The environment Airflow runs in, built from the project's settings.

`make airflow`, `dmp run`, `dmp airflow ...` and the tests all start Airflow through
`airflow_environment()`, so they share one Airflow home inside the repo (`var/airflow`, SQLite
metadata), the project's DAGs and plugins and no example DAGs. The connections `cassandra_default`
and `spark_default` are written to its database from the same settings the CLI uses, where the
UI can edit them (`sync_connections`; `dmp.orchestration.connections` reads them back for the
tasks' jobs). Parallelism
and the API server's workers are sized to the machine (`DMP_AIRFLOW_PARALLELISM`,
`DMP_AIRFLOW_API_WORKERS`), its port is `DMP_AIRFLOW_PORT`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dmp.errors import MissingToolError, ServiceError
from dmp.orchestration.connection_sync import EDITED, fingerprint
from dmp.orchestration.connections import CASSANDRA_CONN_ID, SPARK_CONN_ID, cassandra_connection, spark_connection
from dmp.services.java import java17_environment
from dmp.settings import Settings

AIRFLOW_DB_TIMEOUT_SECONDS = 600
CONNECTIONS_STAMP = ".dmp-connections.json"
CONNECTION_SYNC_MODULE = "dmp.orchestration.connection_sync"


def venv_bin() -> Path:
    """The folder of the running interpreter, where pip put `airflow`, `spark-submit` and `dmp`."""
    return Path(sys.executable).parent


def airflow_executable() -> Path:
    """The venv's `airflow`; a clear error when it is not installed there."""
    airflow = venv_bin() / "airflow"
    if not airflow.is_file():
        raise MissingToolError(f"{airflow} is missing: Airflow is not installed in this environment; "
                               "run `make setup` (or `pip install -r requirements.txt -c constraints.txt`).")
    return airflow


def airflow_url(settings: Settings) -> str:
    """Where the local Airflow's API server (the UI) listens."""
    return f"http://localhost:{settings.airflow_port}"


def airflow_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """A full process environment for running Airflow commands against the project."""
    env = java17_environment(base)
    python = str(venv_bin() / "python")
    env.update(
        {
            "DMP_HOME": str(settings.home),
            "AIRFLOW_HOME": str(settings.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.home / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.home / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{settings.airflow_home / 'airflow.db'}",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__PARALLELISM": str(settings.airflow_parallelism),
            "AIRFLOW__API__WORKERS": str(settings.airflow_api_workers),
            "AIRFLOW__API__PORT": str(settings.airflow_port),
            # Tasks report to the execution API of this API server, not Airflow's default port 8080.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{airflow_url(settings)}/execution/",
            "PYSPARK_PYTHON": python,
            "PYSPARK_DRIVER_PYTHON": python,
            "PATH": f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def run_airflow(settings: Settings, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run the venv's `airflow` with the project's environment."""
    airflow = airflow_executable()
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(airflow), *args], env=airflow_environment(settings), **kwargs)


def _airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow")


def migrate_airflow_db(settings: Settings) -> bool:
    """Create or upgrade the metadata database once per Airflow version (True when it ran), then sync the connections."""
    stamp = settings.airflow_home / f".db-migrated-{_airflow_version()}"
    if stamp.is_file() and (settings.airflow_home / "airflow.db").is_file():
        sync_connections(settings)
        return False
    result = run_airflow(
        settings, ["db", "migrate"], capture_output=True, text=True, timeout=AIRFLOW_DB_TIMEOUT_SECONDS
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise ServiceError(f"`airflow db migrate` failed (Airflow home {settings.airflow_home}):\n{tail}")
    stamp.write_text("ok\n")
    (settings.airflow_home / CONNECTIONS_STAMP).unlink(missing_ok=True)  # a new database holds none of them
    sync_connections(settings)
    return True


def wanted_connections(settings: Settings) -> dict[str, dict]:
    """The connections the platform keeps in Airflow's database, as the settings make them."""
    return {CASSANDRA_CONN_ID: cassandra_connection(settings), SPARK_CONN_ID: spark_connection(settings)}


def sync_connections(settings: Settings) -> dict[str, str]:
    """Write the settings' connections to Airflow's database unless someone edited them there.

    Returns what happened to each ({} when the settings have not changed since the last write, in
    which case Airflow is not started at all); an edited connection is left as it is, with a note.
    """
    stamp = settings.airflow_home / CONNECTIONS_STAMP
    wanted = wanted_connections(settings)
    written = json.loads(stamp.read_text()) if stamp.is_file() else {}
    if written == {conn_id: fingerprint(form) for conn_id, form in wanted.items()}:
        return {}
    airflow_executable()  # a clear error, before anything runs, when Airflow is not installed here
    request = {conn_id: {"wanted": form, "written": written.get(conn_id)} for conn_id, form in wanted.items()}
    result = subprocess.run([str(venv_bin() / "python"), "-m", CONNECTION_SYNC_MODULE], input=json.dumps(request),
                            env=airflow_environment(settings), capture_output=True, text=True,
                            timeout=AIRFLOW_DB_TIMEOUT_SECONDS)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise ServiceError(f"writing the Airflow connections failed (Airflow home {settings.airflow_home}):\n{tail}")
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    for conn_id, action in outcome.items():
        if action == EDITED:
            print(f"note: Airflow connection {conn_id!r} was edited in Airflow and is used as it is there, "
                  f"not as the DMP_* settings make it; delete it there to go back to the settings.", file=sys.stderr)
        else:
            written[conn_id] = fingerprint(wanted[conn_id])
    stamp.write_text(json.dumps(written, indent=2, sort_keys=True) + "\n")
    return outcome
