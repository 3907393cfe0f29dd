"""Store one landing day in `events_by_user`, quarantine what cannot be stored, report the figures.

This is the body of the `store_events` Spark job. It is idempotent: event ids are deterministic
and the quarantine folder of the day is overwritten, so running a day again leaves the same state.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.utils import AnalysisException

from dmp.errors import InputError
from dmp.pipeline.events import (
    EVENTS_COLUMNS,
    landing_day_path,
    read_landing_day,
    to_events_by_user,
    with_rejection_reason,
)
from dmp.pipeline.runs import STORE_STEP, write_step_summary
from dmp.settings import Settings
from dmp.spark import CASSANDRA_FORMAT

log = logging.getLogger(__name__)

def _quarantine(rejected_df: DataFrame, settings: Settings, day: dt.date) -> str:
    """Write rejected rows with their reason; emails are hashed even here."""
    target = f"{settings.quarantine_dir.rstrip('/')}/{day.isoformat()}"
    hashed = rejected_df.withColumn("email", F.sha2(F.lower(F.trim("email")), 256))
    hashed.write.mode("overwrite").json(target, compression="gzip")
    return target


def store_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Store `day` from the landing folder and return its figures (also written as JSON)."""
    try:
        raw_df = read_landing_day(spark, settings.landing_dir, day)
        classified_df = with_rejection_reason(raw_df, day).cache()
        read = classified_df.count()
    except AnalysisException as error:
        raise InputError(
            f"No readable landing data for {day} at {landing_day_path(settings.landing_dir, day)} "
            f"(generate some with `dmp generate --start {day} --days 1`): {error.getMessage()}"
        ) from None
    reasons = {
        row["rejection_reason"]: row["count"]
        for row in classified_df.where(F.col("rejection_reason").isNotNull()).groupBy("rejection_reason").count().collect()
    }
    rejected = sum(reasons.values())
    quarantine_dir = _quarantine(classified_df.where(F.col("rejection_reason").isNotNull()), settings, day) if rejected else None

    events_df = to_events_by_user(classified_df.where(F.col("rejection_reason").isNull())).select(*EVENTS_COLUMNS)
    log.info("storing %s events of %s into %s.events_by_user", read - rejected, day, settings.keyspace)
    events_df.write.format(CASSANDRA_FORMAT).options(keyspace=settings.keyspace, table="events_by_user").mode(
        "append"
    ).save()
    classified_df.unpersist()

    summary = {
        "date": day.isoformat(),
        "read": read,
        "accepted": read - rejected,
        "quarantined": rejected,
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "quarantine_dir": quarantine_dir,
        "stored": read - rejected,
    }
    write_step_summary(settings, day, STORE_STEP, summary)
    return summary
