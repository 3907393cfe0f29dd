"""The one function that builds a SparkSession for the platform.

Local by default (`local[*]`), a cluster by configuration (`DMP_SPARK_MASTER`, or the master that
spark-submit was given), always with the Spark Cassandra Connector (and Spark's Kafka source) on the classpath and pointed at
the configured contact points, with the same credentials and TLS as the Python driver. Spark 3.5
needs Java 17 and its Python workers must run the venv's interpreter; both are arranged here so
callers never think about it. Reads, writes and deletes of the tables go through `dmp.storage.spark_io`.
"""

from __future__ import annotations

import os
import sys

from dmp.services import java_stores
from dmp.services.jars import connector_jars, spark_kafka_jars
from dmp.services.java import find_java17
from dmp.settings import Settings, launched_by_spark_submit, load

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
    # The Kafka source too, so the stream (and its tests) run on the same session as every job.
    jars = ",".join(str(jar) for jar in (*connector_jars(settings).jars(), *spark_kafka_jars(settings).jars()))
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
        # One executor, so locality buys nothing, and delay scheduling can stall a job for good: a stage
        # mixing file splits (preferring this host) with Cassandra splits (preferring the node's address)
        # runs the first, then declines the rest while it waits for locality, and the local backend never
        # offers its free cores again (no periodic revive, unlike a cluster's; see SPARK-4939). Identity's
        # CRM merge, a union of the day's file with the stored table, waited so forever.
        conf["spark.locality.wait"] = "0s"
    return conf


def submit_conf(settings: Settings) -> dict[str, str]:
    """What spark-submit gets on its command line: `spark_conf` without the password.

    A command line is visible to every user of the machine (`ps`); the job's own session
    (`build_spark_session`) reads the password from the settings in its environment instead.
    """
    return {key: value for key, value in spark_conf(settings).items() if key not in SECRET_CONF_KEYS}


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
