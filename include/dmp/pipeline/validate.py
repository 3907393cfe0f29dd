"""Validate one landing day: accepted events to staging, the rest to quarantine with a reason.

This is the body of the `validate_events` Spark job, the pipeline's first step. Every row read is
either accepted (staged as Parquet for the next steps) or quarantined with its reason, so
read = accepted + quarantined. It is idempotent: event ids are deterministic and the day's
staging and quarantine folders are rewritten.
Rows of a person deleted by a privacy request (`dmp.privacy.suppression`) are counted with the
reason `suppressed` but neither staged nor copied to the quarantine, so a re-run of an old day
does not store them again. Bad data stops the day here, before anything reaches Cassandra: a damaged file (copied to the
quarantine with its reason), or a share of rejected rows above DMP_MAX_REJECTED_SHARE. Either way
the day's figures are written, with the reason the day stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.errors import InputError
from dmp.identity.columns import with_email_forms, with_email_hash, without_emails
from dmp.pipeline import staging, steps
from dmp.pipeline.events import EVENTS_COLUMNS, event_timestamp, read_classified_day, to_events
from dmp.pipeline.ingest import CORRUPT_COLUMN
from dmp.pipeline.landing import quarantine_files
from dmp.pipeline.runs import clear_day_figures, write_step_summary
from dmp.privacy.suppression import SUPPRESSED, with_suppressed_reason
from dmp.settings import Settings
from dmp.storage.privacy import has_suppressions, read_suppressed

log = logging.getLogger(__name__)
ROWS_FOLDER = "rows"
LOGINS_COLUMNS = ("user_id", "ts", "email_hash", "email_sha256", "email_uid2")


def _quarantine_rows(rejected_df: DataFrame, settings: Settings, target: Path) -> None:
    """Write rejected rows with their reason; emails are hashed even here, and cut out of unparsed lines."""
    identity = settings.identity
    hashed_df = with_email_hash(rejected_df, "email", identity.email_rules, identity.block_list, "email_hash")
    hashed_df.drop("email").withColumn(CORRUPT_COLUMN, without_emails(F.col(CORRUPT_COLUMN))).write.mode(
        "overwrite").json(str(target), compression="gzip")


def login_hashes(accepted_df: DataFrame, settings: Settings) -> DataFrame:
    """(user_id, ts, email_hash, email_sha256, email_uid2) of the accepted rows carrying an email.

    The email is hashed here, at the edge, and never staged: identity reads only these hashes. A
    blocked or malformed email keeps its row with null hashes, so the day's figures count it.
    """
    identity = settings.identity
    with_email_df = accepted_df.where(F.col("email").isNotNull() & (F.trim("email") != ""))
    return with_email_forms(with_email_df.select(F.trim("user_id").alias("user_id"), event_timestamp().alias("ts"),
                                                 "email"), "email", identity.email_rules, identity.block_list
                            ).select(*LOGINS_COLUMNS)


def validate_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Validate `day` from the landing folder, stage its accepted events; its figures (also as JSON)."""
    clear_day_figures(settings, day)
    quarantine_day = Path(settings.quarantine_dir) / day.isoformat()
    classified_df, check = read_classified_day(spark, settings, day)
    if not check.corrupt and has_suppressions(settings):  # a damaged day stops below whatever it holds
        classified_df = with_suppressed_reason(classified_df, read_suppressed(spark, settings))
    corrupt_dir = quarantine_files(check.corrupt, quarantine_day)
    classified_df = classified_df.cache()
    read = classified_df.count()
    rejected_df = classified_df.where(F.col("rejection_reason").isNotNull())
    reasons = {row["rejection_reason"]: row["count"] for row in rejected_df.groupBy("rejection_reason").count().collect()}
    rejected = sum(reasons.values())
    suppressed = reasons.get(SUPPRESSED, 0)
    rows_dir = quarantine_day / ROWS_FOLDER
    if rejected > suppressed:
        _quarantine_rows(rejected_df.where(F.col("rejection_reason") != SUPPRESSED), settings, rows_dir)
    else:  # a re-run after the partner fixed the day: the earlier run's rejects are no longer the day's
        shutil.rmtree(rows_dir, ignore_errors=True)
    summary = {
        "date": day.isoformat(),
        "files": len(check.good) + len(check.corrupt),
        "corrupt_files": [{"file": item.path.name, "reason": item.reason} for item in check.corrupt],
        "read": read,
        "accepted": read - rejected,
        "quarantined": rejected,
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "suppressed": suppressed,  # in `quarantined` (by reason), not in the quarantine folder: deleted people
        "quarantine_dir": str(quarantine_day) if rejected > suppressed or corrupt_dir else None,
        "staged": 0,
        "users": 0,
        "logins": 0,
        "login_emails_unusable": 0,
        "max_lateness_hours": settings.max_lateness_hours,
    }
    problem = _stop_reason(summary, settings.max_rejected_share, corrupt_dir)
    if problem is None:
        events_df = to_events(classified_df.where(F.col("rejection_reason").isNull()), day).select(*EVENTS_COLUMNS)
        staged_df = staging.write_staged(events_df, settings, day, staging.EVENTS)
        summary["staged"] = read - rejected
        summary["users"] = staged_df.select("user_id").distinct().count()  # later days' drift baseline
        logins_df = staging.write_staged(login_hashes(classified_df.where(F.col("rejection_reason").isNull()), settings),
                                         settings, day, staging.LOGINS)
        summary["logins"] = logins_df.count()
        summary["login_emails_unusable"] = logins_df.where(F.col("email_hash").isNull()).count()
        log.info("staged %s accepted events of %s, quarantined %s", read - rejected, day, rejected)
    classified_df.unpersist()
    write_step_summary(settings, day, steps.VALIDATE_EVENTS, {**summary, "stopped": problem})
    if problem:
        raise InputError(f"{day} stopped at validation: {problem}")
    return summary


def _stop_reason(summary: dict, max_rejected_share: float, corrupt_dir: Path | None) -> str | None:
    """Why the day must not be stored, or None."""
    if summary["corrupt_files"]:
        names = ", ".join(f"{item['file']} ({item['reason']})" for item in summary["corrupt_files"])
        return (f"damaged landing file(s): {names}; copies are in {corrupt_dir}. Have the partner send "
                "them again (or remove them from the landing folder), then run the day again.")
    bad = summary["quarantined"] - summary["suppressed"]  # suppressed rows are not bad data
    if summary["read"] and bad / summary["read"] > max_rejected_share:
        share = bad / summary["read"]
        return (f"{share:.1%} of the {summary['read']:,} rows were rejected, above DMP_MAX_REJECTED_SHARE="
                f"{max_rejected_share:.1%} ({summary['quarantined_by_reason']}); see {summary['quarantine_dir']}.")
    return None
