"""Connections to Cassandra through the DataStax Python driver.

One place builds the driver's `Cluster` from the settings (contact points, port, credentials, TLS),
so the CLI, the Airflow tasks and the tests all reach the same node the same way. Spark goes through
the connector instead (see `dmp.storage.spark_io`). A refused login or a failed TLS handshake becomes one
`ServiceError` line that names the setting to check, never the password.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from dmp.errors import ConfigError, ServiceError
from dmp.settings import CassandraTls, Settings

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
        auth_provider=_auth_provider(settings),
        ssl_context=ssl_context(settings.cassandra_tls) if settings.cassandra_tls else None,
    )


def _auth_provider(settings: Settings):
    """PasswordAuthenticator credentials, or None for a node that lets everyone in."""
    if settings.cassandra_auth is None:
        return None
    from cassandra.auth import PlainTextAuthProvider

    return PlainTextAuthProvider(username=settings.cassandra_auth.username, password=settings.cassandra_auth.password)


def ssl_context(tls: CassandraTls):
    """A client TLS context that verifies the nodes' certificates (against `ca_file`, else the system's CAs)."""
    import ssl

    try:
        context = ssl.create_default_context(cafile=str(tls.ca_file) if tls.ca_file else None)
    except ssl.SSLError as error:
        raise ConfigError(f"DMP_CASSANDRA_SSL_CA={str(tls.ca_file)!r} is not a PEM certificate file: {error}") from None
    context.check_hostname = tls.verify_hostname
    if tls.cert_file:
        try:
            context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
        except ssl.SSLError as error:
            raise ConfigError(
                f"DMP_CASSANDRA_SSL_CERT={str(tls.cert_file)!r} and DMP_CASSANDRA_SSL_KEY={str(tls.key_file)!r} "
                f"are not a PEM certificate and its unencrypted key: {error}"
            ) from None
    return context


def _refusal(settings: Settings, error) -> str:
    """What to check, from why each contact point refused the connection (NoHostAvailable.errors)."""
    import ssl

    from cassandra import AuthenticationFailed

    reasons = list(error.errors.values())
    if any(isinstance(reason, AuthenticationFailed) for reason in reasons):
        if settings.cassandra_auth is None:
            return ("it requires a username and password: set DMP_CASSANDRA_USERNAME and DMP_CASSANDRA_PASSWORD "
                    "(or DMP_CASSANDRA_PASSWORD_FILE).")
        return (f"it refused user {settings.cassandra_auth.username!r}: check the password "
                "(DMP_CASSANDRA_PASSWORD or DMP_CASSANDRA_PASSWORD_FILE) and that the role exists and may log in.")
    # A node that refuses the client's certificate may close the connection after the handshake
    # (SSLEOFError); a failed handshake the driver re-raises as a plain OSError with OpenSSL's "[SSL: ...]".
    if any(isinstance(reason, ssl.SSLError) or "[SSL" in str(reason) for reason in reasons):
        return (f"the TLS handshake failed ({reasons[0]}): check DMP_CASSANDRA_SSL_CA (the CA that signed the "
                "nodes' certificates), DMP_CASSANDRA_SSL_VERIFY_HOSTNAME, DMP_CASSANDRA_SSL_CERT and "
                "DMP_CASSANDRA_SSL_KEY when the nodes require a client certificate, and whether they use TLS at all.")
    return (f"it does not answer. Start the local node with `dmp services up` (or check DMP_CASSANDRA_HOSTS / "
            f"DMP_CASSANDRA_PORT).{_tls_hint(settings)} Driver said: {error}")


def _tls_hint(settings: Settings) -> str:
    """A closed connection is also how a node answers a client without TLS or without a certificate it needs."""
    if settings.cassandra_tls is None:
        return " If the cluster requires TLS, set DMP_CASSANDRA_SSL=on."
    if settings.cassandra_tls.cert_file is None:
        return " Set DMP_CASSANDRA_SSL_CERT and DMP_CASSANDRA_SSL_KEY when the nodes require a client certificate."
    return ""


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
        raise ServiceError(f"Cassandra at {where}: {_refusal(settings, error)}") from None
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
