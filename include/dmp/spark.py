"""The one function that builds a SparkSession for the platform.

Local by default (`local[*]`), a cluster by configuration (`DMP_SPARK_MASTER`, or the master that
spark-submit was given), always with the Spark Cassandra Connector on the classpath and pointed at
the configured contact points, with the same credentials and TLS as the Python driver. Spark 3.5
needs Java 17 and its Python workers must run the venv's interpreter; both are arranged here so
callers never think about it.
"""

from __future__ import annotations

import os
import sys

from dmp.services import java_stores
from dmp.services.jars import connector_jars
from dmp.services.java import find_java17
from dmp.settings import Settings, launched_by_spark_submit, load

CASSANDRA_FORMAT = "org.apache.spark.sql.cassandra"
# Small, fixed shuffle width: the local default of 200 partitions mostly schedules empty tasks.
LOCAL_SHUFFLE_PARTITIONS = 8
# Writes: the connector batches only rows of one partition by default, and most of our partitions
# get one row a day (a keyword, a page, a user's day), so every row was its own request. Batching
# rows bound for the same replicas (token-aware, so still right on a cluster) in batches under
# Cassandra's 5 KiB warning wrote 300K rows 4-5x faster on one node (7.5K -> 30-44K rows/s).
WRITE_CONF = {
    "spark.cassandra.output.batch.grouping.key": "replica_set",
    "spark.cassandra.output.batch.size.bytes": "4096",
    "spark.cassandra.output.concurrent.writes": "8",
}


# Connector settings that must not appear on a command line.
SECRET_CONF_KEYS = ("spark.cassandra.auth.password",)


def _prepare_process_environment() -> None:
    """Point the JVM this process launches at Java 17 and its Python workers at this interpreter."""
    os.environ["JAVA_HOME"] = str(find_java17())
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def cassandra_connection_conf(settings: Settings) -> dict[str, str]:
    """The connector's contact points, credentials and TLS (Spark redacts `*password*` values in its UI and logs).

    The connector checks the nodes' certificate chain but not their host names (connector 3.5.1 has
    no setting for it), so DMP_CASSANDRA_SSL_VERIFY_HOSTNAME applies to the Python driver only.
    """
    conf = {
        "spark.cassandra.connection.host": ",".join(settings.cassandra_hosts),
        "spark.cassandra.connection.port": str(settings.cassandra_port),
    }
    if settings.cassandra_auth:
        conf["spark.cassandra.auth.username"] = settings.cassandra_auth.username
        conf["spark.cassandra.auth.password"] = settings.cassandra_auth.password
    tls = settings.cassandra_tls
    if tls:
        conf["spark.cassandra.connection.ssl.enabled"] = "true"
    if tls and tls.ca_file:
        conf.update({
            "spark.cassandra.connection.ssl.trustStore.path": str(java_stores.truststore(settings, tls)),
            "spark.cassandra.connection.ssl.trustStore.password": java_stores.STORE_PASSWORD,
            "spark.cassandra.connection.ssl.trustStore.type": java_stores.STORE_TYPE,
        })
    if tls and tls.cert_file:
        conf.update({
            "spark.cassandra.connection.ssl.clientAuth.enabled": "true",
            "spark.cassandra.connection.ssl.keyStore.path": str(java_stores.keystore(settings, tls)),
            "spark.cassandra.connection.ssl.keyStore.password": java_stores.STORE_PASSWORD,
            "spark.cassandra.connection.ssl.keyStore.type": java_stores.STORE_TYPE,
        })
    return conf


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration the platform runs with (also given to spark-submit)."""
    jars = ",".join(str(jar) for jar in connector_jars(settings).jars())
    conf = {
        "spark.jars": jars,
        **cassandra_connection_conf(settings),
        "spark.sql.extensions": "com.datastax.spark.connector.CassandraSparkExtensions",
        "spark.sql.catalog.cassandra": "com.datastax.spark.connector.datasource.CassandraCatalog",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.ui.showConsoleProgress": "false",
        **WRITE_CONF,
    }
    if settings.spark_master.startswith("local"):
        conf["spark.sql.shuffle.partitions"] = str(LOCAL_SHUFFLE_PARTITIONS)
    return conf


def submit_conf(settings: Settings) -> dict[str, str]:
    """What spark-submit gets on its command line: `spark_conf` without the password.

    A command line is visible to every user of the machine (`ps`); the job's own session
    (`build_spark_session`) reads the password from the settings in its environment instead.
    """
    return {key: value for key, value in spark_conf(settings).items() if key not in SECRET_CONF_KEYS}


def read_table(spark, settings: Settings, table: str):
    """A Cassandra table of the platform's keyspace as a DataFrame (through the connector)."""
    return spark.read.format(CASSANDRA_FORMAT).options(keyspace=settings.keyspace, table=table).load()


def by_partition(frame, *partition_key: str):
    """`frame` with the rows of each Cassandra partition together, to write it.

    The connector's batches then carry a partition's rows as one mutation instead of several:
    the events of a 1M-event day cost Cassandra 27 CPU-s instead of 42 (23 s instead of 30-36).
    """
    return frame.repartition(*partition_key).sortWithinPartitions(*partition_key)


def append_to_table(frame, settings: Settings, table: str, conf: dict[str, str] | None = None) -> None:
    """Upsert a DataFrame's rows into a table of the platform's keyspace; `conf` overrides write settings."""
    frame.write.format(CASSANDRA_FORMAT).options(keyspace=settings.keyspace, table=table, **(conf or {})).mode(
        "append").save()


def delete_rows(frame, settings: Settings, table: str, key_columns: tuple[str, ...]) -> None:
    """Delete the rows of `table` whose primary key is each row of `frame` (`key_columns`, in order).

    The connector deletes from Scala only, so each Spark partition deletes its rows with the
    Python driver; meant for the few rows a re-run leaves behind, not for bulk removal.
    """
    statement = (f"DELETE FROM {settings.keyspace}.{table} WHERE "
                 + " AND ".join(f"{column} = ?" for column in key_columns))

    def delete_partition(rows) -> None:
        from cassandra.concurrent import execute_concurrent_with_args

        from dmp.storage.session import cassandra_session

        keys = [tuple(row[column] for column in key_columns) for row in rows]
        if keys:
            with cassandra_session(settings) as session:
                execute_concurrent_with_args(session, session.prepare(statement), keys, raise_on_first_error=True)

    frame.select(*key_columns).foreachPartition(delete_partition)


def build_spark_session(app_name: str, settings: Settings | None = None, conf: dict[str, str] | None = None):
    """Get or create the SparkSession for `app_name`; `conf` overrides single settings."""
    from pyspark.sql import SparkSession

    settings = settings or load()
    _prepare_process_environment()
    builder = SparkSession.builder.appName(app_name)
    # Under spark-submit the gateway already exists and its --master wins; otherwise use ours.
    if not launched_by_spark_submit():
        builder = builder.master(settings.spark_master)
    for key, value in {**spark_conf(settings), **(conf or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
