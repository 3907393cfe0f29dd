"""Tag one landing day's pages into `page_index`: the body of the `tag_pages` Spark job.

Only URLs that the page index does not hold for the current model and taxonomy are tagged, so a
re-run of a day, or a day whose pages were seen yesterday, costs little. The figures (pages seen,
already tagged, tagged now, by theme and source, unknown with reasons) go to the day's run folder.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from dmp.pipeline.events import read_staged_events
from dmp.pipeline.page_tagging import TaggerSpec, tagger_and_synonyms, distinct_pages, pages_to_tag, tag_pages
from dmp.pipeline.runs import TAG_STEP, write_step_summary
from dmp.settings import Settings
from dmp.spark import append_to_table, read_table
from dmp.storage import tables

log = logging.getLogger(__name__)


def tagger_spec(settings: Settings, tagged_at: dt.datetime) -> TaggerSpec:
    """The tagger the pipeline uses: the current model, the configured taxonomy and rules."""
    return TaggerSpec(
        model_dir=str((settings.model_dir / "current").resolve()),
        taxonomy_file=str(settings.taxonomy_file),
        rules_file=str(settings.rules_file) if settings.rules_file else None,
        synonyms_file=str(settings.synonyms_file) if settings.synonyms_file else None,
        tagged_at=tagged_at,
    )


def tag_day(spark: SparkSession, settings: Settings, day: dt.date, tagged_at: dt.datetime) -> dict:
    """Tag the day's new pages and return the figures (also written as JSON)."""
    spec = tagger_spec(settings, tagged_at)
    tagger, _ = tagger_and_synonyms(spec)
    accepted_df = read_staged_events(spark, settings, day)
    pages_df = distinct_pages(accepted_df).cache()
    index_df = read_table(spark, settings, tables.PAGE_INDEX)
    new_df = pages_to_tag(pages_df, index_df, tagger.model_version, tagger.taxonomy.digest)
    tagged_df = tag_pages(new_df, spec).cache()
    append_to_table(tagged_df, settings, tables.PAGE_INDEX)
    by_theme = {row["theme"]: row["count"] for row in tagged_df.groupBy("theme").count().collect()}
    by_source = {row["source"]: row["count"] for row in tagged_df.groupBy(
        F.regexp_replace("source", ":.*", "").alias("source")).count().collect()}
    unknown_reasons = {row["reason"]: row["count"] for row in tagged_df.where(F.col("reason").isNotNull())
                       .groupBy(F.regexp_replace("reason", ":.*", "").alias("reason")).count().collect()}
    pages, tagged = pages_df.count(), sum(by_theme.values())
    summary = {
        "date": day.isoformat(),
        "pages": pages,
        "already_tagged": pages - tagged,
        "tagged": tagged,
        "by_theme": dict(sorted(by_theme.items())),
        "by_source": dict(sorted(by_source.items())),
        "unknown_reasons": dict(sorted(unknown_reasons.items())),
        "model_version": tagger.model_version,
        "taxonomy_version": tagger.taxonomy.digest,
    }
    pages_df.unpersist()
    tagged_df.unpersist()
    log.info("tagged %s of %s pages of %s", tagged, pages, day)
    write_step_summary(settings, day, TAG_STEP, summary)
    return summary
