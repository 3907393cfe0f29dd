"""Publish what a gate passed: the staged interests and keyword index of a day, into Cassandra.

The bodies of the `publish_interests` and `publish_keyword_index` Spark jobs, which the DAG runs
only after the gate that checks the same staged rows. Nothing is computed here: the rows written
(and the keys deleted) are exactly the staged ones the gate saw.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import SparkSession

from dmp.pipeline import staging, steps
from dmp.pipeline.interests import INTERESTS_COLUMNS
from dmp.pipeline.lifetime import DAILY_KEY, LIFETIME_COLUMNS, LIFETIME_KEY
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import person_kinds
from dmp.storage.keyword_index import BUCKET_WRITE_CONF, clear_day
from dmp.storage.spark_io import append_to_table, by_partition, delete_rows

log = logging.getLogger(__name__)
SET_COLUMNS = ("day", "bucket", "keyword", "chunk", "fields", "user_ids")
SKETCH_COLUMNS = ("kind", "bucket", "day", "key", "sketch", "estimate")


def publish_interests_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Upsert the day's gated daily and lifetime interests; delete the rows a re-run no longer has."""
    daily_df = staging.read_staged(spark, settings, day, staging.DAILY_INTERESTS).select(*INTERESTS_COLUMNS)
    lifetime_df = staging.read_staged(spark, settings, day, staging.LIFETIME_INTERESTS).select(*LIFETIME_COLUMNS)
    stale_daily_df = staging.read_staged(spark, settings, day, staging.STALE_DAILY_INTERESTS)
    stale_lifetime_df = staging.read_staged(spark, settings, day, staging.STALE_LIFETIME_INTERESTS)
    append_to_table(by_partition(daily_df, "user_id"), settings, tables.DAILY_INTERESTS)
    append_to_table(by_partition(lifetime_df, "user_id"), settings, tables.LIFETIME_INTERESTS)
    stale = {"daily": stale_daily_df.count(), "lifetime": stale_lifetime_df.count()}
    if stale["daily"] or stale["lifetime"]:
        log.info("removing %s daily and %s lifetime rows of %s left by an earlier run", stale["daily"],
                 stale["lifetime"], day)
        delete_rows(stale_lifetime_df, settings, tables.LIFETIME_INTERESTS, LIFETIME_KEY)
        delete_rows(stale_daily_df, settings, tables.DAILY_INTERESTS, DAILY_KEY)
    summary = {
        "date": day.isoformat(),
        "daily_rows": daily_df.count(),
        "lifetime_rows": lifetime_df.count(),
        "stale_rows_removed": stale,
    }
    write_step_summary(settings, day, steps.PUBLISH_INTERESTS, summary)
    return summary


def publish_keyword_index_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Replace the day's keyword index and sketches with the gated staged rows."""
    sets_df = staging.read_staged(spark, settings, day, staging.KEYWORD_USER_SETS).select(*SET_COLUMNS)
    sketches_df = staging.read_staged(spark, settings, day, staging.AUDIENCE_SKETCHES).select(*SKETCH_COLUMNS)
    # Staged sorted by partition (day, bucket) / (kind, bucket): written in that order, a bucket's
    # rows go in one batch.
    clear_day(settings, day)
    append_to_table(sets_df, settings, tables.KEYWORD_USER_SETS, conf=BUCKET_WRITE_CONF)
    append_to_table(sketches_df, settings, tables.AUDIENCE_SKETCHES, conf=BUCKET_WRITE_CONF)
    summary = {"date": day.isoformat(), "keyword_user_sets": sets_df.count(), "sketches": sketches_df.count()}
    write_step_summary(settings, day, steps.PUBLISH_KEYWORD_INDEX, summary)
    return summary


def publish_person_sketches_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Replace the day's person-level sketches (the `*_person` kinds) with the gated staged rows."""
    sketches_df = by_partition(staging.read_staged(spark, settings, day, staging.PERSON_SKETCHES).select(
        *SKETCH_COLUMNS), "kind", "bucket")
    clear_day(settings, day, kinds=person_kinds(), index=False)
    append_to_table(sketches_df, settings, tables.AUDIENCE_SKETCHES, conf=BUCKET_WRITE_CONF)
    summary = {"date": day.isoformat(), "sketches": sketches_df.count()}
    write_step_summary(settings, day, steps.PUBLISH_PERSON_SKETCHES, summary)
    return summary
