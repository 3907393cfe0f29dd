"""Publish what the identity gate passed: the staged persons, ids, merges, edges, CRM rows and interests.

The body of the `publish_identity` Spark job. Nothing is computed here: the rows written and the
keys deleted are the staged ones the gate saw. `persons` is written last, so a reader that finds
a person (segments switch to person level once `persons` holds rows) finds its ids and interests.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import SparkSession

from dmp.identity.crm import CRM_COLUMNS
from dmp.identity.edges import STORED_COLUMNS
from dmp.identity.profiles import (PERSON_COLUMNS, PERSON_DAILY_COLUMNS, PERSON_DAILY_KEY, PERSON_LIFETIME_COLUMNS,
                                   PERSON_LIFETIME_KEY)
from dmp.identity.stage import MERGE_COLUMNS
from dmp.pipeline import staging, steps
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import append_to_table, by_partition, delete_rows

# (staged dataset, table, columns written, partition key) in the order they are written.
WRITES = (
    (staging.CRM_CUSTOMERS, tables.CRM_CUSTOMERS, CRM_COLUMNS, ("customer_id",)),
    (staging.IDENTITY_EDGES, tables.IDENTITY_EDGES, STORED_COLUMNS, ("node",)),
    (staging.PERSON_BY_ID, tables.PERSON_BY_ID, ("id", "person_id", "first_seen", "last_seen"), ("id",)),
    (staging.PERSON_MERGES, tables.PERSON_MERGES, MERGE_COLUMNS, ("person_id",)),
    (staging.PERSON_DAILY_INTERESTS, tables.PERSON_DAILY_INTERESTS, PERSON_DAILY_COLUMNS, ("person_id",)),
    (staging.PERSON_INTERESTS, tables.PERSON_INTERESTS, PERSON_LIFETIME_COLUMNS, ("person_id",)),
)
# (staged keys, table, key columns): what a re-run, a merge or a revoked sync left behind.
DELETES = (
    (staging.STALE_IDENTITY_EDGES, tables.IDENTITY_EDGES, ("node", "other", "kind")),
    (staging.STALE_PERSON_DAILY_INTERESTS, tables.PERSON_DAILY_INTERESTS, PERSON_DAILY_KEY),
    (staging.STALE_PERSON_INTERESTS, tables.PERSON_INTERESTS, PERSON_LIFETIME_KEY),
    (staging.STALE_PERSONS, tables.PERSONS, ("person_id",)),
)


def publish_identity_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Write the day's gated identity rows, delete the stale keys, then write the persons."""
    written = {}
    for dataset, table, columns, key in WRITES:
        frame = staging.read_staged(spark, settings, day, dataset).select(*columns)
        append_to_table(by_partition(frame, *key), settings, table)
        written[table] = frame.count()
    deleted = {}
    for dataset, table, key in DELETES:
        frame = staging.read_staged(spark, settings, day, dataset)
        deleted[table] = frame.count()
        if deleted[table]:
            delete_rows(frame, settings, table, key)
    persons_df = staging.read_staged(spark, settings, day, staging.PERSONS).select(*PERSON_COLUMNS)
    append_to_table(persons_df, settings, tables.PERSONS)
    written[tables.PERSONS] = persons_df.count()
    summary = {"date": day.isoformat(), "written": written, "deleted": deleted}
    write_step_summary(settings, day, steps.PUBLISH_IDENTITY, summary)
    return summary
