"""Per-user daily interests: for each user, day and theme, the events and distinct pages read.

The day's staged events are joined with the page index (the theme of each page); pages the index
does not know, or knows as 'unknown', count under 'unknown', so the day's totals always equal
its stored events. Rows are upserted by (user_id, day, theme): running a day again writes the
same rows.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.errors import DmpError
from dmp.pipeline.events import read_staged_events
from dmp.pipeline.runs import INTERESTS_STEP, write_step_summary
from dmp.settings import Settings
from dmp.spark import append_to_table, read_table
from dmp.storage import tables
from dmp.tagging.taxonomy import UNKNOWN

log = logging.getLogger(__name__)
INTERESTS_COLUMNS = ("user_id", "day", "theme", "events", "pages")


def with_theme(events_df: DataFrame, pages_df: DataFrame) -> DataFrame:
    """Each event with its page's theme ('unknown' when the page index has none)."""
    themes_df = pages_df.select("url", "theme")
    return events_df.join(themes_df, on="url", how="left").withColumn(
        "theme", F.coalesce(F.col("theme"), F.lit(UNKNOWN))
    )


def daily_interests(themed_events_df: DataFrame) -> DataFrame:
    """Rows of `user_daily_interests`: events and distinct pages per user, day and theme."""
    return themed_events_df.groupBy("user_id", "day", "theme").agg(
        F.count(F.lit(1)).cast("int").alias("events"),
        F.countDistinct("url").cast("int").alias("pages"),
    ).select(*INTERESTS_COLUMNS)


def interests_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Compute and store the day's interests; fail when the totals do not reconcile."""
    events_df = read_staged_events(spark, settings, day).select("user_id", "day", "url")
    pages_df = read_table(spark, settings, tables.PAGE_INDEX)
    interests_df = daily_interests(with_theme(events_df, pages_df)).cache()
    by_theme = {row["theme"]: (row["events"], row["users"]) for row in interests_df.groupBy("theme").agg(
        F.sum("events").alias("events"), F.countDistinct("user_id").alias("users")).collect()}
    events = events_df.count()
    counted = sum(total for total, _ in by_theme.values())
    if counted != events:
        raise DmpError(f"Interests of {day} count {counted} events but {events} were staged: not stored.")
    append_to_table(interests_df, settings, tables.DAILY_INTERESTS)
    summary = {
        "date": day.isoformat(),
        "events": events,
        "users": events_df.select("user_id").distinct().count(),
        "rows": interests_df.count(),
        "events_by_theme": {theme: total for theme, (total, _) in sorted(by_theme.items())},
        "users_by_theme": {theme: users for theme, (_, users) in sorted(by_theme.items())},
    }
    interests_df.unpersist()
    log.info("stored %s interest rows for %s", summary["rows"], day)
    write_step_summary(settings, day, INTERESTS_STEP, summary)
    return summary
