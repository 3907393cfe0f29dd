"""The day's intermediate datasets between the pipeline's steps: Parquet under `DMP_STAGING_DIR/<day>/`.

Each step reads what the step before it staged instead of parsing the raw files or scanning
Cassandra again, and the quality gates validate exactly these datasets before anything is
published. A step overwrites its own datasets, so running a day again leaves the same files.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession

from dmp.errors import InputError
from dmp.pipeline import steps
from dmp.settings import Settings

# Dataset name -> the step that writes it (named in the error when it is missing).
EVENTS = "events"
# Login events' user id and email hashes (never the email), staged by validation for identity.
LOGINS = "logins"
PAGES = "pages"
TAGGED_EVENTS = "tagged_events"
DAILY_INTERESTS = "daily_interests"
LIFETIME_INTERESTS = "lifetime_interests"
# Keys of stored rows a re-run of the day no longer has: the interests' publish deletes them.
STALE_DAILY_INTERESTS = "stale_daily_interests"
STALE_LIFETIME_INTERESTS = "stale_lifetime_interests"
USER_LISTS = "user_lists"
# Identity: what publish_identity writes (and deletes), and what its gate checks.
CRM_CUSTOMERS = "crm_customers"
IDENTITY_EDGES = "identity_edges"
STALE_IDENTITY_EDGES = "stale_identity_edges"
PERSON_BY_ID = "person_by_id"
PERSONS = "persons"
STALE_PERSONS = "stale_persons"
PERSON_MERGES = "person_merges"
PERSON_DAILY_INTERESTS = "person_daily_interests"
STALE_PERSON_DAILY_INTERESTS = "stale_person_daily_interests"
PERSON_INTERESTS = "person_interests"
STALE_PERSON_INTERESTS = "stale_person_interests"
LEFT_OUT_EDGES = "left_out_edges"
EMAIL_SCAN = "email_scan"
IDENTITY_FIGURES = "identity_figures"
IDENTITY_DATASETS = (CRM_CUSTOMERS, IDENTITY_EDGES, STALE_IDENTITY_EDGES, PERSON_BY_ID, PERSONS, STALE_PERSONS,
                     PERSON_MERGES, PERSON_DAILY_INTERESTS, STALE_PERSON_DAILY_INTERESTS, PERSON_INTERESTS,
                     STALE_PERSON_INTERESTS, LEFT_OUT_EDGES, IDENTITY_FIGURES)
SEGMENT_QUALIFIED = "segment_qualified"
SEGMENT_MEMBERS = "segment_members"
KEYWORD_USER_SETS = "keyword_user_sets"
AUDIENCE_SKETCHES = "audience_sketches"
PERSON_SKETCHES = "person_sketches"
WRITTEN_BY = {
    **{dataset: steps.IDENTITY for dataset in IDENTITY_DATASETS},
    EVENTS: steps.VALIDATE_EVENTS,
    LOGINS: steps.VALIDATE_EVENTS,
    EMAIL_SCAN: steps.IDENTITY,
    PAGES: steps.TAG_EVENTS,
    TAGGED_EVENTS: steps.TAG_EVENTS,
    DAILY_INTERESTS: steps.DAILY_INTERESTS,
    LIFETIME_INTERESTS: steps.LIFETIME_INTERESTS,
    STALE_DAILY_INTERESTS: steps.LIFETIME_INTERESTS,
    STALE_LIFETIME_INTERESTS: steps.LIFETIME_INTERESTS,
    USER_LISTS: steps.KEYWORD_INDEX,
    KEYWORD_USER_SETS: steps.KEYWORD_INDEX,
    AUDIENCE_SKETCHES: steps.KEYWORD_INDEX,
    PERSON_SKETCHES: steps.PERSON_SKETCHES,
    SEGMENT_QUALIFIED: steps.EVALUATE_SEGMENTS,
    SEGMENT_MEMBERS: steps.EVALUATE_SEGMENTS,
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
