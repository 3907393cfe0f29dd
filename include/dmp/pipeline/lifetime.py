"""Lifetime interests per user and theme, derived from the daily interests of the users of a day.

For every user active on the day, the day's daily rows (staged by `daily_interests`, not yet
published) and the stored rows of the user's other days (one Cassandra partition each; the day's
own stored rows, from an earlier run, are replaced by the staged ones) are folded into totals,
active days, first and last seen, a decayed score as of the last day seen, and the events of the
7, 30 and 90 days up to it. Nothing depends on when or in which order days ran: the last run that
touches a user has all of that user's days, so in-order runs, re-runs and backfills in any order
end with the same rows. When a day is run again and a user's theme of that day is gone (the pages
were re-tagged by a new model or rules), the keys of the old daily row, and of the lifetime row it
alone made, are staged for `publish_interests` to delete rather than left to count.
Everything is staged for the interests gate; a negative or NaN score stops the day here.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.runs import stop_day, write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import read_table
from dmp.tagging.taxonomy import UNKNOWN

log = logging.getLogger(__name__)
WINDOWS_DAYS = (7, 30, 90)
DAILY_KEY = ("user_id", "day", "theme")
LIFETIME_KEY = ("user_id", "theme")
LIFETIME_COLUMNS = (
    "user_id", "theme", "total_events", "active_days", "first_seen", "last_seen", "score", "half_life_days",
    *(f"events_{days}d" for days in WINDOWS_DAYS),
)


def _events_within(days: int, age: Column) -> Column:
    return F.sum(F.when(age < days, F.col("events")).otherwise(0)).cast("int").alias(f"events_{days}d")


def lifetime_interests(daily_df: DataFrame, half_life_days: int) -> DataFrame:
    """Rows of `user_interests` from daily rows (user_id, day, theme, events); 'unknown' left out."""
    known_df = daily_df.where(F.col("theme") != UNKNOWN)
    by_theme = Window.partitionBy("user_id", "theme")
    aged_df = known_df.withColumn("last_seen", F.max("day").over(by_theme)).withColumn(
        "age", F.datediff("last_seen", "day")
    )
    age = F.col("age")
    return aged_df.groupBy("user_id", "theme").agg(
        F.sum("events").cast("long").alias("total_events"),
        F.countDistinct("day").cast("int").alias("active_days"),
        F.min("day").alias("first_seen"),
        F.max("last_seen").alias("last_seen"),
        F.sum(F.col("events") * F.pow(F.lit(0.5), age / F.lit(half_life_days))).alias("score"),
        F.lit(half_life_days).alias("half_life_days"),
        *(_events_within(days, age) for days in WINDOWS_DAYS),
    ).select(*LIFETIME_COLUMNS)


def lifetime_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Recompute and stage the lifetime interests of the day's users; stop on negative or NaN scores."""
    # The day's fresh daily rows: every event of the day is in one, so their users are the day's users.
    today_df = staging.read_staged(spark, settings, day, staging.DAILY_INTERESTS).select(*DAILY_KEY, "events")
    users_df = today_df.select("user_id").distinct()
    # A join on the partition key: the connector reads just these users' partitions (direct join).
    stored_df = users_df.join(read_table(spark, settings, tables.DAILY_INTERESTS), on="user_id", how="inner").select(
        *DAILY_KEY, "events").cache()
    current_df = stored_df.where(F.col("day") != F.lit(day)).unionByName(today_df)
    lifetime_df = staging.write_staged(
        lifetime_interests(current_df, settings.interest_half_life_days), settings, day, staging.LIFETIME_INTERESTS
    )
    stale_daily_df = staging.write_staged(stored_df.where(F.col("day") == F.lit(day)).select(*DAILY_KEY).join(
        today_df.select(*DAILY_KEY), on=list(DAILY_KEY), how="left_anti"), settings, day, staging.STALE_DAILY_INTERESTS)
    stale_lifetime_df = staging.write_staged(stale_daily_df.select(*LIFETIME_KEY).distinct().join(
        lifetime_df.select(*LIFETIME_KEY), on=list(LIFETIME_KEY), how="left_anti"),
        settings, day, staging.STALE_LIFETIME_INTERESTS)
    stored_df.unpersist()
    users_by_theme = {row["theme"]: row["count"] for row in lifetime_df.groupBy("theme").count().collect()}
    summary = {
        "date": day.isoformat(),
        "users": users_df.count(),
        "users_with_interests": lifetime_df.select("user_id").distinct().count(),
        "rows": sum(users_by_theme.values()),
        "users_by_theme": dict(sorted(users_by_theme.items())),
        "half_life_days": settings.interest_half_life_days,
        "stale_rows": {"daily": stale_daily_df.count(), "lifetime": stale_lifetime_df.count()},
    }
    invalid = lifetime_df.where(F.isnan("score") | (F.col("score") < 0) | (F.col("total_events") < 0)).count()
    if invalid:
        stop_day(settings, day, steps.LIFETIME_INTERESTS, summary,
                 f"{invalid} lifetime interest rows of {day}'s users have a negative or NaN score or total (staged in "
                 f"{settings.staged(day, staging.LIFETIME_INTERESTS)}); nothing was published.")
    write_step_summary(settings, day, steps.LIFETIME_INTERESTS, summary)
    return summary
