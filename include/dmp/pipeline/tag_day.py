"""Tag one day's events with the theme of their page: the body of the `tag_events` Spark job.

Each distinct URL of the day is tagged once: pages the page index holds for the current model and
taxonomy keep their tags; the others (new, expired, or tagged by another model) are tagged now.
Two datasets are staged for the gate that follows and for the steps after it: the day's pages
with their tags (`is_new` marks those the store step adds to the page index) and the day's events
with their page's theme. Nothing is written to Cassandra here: publishing waits for the gate.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.page_tagging import (
    PAGE_INDEX_SCHEMA, TaggerSpec, current_tags, distinct_pages, tag_pages, tagger_and_synonyms,
)
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import read_table
from dmp.tagging.taxonomy import UNKNOWN

log = logging.getLogger(__name__)
PAGE_COLUMNS = (*PAGE_INDEX_SCHEMA.fieldNames(), "is_new")
TAG_COLUMNS = ("theme", "score", "source", "model_version")


def tagger_spec(settings: Settings, tagged_at: dt.datetime) -> TaggerSpec:
    """The tagger the pipeline uses: the current model, the configured taxonomy and rules."""
    return TaggerSpec(
        model_dir=str((settings.model_dir / "current").resolve()),
        taxonomy_file=str(settings.taxonomy_file),
        rules_file=str(settings.rules_file) if settings.rules_file else None,
        synonyms_file=str(settings.synonyms_file) if settings.synonyms_file else None,
        tagged_at=tagged_at,
    )


def with_page_tags(events_df: DataFrame, pages_df: DataFrame) -> DataFrame:
    """Each event with its page's theme, score, source and model version ('unknown' when untagged)."""
    tags_df = pages_df.select("url", *TAG_COLUMNS)
    return events_df.join(tags_df, on="url", how="left").withColumn(
        "theme", F.coalesce(F.col("theme"), F.lit(UNKNOWN))
    )


def day_pages(pages_df: DataFrame, current_df: DataFrame, spec: TaggerSpec) -> DataFrame:
    """The day's pages with their tags: those in `current_df` (the index's current tags) as they are,
    the others tagged now (`is_new`)."""
    known_df = current_df.join(pages_df, on="url", how="inner").select(*PAGE_INDEX_SCHEMA.fieldNames()).withColumn(
        "is_new", F.lit(False))
    new_df = tag_pages(pages_df.join(current_df.select("url"), on="url", how="left_anti"), spec)
    return new_df.withColumn("is_new", F.lit(True)).unionByName(known_df).select(*PAGE_COLUMNS)


def tag_day(spark: SparkSession, settings: Settings, day: dt.date, tagged_at: dt.datetime) -> dict:
    """Tag the day's events and stage them with the day's pages; the figures (also written as JSON)."""
    spec = tagger_spec(settings, tagged_at)
    tagger, _ = tagger_and_synonyms(spec)
    events_df = staging.read_staged(spark, settings, day, staging.EVENTS)
    # The current tags are read with one scan and kept for both joins: joined straight to the table,
    # the connector would look each of the day's pages up by key (a direct join), several times
    # slower than the scan when the day's pages are a good share of the index (1M-event day: 30 s vs 4).
    current_df = current_tags(read_table(spark, settings, tables.PAGE_INDEX), tagger.model_version,
                              tagger.configuration_version).persist(StorageLevel.MEMORY_AND_DISK)
    pages_df = staging.write_staged(
        day_pages(distinct_pages(events_df), current_df, spec), settings, day, staging.PAGES)
    current_df.unpersist()
    tagged_events_df = staging.write_staged(with_page_tags(events_df, pages_df), settings, day, staging.TAGGED_EVENTS)
    summary = {
        "date": day.isoformat(),
        **_page_figures(pages_df),
        **_event_figures(tagged_events_df),
        "model_version": tagger.model_version,
        "taxonomy_version": tagger.configuration_version,
    }
    log.info("tagged %s new of %s pages of %s", summary["tagged"], summary["pages"], day)
    write_step_summary(settings, day, steps.TAG_EVENTS, summary)
    return summary


def _counts(frame: DataFrame, column) -> dict:
    return dict(sorted((row[0], row[1]) for row in frame.groupBy(column).count().collect()))


def _page_figures(pages_df: DataFrame) -> dict:
    new_df = pages_df.where("is_new")
    tagged = new_df.count()
    pages = pages_df.count()
    return {
        "pages": pages,
        "already_tagged": pages - tagged,
        "tagged": tagged,
        "by_theme": _counts(new_df, "theme"),
        "by_source": _counts(new_df, F.regexp_replace("source", ":.*", "").alias("source")),
        "unknown_reasons": _counts(new_df.where(F.col("reason").isNotNull()),
                                   F.regexp_replace("reason", ":.*", "").alias("reason")),
    }


def _event_figures(tagged_events_df: DataFrame) -> dict:
    by_theme = _counts(tagged_events_df, "theme")
    events = sum(by_theme.values())
    return {
        "events": events,
        "events_by_theme": by_theme,
        "events_coverage": round(1 - by_theme.get(UNKNOWN, 0) / events, 4) if events else 0.0,
    }
