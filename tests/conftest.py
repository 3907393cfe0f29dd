"""Shared fixtures: the project's real Cassandra node and Kafka broker, a migrated test keyspace and local Spark.

The session uses its own keyspace (`dmp_test`) on the project's node, so tests never touch the
demo's data. The node is started when it is not running and left running for the next session,
as `make test` promises; `dmp services down` stops it (the `kafka` broker likewise). Tests that use the `cassandra`, `cql` or
`spark` fixtures are marked `cassandra` / `spark` automatically. `local_airflow` starts real
`dmp airflow standalone` servers on free ports (from `DMP_TEST_FREE_PORT_BASE`), each with its own
Airflow home copied from one migrated per session, and stops them at the end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Before anything reads the settings: the tests' keyspace, also inherited by subprocesses.
os.environ["DMP_KEYSPACE"] = "dmp_test"
os.environ.setdefault("DMP_SPARK_DRIVER_MEMORY", "2g")

from dmp.orchestration import standalone  # noqa: E402
from dmp.orchestration.airflow_env import (  # noqa: E402
    airflow_environment, airflow_url, migrate_airflow_db, wanted_connections)
from dmp.settings import Settings, load  # noqa: E402

# Airflow imported in-process (DAG tests) uses the project's Airflow home, as the CLI does.
os.environ.update({k: v for k, v in airflow_environment(load()).items() if k.startswith("AIRFLOW")})

from dmp.services import jars  # noqa: E402
from dmp.services.cassandra import CassandraNode  # noqa: E402
from dmp.services.processes import port_in_use  # noqa: E402
from dmp.storage.migrations import migrate  # noqa: E402
from dmp.storage.session import cassandra_session  # noqa: E402

# py4j logs at INFO while the interpreter exits, after pytest has closed the streams it captured.
logging.getLogger("py4j").setLevel(logging.WARNING)

SPARK_TEST_CONF = {"spark.sql.shuffle.partitions": "2", "spark.ui.enabled": "false"}
AIRFLOW_START_TIMEOUT_SECONDS = 300
DEFAULT_FREE_PORT_BASE = 18080
LOG_SERVER_PORT_OFFSET = 10
_MARKS_BY_FIXTURE = {"cassandra": "cassandra", "cql": "cassandra", "spark": "spark", "kafka": "kafka"}


def pytest_collection_modifyitems(items):
    for item in items:
        for fixture, mark in _MARKS_BY_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, mark))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load()


@pytest.fixture(scope="session")
def cassandra(settings) -> CassandraNode:
    """The project's node, started if needed (never stopped here: the next session reuses it)."""
    jars.fetch(jars.cassandra_jars(settings))
    node = CassandraNode(settings)
    node.start()
    return node


@pytest.fixture(scope="session")
def cql(cassandra, settings):
    """A driver session on the node, with the test keyspace migrated to the newest schema."""
    with cassandra_session(settings) as session:
        migrate(session, settings)
        yield session


@pytest.fixture(scope="session")
def kafka(settings):
    """The project's Kafka broker, started if needed (left running like Cassandra; `dmp services down` stops it)."""
    from dmp.services.kafka import KafkaBroker

    jars.fetch(jars.kafka_jars(settings))
    broker = KafkaBroker(settings)
    broker.start()
    return broker


