"""The day's search keywords: what people searched for, from their referrers and partners' site search.

A visit that comes from a search engine whose referrer still carries the query gives its searcher
that query's keywords, in the field `search` of the keyword index (beside the page keywords of the
pages they read). Only referrers that look like an engine's (one regular expression in Spark, from
`dmp.tagging.search_terms`) are parsed, each distinct one once, in Arrow batches: the same decoding,
normalisation, stop words and synonyms as page keywords. A bad referrer (garbage, an 8 KB query,
an invalid encoding) never fails its event: its query is dropped and counted by reason.

Partners' site search (`/search?q=`) is a page of its own: its query's keywords are that page's
`search` field (`dmp.tagging.keywords`), so its readers reach the index with the pages; it is
counted here with the referrers, for the day's figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

PARSED_SCHEMA = T.StructType([
    T.StructField("text", T.StringType()), T.StructField("is_referrer", T.BooleanType()),
    T.StructField("engine", T.StringType()), T.StructField("query", T.StringType()),
    T.StructField("keywords", T.ArrayType(T.StringType())), T.StructField("reason", T.StringType()),
])


@dataclass(frozen=True)
class SearchSpec:
    """What a worker needs to parse searches: the engines file and the synonyms file (paths, or None)."""

    engines_file: str | None
    synonyms_file: str | None


_WORKER_CACHE: dict[SearchSpec, tuple] = {}


def _table_and_synonyms(spec: SearchSpec) -> tuple:
    """The (search table, synonyms) of `spec`, loaded once per Python worker."""
    if spec not in _WORKER_CACHE:
        from pathlib import Path

        from dmp.tagging.keywords import load_synonyms
        from dmp.tagging.search_terms import load_search_table

        _WORKER_CACHE[spec] = (load_search_table(Path(spec.engines_file) if spec.engines_file else None),
                               load_synonyms(Path(spec.synonyms_file) if spec.synonyms_file else None))
    return _WORKER_CACHE[spec]


def search_candidates(events_df: DataFrame, spec: SearchSpec) -> DataFrame:
    """(text, is_referrer): the day's distinct referrers that look like an engine's and page URLs
    that look like a site search; everything else is no search and costs one regular expression."""
    table, _ = _table_and_synonyms(spec)
    referrers_df = events_df.where(F.col("referrer").rlike(table.referrer_pattern())).select(
        F.col("referrer").alias("text"), F.lit(True).alias("is_referrer"))
    sites_df = events_df.where(F.col("url").rlike(table.site_search_pattern())).select(
        F.col("url").alias("text"), F.lit(False).alias("is_referrer"))
    return referrers_df.unionByName(sites_df).distinct()


def parse_searches(candidates_df: DataFrame, spec: SearchSpec) -> DataFrame:
    """Each candidate's engine, decoded query and keywords, or why its query was dropped."""

    def parse(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from dmp.tagging.keywords import search_keywords
        from dmp.tagging.search_terms import NO_WORDS, referrer_query, site_search_query
        from dmp.tagging.text import words

        table, synonyms = _table_and_synonyms(spec)
        for batch in batches:
            engines, queries, keywords, reasons = [], [], [], []
            for text, is_referrer in zip(batch["text"], batch["is_referrer"]):
                found = referrer_query(text, table) if is_referrer else site_search_query(text, table)
                if found is None:  # the cheap filter matched, the exact parse did not: no engine after all
                    engines.append(None), queries.append(None), keywords.append(None), reasons.append(None)
                    continue
                terms = search_keywords(found.query, synonyms) if found.query else []
                engines.append(found.engine)
                queries.append(" ".join(words(found.query)) if terms else None)  # normalised: one per meaning
                keywords.append(terms or None)
                reasons.append(found.reason or (None if terms else NO_WORDS))
            yield batch[["text", "is_referrer"]].assign(engine=engines, query=queries, keywords=keywords, reason=reasons)

    return candidates_df.mapInPandas(parse, schema=PARSED_SCHEMA).where(F.col("engine").isNotNull())


def search_pairs(events_df: DataFrame, parsed_df: DataFrame) -> DataFrame:
    """(key, day, user_id): each search keyword of each event that came from an engine with its query."""
    referrers_df = parsed_df.where(F.col("is_referrer") & F.col("keywords").isNotNull()).select(
        F.col("text").alias("referrer"), "keywords")
    return events_df.join(referrers_df, on="referrer", how="inner").select(
        F.explode("keywords").alias("key"), "day", "user_id").where(F.col("user_id").isNotNull()).distinct()


def search_figures(events_df: DataFrame, parsed_df: DataFrame) -> dict:
    """The day's searches for `dmp runs show`: events with a query (from an engine, on a site), the
    distinct queries, and the events whose engine referrer or site search had no usable query, by reason."""
    # Joins, not broadcasts: a day of a big partner's site search has many distinct queries.
    by_referrer_df = events_df.join(parsed_df.where("is_referrer").withColumnRenamed("text", "referrer"),
                                    on="referrer", how="inner")
    by_site_df = events_df.join(parsed_df.where(~F.col("is_referrer")).withColumnRenamed("text", "url"),
                                on="url", how="inner")
    searched_df = by_referrer_df.select("engine", "query", "reason").unionByName(
        by_site_df.select("engine", "query", "reason"))
    rows = searched_df.groupBy("engine", "reason").agg(F.count(F.lit(1)).alias("events")).collect()
    kept = [row for row in rows if row["reason"] is None]
    dropped: dict[str, int] = {}
    for row in rows:
        if row["reason"] is not None:
            dropped[row["reason"]] = dropped.get(row["reason"], 0) + row["events"]
    return {
        "events_with_query": sum(row["events"] for row in kept),
        "distinct_queries": searched_df.where(F.col("reason").isNull()).select("query").distinct().count(),
        "by_engine": dict(sorted((row["engine"], row["events"]) for row in kept)),
        "dropped_queries": dict(sorted(dropped.items())),
    }
