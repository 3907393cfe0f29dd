"""Per-user daily interests: for each user, day and theme, the events and distinct pages read.

They are counted from the day's tagged events as `tag_events` staged them (untagged pages count
under 'unknown'; a theme's row also counts the events of its child themes, see
`dmp.pipeline.theme_lineage`), so the day's totals under the themes without a parent always equal
its stored events. The rows are staged for the interests gate and upserted by (user_id, day,
theme): running a day again writes the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.errors import DmpError
from dmp.pipeline import staging
from dmp.pipeline.runs import INTERESTS_STEP, write_step_summary
from dmp.pipeline.theme_lineage import events_once, with_ancestor_themes
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import append_to_table, by_partition
from dmp.tagging.taxonomy import load_taxonomy

log = logging.getLogger(__name__)
INTERESTS_COLUMNS = ("user_id", "day", "theme", "events", "pages")


def daily_interests(themed_events_df: DataFrame) -> DataFrame:
    """Rows of `user_daily_interests`: events and distinct pages per user, day and theme."""
    return themed_events_df.groupBy("user_id", "day", "theme").agg(
        F.count(F.lit(1)).cast("int").alias("events"),
        F.countDistinct("url").cast("int").alias("pages"),
    ).select(*INTERESTS_COLUMNS)


def interests_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Compute and store the day's interests; fail when the totals do not reconcile."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS).select("user_id", "day", "url", "theme")
    taxonomy = load_taxonomy(settings.taxonomy_file)
    interests_df = staging.write_staged(daily_interests(events_df.transform(with_ancestor_themes(taxonomy))),
                                        settings, day, staging.DAILY_INTERESTS)
    by_theme = {row["theme"]: (row["events"], row["users"]) for row in interests_df.groupBy("theme").agg(
        F.sum("events").alias("events"), F.countDistinct("user_id").alias("users")).collect()}
    events = events_df.count()
    counted = events_once({theme: total for theme, (total, _) in by_theme.items()}, taxonomy)
    if counted != events:
        raise DmpError(f"Interests of {day} count {counted} events but {events} were staged: not stored.")
    append_to_table(by_partition(interests_df, "user_id"), settings, tables.DAILY_INTERESTS)
    summary = {
        "date": day.isoformat(),
        "events": events,
        "users": events_df.select("user_id").distinct().count(),
        "rows": interests_df.count(),
        "events_by_theme": {theme: total for theme, (total, _) in sorted(by_theme.items())},
        "users_by_theme": {theme: users for theme, (_, users) in sorted(by_theme.items())},
    }
    log.info("stored %s interest rows for %s", summary["rows"], day)
    write_step_summary(settings, day, INTERESTS_STEP, summary)
    return summary
