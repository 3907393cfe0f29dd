"""What the run's report shows of each segment: overlaps, top themes, top keywords (small figures).

Computed in the evaluation job from the staged members, exactly (not from sketches): pairwise
overlaps by a join on the subject, top themes from the members' interests over the window, top
keywords from the pages the members read on the day (the staged tagged events and pages).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from dmp.errors import InputError
from dmp.pipeline import staging
from dmp.settings import Settings
from dmp.tagging.taxonomy import UNKNOWN

TOP_N = 5


def _top(counts_df: DataFrame, key: str) -> dict[str, list[list]]:
    """segment_id -> [[key, members], ...], the TOP_N largest first."""
    ranked = Window.partitionBy("segment_id").orderBy(F.col("members").desc(), F.col(key))
    rows = counts_df.withColumn("rank", F.row_number().over(ranked)).where(F.col("rank") <= TOP_N).orderBy(
        "segment_id", "rank").collect()
    found: dict[str, list[list]] = {}
    for row in rows:
        found.setdefault(row["segment_id"], []).append([row[key], int(row["members"])])
    return found


def overlaps(members_df: DataFrame) -> dict[str, dict[str, int]]:
    """segment -> segment -> members in both (the diagonal is each segment's size)."""
    pairs_df = members_df.select("segment_id", "subject_id").alias("a").join(
        members_df.select("segment_id", "subject_id").alias("b"), on="subject_id", how="inner")
    matrix: dict[str, dict[str, int]] = {}
    for row in pairs_df.groupBy(F.col("a.segment_id").alias("left"), F.col("b.segment_id").alias("right")).count().collect():
        matrix.setdefault(row["left"], {})[row["right"]] = int(row["count"])
    return matrix


def top_themes(members_df: DataFrame, interests_df: DataFrame) -> dict[str, list[list]]:
    members_themes_df = members_df.select("segment_id", "subject_id").join(
        interests_df.where(F.col("theme") != UNKNOWN).select("subject_id", "theme"), on="subject_id", how="inner")
    return _top(members_themes_df.groupBy("segment_id", "theme").agg(F.countDistinct("subject_id").alias("members")),
                "theme")


def top_keywords(spark: SparkSession, settings: Settings, day: dt.date, members_df: DataFrame) -> dict[str, list[list]]:
    """Keywords of the pages the members read on `day`; none when the day's pages are not staged."""
    try:
        events_df = staging.read_staged(spark, settings, day, staging.TAGGED_EVENTS).select("user_id", "url")
        pages_df = staging.read_staged(spark, settings, day, staging.PAGES).select(
            "url", F.explode(F.map_keys("keywords")).alias("keyword"))
    except InputError:
        return {}
    ids_df = members_df.select("segment_id", "subject_id", F.explode("ids").alias("user_id"))
    read_df = ids_df.join(events_df.distinct(), on="user_id", how="inner").join(pages_df, on="url", how="inner")
    return _top(read_df.groupBy("segment_id", "keyword").agg(F.countDistinct("subject_id").alias("members")), "keyword")


def profiles(spark: SparkSession, settings: Settings, day: dt.date, members_df: DataFrame | None,
             interests_df: DataFrame) -> dict:
    """The report's figures of the run: overlaps, top themes and top keywords per segment."""
    if members_df is None:
        return {"overlaps": {}, "top_themes": {}, "top_keywords": {}}
    return {"overlaps": overlaps(members_df), "top_themes": top_themes(members_df, interests_df),
            "top_keywords": top_keywords(spark, settings, day, members_df)}
