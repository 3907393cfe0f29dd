"""The platform's Airflow connections: written from the settings, read back as the settings a job runs with.

`airflow_environment` gives Airflow `cassandra_default` and `spark_default` built from the
settings. Under Airflow, a task hands its Spark job the endpoints of those connections as `DMP_*`
values (`cassandra_overrides`, `spark_overrides`), so an operator who changes a connection (in the
UI, a secrets backend or an `AIRFLOW_CONN_*` variable) changes where every job goes, without code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dmp.errors import ConfigError
from dmp.settings import Settings

CASSANDRA_CONN_ID = "cassandra_default"
SPARK_CONN_ID = "spark_default"
# A connection's extras `ssl` (on/off) and `ssl_...` (`ssl_ca`, `ssl_cert`, `ssl_key`,
# `ssl_verify_hostname`) are the TLS settings `DMP_CASSANDRA_SSL` and `DMP_CASSANDRA_SSL_...`.
TLS_EXTRA = "ssl"


def cassandra_connection(settings: Settings) -> dict[str, Any]:
    """`cassandra_default` as Airflow's JSON form: contact points, CQL port, keyspace, login and TLS of the settings."""
    connection = {
        "conn_type": "cassandra",
        "host": ",".join(settings.cassandra_hosts),
        "port": settings.cassandra_port,
        "schema": settings.keyspace,
    }
    if settings.cassandra_auth:
        connection.update(login=settings.cassandra_auth.username, password=settings.cassandra_auth.password)
    tls = settings.cassandra_tls
    if tls:
        files = {"ssl_ca": tls.ca_file, "ssl_cert": tls.cert_file, "ssl_key": tls.key_file}
        connection["extra"] = {TLS_EXTRA: "on", "ssl_verify_hostname": "on" if tls.verify_hostname else "off",
                               **{name: str(path) for name, path in files.items() if path}}
    return connection


def spark_connection(settings: Settings) -> dict[str, Any]:
    """`spark_default` as Airflow's JSON form: the Spark master of the settings."""
    return {"conn_type": "spark", "host": settings.spark_master}


def cassandra_overrides(conn_id: str, host: str | None, port: int | None, login: str | None = None,
                        password: str | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The `DMP_CASSANDRA_*` values of a Cassandra connection: hosts and port, credentials and TLS when set.

    The keyspace stays a setting (`DMP_KEYSPACE`): it names the data, and the DAG's asset URIs
    and the migrations name it too, so a connection's `schema` does not move it.
    """
    if not host or not host.strip(","):
        raise ConfigError(f"Airflow connection {conn_id!r} has no host: give the Cassandra contact points, "
                          "comma separated, as its host.")
    overrides = {"DMP_CASSANDRA_HOSTS": host}
    if port:
        overrides["DMP_CASSANDRA_PORT"] = str(port)
    if login:
        overrides["DMP_CASSANDRA_USERNAME"] = login
    if password:
        overrides["DMP_CASSANDRA_PASSWORD"] = password
    for key, value in (extra or {}).items():
        if (key == TLS_EXTRA or key.startswith(f"{TLS_EXTRA}_")) and value is not None:
            overrides[f"DMP_CASSANDRA_{key.upper()}"] = str(value)
    return overrides


def spark_overrides(master: str) -> dict[str, str]:
    """The `DMP_SPARK_MASTER` of the master spark-submit was given, so the job's settings agree with it."""
    return {"DMP_SPARK_MASTER": master}
