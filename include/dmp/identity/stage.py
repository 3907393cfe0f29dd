"""The identity stage of a day: ids -> persons, the CRM joined, consent kept; everything staged for the gate.

The body of the `identity` Spark job, run after the day's interests are published. It reads the
day's login hashes (staged by validation: no email reaches this stage), the CRM export and the
partner id-syncs; builds the whole identity graph (stored edges + the day's, CRM edges of the
current CRM rows); finds its components under the caps (`dmp.identity.resolve`: scipy up to
DMP_IDENTITY_LOCAL_MAX_EDGES edges, Spark's large-star/small-star above); gives each component
a stable person id against the published assignment (`dmp.identity.person_ids`); and stages the
rows `publish_identity` writes and the keys it deletes: persons, ids, merges, edges, CRM rows and
the person-level interests of the persons the day touched. Then it scans the day's staging and
quarantine for raw emails. Re-running the day gives the same person ids, and the merges and splits
the first run recorded stay the day's.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.identity import edges as ed
from dmp.identity.crm import merged_with_stored, read_crm_day
from dmp.identity.graph import CUSTOMER, EMAIL, USER
from dmp.identity.person_ids import MERGE, SPLIT, assign_person_ids
from dmp.identity.profiles import (PERSON_COLUMNS, PERSON_DAILY_KEY, PERSON_LIFETIME_KEY, person_daily,
                                   person_lifetime, person_rows, stale_keys)
from dmp.identity.resolve import resolve
from dmp.identity.scan import scan_day
from dmp.identity.syncs import read_syncs_day
from dmp.pipeline import staging, steps
from dmp.pipeline.runs import write_step_summary
from dmp.settings import Settings
from dmp.storage import tables
from dmp.storage.spark_io import read_table

log = logging.getLogger(__name__)
ASSIGNED_SCHEMA = "node string, person_id string"
CHANGES_SCHEMA = "kind string, loser string, winner string, day date, edge_src string, edge_dst string"
MERGE_COLUMNS = ("person_id", "day", "kind", "loser", "winner", "role", "edge_src", "edge_dst")
MAX_REPORTED_EDGES = 20


def _nodes_seen_today(users_df: DataFrame, logins_df: DataFrame, syncs_df: DataFrame, crm_day_df: DataFrame):
    """(node) of every id the day's data mentions."""
    return (users_df.select(ed.typed(USER, "user_id").alias("node"))
            .unionByName(logins_df.where(F.col("email_hash").isNotNull()).select(ed.typed(EMAIL, "email_hash").alias("node")))
            .unionByName(syncs_df.select(F.col("src").alias("node"))).unionByName(syncs_df.select(F.col("dst").alias("node")))
            .unionByName(crm_day_df.select(ed.typed(CUSTOMER, "customer_id").alias("node")))
            .unionByName(crm_day_df.where(F.col("email_hash").isNotNull()).select(ed.typed(EMAIL, "email_hash").alias("node")))
            .distinct())


def _seen(prior_df: DataFrame, today_df: DataFrame, graph_df: DataFrame, crm_df: DataFrame, day: dt.date) -> DataFrame:
    """(node, first_seen, last_seen) of every node: the stored days widened by today's."""
    today = F.lit(day)
    known_df = (graph_df.select(F.col("src").alias("node")).unionByName(graph_df.select(F.col("dst").alias("node")))
                .unionByName(crm_df.select(ed.typed(CUSTOMER, "customer_id").alias("node")))
                .unionByName(prior_df.select("node")).unionByName(today_df.select("node")).distinct())
    return (known_df.join(prior_df.select("node", "first_seen", "last_seen"), on="node", how="left")
            .join(today_df.withColumn("is_today", F.lit(True)), on="node", how="left")
            .select("node", F.coalesce(F.when(F.col("is_today"), F.least("first_seen", today)), "first_seen", today)
                    .alias("first_seen"),
                    F.coalesce(F.when(F.col("is_today"), F.greatest("last_seen", today)), "last_seen", today)
                    .alias("last_seen")))


def _prior(spark: SparkSession, settings: Settings) -> tuple[DataFrame, DataFrame]:
    """The published assignment (node, person_id, first_seen, last_seen) and (person_id, created)."""
    prior_df = read_table(spark, settings, tables.PERSON_BY_ID).select(
        F.col("id").alias("node"), "person_id", "first_seen", "last_seen")
    created_df = read_table(spark, settings, tables.PERSONS).select("person_id", F.coalesce("created", "first_seen")
                                                                     .alias("created"))
    return prior_df, created_df


