"""The identity graph of a day: the stored edges, the day's logins and id-syncs, the CRM's emails.

Edges learnt from logins and id-syncs accumulate in `identity_edges` (stored from both ends, so
an id's edges are one Cassandra partition, for lookups and deletions); a revoked sync removes
its edge. CRM edges (customer id - email hash) are not stored as edges: they follow the current
CRM row of each customer, so a changed or removed email changes them. An edge is (src, dst) with
src < dst, its kind, the first and last day it was seen and, for an edge to an email, the
email's export forms (hashes only).
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.identity.graph import CRM_EDGE, CUSTOMER, EMAIL, LOGIN_EDGE, SEPARATOR, SYNC_EDGE, USER
from dmp.identity.syncs import REVOKE_ACTION, SYNC_ACTION

EDGE_COLUMNS = ("src", "dst", "kind", "first_seen", "last_seen", "email_sha256", "email_uid2")
STORED_COLUMNS = ("node", "other", "kind", "first_seen", "last_seen", "email_sha256", "email_uid2")
GRAPH_COLUMNS = ("src", "dst", "kind")


def typed(node_type: str, column: str):
    """The node column of an id column: `type:value`."""
    return F.concat(F.lit(node_type + SEPARATOR), F.col(column))


def node_type():
    return F.substring_index(F.col("node"), SEPARATOR, 1)


def node_value():
    return F.expr(f"substring(node, instr(node, '{SEPARATOR}') + 1)")


def _canonical(frame: DataFrame, a, b) -> DataFrame:
    return frame.withColumn("src", F.least(a, b)).withColumn("dst", F.greatest(a, b))


def login_edges(logins_df: DataFrame, day: dt.date) -> DataFrame:
    """One edge per (cookie, email hash) of the day's logins with a usable email."""
    usable_df = logins_df.where(F.col("email_hash").isNotNull())
    edges_df = _canonical(usable_df, typed(USER, "user_id"), typed(EMAIL, "email_hash"))
    return edges_df.groupBy("src", "dst").agg(F.max("email_sha256").alias("email_sha256"),
                                              F.max("email_uid2").alias("email_uid2")).select(
        "src", "dst", F.lit(LOGIN_EDGE).alias("kind"), F.lit(day).alias("first_seen"), F.lit(day).alias("last_seen"),
        "email_sha256", "email_uid2")


def sync_edges(syncs_df: DataFrame, day: dt.date) -> DataFrame:
    """The day's synced pairs that the day did not also revoke."""
    revoked_df = syncs_df.where(F.col("action") == REVOKE_ACTION).select("src", "dst")
    return syncs_df.where(F.col("action") == SYNC_ACTION).join(revoked_df, on=["src", "dst"], how="left_anti").select(
        "src", "dst", F.lit(SYNC_EDGE).alias("kind"), F.lit(day).alias("first_seen"), F.lit(day).alias("last_seen"),
        F.lit(None).cast("string").alias("email_sha256"), F.lit(None).cast("string").alias("email_uid2")).distinct()


def stored_edges(stored_df: DataFrame) -> DataFrame:
    """The stored edges once each (the end whose node sorts first), as EDGE_COLUMNS."""
    return stored_df.where(F.col("node") < F.col("other")).select(
        F.col("node").alias("src"), F.col("other").alias("dst"), *STORED_COLUMNS[2:])


def updated_edges(day_df: DataFrame, stored_df: DataFrame) -> DataFrame:
    """The day's edges as they are to be stored: first and last seen over the stored and the day's.

    The stored edges the day saw again are found by an inner join first. A left join straight onto
    the connector's read becomes its direct join on `node`, and the connector applies the stored
    side's filters (`node < other`, the kind) after that join, so every new edge (no stored match,
    null columns) was filtered out: nothing was ever written to `identity_edges`.
    """
    keys = ["src", "dst", "kind"]
    old_df = stored_df.join(day_df.select(*keys), on=keys, how="inner").select(
        *keys, F.col("first_seen").alias("old_first"), F.col("last_seen").alias("old_last"),
        F.col("email_sha256").alias("old_sha256"), F.col("email_uid2").alias("old_uid2"))
    joined_df = day_df.join(old_df, on=keys, how="left")
    return joined_df.select(
        "src", "dst", "kind", F.least("first_seen", F.coalesce("old_first", "first_seen")).alias("first_seen"),
        F.greatest("last_seen", F.coalesce("old_last", "last_seen")).alias("last_seen"),
        F.coalesce("email_sha256", "old_sha256").alias("email_sha256"),
        F.coalesce("email_uid2", "old_uid2").alias("email_uid2"))


def revoked_edges(syncs_df: DataFrame, stored_df: DataFrame) -> DataFrame:
    """The stored sync edges the day revoked (src, dst, kind)."""
    revoked_df = syncs_df.where(F.col("action") == REVOKE_ACTION).select("src", "dst")
    return stored_df.where(F.col("kind") == SYNC_EDGE).join(revoked_df, on=["src", "dst"], how="left_semi").select(
        *GRAPH_COLUMNS)


def both_ends(edges_df: DataFrame) -> DataFrame:
    """Rows of `identity_edges`: each edge under both of its nodes."""
    rest = STORED_COLUMNS[2:]
    return edges_df.select(F.col("src").alias("node"), F.col("dst").alias("other"), *rest).unionByName(
        edges_df.select(F.col("dst").alias("node"), F.col("src").alias("other"), *rest))


def crm_edges(crm_df: DataFrame) -> DataFrame:
    """(src, dst, kind) between each customer and the hash of its current email."""
    with_email_df = crm_df.where(F.col("email_hash").isNotNull())
    return _canonical(with_email_df, typed(CUSTOMER, "customer_id"), typed(EMAIL, "email_hash")).select(
        "src", "dst", F.lit(CRM_EDGE).alias("kind"))


def graph_edges(stored_df: DataFrame, day_df: DataFrame, revoked_df: DataFrame, crm_df: DataFrame) -> DataFrame:
    """(src, dst, kind) of the whole graph: one row per pair (the smallest kind when learnt twice)."""
    kept_df = stored_df.select(*GRAPH_COLUMNS).join(revoked_df, on=list(GRAPH_COLUMNS), how="left_anti")
    all_df = kept_df.unionByName(day_df.select(*GRAPH_COLUMNS)).unionByName(crm_edges(crm_df))
    return all_df.groupBy("src", "dst").agg(F.min("kind").alias("kind"))


def email_forms(stored_df: DataFrame, day_df: DataFrame, crm_df: DataFrame) -> DataFrame:
    """(node, email_sha256, email_uid2): the export forms known for each email node."""
    edge_forms_df = stored_df.unionByName(day_df).where(F.col("email_sha256").isNotNull())
    from_edges_df = edge_forms_df.select(F.when(F.col("src").startswith(EMAIL + SEPARATOR), F.col("src"))
                                         .otherwise(F.col("dst")).alias("node"), "email_sha256", "email_uid2")
    from_crm_df = crm_df.where(F.col("email_hash").isNotNull()).select(typed(EMAIL, "email_hash").alias("node"),
                                                                      "email_sha256", "email_uid2")
    return from_edges_df.unionByName(from_crm_df).distinct()
