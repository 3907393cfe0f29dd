"""The day's intermediate datasets between the pipeline's steps: Parquet under `DMP_STAGING_DIR/<day>/`.

Each step reads what the step before it staged instead of parsing the raw files or scanning
Cassandra again, and the quality gates validate exactly these datasets before anything is
published. A step overwrites its own datasets, so running a day again leaves the same files.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession

from dmp.errors import InputError
from dmp.settings import Settings

# Dataset name -> the step that writes it (named in the error when it is missing).
EVENTS = "events"
PAGES = "pages"
TAGGED_EVENTS = "tagged_events"
DAILY_INTERESTS = "daily_interests"
LIFETIME_INTERESTS = "lifetime_interests"
USER_LISTS = "user_lists"
SEGMENT_QUALIFIED = "segment_qualified"
SEGMENT_MEMBERS = "segment_members"
WRITTEN_BY = {
    EVENTS: "validate_events",
    PAGES: "tag_events",
    TAGGED_EVENTS: "tag_events",
    DAILY_INTERESTS: "daily_interests",
    LIFETIME_INTERESTS: "lifetime_interests",
    USER_LISTS: "keyword_index",
    SEGMENT_QUALIFIED: "evaluate_segments",
    SEGMENT_MEMBERS: "evaluate_segments",
}


def write_staged(frame: DataFrame, settings: Settings, day: dt.date, dataset: str) -> DataFrame:
    """Overwrite the day's `dataset` with `frame`; the staged copy, read back, for the next uses."""
    path = settings.staged(day, dataset)
    frame.write.mode("overwrite").parquet(path)
    return frame.sparkSession.read.parquet(path)


def read_staged(spark: SparkSession, settings: Settings, day: dt.date, dataset: str) -> DataFrame:
    """The day's staged `dataset`; a clear error when the step that writes it has not run."""
    from pyspark.errors import AnalysisException

    path = settings.staged(day, dataset)
    try:
        return spark.read.parquet(path)
    except AnalysisException:
        raise InputError(
            f"No staged {dataset} for {day} in {path}: run {WRITTEN_BY[dataset]} for that day first."
        ) from None