def _assign(spark: SparkSession, settings: Settings, day: dt.date, labels_df: DataFrame, kept_df: DataFrame,
            seen_df: DataFrame, prior_df: DataFrame, created_df: DataFrame):
    """Person ids on the driver (pandas): the assignment and the day's changes, as DataFrames."""
    prior = prior_df.join(seen_df.select("node", F.col("first_seen").alias("seen_first")), on="node", how="left") \
        .select("node", "person_id", F.coalesce("first_seen", "seen_first").alias("first_seen")).toPandas()
    created = created_df.toPandas()
    labels = labels_df.toPandas()
    kept = kept_df.select("src", "dst").toPandas()
    assignment = assign_person_ids(labels, prior, created, kept, day)
    assigned_df = spark.createDataFrame(assignment.persons if len(assignment.persons) else pd.DataFrame(
        columns=["node", "person_id"]), ASSIGNED_SCHEMA)
    changes = assignment.changes.astype(object).where(assignment.changes.notna(), None)
    changes_df = spark.createDataFrame([tuple(row) for row in changes.itertuples(index=False)], CHANGES_SCHEMA)
    moved = labels[["node"]].merge(assignment.persons, on="node").merge(prior[["node", "person_id"]], on="node",
                                                                         how="left", suffixes=("", "_prior"))
    changed_persons = set(moved.loc[moved["person_id"] != moved["person_id_prior"], "person_id"])
    gone = sorted(set(prior["person_id"]) - set(assignment.persons["person_id"]))
    new_df = spark.createDataFrame([(person, day) for person in assignment.created["person_id"]],
                                   "person_id string, created date")
    return assigned_df, changes_df, new_df, sorted(changed_persons), gone


def _merge_rows(changes_df: DataFrame, stored_df: DataFrame, day: dt.date) -> DataFrame:
    """The day's merges and splits under both persons: the ones found now and the ones an earlier run recorded."""
    found_df = changes_df.select("day", "kind", "loser", "winner", "edge_src", "edge_dst")
    recorded_df = stored_df.where(F.col("day") == F.lit(day)).select("day", "kind", "loser", "winner", "edge_src",
                                                                    "edge_dst")
    both_df = found_df.unionByName(recorded_df).dropDuplicates(["day", "kind", "loser", "winner"])
    return both_df.select(F.col("loser").alias("person_id"), "*", F.lit("loser").alias("role")).unionByName(
        both_df.select(F.col("winner").alias("person_id"), "*", F.lit("winner").alias("role"))).select(*MERGE_COLUMNS)


def _interests(spark: SparkSession, settings: Settings, day: dt.date, assigned_df: DataFrame, touched_df: DataFrame,
               stale_persons_df: DataFrame) -> dict:
    """Stage the daily and lifetime interests of the persons the day touched, and the stale keys."""
    members_df = assigned_df.join(touched_df, on="person_id", how="inner").where(ed.node_type() == USER).select(
        ed.node_value().alias("user_id"), "person_id")
    # Joins on the partition keys: the connector reads just these ids' and persons' partitions.
    user_daily_df = members_df.select("user_id").join(read_table(spark, settings, tables.DAILY_INTERESTS),
                                                      on="user_id", how="inner")
    daily_df = staging.write_staged(person_daily(user_daily_df, members_df), settings, day,
                                    staging.PERSON_DAILY_INTERESTS)
    lifetime_df = staging.write_staged(person_lifetime(daily_df, settings.interest_half_life_days), settings, day,
                                       staging.PERSON_INTERESTS)
    affected_df = touched_df.unionByName(stale_persons_df).distinct()
    stored_daily_df = affected_df.join(read_table(spark, settings, tables.PERSON_DAILY_INTERESTS), on="person_id",
                                       how="inner")
    stored_lifetime_df = affected_df.join(read_table(spark, settings, tables.PERSON_INTERESTS), on="person_id",
                                          how="inner")
    stale_daily_df = staging.write_staged(stale_keys(stored_daily_df, daily_df, PERSON_DAILY_KEY), settings, day,
                                          staging.STALE_PERSON_DAILY_INTERESTS)
    stale_lifetime_df = staging.write_staged(stale_keys(stored_lifetime_df, lifetime_df, PERSON_LIFETIME_KEY), settings,
                                             day, staging.STALE_PERSON_INTERESTS)
    return {"daily_rows": daily_df.count(), "lifetime_rows": lifetime_df.count(),
            "stale_rows": {"daily": stale_daily_df.count(), "lifetime": stale_lifetime_df.count()}}


