"""From Kafka messages to the pipeline's events: parsed, hashed, validated like a landing day.

A message's value is one landing line (JSON, the format `dmp generate` writes and partners send,
with the partner's column names of `DMP_COLUMN_MAP`). Each message gets:
- the day it was received for: the UTC day of its Kafka timestamp (the producer's create time),
  which a replayed batch reads again unchanged, so validation never depends on when it runs;
- the batch's rejection reason for that day (`dmp.pipeline.events.rejection_reason`: the same
  checks and the same lateness as the daily run), or `malformed_json` for a value that is not a
  JSON object, `message_too_large` for one above MAX_MESSAGE_BYTES;
- its email normalised and hashed at once (`dmp.identity.columns`); no clear email goes further,
  and the raw text kept for a rejected message has its emails removed.
Accepted messages become rows of `events_by_user` with the batch's deterministic event ids, so the
daily run of the same day writes the same rows again.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.identity.columns import with_normalized_email, without_emails
from dmp.identity.emails import DEFAULT_EMAIL_RULES, parse_email_rules
from dmp.pipeline.columns import LANDING_COLUMNS
from dmp.pipeline.events import EVENTS_COLUMNS, to_events, with_rejection_reason
from dmp.pipeline.ingest import CORRUPT_COLUMN, FORMAT_COLUMN

# A value above this is not parsed (its URL alone would be far past the batch's MAX_URL_LENGTH).
MAX_MESSAGE_BYTES = 64 * 1024
MALFORMED = "malformed_json"
TOO_LARGE = "message_too_large"
MESSAGE_COLUMNS = ("partition", "offset", "produced_at", "received_day")
RAW_KEPT_CHARS = 2048  # of a rejected message's text, kept in quarantine to show what was wrong
CUT_MARK = "<cut>"
_PARSED = "_parsed"


def _source_schema(column_map: dict[str, str]) -> T.StructType:
    names = [column_map.get(name, name) for name in LANDING_COLUMNS]
    return T.StructType([T.StructField(name, T.StringType()) for name in (*names, CORRUPT_COLUMN)])


def parse_messages(kafka_df: DataFrame, column_map: dict[str, str] | None = None) -> DataFrame:
    """Landing columns (strings), `_corrupt_record`, `_format` and the message's partition, offset,
    `produced_at` (its Kafka timestamp) and `received_day` from Kafka's (value, partition, offset, timestamp)."""
    column_map = column_map or {}
    text = F.col("value").cast("string")
    is_too_large = F.length("value") > MAX_MESSAGE_BYTES
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN}
    parsed_df = kafka_df.select(
        F.col("partition"), F.col("offset"), F.col("timestamp").alias("produced_at"),
        F.to_date(F.col("timestamp")).alias("received_day"), text.alias("_text"), is_too_large.alias("is_too_large"),
        F.when(~is_too_large, F.from_json(text, _source_schema(column_map), options)).alias(_PARSED))
    # Not an object (`[1]`, `"x"`, nothing) parses to null: as malformed as broken JSON.
    # Cut first, then redact (the email pattern is slow on a long run of letters); a token with an `@`
    # that the cut split is dropped too, so no part of an address is kept.
    kept = F.regexp_replace(without_emails(F.substring(F.col("_text"), 1, RAW_KEPT_CHARS)), r"\S*@\S*$", CUT_MARK)
    corrupt = F.when(F.col("is_too_large") | F.col(_PARSED).isNull() | F.col(f"{_PARSED}.{CORRUPT_COLUMN}").isNotNull(),
                     F.when(F.col("_text").isNull(), F.lit("")).otherwise(kept))
    return parsed_df.select(
        *MESSAGE_COLUMNS,
        *[F.when(corrupt.isNull(), F.col(f"{_PARSED}.`{column_map.get(name, name)}`")).alias(name)
          for name in LANDING_COLUMNS],
        corrupt.alias(CORRUPT_COLUMN), F.lit("json").alias(FORMAT_COLUMN), "is_too_large")


def with_hashed_email(messages_df: DataFrame) -> DataFrame:
    """`email` replaced by `email_sha256`, the SHA-256 of its normalised form (null when not an email)."""
    rules = parse_email_rules(DEFAULT_EMAIL_RULES)
    normalized_df = with_normalized_email(messages_df, "email", rules, "email_normalized")
    return normalized_df.withColumn("email_sha256", F.sha2("email_normalized", 256)).drop("email", "email_normalized")


def classify(messages_df: DataFrame, days: list[dt.date], lateness_hours: int) -> DataFrame:
    """Each message with its `rejection_reason` (null when accepted), checked against its received day.

    `days` are the batch's received days (one, or two around midnight): the batch's checks are
    applied per day, exactly as the daily run applies them to that day's files.
    """
    hashed_df = with_hashed_email(messages_df)
    parts = [with_rejection_reason(hashed_df.where(F.col("received_day") == F.lit(day)), day, lateness_hours)
             for day in days]
    classified_df = reduce(DataFrame.unionByName, parts) if parts else with_rejection_reason(
        hashed_df.limit(0), dt.date(1970, 1, 1), lateness_hours)
    return classified_df.withColumn("rejection_reason", F.when(F.col("is_too_large"), F.lit(TOO_LARGE)).when(
        F.col("rejection_reason") == F.lit("malformed_json"), F.lit(MALFORMED)).otherwise(F.col("rejection_reason")))


def accepted_events(classified_df: DataFrame, days: list[dt.date]) -> DataFrame:
    """Rows of `events_by_user` (EVENTS_COLUMNS) from the accepted messages, each in its received day."""
    accepted_df = classified_df.where(F.col("rejection_reason").isNull())
    return reduce(DataFrame.unionByName, [
        to_events(accepted_df.where(F.col("received_day") == F.lit(day)), day).select(*EVENTS_COLUMNS) for day in days])
