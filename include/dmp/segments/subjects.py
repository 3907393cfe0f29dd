"""The subjects a segment is evaluated over: people when identity has published them, ids otherwise.

One shape for both, so rules never ask which level they run at:
- `subjects_df`: subject_id, ids (array of the subject's ids: cookies, device ids), has_consent
  (true, false, or null when unknown), attributes (map of CRM attributes, empty when unknown);
- `interests_df`: subject_id, day, theme, events (daily interests over the evaluation window).

Person level reads `persons` and `person_daily_interests` (identity's tables); until they hold
rows, each user id of `user_daily_interests` is its own subject, with unknown consent (a
definition that requires consent then excludes it, and the run's figures count those) and no
attributes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.settings import Settings
from dmp.storage import segments as store

PERSON_LEVEL = "person"
USER_LEVEL = "user"
SUBJECT_COLUMNS = ("subject_id", "ids", "has_consent", "attributes")
INTEREST_COLUMNS = ("subject_id", "day", "theme", "events")


@dataclass(frozen=True)
class Subjects:
    level: str
    subjects_df: DataFrame
    interests_df: DataFrame

    def restricted_to(self, subject_ids_df: DataFrame) -> "Subjects":
        """The same subjects and interests, only for the subject ids of `subject_ids_df`."""
        keep_df = subject_ids_df.select("subject_id").distinct()
        return Subjects(self.level, self.subjects_df.join(keep_df, on="subject_id", how="inner"),
                        self.interests_df.join(keep_df, on="subject_id", how="inner"))


def user_subjects(daily_df: DataFrame) -> Subjects:
    """Each user id its own subject: consent unknown, no attributes."""
    interests_df = daily_df.select(F.col("user_id").alias("subject_id"), "day", "theme", "events")
    subjects_df = interests_df.select("subject_id").distinct().select(
        "subject_id", F.array("subject_id").alias("ids"), F.lit(None).cast("boolean").alias("has_consent"),
        F.create_map().cast(T.MapType(T.StringType(), T.StringType())).alias("attributes"))
    return Subjects(USER_LEVEL, subjects_df, interests_df)


def person_subjects(persons_df: DataFrame, person_daily_df: DataFrame) -> Subjects:
    """People as identity published them, with their daily interests."""
    subjects_df = persons_df.select(
        F.col("person_id").alias("subject_id"), F.array_sort(F.array_distinct(
            F.coalesce(F.col("ids").cast("array<string>"), F.array()))).alias("ids"),
        F.col("has_consent").cast("boolean").alias("has_consent"),
        F.coalesce("attributes", F.create_map().cast(T.MapType(T.StringType(), T.StringType()))).alias("attributes"))
    interests_df = person_daily_df.select(F.col("person_id").alias("subject_id"), "day", "theme", "events")
    return Subjects(PERSON_LEVEL, subjects_df, interests_df)


def build_subjects(spark: SparkSession, settings: Settings, day: dt.date, window_days: int) -> Subjects:
    """The subjects of a run on `day`, with the daily interests of the `window_days` days up to it."""
    first = day - dt.timedelta(days=max(window_days, 1) - 1)
    if store.identity_published(settings):
        return person_subjects(store.read_persons(spark, settings), store.read_person_daily(spark, settings, first, day))
    return user_subjects(store.read_user_daily(spark, settings, first, day))


def member_ids(subjects_df: DataFrame) -> DataFrame:
    """(id, subject_id): every id of every subject, to map id-level data (the keyword index) onto subjects."""
    return subjects_df.select(F.explode("ids").alias("id"), "subject_id")
