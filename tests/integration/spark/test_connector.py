"""Spark writes to and reads from the real node through the Spark Cassandra Connector."""

from __future__ import annotations

import datetime as dt
import uuid

from pyspark.sql import functions as F

from dmp.pipeline.events import EVENTS_COLUMNS
from dmp.storage.spark_io import CASSANDRA_FORMAT


def test_a_dataframe_written_through_the_connector_reads_back_the_same(spark, cql, settings):
    user = f"spark-{uuid.uuid4().hex}"
    day = dt.date(2026, 11, 3)
    rows = [
        (user, day, dt.datetime(2026, 11, 3, hour), f"e{hour}", f"https://example.org/{hour}", None, "page_view", "p-001")
        for hour in (8, 13, 20)
    ]
    written_df = spark.createDataFrame(rows, schema=", ".join(
        f"{name} {kind}" for name, kind in zip(
            EVENTS_COLUMNS, ("string", "date", "timestamp", "string", "string", "string", "string", "string")
        )
    ))
    table = {"keyspace": settings.keyspace, "table": "events_by_user"}

    written_df.write.format(CASSANDRA_FORMAT).options(**table).mode("append").save()
    read_df = (
        spark.read.format(CASSANDRA_FORMAT).options(**table).load()
        .where((F.col("user_id") == user) & (F.col("day") == F.lit(day)))
        .select(*EVENTS_COLUMNS)
    )

    assert sorted(read_df.collect()) == sorted(written_df.collect())
    # The driver sees what Spark wrote, with the table's retention TTL.
    ttl = cql.execute(
        f"SELECT TTL(url) FROM {settings.keyspace}.events_by_user WHERE user_id = %s AND day = %s LIMIT 1", (user, day)
    ).one()[0]
    assert 0 < ttl <= settings.events_ttl_seconds
