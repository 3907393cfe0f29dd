"""Shared fixtures: the project's real Cassandra node, a migrated test keyspace and local Spark.

The session uses its own keyspace (`dmp_test`) on the project's node, so tests never touch the
demo's data. The node is started when it is not running and left running for the next session,
as `make test` promises; `dmp services down` stops it. Tests that use the `cassandra`, `cql` or
`spark` fixtures are marked `cassandra` / `spark` automatically.
"""

from __future__ import annotations

import logging
import os

import pytest

# Before anything reads the settings: the tests' keyspace, also inherited by subprocesses.
os.environ["DMP_KEYSPACE"] = "dmp_test"
os.environ.setdefault("DMP_SPARK_DRIVER_MEMORY", "2g")

from dmp.orchestration.airflow_env import airflow_environment  # noqa: E402
from dmp.settings import Settings, load  # noqa: E402

# Airflow imported in-process (DAG tests) uses the project's Airflow home, as the CLI does.
os.environ.update({k: v for k, v in airflow_environment(load()).items() if k.startswith("AIRFLOW")})

from dmp.services import jars  # noqa: E402
from dmp.services.cassandra import CassandraNode  # noqa: E402
from dmp.storage.migrations import migrate  # noqa: E402
from dmp.storage.session import cassandra_session  # noqa: E402

# py4j logs at INFO while the interpreter exits, after pytest has closed the streams it captured.
logging.getLogger("py4j").setLevel(logging.WARNING)

SPARK_TEST_CONF = {"spark.sql.shuffle.partitions": "2", "spark.ui.enabled": "false"}
_MARKS_BY_FIXTURE = {"cassandra": "cassandra", "cql": "cassandra", "spark": "spark"}


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
def spark(settings):
    """One local SparkSession for the whole test session, with the connector pointed at the node."""
    from dmp.spark import build_spark_session

    jars.fetch(jars.connector_jars(settings))
    session = build_spark_session("dmp-tests", settings, conf=SPARK_TEST_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def generated_world(settings, tmp_path_factory):
    """Builds a scratch world: generated days, a model trained on their pages, settings pointing there."""
    import dataclasses

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
