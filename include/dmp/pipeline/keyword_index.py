"""The day's keyword index: keyword -> users (inverted index) and theta sketches per keyword and theme.

Keywords come from the day's pages and from what people searched for (the query of a search
engine's referrer: `dmp.pipeline.search_keywords`), themes from the day's tagged events, as
`tag_events` staged them. Each (keyword, day) and (theme, day) is grouped into sorted lists of
distinct users of about CHUNK_USERS each: one list (chunk 0) for most keys, several for frequent
ones, each user in the chunk its hash picks. No row ever holds a whole frequent key, so memory
stays flat as days grow. A keyword's lists are also kept apart by field mask (the page fields the
keyword came from, `search` for a query), each user in one list of its keyword, so a segment can
weigh where a person met a word (`dmp.segments.evaluate`) and an estimate can count readers,
searchers or both.
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
from dmp.pipeline.search_keywords import SearchSpec, parse_searches, search_candidates, search_figures, search_pairs
from dmp.pipeline.theme_lineage import with_ancestor_themes
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.formats import (
    KEYWORD_KIND, PAGE_KEYWORD_KIND, SEARCH_KEYWORD_KIND, SKETCH_LG_K, THEME_KIND, key_bucket_column, legacy_fields,
    stored_chunk_column, stored_fields_column, union_of_sketches, user_sketch, users_blob_column,
)
from dmp.storage.spark_io import by_partition
from dmp.tagging.keywords import SEARCH_MASK
from dmp.tagging.taxonomy import UNKNOWN, load_taxonomy

# Users per stored set, about: a cell of a few hundred KB, well under what Cassandra handles well.
CHUNK_USERS = 4096
MAX_MASKS = 1 << 16  # more field masks than one chunk can have: "the rest of the array" in a slice
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
    """`frame` with its key's `chunks` that day (1, or enough for the key's `bound` of users when it
    passes CHUNK_USERS) and `masks`, its number of field masks (1 unless `bounds_df` says more); few
    keys are frequent or mixed, so they are broadcast."""
    if "masks" not in bounds_df.columns:
        bounds_df = bounds_df.withColumn("masks", F.lit(1))
    special_df = F.broadcast(bounds_df.where((F.col("bound") > CHUNK_USERS) | (F.col("masks") > 1)).select(
        "key", "day", F.greatest(F.ceil(F.col("bound") / F.lit(CHUNK_USERS)), F.lit(1)).cast("int").alias("chunks"),
        F.col("masks").cast("int").alias("masks")))
    return frame.join(special_df, on=["key", "day"], how="left").withColumn(
        "chunks", F.coalesce("chunks", F.lit(1))).withColumn("masks", F.coalesce("masks", F.lit(1)))


def user_lists(pairs_df: DataFrame, kind: str, key_column: str) -> DataFrame:
    """(kind, key, day, chunks, chunk, fields, is_whole, users) from (key, day, user_id) pairs: each
    chunk's distinct users, sorted (no field mask: themes and other keys have no fields)."""
    pairs_df = pairs_df.select(F.col(key_column).alias("key"), "day", "user_id")
    chunked_df = _with_chunk_counts(pairs_df, pairs_df.groupBy("key", "day").agg(F.count(F.lit(1)).alias("bound")))
    return chunked_df.groupBy("key", "day", "chunks", _chunk_of(F.col("user_id"), F.col("chunks")).alias("chunk")).agg(
        F.array_sort(F.collect_set("user_id")).alias("users")).select(
        F.lit(kind).alias("kind"), "key", "day", "chunks", "chunk", F.lit(None).cast("int").alias("fields"),
        (F.col("chunks") == 1).alias("is_whole"), "users")


def page_keyword_fields(pages_df: DataFrame) -> DataFrame:
    """(url, key, fields): each keyword of each page with the mask of the fields it came from (URL
    keywords for pages tagged before fields were kept)."""
    if "keyword_fields" not in pages_df.columns:
        pages_df = pages_df.withColumn("keyword_fields", F.lit(None).cast("map<string,int>"))
    return pages_df.select("url", "keyword_fields", F.explode(F.map_keys("keywords")).alias("key")).select(
        "url", "key", F.coalesce(F.element_at("keyword_fields", F.col("key")), F.lit(legacy_fields())).alias("fields"))


