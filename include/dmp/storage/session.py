"""Connections to Cassandra through the DataStax Python driver.

One place builds the driver's `Cluster` from the settings (contact points, port), so the CLI, the
Airflow tasks and the tests all reach the same node the same way. Spark goes through the connector
instead (see `dmp.storage.spark_io`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from dmp.errors import ConfigError, ServiceError
from dmp.settings import Settings

CONNECT_TIMEOUT_SECONDS = 10
REQUEST_TIMEOUT_SECONDS = 60
# The server's own words in a driver error: `Error from server: code=2200 [Invalid query] message="..."`.
_SERVER_MESSAGE_RE = re.compile(r'message="(.*)"')


def _cluster(settings: Settings, connect_timeout: float = CONNECT_TIMEOUT_SECONDS):
    # Imported here: the driver is heavy and DAG files import this package at parse time.
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import RoundRobinPolicy

    profile = ExecutionProfile(load_balancing_policy=RoundRobinPolicy(), request_timeout=REQUEST_TIMEOUT_SECONDS)
    return Cluster(
        contact_points=list(settings.cassandra_hosts),
        port=settings.cassandra_port,
        connect_timeout=connect_timeout,
        control_connection_timeout=connect_timeout,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        protocol_version=5,
    )


@contextmanager
def _driver_quiet() -> Iterator[None]:
    """Silence the driver's own logging, which prints a traceback for every failed connection or prepare.

    A node that is down or still starting, or a missing table, is reported once by the caller.
    """
    driver_log = logging.getLogger("cassandra")
    previous_level = driver_log.level
    driver_log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        driver_log.setLevel(previous_level)


@contextmanager
def cassandra_session(settings: Settings, keyspace: str | None = None) -> Iterator:
    """A driver session on the configured cluster, closed on exit; a clear error when it is down."""
    from cassandra.cluster import NoHostAvailable

    cluster = _cluster(settings)
    try:
        with _driver_quiet():
            session = cluster.connect(keyspace)
    except NoHostAvailable as error:
        cluster.shutdown()
        where = ", ".join(f"{host}:{settings.cassandra_port}" for host in settings.cassandra_hosts)
        raise ServiceError(
            f"Cassandra does not answer at {where}. Start the local node with `dmp services up` "
            f"(or check DMP_CASSANDRA_HOSTS / DMP_CASSANDRA_PORT). Driver said: {error}"
        ) from None
    try:
        yield session
    finally:
        cluster.shutdown()


def prepare(session, statement: str, keyspace: str):
    """`session.prepare(statement)`; a keyspace or table that does not exist is a clear error.

    Preparing is where a never-migrated keyspace shows first, so the platform prepares its
    statements here and that case tells the user to migrate instead of showing a traceback.
    """
    from cassandra import InvalidRequest

    try:
        with _driver_quiet():
            return session.prepare(statement)
    except InvalidRequest as error:
        found = _SERVER_MESSAGE_RE.search(str(error))
        raise ConfigError(
            f"{found.group(1) if found else error}: the schema of keyspace {keyspace} is not migrated. "
            "Run `dmp schema migrate` (or point DMP_KEYSPACE at the platform's keyspace)."
        ) from None


def release_version(settings: Settings, timeout: float = 3.0) -> str | None:
    """Cassandra's version when a CQL query is answered, None when nothing answers."""
    from cassandra.cluster import NoHostAvailable, OperationTimedOut

    cluster = _cluster(settings, connect_timeout=timeout)
    try:
        with _driver_quiet():
            session = cluster.connect()
            row = session.execute("SELECT release_version FROM system.local", timeout=timeout).one()
        return row.release_version
    except (NoHostAvailable, OperationTimedOut, OSError):
        return None
    finally:
        cluster.shutdown()
