"""From a landing day of raw connection logs to rows of `events_by_user`.

The landing format is what partners send and `dmp generate` writes: one folder per day of JSON
lines or CSV (see `ingest.py`) with `user_id`, `ts` (ISO-8601 UTC, or epoch seconds or
milliseconds), `url`, `referrer`, `event_type`, `partner_id` and, on login events only, `email`.
Rows that cannot be stored get a reason and are kept apart, never dropped, so that
read = accepted + rejected holds for every day. Emails never reach this table.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.pipeline.ingest import CORRUPT_COLUMN, FORMAT_COLUMN, read_day_files
from dmp.pipeline.landing import LandingCheck
from dmp.settings import Settings

EVENTS_COLUMNS = ("user_id", "day", "ts", "event_id", "url", "referrer", "event_type", "partner_id")
MAX_USER_ID_LENGTH = 256
MAX_URL_LENGTH = 8192
EVENT_ID_HEX_CHARS = 32
# A URL has a host with a dot, with or without a scheme; control characters make it invalid.
URL_SHAPE = r"^(?i)(https?://)?[^\s/?#:@]+\.[^\s/?#]+"
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"


def accepted_window(day: dt.date, lateness_hours: int = 0) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the event times accepted for `day`: the day and the `lateness_hours` before it."""
    start = dt.datetime.combine(day, dt.time())
    return start - dt.timedelta(hours=lateness_hours), start + dt.timedelta(days=1)


def rejection_reason(day: dt.date, lateness_hours: int = 0) -> Column:
    """The first reason a raw row cannot be stored for `day`, or null when it can.

    A timestamp must fall inside the day, or up to `lateness_hours` before it (events of the
    evening before that reached the partner's file after midnight).
    """
    event_ts = event_timestamp()
    day_start, day_end = (F.lit(bound) for bound in accepted_window(day, lateness_hours))
    return (
        F.when(F.col(CORRUPT_COLUMN).isNotNull(), F.concat(F.lit("malformed_"), F.col(FORMAT_COLUMN)))
        .when(F.col("user_id").isNull() | (F.trim("user_id") == ""), F.lit("missing_user_id"))
        .when(F.length("user_id") > MAX_USER_ID_LENGTH, F.lit("user_id_too_long"))
        .when(F.col("user_id").rlike(CONTROL_CHARACTERS), F.lit("invalid_user_id"))
        .when(F.col("url").isNull() | (F.trim("url") == ""), F.lit("missing_url"))
        .when(F.length("url") > MAX_URL_LENGTH, F.lit("url_too_long"))
        .when(~F.col("url").rlike(URL_SHAPE) | F.col("url").rlike(CONTROL_CHARACTERS), F.lit("invalid_url"))
        .when(F.col("ts").isNull() | event_ts.isNull(), F.lit("unparsable_timestamp"))
        .when((event_ts < day_start) | (event_ts >= day_end), F.lit("timestamp_outside_day"))
    )


def event_timestamp() -> Column:
    """The event's time from `ts`: ISO-8601, or epoch milliseconds (13 digits) or seconds (10)."""
    text = F.trim(F.col("ts"))
    return (
        F.when(text.rlike(r"^\d{13}$"), F.timestamp_millis(text.cast("long")))
        .when(text.rlike(r"^\d{10}$"), F.timestamp_seconds(text.cast("long")))
        .otherwise(F.to_timestamp(text))
    )


def with_rejection_reason(raw_df: DataFrame, day: dt.date, lateness_hours: int = 0) -> DataFrame:
    return raw_df.withColumn("rejection_reason", rejection_reason(day, lateness_hours))


def event_id() -> Column:
    """A deterministic id, so a re-run of a day upserts the same rows instead of duplicating them."""
    key = F.concat_ws("\u0001", "user_id", "ts", "url", F.coalesce("event_type", F.lit("")))
    return F.substring(F.sha2(key, 256), 1, EVENT_ID_HEX_CHARS)


def to_events(accepted_df: DataFrame, day: dt.date) -> DataFrame:
    """The day's events from accepted raw rows (the email is left behind on purpose).

    `day` is the day the event was received for, so a late event of the evening before stays in
    this day's partition and aggregates (each day's figures are then computed once, from one batch).
    """
    event_ts = event_timestamp()
    return accepted_df.select(
        F.trim("user_id").alias("user_id"),
        F.lit(day).alias("day"),
        event_ts.alias("ts"),
        event_id().alias("event_id"),
        F.col("url"),
        F.col("referrer"),
        F.coalesce(F.col("event_type"), F.lit("page_view")).alias("event_type"),
        F.col("partner_id"),
    )


def read_classified_day(spark: SparkSession, settings: Settings, day: dt.date) -> tuple[DataFrame, LandingCheck]:
    """The day's rows, each with its rejection reason or null, and the check of its files."""
    raw_df, check = read_day_files(spark, settings.landing_dir, day, settings.column_map)
    return with_rejection_reason(raw_df, day, settings.max_lateness_hours), check
