"""Publish one day to Cassandra once its gates passed: the body of the `store_events` Spark job.

The day's tagged events go to `events_by_user` (partition (user_id, day), time order, the
retention TTL of the table) and the pages tagged that day to `page_index`. Both are upserts on
deterministic keys, so running a day again writes the same rows and never duplicates.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.events import EVENTS_COLUMNS
from dmp.pipeline.page_tagging import PAGE_INDEX_SCHEMA
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import append_to_table, by_partition

log = logging.getLogger(__name__)


def store_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Upsert the day's tagged events and newly tagged pages; the figures (also written as JSON)."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS).select(
        *EVENTS_COLUMNS, "theme", F.col("score").alias("theme_score"), F.col("source").alias("theme_source"),
        "model_version",
    )
    new_pages_df = staging.read_staged(spark, settings, day, staging.PAGES).where("is_new").select(
        *PAGE_INDEX_SCHEMA.fieldNames()
    )
    log.info("storing the events of %s into %s.%s", day, settings.keyspace, tables.EVENTS)
    append_to_table(by_partition(events_df, "user_id", "day"), settings, tables.EVENTS)
    append_to_table(new_pages_df, settings, tables.PAGE_INDEX)
    summary = {
        "date": day.isoformat(),
        "stored": events_df.count(),
        "users": events_df.select("user_id").distinct().count(),
        "pages_indexed": new_pages_df.count(),
    }
    write_step_summary(settings, day, steps.STORE_EVENTS, summary)
    return summary
