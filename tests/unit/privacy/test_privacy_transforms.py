"""The Spark side of suppression on tiny DataFrames, and sketches that forget ids."""

from __future__ import annotations

import functools
import hashlib

from chispa import assert_df_equality

from dmp.privacy.index import holds_any, keyword_sketch, without_ids
from dmp.privacy.subjects import SUPPRESSED_EMAIL, SUPPRESSED_USER, digest
from dmp.privacy.suppression import (SUPPRESSED, with_suppressed_crm_reason, with_suppressed_reason,
                                     without_suppressed_members)
from dmp.identity.emails import DEFAULT_EMAIL_RULES, email_hash, parse_email_rules
from dmp.storage.formats import union_of_sketches, user_sketch
from dmp.storage.privacy import Chunk

assert_frames_equal = functools.partial(assert_df_equality, ignore_row_order=True, ignore_nullable=True)
RAW_SCHEMA = "user_id string, email string, rejection_reason string"


def _suppressed(spark):
    hashed = email_hash("gone@gmail.com", parse_email_rules(DEFAULT_EMAIL_RULES))
    return spark.createDataFrame([(digest("u-gone"), SUPPRESSED_USER), (digest(hashed), SUPPRESSED_EMAIL)],
                                 "digest string, kind string")


def test_rows_of_a_suppressed_id_or_email_get_the_reason_and_others_keep_theirs(spark):
    raw_df = spark.createDataFrame([
        ("u-gone", None, None),  # a suppressed cookie
        (" u-gone ", None, None),  # the same once trimmed, as validation stores it
        ("u-new", " Go.ne+x@GMail.com", None),  # a new cookie logging in with a deleted email
        ("u-gone", None, "invalid_url"),  # already rejected: its first reason stays
        ("u-kept", "kept@example.com", None),
        (None, None, "missing_user_id"),
    ], RAW_SCHEMA)
    expected_df = spark.createDataFrame([
        ("u-gone", None, SUPPRESSED), (" u-gone ", None, SUPPRESSED), ("u-new", " Go.ne+x@GMail.com", SUPPRESSED),
        ("u-gone", None, "invalid_url"), ("u-kept", "kept@example.com", None), (None, None, "missing_user_id"),
    ], RAW_SCHEMA)
    assert_frames_equal(with_suppressed_reason(raw_df, _suppressed(spark)), expected_df)


def test_a_crm_row_whose_email_hash_is_suppressed_gets_the_reason(spark):
    rules = parse_email_rules(DEFAULT_EMAIL_RULES)
    gone, kept = email_hash("gone@gmail.com", rules), email_hash("kept@example.com", rules)
    export_only = hashlib.sha256(b"other.form@example.com").hexdigest()  # suppressed in its export form only
    suppressed_df = _suppressed(spark).unionByName(spark.createDataFrame([(digest(export_only), SUPPRESSED_EMAIL)],
                                                                         "digest string, kind string"))
    schema = "customer_id string, email_hash string, email_sha256 string, rejection_reason string"
    crm_df = spark.createDataFrame([
        ("c-gone", gone, "x", None), ("c-export", "h-other", export_only, None), ("c-kept", kept, "y", None),
        ("c-bad", gone, "x", "invalid_consent"), ("c-none", None, None, None),
    ], schema)
    expected_df = spark.createDataFrame([
        ("c-gone", gone, "x", SUPPRESSED), ("c-export", "h-other", export_only, SUPPRESSED), ("c-kept", kept, "y", None),
        ("c-bad", gone, "x", "invalid_consent"), ("c-none", None, None, None),
    ], schema)
    assert_frames_equal(with_suppressed_crm_reason(crm_df, suppressed_df), expected_df)


def test_a_member_with_any_suppressed_id_is_left_out(spark):
    members_df = spark.createDataFrame([("p1", ["u-ok", "u-gone"]), ("p2", ["u-ok2"]), ("p3", [])],
                                       "subject_id string, ids array<string>")
    assert_frames_equal(without_suppressed_members(members_df, _suppressed(spark)),
                         spark.createDataFrame([("p2", ["u-ok2"]), ("p3", [])], "subject_id string, ids array<string>"))


def test_a_sketch_forgets_ids_and_a_keyword_is_rebuilt_as_the_index_builds_it():
    users = [f"user-{n}" for n in range(100)]
    sketch = user_sketch(users).serialize()
    assert holds_any(sketch, ["user-3", "nobody"]) and not holds_any(sketch, ["nobody"])
    forgotten = without_ids(sketch, ["user-3", "user-7"])
    assert forgotten.get_estimate() == 98 and not holds_any(forgotten.serialize(), ["user-3"])
    assert forgotten.get_estimate() == user_sketch(set(users) - {"user-3", "user-7"}).get_estimate()
    chunks = [Chunk(None, 0, "k", n, tuple(users[n::2]), None) for n in range(2)]
    assert keyword_sketch(chunks).get_estimate() == union_of_sketches(
        user_sketch(chunk.users).serialize() for chunk in chunks).get_estimate() == 100
    assert keyword_sketch(chunks[:1]).get_estimate() == 50
