"""The one function that builds a SparkSession for the platform.

Local by default (`local[*]`), a cluster by configuration (`DMP_SPARK_MASTER`, or the master that
spark-submit was given), always with the Spark Cassandra Connector on the classpath and pointed at
the configured contact points. Spark 3.5 needs Java 17 and its Python workers must run the venv's
interpreter; both are arranged here so callers never think about it. Reads, writes and deletes of
the tables go through `dmp.storage.spark_io`.
"""

from __future__ import annotations

import os
import sys

from dmp.services.jars import connector_jars
from dmp.services.java import find_java17
from dmp.settings import Settings, load

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


def _prepare_process_environment() -> None:
    """Point the JVM launch at Java 17 and Python workers at this interpreter."""
    java_home = str(find_java17())
    if os.environ.get("JAVA_HOME") != java_home:
        os.environ["JAVA_HOME"] = java_home
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration the platform runs with (also given to spark-submit)."""
    jars = ",".join(str(jar) for jar in connector_jars(settings).jars())
    conf = {
        "spark.jars": jars,
        "spark.cassandra.connection.host": ",".join(settings.cassandra_hosts),
        "spark.cassandra.connection.port": str(settings.cassandra_port),
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


def build_spark_session(app_name: str, settings: Settings | None = None, conf: dict[str, str] | None = None):
    """Get or create the SparkSession for `app_name`; `conf` overrides single settings."""
    from pyspark.sql import SparkSession

    settings = settings or load()
    _prepare_process_environment()
    builder = SparkSession.builder.appName(app_name)
    # Under spark-submit the gateway already exists and its --master wins; otherwise use ours.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(settings.spark_master)
    for key, value in {**spark_conf(settings), **(conf or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