@pytest.fixture(scope="session")
def spark(settings):
    """One local SparkSession for the whole test session, with the connector pointed at the node."""
    from dmp.spark import build_spark_session

    jars.fetch(jars.connector_jars(settings))
    jars.fetch(jars.spark_kafka_jars(settings))
    session = build_spark_session("dmp-tests", settings, conf=SPARK_TEST_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def generated_world(settings, tmp_path_factory):
    """Builds a scratch world: generated days, a model trained on their pages, settings pointing there."""
    from dmp.generate import GenerateRequest, generate
    from dmp.generate.corpus import CORPUS_FILE
    from dmp.tagging.model import publish, train_model

    def build(name: str, start, days: int, people: int, seed: int) -> Settings:
        root = tmp_path_factory.mktemp(name)
        generate(GenerateRequest(start=start, days=days, people=people, out_dir=root / "landing", seed=seed))
        publish(root / "models", train_model(root / "landing" / CORPUS_FILE, root / "models" / "v1").path)
        return dataclasses.replace(
            settings, landing_dir=str(root / "landing"), model_dir=root / "models", runs_dir=root / "runs",
            staging_dir=str(root / "staging"), quarantine_dir=str(root / "quarantine"),
        )

    return build


@dataclasses.dataclass
class LocalAirflow:
    """One `dmp airflow standalone` started by a test, with its own Airflow home."""

    process: subprocess.Popen
    url: str
    settings: Settings
    log_path: Path

    def password(self) -> str:
        """The admin password Airflow generated for this home (simple auth manager)."""
        return json.loads((self.settings.airflow_home / standalone.PASSWORDS_FILE).read_text())["admin"]

    def leader(self) -> int:
        return int(standalone.pid_file(self.settings).read_text())

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-40:])

    def wait_healthy(self, timeout: float = AIRFLOW_START_TIMEOUT_SECONDS) -> None:
        """Until the API server answers and reports the scheduler, triggerer and DAG processor healthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dmp airflow standalone ended early:\n{self.log_tail()}"
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=5) as response:
                    health = json.load(response)
                if all(part.get("status") == "healthy" for part in health.values()):
                    return
            except (OSError, ValueError):
                pass
            time.sleep(2)
        raise AssertionError(f"Airflow at {self.url} not healthy after {timeout} s:\n{self.log_tail()}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=standalone.STOP_GRACE_SECONDS * 3)


def free_port(offset: int) -> int:
    """A free local port from DMP_TEST_FREE_PORT_BASE + offset up (parallel checkouts get their own base)."""
    port = int(os.environ.get("DMP_TEST_FREE_PORT_BASE") or DEFAULT_FREE_PORT_BASE) + offset
    while port_in_use(port):
        port += 1
    return port


@pytest.fixture
def project_connections(monkeypatch):
    """The connections the platform writes to Airflow's database, as `AIRFLOW_CONN_*` variables.

    An operator executed in the test process has no task runner to serve it the database's
    connections; the variables give it the same forms through Airflow's own lookup.
    """
    for conn_id, form in wanted_connections(load()).items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(form))


@pytest.fixture(scope="session")
def migrated_airflow_home(tmp_path_factory) -> Path:
    """An Airflow home with a freshly migrated metadata database, migrated once per session."""
    var = tmp_path_factory.mktemp("airflow-template") / "var"
    settings = load({**os.environ, "DMP_VAR_DIR": str(var)})
    migrate_airflow_db(settings)
    return settings.airflow_home


@pytest.fixture(scope="session")
def local_airflow(tmp_path_factory, migrated_airflow_home):
    """Starts `dmp airflow standalone` in a scratch var folder: `start(name, port_offset, **env)`, stopped at the end."""
    started: list[LocalAirflow] = []

    def start(name: str, port_offset: int, **extra_env: str) -> LocalAirflow:
        var = tmp_path_factory.mktemp(name) / "var"
        env = {
            **os.environ, "DMP_VAR_DIR": str(var), "DMP_AIRFLOW_PORT": str(free_port(port_offset)),
            # The scheduler's and triggerer's log servers, off their fixed ports (8793, 8794) someone else may hold.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port(port_offset + LOG_SERVER_PORT_OFFSET)),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port(port_offset + 2 * LOG_SERVER_PORT_OFFSET)),
            **extra_env,
        }
        settings = load(env)
        shutil.copytree(migrated_airflow_home, settings.airflow_home)
        log_path = var / "standalone.log"
        with log_path.open("w") as log_file:
            process = subprocess.Popen([str(Path(sys.executable).parent / "dmp"), "airflow", "standalone"],
                                       env=env, stdout=log_file, stderr=subprocess.STDOUT)
        airflow = LocalAirflow(process, airflow_url(settings), settings, log_path)
        started.append(airflow)
        return airflow

    yield start
    for airflow in started:
        if airflow.process.poll() is None:
            airflow.stop()