def _edges_and_crm(spark: SparkSession, settings: Settings, day: dt.date, logins_df: DataFrame):
    """Stage the day's edge and CRM writes; (graph edges, all CRM rows, the day's CRM rows, syncs, figures)."""
    crm_day = read_crm_day(spark, settings, day)
    crm_df, crm_changed_df = merged_with_stored(crm_day.accepted_df, read_table(spark, settings, tables.CRM_CUSTOMERS))
    crm_df = staging.write_staged(crm_df, settings, day, "crm_current")
    staging.write_staged(crm_changed_df, settings, day, staging.CRM_CUSTOMERS)
    syncs = read_syncs_day(spark, settings, day)
    stored_df = ed.stored_edges(read_table(spark, settings, tables.IDENTITY_EDGES))
    day_df = ed.login_edges(logins_df, day).unionByName(ed.sync_edges(syncs.syncs_df, day))
    updated_df = staging.write_staged(ed.both_ends(ed.updated_edges(day_df, stored_df)), settings, day,
                                      staging.IDENTITY_EDGES)
    revoked_df = ed.revoked_edges(syncs.syncs_df, stored_df)
    staged_revoked_df = staging.write_staged(ed.both_ends(revoked_df.select(
        "src", "dst", "kind", *[F.lit(None).cast(kind).alias(name) for name, kind in
                                (("first_seen", "date"), ("last_seen", "date"), ("email_sha256", "string"),
                                 ("email_uid2", "string"))])).select("node", "other", "kind"), settings, day,
        staging.STALE_IDENTITY_EDGES)
    graph_df = staging.write_staged(ed.graph_edges(stored_df, day_df, revoked_df, crm_df), settings, day, "graph_edges")
    forms_df = ed.email_forms(stored_df, day_df, crm_df)
    figures = {"crm": crm_day.figures, "syncs": syncs.figures, "edges_written": updated_df.count(),
               "edges_revoked": staged_revoked_df.count() // 2}
    return graph_df, crm_df, crm_day.accepted_df, syncs.syncs_df, forms_df, figures


def identity_day(spark: SparkSession, settings: Settings, day: dt.date) -> dict:
    """Resolve the day's identities and stage everything publish_identity writes; the day's figures."""
    identity = settings.identity
    logins_df = staging.read_staged(spark, settings, day, staging.LOGINS)
    users_df = staging.read_staged(spark, settings, day, staging.EVENTS).select("user_id").distinct()
    graph_df, crm_df, crm_day_df, syncs_df, forms_df, figures = _edges_and_crm(spark, settings, day, logins_df)
    prior_df, created_df = _prior(spark, settings)
    today_df = _nodes_seen_today(users_df, logins_df, syncs_df, crm_day_df)
    seen_df = staging.write_staged(_seen(prior_df, today_df, graph_df, crm_df, day), settings, day, "identity_nodes")
    resolution = resolve(graph_df, seen_df.select("node"), identity.caps, identity.local_max_edges)
    labels_df = staging.write_staged(resolution.labels_df, settings, day, "identity_labels")
    kept_df = staging.write_staged(resolution.kept_df, settings, day, "identity_kept_edges")
    left_out_df = staging.write_staged(resolution.left_out_df.withColumn("day", F.lit(day)), settings, day,
                                       staging.LEFT_OUT_EDGES)
    resolution.release()
    assigned_df, changes_df, new_df, changed, gone = _assign(spark, settings, day, labels_df, kept_df, seen_df, prior_df,
                                                     created_df)
    by_id_df = staging.write_staged(assigned_df.join(seen_df, on="node", how="inner").select(
        F.col("node").alias("id"), "person_id", "first_seen", "last_seen"), settings, day, staging.PERSON_BY_ID)
    assigned_df = by_id_df.select(F.col("id").alias("node"), "person_id", "first_seen", "last_seen")
    persons_df = staging.write_staged(person_rows(assigned_df, forms_df, crm_df, created_df.unionByName(new_df))
                                      .select(*PERSON_COLUMNS, "id_count"), settings, day, staging.PERSONS)
    stale_persons_df = staging.write_staged(spark.createDataFrame([(p,) for p in gone], "person_id string"), settings,
                                            day, staging.STALE_PERSONS)
    merges_df = staging.write_staged(_merge_rows(changes_df, read_table(spark, settings, tables.PERSON_MERGES), day),
                                     settings, day, staging.PERSON_MERGES)
    active_df = users_df.select(ed.typed(USER, "user_id").alias("node")).join(assigned_df, on="node", how="inner")
    touched_df = active_df.select("person_id").unionByName(
        spark.createDataFrame([(p,) for p in changed], "person_id string")).distinct()
    interests = _interests(spark, settings, day, assigned_df, touched_df, stale_persons_df)
    summary = _figures(day, figures, resolution.figures, persons_df, merges_df, left_out_df, crm_df, users_df,
                       assigned_df, interests)
    staging.write_staged(spark.createDataFrame([(summary["crm_match_rate"], summary["users_without_person"])],
                                               "crm_match_rate double, users_without_person long"),
                         settings, day, staging.IDENTITY_FIGURES)
    scan_df = staging.write_staged(scan_day(spark, settings, day), settings, day, staging.EMAIL_SCAN)
    summary["email_scan"] = {row["location"]: row["leaks"] for row in scan_df.where(F.col("leaks") > 0).collect()}
    summary["email_scan_locations"] = scan_df.count()
    write_step_summary(settings, day, steps.IDENTITY, summary)
    log.info("identity %s: %s persons, %s merges, %s splits", day, summary["persons"], summary["merges"],
             summary["splits"])
    return summary


def _figures(day: dt.date, inputs: dict, resolution: dict, persons_df: DataFrame, merges_df: DataFrame,
             left_out_df: DataFrame, crm_df: DataFrame, users_df: DataFrame, assigned_df: DataFrame,
             interests: dict) -> dict:
    """The day's identity report: persons, merges, splits, left-out edges, CRM match rate."""
    kinds = {row["kind"]: row["count"] for row in merges_df.where(F.col("role") == "winner").groupBy("kind").count()
             .collect()}
    persons = persons_df.agg(F.count(F.lit(1)).alias("persons"),
                             F.sum(F.when(F.size("ids") > 0, 1).otherwise(0)).alias("online"),
                             F.sum(F.when(F.col("has_consent"), 1).otherwise(0)).alias("consenting"),
                             F.sum(F.when(F.size("ids") > 1, 1).otherwise(0)).alias("multi_id"),
                             F.max("id_count").alias("largest")).first()
    customers = crm_df.where(F.col("email_hash").isNotNull()).select(ed.typed(CUSTOMER, "customer_id").alias("node"))
    matched = customers.join(assigned_df, on="node", how="inner").join(
        persons_df.where(F.size("ids") > 0).select("person_id"), on="person_id", how="left_semi").count()
    with_email = customers.count()
    users = users_df.select(ed.typed(USER, "user_id").alias("node"))
    examples = [{"src": row["src"], "dst": row["dst"], "reason": row["reason"]}
                for row in left_out_df.orderBy("reason", "src", "dst").limit(MAX_REPORTED_EDGES).collect()]
    return {
        "date": day.isoformat(), **inputs, "components": resolution,
        "persons": int(persons["persons"] or 0), "persons_online": int(persons["online"] or 0),
        "persons_with_consent": int(persons["consenting"] or 0), "persons_with_several_ids": int(persons["multi_id"] or 0),
        "largest_person": int(persons["largest"] or 0),
        "merges": int(kinds.get(MERGE, 0)), "splits": int(kinds.get(SPLIT, 0)),
        "left_out_edges": resolution.get("left_out_edges", {}), "left_out_examples": examples,
        "crm_customers_with_email": with_email, "crm_matched_online": matched,
        "crm_match_rate": round(matched / with_email, 6) if with_email else 0.0,
        "users": users.count(), "users_without_person": users.join(assigned_df, on="node", how="left_anti").count(),
        "interests": interests,
    }
