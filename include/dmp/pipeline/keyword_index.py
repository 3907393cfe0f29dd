"""The day's keyword index: keyword -> users (inverted index) and theta sketches per keyword and theme.

Keywords come from the day's pages and themes from the day's tagged events, both as `tag_events`
staged them. Sketches are Apache DataSketches compact theta sketches of user ids,
built in Arrow batches (each partition holds whole keys, sorted), serialized into Cassandra, and
unioned at query time (`dmp.audience.estimate`). Rows are upserted by key and day: a re-run
writes the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.pipeline import staging
from dmp.pipeline.runs import KEYWORDS_STEP, write_step_summary
from dmp.settings import Settings
from dmp.spark import append_to_table
from dmp.storage import tables
from dmp.tagging.taxonomy import UNKNOWN

# Users per stored set, at most: a cell of a few hundred KB, well under what Cassandra handles well.
CHUNK_USERS = 4096
SKETCH_LG_K = 12  # 4,096 entries: exact below that, about 1.6% relative error above
SKETCH_SCHEMA = T.StructType([
    T.StructField("kind", T.StringType()), T.StructField("key", T.StringType()), T.StructField("day", T.DateType()),
    T.StructField("sketch", T.BinaryType()), T.StructField("estimate", T.DoubleType()),
])


def keyword_visits(events_df: DataFrame, pages_df: DataFrame) -> DataFrame:
    """(keyword, day, user_id) for each page a user read that day, once per page and keyword.

    Not made distinct per keyword: a page has 10-20 keywords, so that would shuffle about twelve
    rows per event; the sets collect distinct users and sketches ignore repeats anyway.
    """
    keywords_df = pages_df.select("url", F.explode(F.map_keys("keywords")).alias("keyword"))
    page_reads_df = events_df.select("user_id", "day", "url").distinct()
    return page_reads_df.join(keywords_df, on="url", how="inner").select("keyword", "day", "user_id")


def user_sets(visits_df: DataFrame) -> DataFrame:
    """Rows of `keyword_user_sets`: each (keyword, day)'s users in chunks of at most CHUNK_USERS.

    A keyword needs at most ceil(visits / CHUNK_USERS) chunks that day (visits bound its users); a
    user's chunk is a hash of its id modulo that number, so the same day always gives the same
    chunks (a re-run upserts them).
    """
    by_key = Window.partitionBy("keyword", "day")
    chunked_df = visits_df.withColumn("chunks", F.ceil(F.count(F.lit(1)).over(by_key) / F.lit(CHUNK_USERS))).withColumn(
        "chunk", F.pmod(F.xxhash64("user_id"), F.col("chunks")).cast("int"))
    return chunked_df.groupBy("keyword", "day", "chunk").agg(F.array_sort(F.collect_set("user_id")).alias("users"))


def user_sketches(pairs_df: DataFrame, kind: str, key_column: str) -> DataFrame:
    """One compact theta sketch of user ids per (key, day)."""

    def build(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from datasketches import update_theta_sketch

        for batch in batches:
            rows = []
            for (key, day), users in batch.groupby([key_column, "day"], sort=False)["user_id"]:
                sketch = update_theta_sketch(SKETCH_LG_K)
                for user in users:
                    sketch.update(user)
                compact = sketch.compact()
                rows.append((kind, key, day, compact.serialize(), compact.get_estimate()))
            yield pd.DataFrame(rows, columns=SKETCH_SCHEMA.fieldNames())

    grouped_df = pairs_df.select(key_column, "day", "user_id").repartition(key_column, "day").sortWithinPartitions(
        key_column, "day")
    return grouped_df.mapInPandas(build, schema=SKETCH_SCHEMA)


def keyword_index_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Write the day's inverted index and sketches; return the figures."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS)
    pages_df = staging.read_staged(spark, settings, day, staging.PAGES)
    visits_df = keyword_visits(events_df, pages_df).cache()
    theme_users_df = events_df.where(F.col("theme") != UNKNOWN).select("theme", "day", "user_id").distinct()
    sketches_df = user_sketches(visits_df, "keyword", "keyword").unionByName(
        user_sketches(theme_users_df, "theme", "theme")).cache()
    sets_df = user_sets(visits_df).cache()
    append_to_table(sets_df, settings, tables.KEYWORD_USER_SETS)
    append_to_table(sketches_df, settings, tables.AUDIENCE_SKETCHES)
    by_kind = {row["kind"]: row["count"] for row in sketches_df.groupBy("kind").count().collect()}
    summary = {
        "date": day.isoformat(),
        "keyword_visits": visits_df.count(),
        "keyword_user_sets": sets_df.count(),
        "keywords": by_kind.get("keyword", 0),
        "theme_sketches": by_kind.get("theme", 0),
    }
    for frame in (visits_df, sets_df, sketches_df):
        frame.unpersist()
    write_step_summary(settings, day, KEYWORDS_STEP, summary)
    return summary
