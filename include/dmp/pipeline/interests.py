"""Per-user daily interests: for each user, day and theme, the events and distinct pages read.

They are counted from the day's tagged events as `tag_events` staged them (untagged pages count
under 'unknown'; a theme's row also counts the events of its child themes, see
`dmp.pipeline.theme_lineage`), so the day's totals under the themes without a parent always equal
its stored events; totals that do not stop the day. The rows are only staged here:
`lifetime_interests` folds them in, the interests gate checks them and `publish_interests`
upserts them by (user_id, day, theme), the same rows on every re-run.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.runs import stop_day, write_step_summary
from dmp.pipeline.theme_lineage import events_once, with_ancestor_themes
from dmp.settings import Settings
from dmp.tagging.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)
INTERESTS_COLUMNS = ("user_id", "day", "theme", "events", "pages")


def daily_interests(themed_events_df: DataFrame) -> DataFrame:
    """Rows of `user_daily_interests`: events and distinct pages per user, day and theme."""
    return themed_events_df.groupBy("user_id", "day", "theme").agg(
        F.count(F.lit(1)).cast("int").alias("events"),
        F.countDistinct("url").cast("int").alias("pages"),
    ).select(*INTERESTS_COLUMNS)


def unreconciled_events(events: int, events_by_theme: dict[str, int], taxonomy: Taxonomy) -> str | None:
    """Why the interests' totals (each event once, under its theme's root) do not match the day's events, or None."""
    counted = events_once(events_by_theme, taxonomy)
    if counted == events:
        return None
    return (f"the daily interests count {counted:,} events but {events:,} were staged by {steps.TAG_EVENTS} "
            f"(by theme: {dict(sorted(events_by_theme.items()))}); nothing was published.")


def interests_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Compute and stage the day's interests; stop the day when their totals do not reconcile."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS).select("user_id", "day", "url", "theme")
    taxonomy = load_taxonomy(settings.taxonomy_file)
    interests_df = staging.write_staged(daily_interests(events_df.transform(with_ancestor_themes(taxonomy))),
                                        settings, day, staging.DAILY_INTERESTS)
    by_theme = {row["theme"]: (row["events"], row["users"]) for row in interests_df.groupBy("theme").agg(
        F.sum("events").alias("events"), F.countDistinct("user_id").alias("users")).collect()}
    summary = {
        "date": day.isoformat(),
        "events": events_df.count(),
        "users": events_df.select("user_id").distinct().count(),
        "rows": interests_df.count(),
        "events_by_theme": {theme: total for theme, (total, _) in sorted(by_theme.items())},
        "users_by_theme": {theme: users for theme, (_, users) in sorted(by_theme.items())},
    }
    problem = unreconciled_events(summary["events"], summary["events_by_theme"], taxonomy)
    if problem:
        stop_day(settings, day, steps.DAILY_INTERESTS, summary, problem)
    log.info("staged %s interest rows for %s", summary["rows"], day)
    write_step_summary(settings, day, steps.DAILY_INTERESTS, summary)
    return summary

