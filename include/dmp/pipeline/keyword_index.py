"""The day's keyword index: keyword -> users (inverted index) and theta sketches per keyword and theme.

Keywords come from the day's pages and themes from the day's tagged events, both as `tag_events`
staged them. Each (keyword, day) and (theme, day) is grouped into sorted lists of distinct users of
about CHUNK_USERS each: one list (chunk 0) for most keys, several for frequent ones, each user in
the chunk its hash picks. No row ever holds a whole frequent key, so memory stays flat as days grow.
The index stores the chunks as they are; the sketches (Apache DataSketches compact theta sketches
of the user ids, built in Arrow batches) are built per chunk and unioned per key, and unioned again
at query time (`dmp.audience.estimate`). Lists, index rows and sketches (each with its key's exact
user count, for the gate) are staged; theme lists that do not reconcile with the day's events stop
the day. The keyword-index gate checks the staged rows and `publish_keyword_index` writes them
(`dmp.pipeline.publish`). Keys share 4,096 buckets per day (`dmp.storage.formats`), so a day is a
set of whole partitions (index) or of clustering ranges (sketches): publishing deletes the day's
rows first, and a re-run leaves exactly that day's keywords, whatever an earlier run wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.pipeline import staging, steps
from dmp.pipeline.runs import stop_day, write_step_summary
from dmp.pipeline.theme_lineage import with_ancestor_themes
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import (
    KEYWORD_KIND, SKETCH_LG_K, THEME_KIND, key_bucket_column, union_of_sketches, user_sketch, users_blob_column,
)
from dmp.storage.spark_io import by_partition
from dmp.tagging.taxonomy import UNKNOWN, load_taxonomy

# Users per stored set, about: a cell of a few hundred KB, well under what Cassandra handles well.
CHUNK_USERS = 4096
# The keyword-index gate's bound on a sketch's error against its key's exact users: 5 standard
# errors (1/sqrt(k)), which an honest sketch passes but one built from the wrong users does not.
MAX_SKETCH_ERROR = 5 / (2 ** SKETCH_LG_K) ** 0.5
SKETCH_SCHEMA = T.StructType([
    T.StructField("kind", T.StringType()), T.StructField("key", T.StringType()), T.StructField("day", T.DateType()),
    T.StructField("sketch", T.BinaryType()), T.StructField("estimate", T.DoubleType()),
])


def _chunk_of(user: Column, chunks: Column) -> Column:
    """A user's chunk among `chunks`: the same for the same day's data, whatever the order."""
    return F.pmod(F.xxhash64(user), chunks).cast("int")


def _with_chunk_counts(frame: DataFrame, bounds_df: DataFrame) -> DataFrame:
    """`frame` with its key's `chunks` that day: 1, or enough for the key's `bound` of users when it
    passes CHUNK_USERS (few keys, so broadcast)."""
    frequent_df = F.broadcast(bounds_df.where(F.col("bound") > CHUNK_USERS).select(
        "key", "day", F.ceil(F.col("bound") / F.lit(CHUNK_USERS)).cast("int").alias("chunks")))
    return frame.join(frequent_df, on=["key", "day"], how="left").withColumn("chunks", F.coalesce("chunks", F.lit(1)))


def user_lists(pairs_df: DataFrame, kind: str, key_column: str) -> DataFrame:
    """(kind, key, day, chunks, chunk, users) from (key, day, user_id) pairs: each chunk's distinct users, sorted."""
    pairs_df = pairs_df.select(F.col(key_column).alias("key"), "day", "user_id")
    chunked_df = _with_chunk_counts(pairs_df, pairs_df.groupBy("key", "day").agg(F.count(F.lit(1)).alias("bound")))
    return chunked_df.groupBy("key", "day", "chunks", _chunk_of(F.col("user_id"), F.col("chunks")).alias("chunk")).agg(
        F.array_sort(F.collect_set("user_id")).alias("users")).select(
        F.lit(kind).alias("kind"), "key", "day", "chunks", "chunk", "users")


def keyword_user_lists(events_df: DataFrame, pages_df: DataFrame) -> DataFrame:
    """The users of each keyword of the day, in chunks: those who read a page with it that day.

    Each page's readers are grouped first and the keywords join those groups: a page has 10-20
    keywords, so joining (keyword, user) pairs would shuffle about twelve rows per event (half as
    fast on a 1M-event day). A keyword whose pages had more than CHUNK_USERS events that day (an
    upper bound of its users) is split: its pages' readers are spread over its chunks one by one.
    """
    readers_df = events_df.groupBy("url", "day").agg(F.collect_set("user_id").alias("users"))
    keywords_df = pages_df.select("url", F.explode(F.map_keys("keywords")).alias("key"))
    bounds_df = keywords_df.join(events_df.groupBy("url", "day").count(), on="url").groupBy("key", "day").agg(
        F.sum("count").alias("bound"))  # events, not readers: no second grouping of users (4 s vs 9 at 1M events)
    joined_df = _with_chunk_counts(keywords_df.join(readers_df, on="url"), bounds_df)
    whole = F.array(F.struct(F.lit(0).alias("chunk"), F.col("users").alias("users")))
    one_by_one = F.transform("users", lambda user: F.struct(
        _chunk_of(user, F.col("chunks")).alias("chunk"), F.array(user).alias("users")))
    parts_df = joined_df.select("key", "day", "chunks", F.explode(
        F.when(F.col("chunks") == 1, whole).otherwise(one_by_one)).alias("part"))
    return parts_df.groupBy("key", "day", "chunks", F.col("part.chunk").alias("chunk")).agg(
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("part.users")))).alias("users"),
    ).select(F.lit(KEYWORD_KIND).alias("kind"), "key", "day", "chunks", "chunk", "users")


