"""The identity stage's transforms on tiny DataFrames: CRM rows, edges, person rows and interests."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from dmp.identity import edges as ed
from dmp.identity.crm import CRM_COLUMNS, merged_with_stored, newest_rows, rejection_reason, to_crm_rows
from dmp.identity.columns import with_email_forms
from dmp.identity.blocked import DEFAULT_BLOCKED_PATTERNS, DEFAULT_BLOCKED_VALUES, parse_block_list
from dmp.identity.emails import DEFAULT_EMAIL_RULES, parse_email_rules
from dmp.identity.profiles import person_daily, person_rows, stale_keys
from dmp.segments.hashing import sha256_email, uid2_email_hash

D1, D2 = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
T1, T2 = dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1)
CRM_SCHEMA = ("customer_id string, email_hash string, email_sha256 string, email_uid2 string, "
              "attributes map<string,string>, has_consent boolean, consent_updated timestamp, updated_at timestamp, "
              "source_day date")
RAW_CRM = ("customer_id string, email string, consent_marketing string, consent_updated_at string, updated_at string, "
           "_corrupt_record string, attributes map<string,string>, source_day date")


def test_email_forms_are_the_export_hashes_and_null_when_blocked(spark):
    frame = spark.createDataFrame([(" Jane.Doe+x@GMail.com",), ("test@test.com",), (None,)], "email string")
    rows = with_email_forms(frame, "email", parse_email_rules(DEFAULT_EMAIL_RULES),
                            parse_block_list(DEFAULT_BLOCKED_VALUES, DEFAULT_BLOCKED_PATTERNS)).collect()
    assert "email" not in rows[0].asDict()
    assert rows[0].email_sha256 == sha256_email(" Jane.Doe+x@GMail.com")
    assert rows[0].email_uid2 == uid2_email_hash(" Jane.Doe+x@GMail.com")
    assert [tuple(row) for row in rows[1:]] == [(None, None, None), (None, None, None)]


def test_crm_rejections_and_consent(spark):
    raw_df = spark.createDataFrame([
        ("c1", "a@x.fr", "Yes", "2026-11-01T00:00:00Z", None, None, {}, D1),
        (" ", "b@x.fr", "true", None, None, None, {}, D1),
        ("c3", "c@x.fr", "maybe", None, None, None, {}, D1),
        ("c4", "d@x.fr", "false", "yesterday", None, None, {}, D1),
        ("c5", None, None, None, "2026-11-02", None, {}, D1),
        (None, None, None, None, None, "a,broken,line", {}, D1),
    ], RAW_CRM)
    reasons = [row[0] for row in raw_df.select(rejection_reason()).collect()]
    assert reasons == [None, "missing_customer_id", "invalid_consent", "unparsable_consent_time", None, "malformed_csv"]
    accepted_df = raw_df.withColumn("email_hash", F.lit("h")).withColumn("email_sha256", F.lit(None).cast("string")) \
        .withColumn("email_uid2", F.lit(None).cast("string"))
    rows = to_crm_rows(accepted_df.where(F.col("customer_id").isin("c1", "c5"))).collect()
    assert [(row.customer_id, row.has_consent) for row in rows] == [("c1", True), ("c5", False)], "no consent given: no"


def test_the_newest_crm_row_wins_even_when_it_arrived_first(spark):
    stored_df = spark.createDataFrame([
        ("c1", "h1", None, None, {"tier": "gold"}, True, T2, T2, D1),
        ("c2", "h2", None, None, {"tier": "none"}, True, T1, T1, D1),
    ], CRM_SCHEMA)
    day_df = spark.createDataFrame([
        ("c1", "h1", None, None, {"tier": "silver"}, False, T1, T1, D2),  # older than the stored row
        ("c2", "h9", None, None, {"tier": "bronze"}, False, T2, T2, D2),  # newer: consent withdrawn, email changed
        ("c3", None, None, None, {}, False, None, None, D2),
    ], CRM_SCHEMA)
    current_df, changed_df = merged_with_stored(day_df, stored_df)
    current = {row.customer_id: (row.attributes["tier"] if row.attributes else None, row.has_consent, row.email_hash)
               for row in current_df.collect()}
    assert current == {"c1": ("gold", True, "h1"), "c2": ("bronze", False, "h9"), "c3": (None, False, None)}
    assert sorted(row.customer_id for row in changed_df.collect()) == ["c2", "c3"]
    duplicated_df = day_df.unionByName(day_df.where(F.col("customer_id") == "c2").withColumn("updated_at", F.lit(T1)))
    assert newest_rows(duplicated_df).where(F.col("customer_id") == "c2").first().updated_at == T2
    assert tuple(newest_rows(day_df).columns) == CRM_COLUMNS


def test_edges_accumulate_revocations_remove_and_crm_edges_follow_the_current_email(spark):
    logins_df = spark.createDataFrame([("u1", "h1", "s1", "i1"), ("u1", "h1", "s1", "i1"), ("u2", None, None, None)],
                                      "user_id string, email_hash string, email_sha256 string, email_uid2 string")
    day_df = ed.login_edges(logins_df, D2)
    assert [(r.src, r.dst, r.kind) for r in day_df.collect()] == [("email:h1", "user:u1", "login")]
    stored_df = spark.createDataFrame([("email:h1", "user:u1", "login", D1, D1, "s1", "i1"),
                                       ("user:a", "user:b", "sync", D1, D1, None, None)],
                                      "src string, dst string, kind string, first_seen date, last_seen date, "
                                      "email_sha256 string, email_uid2 string")
    updated = ed.updated_edges(day_df, stored_df).first()
    assert (updated.first_seen, updated.last_seen) == (D1, D2)
    syncs_df = spark.createDataFrame([("user:a", "user:b", "revoke")], "src string, dst string, action string")
    revoked_df = ed.revoked_edges(syncs_df, stored_df)
    crm_df = spark.createDataFrame([("c1", "h2", None, None, {}, True, None, None, D2)], CRM_SCHEMA)
    graph = {(r.src, r.dst, r.kind) for r in ed.graph_edges(stored_df, day_df, revoked_df, crm_df).collect()}
    assert graph == {("email:h1", "user:u1", "login"), ("customer:c1", "email:h2", "crm")}
    both = {(r.node, r.other) for r in ed.both_ends(ed.updated_edges(day_df, stored_df)).collect()}
    assert both == {("email:h1", "user:u1"), ("user:u1", "email:h1")}


def test_person_rows_take_the_newest_crm_row_and_mark_unknown_consent_false(spark):
    assigned_df = spark.createDataFrame([
        ("user:u1", "p1", D1, D2), ("email:h1", "p1", D1, D1), ("customer:c1", "p1", D1, D1),
        ("customer:c2", "p1", D2, D2), ("user:u2", "p2", D2, D2)],
        "node string, person_id string, first_seen date, last_seen date")
    forms_df = spark.createDataFrame([("email:h1", "s1", "i1")], "node string, email_sha256 string, email_uid2 string")
    crm_df = spark.createDataFrame([("c1", "h1", None, None, {"tier": "old"}, True, T1, T1, D1),
                                    ("c2", None, None, None, {"tier": "new"}, False, T2, T2, D2)], CRM_SCHEMA)
    created_df = spark.createDataFrame([("p1", D1)], "person_id string, created date")
    rows = {row.person_id: row for row in person_rows(assigned_df, forms_df, crm_df, created_df).collect()}
    assert rows["p1"].ids == ["u1"] and rows["p1"].customer_ids == ["c1", "c2"] and rows["p1"].id_count == 4
    assert (rows["p1"].attributes, rows["p1"].has_consent, rows["p1"].email_sha256) == ({"tier": "new"}, False, ["s1"])
    assert (rows["p1"].first_seen, rows["p1"].last_seen, rows["p1"].created) == (D1, D2, D1)
    assert (rows["p2"].has_consent, rows["p2"].attributes, rows["p2"].created) == (False, {}, D2)


def test_person_daily_interests_sum_the_ids_and_stale_keys_are_the_missing_ones(spark):
    daily_df = spark.createDataFrame([("u1", D1, "music", 2, 1), ("u2", D1, "music", 3, 2), ("u3", D1, "music", 9, 9)],
                                     "user_id string, day date, theme string, events int, pages int")
    members_df = spark.createDataFrame([("u1", "p1"), ("u2", "p1")], "user_id string, person_id string")
    fresh_df = person_daily(daily_df, members_df)
    assert [tuple(row) for row in fresh_df.collect()] == [("p1", D1, "music", 5, 3)]
    stored_df = spark.createDataFrame([("p1", D1, "music"), ("p1", D1, "sport"), ("p0", D1, "music")],
                                      "person_id string, day date, theme string")
    stale = {tuple(row) for row in stale_keys(stored_df, fresh_df, ("person_id", "day", "theme")).collect()}
    assert stale == {("p1", D1, "sport"), ("p0", D1, "music")}
