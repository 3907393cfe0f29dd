"""Each format of the keyword index and the sketches, written by the writer's function and read by the reader's.

The Spark job writes (`dmp.pipeline.keyword_index` with `dmp.storage.spark_io`); the driver reads
(`dmp.storage.keyword_index`, `dmp.audience.estimate`). Both take the format from
`dmp.storage.formats`: a change on one side only fails here.
"""

from __future__ import annotations

import datetime as dt

from dmp.audience.estimate import estimate
from dmp.pipeline.keyword_index import user_lists, user_sets, user_sketches
from dmp.storage import tables
from dmp.storage.formats import (
    KEYWORD_KIND, decode_users, key_bucket, key_bucket_column, users_blob_column, window_ending,
)
from dmp.storage.keyword_index import BUCKET_WRITE_CONF, KeywordIndexReader, SketchReader
from dmp.storage.spark_io import append_to_table

DAY = dt.date(2031, 3, 10)  # far from the other tests' days: these keys and days are this file's alone


def _lists_df(spark, key: str, users_by_day: dict[dt.date, list[str]]):
    pairs = [(key, day, user) for day, users in users_by_day.items() for user in users]
    return user_lists(spark.createDataFrame(pairs, "key string, day date, user_id string"), KEYWORD_KIND, "key")


def test_buckets_agree_between_the_spark_writer_and_the_python_reader(spark):
    keys = ["music", "ford focus", "voiture", "автомобиль", "über", ""]
    rows = spark.createDataFrame([(key,) for key in keys], "key string").select("key", key_bucket_column("key").alias("b"))
    assert {row.key: row.b for row in rows.collect()} == {key: key_bucket(key) for key in keys}


def test_a_user_blob_written_by_spark_reads_back_as_the_same_sorted_ids(spark):
    users = ["b-user", "a-user", "ünïcode-user", "user with space"]
    blob = spark.createDataFrame([(users,)], "users array<string>").select(
        users_blob_column("users").alias("blob")).first().blob
    assert decode_users(bytes(blob)) == users and decode_users(None) == []


def test_the_keyword_index_written_by_the_job_is_read_back_by_the_exact_reader(spark, cql, settings):
    users = [f"blob-user-{index}" for index in range(50)]
    append_to_table(user_sets(_lists_df(spark, "format blob", {DAY: users + users[:5]})), settings,
                    tables.KEYWORD_USER_SETS, conf=BUCKET_WRITE_CONF)
    assert KeywordIndexReader(cql, settings.keyspace).users(("format blob",), DAY, DAY) == set(users)


def test_sketches_written_by_the_job_are_unioned_by_the_reader_at_the_same_lg_k(spark, cql, settings):
    users = [f"sketch-user-{index}" for index in range(20000)]  # beyond exact: the lgK decides the figure
    sketches_df = user_sketches(_lists_df(spark, "format sketch", {DAY: users}))
    written = sketches_df.first().estimate
    append_to_table(sketches_df, settings, tables.AUDIENCE_SKETCHES, conf=BUCKET_WRITE_CONF)
    read = estimate(SketchReader(cql, settings.keyspace), "keyword", ("format sketch",), DAY, DAY)
    assert read.users == written and abs(written - len(users)) < len(users) * 0.05 and read.sketches == 1


def test_a_window_of_days_reads_exactly_the_days_the_writer_wrote_in_it(spark, cql, settings):
    by_day = {DAY - dt.timedelta(days=offset): [f"day-user-{offset}-{index}" for index in range(10)]
              for offset in range(3)}
    append_to_table(user_sketches(_lists_df(spark, "format days", by_day)), settings, tables.AUDIENCE_SKETCHES,
                    conf=BUCKET_WRITE_CONF)
    reader = SketchReader(cql, settings.keyspace)
    assert window_ending(DAY, 2) == (DAY - dt.timedelta(days=1), DAY)
    two_days = estimate(reader, "keyword", ("format days",), *window_ending(DAY, 2))
    three_days = estimate(reader, "keyword", ("format days",), *window_ending(DAY, 3))
    assert (two_days.users, two_days.sketches) == (20, 2) and (three_days.users, three_days.sketches) == (30, 3)
