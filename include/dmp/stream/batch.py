"""One micro-batch of the stream: validate, tag, store, index and publish what must be real time.

`StreamProcessor.process` is the `foreachBatch` function of the stream's query. For a batch of
Kafka messages it:
1. parses and validates every message as the daily run validates a landing day, emails hashed at
   once (`dmp.stream.messages`); rejected ones go to the quarantine folder with their reason;
2. tags the batch's pages from the page index, the unknown ones by the model in the batch, and
   writes those back to `page_index` (`dmp.pipeline.page_tagging`, `tag_day`'s functions);
3. upserts the accepted events into `events_by_user` (the daily run's rows: same ids);
4. merges the batch's keyword lists and theme and keyword sketches into the day's
   (`dmp.pipeline.keyword_index` builds them, `dmp.storage.stream` merges them);
5. adds the users who now qualify to the real-time segments (`dmp.stream.live_segments`);
6. writes the batch's figures (`dmp.stream.figures`): read = stored + quarantined.
Every write is an upsert by key or a merge that a second run leaves unchanged, and the batch's
figures and quarantine files are rewritten by batch id, so when Spark replays the last
uncommitted batch after a crash, nothing changes. No gate stands between a batch and Cassandra:
the stream is not a DAG run; its checks are per message, and the daily run of the day, from the
day's files, goes through the gates and replaces what the stream wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.pipeline.events import EVENTS_COLUMNS
from dmp.pipeline.keyword_index import keyword_user_lists, theme_user_lists, user_sketches
from dmp.pipeline.page_tagging import PAGE_INDEX_SCHEMA, current_tags, distinct_pages, tagger_and_synonyms
from dmp.pipeline.tag_day import day_pages, tagger_spec, with_page_tags
from dmp.pipeline.theme_lineage import with_ancestor_themes
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import KEYWORD_KIND, key_bucket_column
from dmp.storage.spark_io import append_to_table, by_partition, read_table
from dmp.storage.stream import stream_chunk, upsert_sketches, upsert_user_sets
from dmp.stream import figures as batch_figures
from dmp.stream.live_segments import LiveSegments, realtime_definitions
from dmp.stream.messages import accepted_events, classify, parse_messages
from dmp.tagging.taxonomy import load_taxonomy

log = logging.getLogger(__name__)
# The stages of a batch, in order; a test hook (`after_stage`) can stop a batch after any of them.
VALIDATED, EVENTS_STORED, INDEXED, SEGMENTS_PUBLISHED = "validated", "events_stored", "indexed", "segments_published"
QUARANTINE_COLUMNS = ("partition", "offset", "produced_at", "received_day", "rejection_reason", "user_id", "ts", "url",
                      "referrer", "event_type", "partner_id", "email_sha256", "_corrupt_record")
StageHook = Callable[[str, int], None]


def quarantine_folder(settings: Settings, batch_id: int):
    return settings.stream_quarantine_dir / f"batch-{batch_id:010d}"


def keyword_sets(lists_df: DataFrame) -> DataFrame:
    """The stream's rows of `keyword_user_sets` from the batch's keyword lists: its users per stream chunk."""
    users_df = lists_df.where(F.col("kind") == KEYWORD_KIND).select(
        "day", F.col("key").alias("keyword"), F.explode("users").alias("user_id"))
    return users_df.groupBy("day", "keyword", stream_chunk(F.col("user_id")).alias("chunk")).agg(
        F.array_sort(F.collect_set("user_id")).alias("users")).withColumn("bucket", key_bucket_column("keyword"))


class StreamProcessor:
    """The stream's `foreachBatch` function, with what it keeps between batches."""

    def __init__(self, settings: Settings, after_stage: StageHook | None = None):
        self.settings = settings
        self.taxonomy = load_taxonomy(settings.taxonomy_file)
        self.segments = LiveSegments(settings, realtime_definitions(settings), self.taxonomy)
        self.after_stage = after_stage or (lambda stage, batch_id: None)

    def process(self, kafka_df: DataFrame, batch_id: int) -> None:
        started = time.time()
        messages_df = parse_messages(kafka_df, self.settings.column_map).persist(StorageLevel.MEMORY_AND_DISK)
        # One pass for the batch's days and its messages' Kafka times (latency figures, tag time).
        seconds = messages_df.groupBy("received_day", F.floor(F.unix_millis("produced_at") / 1000).alias("second")).count(
            ).collect()
        days = sorted({row["received_day"] for row in seconds})
        per_second: dict[str, int] = {}
        for row in seconds:
            per_second[str(row["second"])] = per_second.get(str(row["second"]), 0) + row["count"]
        summary = self._process_days(messages_df, days, batch_id, max(map(int, per_second), default=0)) if days else {
            "read": 0, "stored": 0, "quarantined": 0, "quarantined_by_reason": {}}
        messages_df.unpersist()
        batch_figures.write_batch(self.settings, batch_id, {
            **summary, "days": [day.isoformat() for day in days], "produced_per_second": per_second,
            "started_at_ms": int(started * 1000), "written_at_ms": int(time.time() * 1000)})
        log.info("batch %s: %s read, %s stored, %s quarantined in %.1f s", batch_id, summary["read"],
                 summary["stored"], summary["quarantined"], time.time() - started)

    def _process_days(self, messages_df: DataFrame, days: list[dt.date], batch_id: int, last_second: int) -> dict:
        spark = messages_df.sparkSession
        classified_df = classify(messages_df, days, self.settings.max_lateness_hours).persist(
            StorageLevel.MEMORY_AND_DISK)
        by_reason = {row[0]: row[1] for row in classified_df.groupBy("rejection_reason").count().collect()}
        accepted = by_reason.pop(None, 0)
        self._quarantine(classified_df, batch_id, bool(by_reason))
        self.after_stage(VALIDATED, batch_id)
        summary = {"read": accepted + sum(by_reason.values()), "stored": accepted, "quarantined": sum(by_reason.values()),
                   "quarantined_by_reason": dict(sorted(by_reason.items()))}
        if not accepted:  # nothing to store, index or publish
            classified_df.unpersist()
            return {**summary, "segments": {}}

        events_df = accepted_events(classified_df, days).persist(StorageLevel.MEMORY_AND_DISK)
        # The tag time is the batch's last message time, not the clock, so a replay tags alike.
        pages_df, tagged_events_df = self._tag(spark, events_df, dt.datetime.fromtimestamp(last_second, dt.timezone.utc))
        append_to_table(by_partition(tagged_events_df.select(
            *EVENTS_COLUMNS, "theme", F.col("score").alias("theme_score"), F.col("source").alias("theme_source"),
            "model_version"), "user_id", "day"), self.settings, tables.EVENTS)
        self.after_stage(EVENTS_STORED, batch_id)

        themed_df = tagged_events_df.transform(with_ancestor_themes(self.taxonomy))
        lists_df = keyword_user_lists(tagged_events_df, pages_df).unionByName(theme_user_lists(themed_df)).persist(
            StorageLevel.MEMORY_AND_DISK)
        upsert_user_sets(keyword_sets(lists_df), self.settings)
        upsert_sketches(user_sketches(lists_df), self.settings)
        self.after_stage(INDEXED, batch_id)

        segments = {day.isoformat(): self.segments.add_batch(spark, day, tagged_events_df) for day in days}
        self.after_stage(SEGMENTS_PUBLISHED, batch_id)
        for frame in (lists_df, tagged_events_df, pages_df, events_df, classified_df):
            frame.unpersist()
        return {**summary, "segments": segments}

    def _quarantine(self, classified_df: DataFrame, batch_id: int, has_rejects: bool) -> None:
        """The batch's rejected messages with their reasons, rewritten by batch id (none: no folder)."""
        target = quarantine_folder(self.settings, batch_id)
        if not has_rejects:
            shutil.rmtree(target, ignore_errors=True)
            return
        classified_df.where(F.col("rejection_reason").isNotNull()).select(*QUARANTINE_COLUMNS).coalesce(1).write.mode(
            "overwrite").json(str(target), compression="gzip")

    def _tag(self, spark, events_df: DataFrame, tagged_at: dt.datetime) -> tuple[DataFrame, DataFrame]:
        """The batch's pages with their tags (new ones tagged now and written back) and its tagged events."""
        spec = tagger_spec(self.settings, tagged_at)
        tagger, _ = tagger_and_synonyms(spec)
        pages_df = distinct_pages(events_df).persist(StorageLevel.MEMORY_AND_DISK)
        # Only the batch's pages are looked up (the connector's direct join on the key), not the whole index.
        known_df = read_table(spark, self.settings, tables.PAGE_INDEX).join(pages_df, on="url", how="inner")
        current_df = current_tags(known_df, tagger.model_version, tagger.configuration_version).persist(
            StorageLevel.MEMORY_AND_DISK)
        tagged_pages_df = day_pages(pages_df, current_df, spec).persist(StorageLevel.MEMORY_AND_DISK)
        append_to_table(tagged_pages_df.where("is_new").select(*PAGE_INDEX_SCHEMA.fieldNames()), self.settings,
                        tables.PAGE_INDEX)
        current_df.unpersist()
        pages_df.unpersist()
        tagged_events_df = with_page_tags(events_df, tagged_pages_df).persist(StorageLevel.MEMORY_AND_DISK)
        return tagged_pages_df, tagged_events_df
