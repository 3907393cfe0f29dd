"""Person-level sketches: the day's keyword and theme lists mapped to consented people.

The keyword index counts ids (cookies, devices), but a segment publishes people who gave consent.
So the Audience Builder's estimate counts what a build would publish, this step maps the day's
staged user lists (`keyword_index`'s `user_lists`, every kind it holds) onto identity's `persons`
(each person's raw ids; only people with `has_consent`) and stages one theta sketch of person ids
per (`<kind>_person`, key, day), with the key's exact count of people for the gate, plus one under
(theme_person, `*`) of every consented person seen that day, which marks the day as built at
person level. The person-sketch gate checks the staged rows; `publish_person_sketches` replaces
the day's person-level sketches, leaving the id-level ones (`publish_keyword_index`'s) alone.
Without persons (identity not run yet) nothing is staged and readers stay at id level.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.pipeline import staging, steps
from dmp.pipeline.keyword_index import user_lists, user_sketches, with_key_users
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage.formats import PERSON_DAY_KEY, PERSON_SUFFIX, THEME_KIND, person_kind

SKETCH_COLUMNS = ("kind", "bucket", "day", "key", "sketch", "estimate", "users", "relative_error")


def consented_ids(persons_df: DataFrame) -> DataFrame:
    """(user_id, person_id) for every raw id of every person with consent (unknown consent: left out)."""
    return persons_df.where(F.coalesce(F.col("has_consent"), F.lit(False))).select(
        F.explode(F.col("ids").cast("array<string>")).alias("user_id"), "person_id").distinct()


def person_pairs(lists_df: DataFrame, ids_df: DataFrame) -> DataFrame:
    """(kind, key, day, person_id): the consented people behind each list of the day, once each, plus
    every consented person of the day under (theme_person, PERSON_DAY_KEY)."""
    users_df = lists_df.select("kind", "key", "day", F.explode("users").alias("user_id"))
    pairs_df = users_df.join(ids_df, on="user_id", how="inner").select(
        F.concat("kind", F.lit(PERSON_SUFFIX)).alias("kind"), "key", "day", "person_id")
    day_df = pairs_df.select(F.lit(person_kind(THEME_KIND)).alias("kind"), F.lit(PERSON_DAY_KEY).alias("key"),
                             "day", "person_id")
    return pairs_df.unionByName(day_df).distinct()


def person_lists(pairs_df: DataFrame, kinds: list[str]) -> DataFrame:
    """The keyword index's chunked lists, of person ids, for each person kind."""
    frames = [user_lists(pairs_df.where(F.col("kind") == kind).withColumnRenamed("person_id", "user_id"), kind, "key")
              for kind in kinds]
    lists_df = frames[0]
    for frame in frames[1:]:
        lists_df = lists_df.unionByName(frame)
    return lists_df


def person_sketches_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Stage the day's person-level sketches; return the figures."""
    from dmp.storage import segments as store

    lists_df = staging.read_staged(spark, settings, day, staging.USER_LISTS)
    has_persons = store.identity_published(settings)
    sketches = people = 0
    if has_persons:
        pairs_df = person_pairs(lists_df, consented_ids(store.read_persons(spark, settings))).cache()
        kinds = sorted(row["kind"] for row in pairs_df.select("kind").distinct().collect())
        if kinds:
            plists_df = person_lists(pairs_df, kinds)
            staged_df = staging.write_staged(with_key_users(user_sketches(plists_df), plists_df).select(*SKETCH_COLUMNS),
                                             settings, day, staging.PERSON_SKETCHES)
            sketches = staged_df.count()
            people = pairs_df.where(F.col("key") == PERSON_DAY_KEY).count()
        pairs_df.unpersist()
    if not sketches:
        empty_df = spark.createDataFrame([], "kind string, bucket int, day date, key string, sketch binary, "
                                             "estimate double, users long, relative_error double")
        staging.write_staged(empty_df, settings, day, staging.PERSON_SKETCHES)
    summary = {"date": day.isoformat(), "identity_published": has_persons, "person_sketches": sketches,
               "consented_people": people}
    write_step_summary(settings, day, steps.PERSON_SKETCHES, summary)
    return summary