def _merged_by_user(parts: Column) -> Column:
    """A chunk's parts (struct of fields, users), several masks among them, as disjoint lists: each
    user once, under the OR of the masks of every part that holds them."""
    masks = F.array_distinct(F.transform(parts, lambda part: part["fields"]))
    per_mask = F.transform(masks, lambda mask: F.array_distinct(F.flatten(F.transform(
        F.filter(parts, lambda part: part["fields"] == mask), lambda part: part["users"]))))

    def as_map(users: Column, mask: Column) -> Column:
        return F.map_from_arrays(users, F.array_repeat(mask, F.size(users)))

    merged = F.aggregate(
        F.arrays_zip(F.slice(masks, 2, MAX_MASKS), F.slice(per_mask, 2, MAX_MASKS)),
        as_map(per_mask[0], masks[0]),
        lambda acc, pair: F.map_zip_with(acc, as_map(pair["1"], pair["0"]),
                                         lambda _, left, right: F.coalesce(left, F.lit(0)).bitwiseOR(
                                             F.coalesce(right, F.lit(0)))))
    entries = F.map_entries(merged)
    return F.transform(F.array_distinct(F.map_values(merged)), lambda mask: F.struct(
        mask.alias("fields"), F.array_sort(F.transform(F.filter(entries, lambda entry: entry["value"] == mask),
                                                      lambda entry: entry["key"])).alias("users")))


def _lists_of_chunk(parts: Column) -> Column:
    """The lists (fields, users) of one chunk: one when its parts share a mask (most keys), else per user."""
    masks = F.array_distinct(F.transform(parts, lambda part: part["fields"]))
    single = F.array(F.struct(masks[0].alias("fields"), F.array_sort(F.array_distinct(
        F.flatten(F.transform(parts, lambda part: part["users"])))).alias("users")))
    return F.when(F.size(masks) == 1, single).otherwise(_merged_by_user(parts))


def keyword_user_lists(events_df: DataFrame, pages_df: DataFrame, searches_df: DataFrame | None = None) -> DataFrame:
    """The users of each keyword of the day, in chunks and per field mask: those who read a page with
    it that day (under the mask of the page fields it came from) or searched for it (`search`).

    Each page's readers are grouped first and the keywords join those groups: a page has 10-20
    keywords, so joining (keyword, user) pairs would shuffle about twelve rows per event (half as
    fast on a 1M-event day). A keyword whose pages had more than CHUNK_USERS events that day (an
    upper bound of its users) is split: its pages' readers are spread over its chunks one by one.
    A chunk whose parts have several masks (a word in one page's title and another's URL, or also
    searched) is split into disjoint lists, each user under the OR of its masks: the lists of a
    keyword hold each user once, so counts add up and the sketch of their union is exact.
    `searches_df` holds (key, day, user_id) of the day's searches (`dmp.pipeline.search_keywords`).
    """
    readers_df = events_df.groupBy("url", "day").agg(F.collect_set("user_id").alias("users"))
    keywords_df = page_keyword_fields(pages_df)
    bounds_df = keywords_df.join(events_df.groupBy("url", "day").count(), on="url").groupBy("key", "day").agg(
        F.sum("count").alias("bound"), F.collect_set("fields").alias("masks"))  # events: an upper bound of users
    if searches_df is not None:
        searches_df = searches_df.select("key", "day", "user_id", F.lit(SEARCH_MASK).alias("fields"))
        bounds_df = bounds_df.unionByName(searches_df.groupBy("key", "day").agg(
            F.count(F.lit(1)).alias("bound"), F.array(F.lit(SEARCH_MASK)).alias("masks"))).groupBy("key", "day").agg(
            F.sum("bound").alias("bound"), F.array_distinct(F.flatten(F.collect_list("masks"))).alias("masks"))
    bounds_df = bounds_df.withColumn("masks", F.size("masks"))
    joined_df = _with_chunk_counts(keywords_df.join(readers_df, on="url"), bounds_df)
    whole = F.array(F.struct(F.lit(0).alias("chunk"), F.col("users").alias("users")))
    one_by_one = F.transform("users", lambda user: F.struct(
        _chunk_of(user, F.col("chunks")).alias("chunk"), F.array(user).alias("users")))
    parts_df = joined_df.select("key", "day", "chunks", "masks", "fields", F.explode(
        F.when(F.col("chunks") == 1, whole).otherwise(one_by_one)).alias("part"))
    if searches_df is not None:
        parts_df = parts_df.unionByName(_with_chunk_counts(searches_df, bounds_df).select(
            "key", "day", "chunks", "masks", "fields", F.struct(_chunk_of(F.col("user_id"), F.col("chunks")).alias("chunk"),
                                                                F.array("user_id").alias("users")).alias("part")))
    chunks_df = parts_df.groupBy("key", "day", "chunks", "masks", F.col("part.chunk").alias("chunk")).agg(
        F.collect_list(F.struct("fields", F.col("part.users").alias("users"))).alias("parts"))
    lists_df = chunks_df.select("key", "day", "chunks", "masks", "chunk", F.explode(_lists_of_chunk(F.col("parts"))).alias("list"))
    return lists_df.select(F.lit(KEYWORD_KIND).alias("kind"), "key", "day", "chunks", "chunk", F.col("list.fields").alias("fields"),
                           ((F.col("chunks") == 1) & (F.col("masks") == 1)).alias("is_whole"), F.col("list.users").alias("users"))