def theme_user_lists(events_df: DataFrame) -> DataFrame:
    """The users of each theme of the day, in chunks (events of unknown pages left out)."""
    return user_lists(events_df.where(F.col("theme") != UNKNOWN), THEME_KIND, "theme")


def user_sets(lists_df: DataFrame) -> DataFrame:
    """Rows of `keyword_user_sets` from keyword lists, sorted by partition (day, bucket).

    Each chunk's users become one blob (`dmp.storage.formats.decode_users` reads it back). Sorted,
    the connector writes a bucket's rows in one batch.
    """
    sets_df = lists_df.select("day", key_bucket_column("key").alias("bucket"), F.col("key").alias("keyword"),
                              "chunk", users_blob_column("users").alias("user_ids"))
    return by_partition(sets_df, "day", "bucket")


def _sketch_rows(batch: pd.DataFrame, compacts) -> pd.DataFrame:
    compacts = list(compacts)
    return batch[["kind", "key", "day"]].assign(sketch=[compact.serialize() for compact in compacts],
                                                estimate=[compact.get_estimate() for compact in compacts])


def _sketch_lists(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for batch in batches:
        yield _sketch_rows(batch, map(user_sketch, batch["users"]))


def _union_parts(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for batch in batches:
        yield _sketch_rows(batch, map(union_of_sketches, batch["parts"]))


def user_sketches(lists_df: DataFrame) -> DataFrame:
    """One compact theta sketch of user ids per (kind, key, day): a key in chunks gets their union."""
    whole_df = lists_df.where(F.col("chunks") == 1).mapInPandas(_sketch_lists, schema=SKETCH_SCHEMA)
    parts_df = lists_df.where(F.col("chunks") > 1).mapInPandas(_sketch_lists, schema=SKETCH_SCHEMA).groupBy(
        "kind", "key", "day").agg(F.collect_list("sketch").alias("parts"))
    sketches_df = whole_df.unionByName(parts_df.mapInPandas(_union_parts, schema=SKETCH_SCHEMA)).withColumn(
        "bucket", key_bucket_column("key"))
    return by_partition(sketches_df, "kind", "bucket")


def with_key_users(sketches_df: DataFrame, lists_df: DataFrame) -> DataFrame:
    """Sketch rows with their key's exact `users` (from the lists: each user is in one chunk) and the
    sketch's `relative_error` against it, for the gate to bound."""
    users_df = lists_df.groupBy("kind", "key", "day").agg(F.sum(F.size("users")).alias("users"))
    return by_partition(sketches_df.join(users_df, on=["kind", "key", "day"], how="left").withColumn(
        "relative_error", F.abs(F.col("estimate") - F.col("users")) / F.col("users")), "kind", "bucket")


def unreconciled_themes(events_df: DataFrame, lists_df: DataFrame) -> str | None:
    """Why the theme lists do not hold each (theme, user) of the day's tagged events once, or None."""
    expected = events_df.where(F.col("theme") != UNKNOWN).select("theme", "user_id").distinct().count()
    listed = lists_df.where(F.col("kind") == THEME_KIND).agg(F.coalesce(F.sum(F.size("users")), F.lit(0))).first()[0]
    if listed == expected:
        return None
    return (f"the theme lists hold {listed:,} (theme, user) pairs but the day's tagged events have {expected:,}; "
            "nothing was published.")


def keyword_index_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Stage the day's inverted index and sketches; return the figures."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS)
    pages_df = staging.read_staged(spark, settings, day, staging.PAGES)
    # Staged rather than cached: Spark's in-memory cache builds column batches of 10,000 rows,
    # which ran a 10M-event day (lists of up to 4,096 users each) out of a 4 GB heap.
    # A theme's sketch counts the readers of its child themes too (the taxonomy's `parent`).
    themed_df = events_df.transform(with_ancestor_themes(load_taxonomy(settings.taxonomy_file)))
    lists_df = staging.write_staged(keyword_user_lists(events_df, pages_df).unionByName(theme_user_lists(themed_df)),
                                    settings, day, staging.USER_LISTS)
    staging.write_staged(user_sets(lists_df.where(F.col("kind") == KEYWORD_KIND)), settings, day,
                         staging.KEYWORD_USER_SETS)
    staging.write_staged(with_key_users(user_sketches(lists_df), lists_df), settings, day, staging.AUDIENCE_SKETCHES)
    by_kind = {row["kind"]: row for row in lists_df.groupBy("kind").agg(
        F.countDistinct("key").alias("lists"), F.sum(F.size("users")).alias("users"),
        F.count(F.lit(1)).alias("chunks")).collect()}
    keywords = by_kind.get(KEYWORD_KIND)
    summary = {
        "date": day.isoformat(),
        "keywords": keywords["lists"] if keywords else 0,
        "keyword_users": keywords["users"] if keywords else 0,
        "keyword_user_sets": keywords["chunks"] if keywords else 0,
        "theme_sketches": by_kind[THEME_KIND]["lists"] if THEME_KIND in by_kind else 0,
    }
    problem = unreconciled_themes(themed_df, lists_df)
    if problem:
        stop_day(settings, day, steps.KEYWORD_INDEX, summary, problem)
    write_step_summary(settings, day, steps.KEYWORD_INDEX, summary)
    return summary
