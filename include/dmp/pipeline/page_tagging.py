"""Tagging the day's pages in Spark: each distinct URL once, not every event.

The day's distinct URLs are compared with the page index: a page already tagged by the same
model and taxonomy (and not yet expired by the index's TTL) is skipped; the others are tagged in
Arrow batches (`mapInPandas`), each Python worker loading the tagger once and keeping it for
every later batch, then upserted into `page_index`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

PAGE_INDEX_SCHEMA = T.StructType([
    T.StructField("url", T.StringType(), False),
    T.StructField("host", T.StringType()),
    T.StructField("theme", T.StringType()),
    T.StructField("score", T.FloatType()),
    T.StructField("runner_up", T.StringType()),
    T.StructField("runner_up_score", T.FloatType()),
    T.StructField("source", T.StringType()),
    T.StructField("reason", T.StringType()),
    T.StructField("keywords", T.MapType(T.StringType(), T.FloatType())),
    # Bit mask of the fields each keyword came from (`dmp.tagging.keywords.FIELD_BITS`); null on pages
    # tagged before fields were kept, whose keywords all came from their URL.
    T.StructField("keyword_fields", T.MapType(T.StringType(), T.IntegerType())),
    T.StructField("model_version", T.StringType()),
    T.StructField("taxonomy_version", T.StringType()),
    T.StructField("tagged_at", T.TimestampType()),
])


@dataclass(frozen=True)
class TaggerSpec:
    """What a worker needs to build the tagger: paths it can read, and the run's timestamp."""

    model_dir: str
    taxonomy_file: str
    rules_file: str | None
    synonyms_file: str | None
    tagged_at: dt.datetime


_WORKER_CACHE: dict[tuple, tuple] = {}


def tagger_and_synonyms(spec: TaggerSpec) -> tuple:
    """The (tagger, synonyms) for `spec`, built on first use in this process and kept.

    Python workers are reused across tasks, so the model and profiles load once per worker; the
    driver calls this too, so it reads the same model version the workers tag with.
    """
    key = (spec.model_dir, spec.taxonomy_file, spec.rules_file, spec.synonyms_file)
    if key not in _WORKER_CACHE:
        from pathlib import Path

        from dmp.tagging.keywords import load_synonyms
        from dmp.tagging.tagger import Tagger

        rules = Path(spec.rules_file) if spec.rules_file else None
        synonyms = Path(spec.synonyms_file) if spec.synonyms_file else None
        _WORKER_CACHE[key] = (
            Tagger.load(Path(spec.model_dir), Path(spec.taxonomy_file), rules), load_synonyms(synonyms)
        )
    return _WORKER_CACHE[key]


def distinct_pages(events_df: DataFrame) -> DataFrame:
    """The day's distinct page URLs."""
    return events_df.select("url").where(F.col("url").isNotNull()).distinct()


def current_tags(page_index_df: DataFrame, model_version: str, taxonomy_version: str) -> DataFrame:
    """The index's tags made by this model under this taxonomy and rules (`taxonomy_version`)."""
    return page_index_df.where(
        (F.col("model_version") == model_version) & (F.col("taxonomy_version") == taxonomy_version)
    )


def tag_pages(pages_df: DataFrame, spec: TaggerSpec) -> DataFrame:
    """Rows of `page_index` for `pages_df` (a `url` column), tagged in Arrow batches."""

    def tag_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from dmp.tagging.keywords import page_keyword_fields

        tagger, synonyms = tagger_and_synonyms(spec)
        for batch in batches:
            urls = batch["url"].tolist()
            tags = tagger.tag(urls)
            keywords = [page_keyword_fields(url, synonyms=synonyms) for url in urls]
            yield pd.DataFrame({
                "url": urls,
                "host": [t.host for t in tags],
                "theme": [t.theme for t in tags],
                "score": [t.score for t in tags],
                "runner_up": [t.runner_up for t in tags],
                "runner_up_score": [t.runner_up_score for t in tags],
                "source": [t.source for t in tags],
                "reason": [t.reason for t in tags],
                "keywords": [{keyword: weight for keyword, weight, _ in found} for found in keywords],
                "keyword_fields": [{keyword: mask for keyword, _, mask in found} for found in keywords],
                "model_version": tagger.model_version,
                "taxonomy_version": tagger.configuration_version,
                "tagged_at": spec.tagged_at,
            })

    return pages_df.select("url").mapInPandas(tag_batches, schema=PAGE_INDEX_SCHEMA)
