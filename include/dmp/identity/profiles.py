"""Person profiles and person-level interests, from the day's assignment of ids to persons.

A person's row in `persons`: its clickstream ids (`ids`, as segments read them), customer ids,
the export forms of its emails, the attributes and consent of its newest CRM row (a person
without any CRM row, or whose newest row says no, has `has_consent` false, so every later stage
excludes them from what needs consent), and the first and last day any of its ids was seen.
Interests are the sums of its ids' daily interests (`pages` is then the sum of each id's distinct
pages), and its lifetime interests are derived from those daily rows by the same function as the
ids' own, so they depend only on the stored days, never on the order days ran in.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.identity.edges import node_type, node_value
from dmp.identity.graph import CUSTOMER, EMAIL, USER
from dmp.pipeline.lifetime import LIFETIME_COLUMNS, lifetime_interests

PERSON_COLUMNS = ("person_id", "ids", "customer_ids", "attributes", "has_consent", "consent_updated", "first_seen",
                  "last_seen", "email_sha256", "email_uid2", "created")
PERSON_DAILY_COLUMNS = ("person_id", "day", "theme", "events", "pages")
PERSON_DAILY_KEY = ("person_id", "day", "theme")
PERSON_LIFETIME_COLUMNS = tuple("person_id" if name == "user_id" else name for name in LIFETIME_COLUMNS)
PERSON_LIFETIME_KEY = ("person_id", "theme")
STRING_MAP = T.MapType(T.StringType(), T.StringType())


def _values_of(node_kind: str):
    return F.array_sort(F.collect_set(F.when(node_type() == node_kind, node_value())))


def person_rows(assigned_df: DataFrame, forms_df: DataFrame, crm_df: DataFrame, created_df: DataFrame) -> DataFrame:
    """PERSON_COLUMNS and `id_count` per person.

    `assigned_df` (node, person_id, first_seen, last_seen); `forms_df` (node, email_sha256,
    email_uid2); `crm_df` the current CRM rows; `created_df` (person_id, created).
    """
    members_df = assigned_df.groupBy("person_id").agg(
        _values_of(USER).alias("ids"), _values_of(CUSTOMER).alias("customer_ids"),
        F.min("first_seen").alias("first_seen"), F.max("last_seen").alias("last_seen"),
        F.count(F.lit(1)).alias("id_count"))
    forms_by_person_df = assigned_df.where(node_type() == EMAIL).join(forms_df, on="node", how="inner").groupBy(
        "person_id").agg(F.array_sort(F.collect_set("email_sha256")).alias("email_sha256"),
                         F.array_sort(F.collect_set("email_uid2")).alias("email_uid2"))
    customers_df = assigned_df.where(node_type() == CUSTOMER).select("person_id", node_value().alias("customer_id"))
    newest = Window.partitionBy("person_id").orderBy(F.coalesce("updated_at", "consent_updated").desc_nulls_last(),
                                                     F.col("customer_id").desc())
    crm_by_person_df = customers_df.join(crm_df, on="customer_id", how="inner").withColumn(
        "rank", F.row_number().over(newest)).where(F.col("rank") == 1).select(
        "person_id", "attributes", "has_consent", "consent_updated")
    joined_df = (members_df.join(forms_by_person_df, on="person_id", how="left")
                 .join(crm_by_person_df, on="person_id", how="left").join(created_df, on="person_id", how="left"))
    empty = F.array().cast("array<string>")
    return joined_df.select(
        "person_id", "ids", "customer_ids", F.coalesce("attributes", F.create_map().cast(STRING_MAP)).alias("attributes"),
        F.coalesce("has_consent", F.lit(False)).alias("has_consent"), "consent_updated", "first_seen", "last_seen",
        F.coalesce("email_sha256", empty).alias("email_sha256"), F.coalesce("email_uid2", empty).alias("email_uid2"),
        F.coalesce("created", "first_seen").alias("created"), "id_count")


def person_daily(user_daily_df: DataFrame, members_df: DataFrame) -> DataFrame:
    """PERSON_DAILY_COLUMNS: each person's ids' daily interests (user_id, day, theme, events, pages) summed."""
    joined_df = user_daily_df.join(members_df.select("user_id", "person_id"), on="user_id", how="inner")
    return joined_df.groupBy(*PERSON_DAILY_KEY).agg(F.sum("events").cast("int").alias("events"),
                                                    F.sum("pages").cast("int").alias("pages")).select(
        *PERSON_DAILY_COLUMNS)


def person_lifetime(person_daily_df: DataFrame, half_life_days: int) -> DataFrame:
    """PERSON_LIFETIME_COLUMNS from person daily rows, by the ids' lifetime rules."""
    as_users_df = person_daily_df.withColumnRenamed("person_id", "user_id")
    return lifetime_interests(as_users_df, half_life_days).withColumnRenamed("user_id", "person_id").select(
        *PERSON_LIFETIME_COLUMNS)


def stale_keys(stored_df: DataFrame, fresh_df: DataFrame, key: tuple[str, ...]) -> DataFrame:
    """Keys of stored rows the fresh rows no longer have (to delete)."""
    return stored_df.select(*key).join(fresh_df.select(*key), on=list(key), how="left_anti").distinct()