def theme_user_lists(events_df: DataFrame) -> DataFrame:
    """The users of each theme of the day, in chunks (events of unknown pages left out)."""
    return user_lists(events_df.where(F.col("theme") != UNKNOWN), THEME_KIND, "theme")


def user_sets(lists_df: DataFrame) -> DataFrame:
    """Rows of `keyword_user_sets` from keyword lists, sorted by partition (day, bucket).

    Each list's users become one blob (`dmp.storage.formats.decode_users` reads it back), numbered
    uniquely in its keyword by its mask and hash chunk. Sorted, the connector writes a bucket's rows
    in one batch.
    """
    sets_df = lists_df.select("day", key_bucket_column("key").alias("bucket"), F.col("key").alias("keyword"),
                              stored_chunk_column("fields", "chunk").alias("chunk"),
                              stored_fields_column("fields").alias("fields"),
                              users_blob_column("users").alias("user_ids"))
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


def with_sketch_kinds(lists_df: DataFrame) -> DataFrame:
    """Lists as the sketches count them: every list under its own kind, and the lists of a keyword
    someone searched for also under `keyword:search` (lists with the search field) and `keyword:page`
    (lists with a page field); those are never whole (their kind's key has several lists or a subset)."""
    from dmp.tagging.keywords import PAGE_MASK

    searched_df = F.broadcast(lists_df.where((F.col("kind") == KEYWORD_KIND) & (
        F.col("fields").bitwiseAND(F.lit(SEARCH_MASK)) != 0)).select("key", "day").distinct().withColumn(
        "is_searched", F.lit(True)))
    marked_df = lists_df.join(searched_df, on=["key", "day"], how="left")
    has = lambda mask: F.coalesce(F.col("fields"), F.lit(0)).bitwiseAND(F.lit(mask)) != 0  # noqa: E731
    searched = F.coalesce(F.col("is_searched"), F.lit(False)) & (F.col("kind") == KEYWORD_KIND)
    kinds = F.array(
        F.struct(F.col("kind").alias("kind"), F.col("is_whole").alias("is_whole")),
        F.when(searched & has(SEARCH_MASK), F.struct(F.lit(SEARCH_KEYWORD_KIND).alias("kind"), F.lit(False).alias("is_whole"))),
        F.when(searched & has(PAGE_MASK), F.struct(F.lit(PAGE_KEYWORD_KIND).alias("kind"), F.lit(False).alias("is_whole"))))
    return marked_df.select(F.explode(F.filter(kinds, lambda kind: kind.isNotNull())).alias("as"), "key", "day", "users").select(
        F.col("as.kind").alias("kind"), "key", "day", F.col("as.is_whole").alias("is_whole"), "users")


