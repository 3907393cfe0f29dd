"""From a landing day of raw connection logs to rows of `events_by_user`.

The landing format is what partners send and `dmp generate` writes: one folder per day of gzip
JSON lines with `user_id`, `ts` (ISO-8601 UTC), `url`, `referrer`, `event_type`, `partner_id` and,
on login events only, `email`. Rows that cannot be stored get a reason and are kept apart, never
dropped, so that read = accepted + rejected holds for every day. Emails never reach this table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.errors import InputError
from dmp.pipeline.landing import LandingCheck, check_files, landing_files

LANDING_SCHEMA = T.StructType(
    [
        T.StructField("user_id", T.StringType()),
        T.StructField("ts", T.StringType()),
        T.StructField("url", T.StringType()),
        T.StructField("referrer", T.StringType()),
        T.StructField("event_type", T.StringType()),
        T.StructField("email", T.StringType()),
        T.StructField("partner_id", T.StringType()),
        # Spark's JSON reader puts unparsable lines here instead of failing the batch.
        T.StructField("_corrupt_record", T.StringType()),
    ]
)
EVENTS_COLUMNS = ("user_id", "day", "ts", "event_id", "url", "referrer", "event_type", "partner_id")
MAX_USER_ID_LENGTH = 256
MAX_URL_LENGTH = 8192
EVENT_ID_HEX_CHARS = 32
# A URL has a host with a dot, with or without a scheme; control characters make it invalid.
URL_SHAPE = r"^(?i)(https?://)?[^\s/?#:@]+\.[^\s/?#]+"
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"


def read_landing_files(spark: SparkSession, paths: list[str]) -> DataFrame:
    """Raw events of these files as strings, with malformed lines kept in `_corrupt_record`."""
    return (
        spark.read.schema(LANDING_SCHEMA)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_corrupt_record")
        .json(paths)
    )


def rejection_reason(day: dt.date) -> Column:
    """The first reason a raw row cannot be stored for `day`, or null when it can."""
    event_ts = F.to_timestamp("ts")
    day_start = F.lit(dt.datetime.combine(day, dt.time()))
    day_end = F.lit(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    return (
        F.when(F.col("_corrupt_record").isNotNull(), F.lit("malformed_json"))
        .when(F.col("user_id").isNull() | (F.trim("user_id") == ""), F.lit("missing_user_id"))
        .when(F.length("user_id") > MAX_USER_ID_LENGTH, F.lit("user_id_too_long"))
        .when(F.col("url").isNull() | (F.trim("url") == ""), F.lit("missing_url"))
        .when(F.length("url") > MAX_URL_LENGTH, F.lit("url_too_long"))
        .when(~F.col("url").rlike(URL_SHAPE) | F.col("url").rlike(CONTROL_CHARACTERS), F.lit("invalid_url"))
        .when(F.col("ts").isNull() | event_ts.isNull(), F.lit("unparsable_timestamp"))
        .when((event_ts < day_start) | (event_ts >= day_end), F.lit("timestamp_outside_day"))
    )


def with_rejection_reason(raw_df: DataFrame, day: dt.date) -> DataFrame:
    return raw_df.withColumn("rejection_reason", rejection_reason(day))


def event_id() -> Column:
    """A deterministic id, so a re-run of a day upserts the same rows instead of duplicating them."""
    key = F.concat_ws("\u0001", "user_id", "ts", "url", F.coalesce("event_type", F.lit("")))
    return F.substring(F.sha2(key, 256), 1, EVENT_ID_HEX_CHARS)


def to_events_by_user(accepted_df: DataFrame) -> DataFrame:
    """Rows of `events_by_user` from accepted raw rows (the email is left behind on purpose)."""
    event_ts = F.to_timestamp("ts")
    return accepted_df.select(
        F.trim("user_id").alias("user_id"),
        F.to_date(event_ts).alias("day"),
        event_ts.alias("ts"),
        event_id().alias("event_id"),
        F.col("url"),
        F.col("referrer"),
        F.coalesce(F.col("event_type"), F.lit("page_view")).alias("event_type"),
        F.col("partner_id"),
    )


def read_classified_day(spark: SparkSession, landing_dir: str, day: dt.date) -> tuple[DataFrame, LandingCheck]:
    """The day's rows, each with its rejection reason or null, and the check of its files.

    Damaged files are left out of the rows and listed in the check; no file at all is an error.
    """
    files = landing_files(landing_dir, day)
    if not files:
        raise InputError(
            f"No landing data for {day} in {Path(landing_dir) / day.isoformat()} "
            f"(generate some with `dmp generate --start {day} --days 1`)."
        )
    check = check_files(files)
    raw_df = (
        read_landing_files(spark, [str(path) for path in check.good]) if check.good
        else spark.createDataFrame([], LANDING_SCHEMA)
    )
    return with_rejection_reason(raw_df, day), check
