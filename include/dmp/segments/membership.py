"""From the subjects a rule holds for on a day to a segment's members: consent and membership TTL.

A subject qualifies on a day when the rule holds for it then; it stays a member for the definition's
`membership_ttl_days` after the last day it qualified (qualifications of earlier days are staged
per day, under the same definition version only). Consent is applied last, with today's subjects:
a person who withdrew consent leaves at once, and a subject whose consent is unknown (id level,
before identity) is excluded from a segment that requires consent and counted as such.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from dmp.segments.definitions import Definition
from dmp.segments.evaluate import Context, evaluate_rule

QUALIFIED_COLUMNS = ("segment_id", "definition_version", "subject_id", "ids", "has_consent", "score", "rule",
                     "last_qualified")
MEMBER_COLUMNS = ("segment_id", "subject_id", "ids", "has_consent", "score", "rule", "last_qualified", "expires")


def qualified_today(definition: Definition, ctx: Context) -> DataFrame:
    """The subjects the definition's rule holds for on `ctx.day`, with their ids and consent."""
    matched_df = evaluate_rule(definition.rule, ctx)
    return matched_df.join(ctx.subjects.subjects_df.select("subject_id", "ids", "has_consent"), on="subject_id",
                           how="inner").select(
        F.lit(definition.id).alias("segment_id"), F.lit(definition.version).alias("definition_version"),
        "subject_id", "ids", "has_consent", "score", "rule", F.lit(ctx.day).alias("last_qualified"))


def with_ttl(definition: Definition, day: dt.date, qualified_df: DataFrame, earlier_df: DataFrame | None,
             subjects_df: DataFrame) -> DataFrame:
    """Members: each subject's latest qualification within the TTL, its ids and consent as of today."""
    first_kept = day - dt.timedelta(days=definition.membership_ttl_days - 1)
    all_df = qualified_df
    if earlier_df is not None:
        all_df = all_df.unionByName(earlier_df.where(
            (F.col("segment_id") == definition.id) & (F.col("definition_version") == definition.version)
            & (F.col("last_qualified") >= F.lit(first_kept)) & (F.col("last_qualified") < F.lit(day))
        ).select(*QUALIFIED_COLUMNS))
    latest = Window.partitionBy("subject_id").orderBy(F.col("last_qualified").desc())
    latest_df = all_df.withColumn("rank", F.row_number().over(latest)).where(F.col("rank") == 1)
    today_df = subjects_df.select("subject_id", F.col("ids").alias("ids_today"),
                                  F.col("has_consent").alias("consent_today"), F.lit(True).alias("is_known_today"))
    return latest_df.join(today_df, on="subject_id", how="left").select(
        "segment_id", "subject_id", F.coalesce("ids_today", "ids").alias("ids"),
        F.when(F.col("is_known_today"), F.col("consent_today")).otherwise(F.col("has_consent")).alias("has_consent"),
        "score", "rule", "last_qualified",
        F.date_add("last_qualified", definition.membership_ttl_days).alias("expires"))


def consented(definition: Definition, members_df: DataFrame) -> DataFrame:
    """The members the definition may target: those who consented, unless it does not require consent."""
    if not definition.consent_required:
        return members_df
    return members_df.where(F.col("has_consent") == F.lit(True))


def consent_exclusions(definition: Definition, members_df: DataFrame) -> dict[str, int]:
    """How many would-be members consent keeps out: refused, and unknown (no person known yet)."""
    if not definition.consent_required:
        return {"excluded_no_consent": 0, "excluded_unknown_consent": 0}
    row = members_df.agg(
        F.sum(F.when(F.col("has_consent") == F.lit(False), 1).otherwise(0)).alias("refused"),
        F.sum(F.when(F.col("has_consent").isNull(), 1).otherwise(0)).alias("unknown")).first()
    return {"excluded_no_consent": int(row["refused"] or 0), "excluded_unknown_consent": int(row["unknown"] or 0)}