def user_sketches(lists_df: DataFrame) -> DataFrame:
    """One compact theta sketch of user ids per (kind, key, day): a key in several lists gets their union."""
    kinded_df = with_sketch_kinds(lists_df)
    whole_df = kinded_df.where("is_whole").mapInPandas(_sketch_lists, schema=SKETCH_SCHEMA)
    parts_df = kinded_df.where(~F.col("is_whole")).mapInPandas(_sketch_lists, schema=SKETCH_SCHEMA).groupBy(
        "kind", "key", "day").agg(F.collect_list("sketch").alias("parts"))
    sketches_df = whole_df.unionByName(parts_df.mapInPandas(_union_parts, schema=SKETCH_SCHEMA)).withColumn(
        "bucket", key_bucket_column("key"))
    return by_partition(sketches_df, "kind", "bucket")


def with_key_users(sketches_df: DataFrame, lists_df: DataFrame) -> DataFrame:
    """Sketch rows with their key's exact `users` (from the lists: each user is in one list of its
    key) and the sketch's `relative_error` against it, for the gate to bound."""
    users_df = with_sketch_kinds(lists_df).groupBy("kind", "key", "day").agg(F.sum(F.size("users")).alias("users"))
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


def search_spec(settings: Settings) -> SearchSpec:
    return SearchSpec(str(settings.search_engines_file) if settings.search_engines_file else None,
                      str(settings.synonyms_file) if settings.synonyms_file else None)


def _keyword_figures(lists_df: DataFrame) -> dict:
    """Counts of the staged lists: keywords, users, rows, and the sketches of searched keywords."""
    from dmp.tagging.keywords import PAGE_MASK

    by_kind = {row["kind"]: row for row in lists_df.groupBy("kind").agg(
        F.countDistinct("key").alias("lists"), F.sum(F.size("users")).alias("users"),
        F.count(F.lit(1)).alias("chunks")).collect()}
    masks_df = lists_df.where(F.col("kind") == KEYWORD_KIND).groupBy("key", "day").agg(F.bit_or("fields").alias("mask"))
    searched = masks_df.where(F.col("mask").bitwiseAND(F.lit(SEARCH_MASK)) != 0)
    keywords = by_kind.get(KEYWORD_KIND)
    return {
        "keywords": keywords["lists"] if keywords else 0,
        "keyword_users": keywords["users"] if keywords else 0,
        "keyword_user_sets": keywords["chunks"] if keywords else 0,
        "theme_sketches": by_kind[THEME_KIND]["lists"] if THEME_KIND in by_kind else 0,
        "searched_keywords": searched.count(),
        "searched_and_read_keywords": searched.where(F.col("mask").bitwiseAND(F.lit(PAGE_MASK)) != 0).count(),
    }


def keyword_index_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Stage the day's inverted index and sketches; return the figures."""
    events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS)
    pages_df = staging.read_staged(spark, settings, day, staging.PAGES)
    spec = search_spec(settings)
    # A day's search referrers are few and parsed once: kept for the pairs and the figures.
    parsed_df = parse_searches(search_candidates(events_df, spec), spec).cache()
    # Staged rather than cached: Spark's in-memory cache builds column batches of 10,000 rows,
    # which ran a 10M-event day (lists of up to 4,096 users each) out of a 4 GB heap.
    # A theme's sketch counts the readers of its child themes too (the taxonomy's `parent`).
    themed_df = events_df.transform(with_ancestor_themes(load_taxonomy(settings.taxonomy_file)))
    keyword_lists_df = keyword_user_lists(events_df, pages_df, search_pairs(events_df, parsed_df))
    lists_df = staging.write_staged(keyword_lists_df.unionByName(theme_user_lists(themed_df)),
                                    settings, day, staging.USER_LISTS)
    staging.write_staged(user_sets(lists_df.where(F.col("kind") == KEYWORD_KIND)), settings, day,
                         staging.KEYWORD_USER_SETS)
    staging.write_staged(with_key_users(user_sketches(lists_df), lists_df), settings, day, staging.AUDIENCE_SKETCHES)
    summary = {"date": day.isoformat(), **_keyword_figures(lists_df), "search": search_figures(events_df, parsed_df)}
    parsed_df.unpersist()
    problem = unreconciled_themes(themed_df, lists_df)
    if problem:
        stop_day(settings, day, steps.KEYWORD_INDEX, summary, problem)
    write_step_summary(settings, day, steps.KEYWORD_INDEX, summary)
    return summary
