"""Store one landing day in `events_by_user`, quarantine what cannot be stored, report the figures.

This is the body of the `store_events` Spark job. It is idempotent: event ids are deterministic
and the quarantine folder of the day is rewritten, so running a day again leaves the same state.
The accepted events also go to the day's staging folder (Parquet), which the next steps (page
tagging, interests) read instead of parsing the raw files again.
Bad data stops the day before anything is written to Cassandra: a damaged file (copied to the
quarantine with its reason), or a share of rejected rows above DMP_MAX_REJECTED_SHARE. Either
way the day's figures are written, with the reason the day stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.errors import InputError
from dmp.pipeline.events import EVENTS_COLUMNS, read_classified_day, to_events_by_user
from dmp.pipeline.landing import quarantine_files
from dmp.pipeline.runs import STORE_STEP, write_step_summary
from dmp.settings import Settings
from dmp.spark import append_to_table
from dmp.storage import tables

log = logging.getLogger(__name__)
ROWS_FOLDER = "rows"


def _quarantine_rows(rejected_df: DataFrame, target: Path) -> None:
    """Write rejected rows with their reason; emails are hashed even here."""
    hashed = rejected_df.withColumn("email", F.sha2(F.lower(F.trim("email")), 256))
    hashed.write.mode("overwrite").json(str(target), compression="gzip")


def store_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Store `day` from the landing folder and return its figures (also written as JSON)."""
    quarantine_day = Path(settings.quarantine_dir) / day.isoformat()
    classified_df, check = read_classified_day(spark, settings, day)
    corrupt_dir = quarantine_files(check.corrupt, quarantine_day)
    classified_df = classified_df.cache()
    read = classified_df.count()
    rejected_df = classified_df.where(F.col("rejection_reason").isNotNull())
    reasons = {row["rejection_reason"]: row["count"] for row in rejected_df.groupBy("rejection_reason").count().collect()}
    rejected = sum(reasons.values())
    rows_dir = quarantine_day / ROWS_FOLDER
    if rejected:
        _quarantine_rows(rejected_df, rows_dir)
    summary = {
        "date": day.isoformat(),
        "files": len(check.good) + len(check.corrupt),
        "corrupt_files": [{"file": item.path.name, "reason": item.reason} for item in check.corrupt],
        "read": read,
        "accepted": read - rejected,
        "quarantined": rejected,
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "quarantine_dir": str(quarantine_day) if rejected or corrupt_dir else None,
        "stored": 0,
    }
    problem = _stop_reason(summary, settings.max_rejected_share, corrupt_dir)
    if problem is None:
        events_df = to_events_by_user(classified_df.where(F.col("rejection_reason").isNull())).select(*EVENTS_COLUMNS)
        events_df.write.mode("overwrite").parquet(settings.staging_day(day))
        events_df = spark.read.parquet(settings.staging_day(day))
        log.info("storing %s events of %s into %s.events_by_user", read - rejected, day, settings.keyspace)
        append_to_table(events_df, settings, tables.EVENTS)
        summary["stored"] = read - rejected
    classified_df.unpersist()
    write_step_summary(settings, day, STORE_STEP, {**summary, "stopped": problem})
    if problem:
        raise InputError(f"{day} was not stored: {problem}")
    return summary


def _stop_reason(summary: dict, max_rejected_share: float, corrupt_dir: Path | None) -> str | None:
    """Why the day must not be stored, or None."""
    if summary["corrupt_files"]:
        names = ", ".join(f"{item['file']} ({item['reason']})" for item in summary["corrupt_files"])
        return (f"damaged landing file(s): {names}; copies are in {corrupt_dir}. Have the partner send "
                "them again (or remove them from the landing folder), then run the day again.")
    if summary["read"] and summary["quarantined"] / summary["read"] > max_rejected_share:
        share = summary["quarantined"] / summary["read"]
        return (f"{share:.1%} of the {summary['read']:,} rows were rejected, above DMP_MAX_REJECTED_SHARE="
                f"{max_rejected_share:.1%} ({summary['quarantined_by_reason']}); see {summary['quarantine_dir']}.")
    return None
