"""Keeping deleted people out: the Spark side of `privacy_suppressions`.

A deletion records the SHA-256 of each of the person's user ids and email hashes
(`dmp.privacy.subjects.Subject.suppressions`). Validation marks the raw rows of a suppressed id,
or of a login with a suppressed email, with the reason `suppressed`: they are counted with the
day's rejected rows (read = accepted + quarantined still holds) but not copied to the quarantine
(they belong to someone deleted) and do not count towards the rejected share that stops a day.
Identity's CRM reading marks a customer row whose email is suppressed the same way, so the CRM
does not bring a deleted person back. Segment publishing drops members with a suppressed id,
since a segment's membership TTL can carry a subject from earlier days' staged qualifications.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from dmp.identity.columns import SHA256_BITS, with_normalized_email
from dmp.identity.emails import DEFAULT_EMAIL_RULES, parse_email_rules
from dmp.privacy.subjects import SUPPRESSED_EMAIL, SUPPRESSED_USER

SUPPRESSED = "suppressed"  # the rejection reason


def _digest(column) -> F.Column:
    return F.sha2(column, SHA256_BITS)


def _flag(frame: DataFrame, digest_column: str, suppressed_df: DataFrame, kind: str, flag: str) -> DataFrame:
    digests_df = F.broadcast(suppressed_df.where(F.col("kind") == kind).select(
        F.col("digest").alias(digest_column)).distinct().withColumn(flag, F.lit(True)))
    return frame.join(digests_df, on=digest_column, how="left")


def with_suppressed_reason(classified_df: DataFrame, suppressed_df: DataFrame) -> DataFrame:
    """`classified_df` with `rejection_reason` = SUPPRESSED on the otherwise accepted rows of a suppressed user id
    or email (same columns)."""
    columns = classified_df.columns
    normalized = "__email_normalized"
    hashed_df = with_normalized_email(classified_df, "email", parse_email_rules(DEFAULT_EMAIL_RULES), normalized)
    keyed_df = hashed_df.withColumn("__user_digest", _digest(F.trim("user_id"))).withColumn(
        "__email_digest", _digest(_digest(F.col(normalized))))
    flagged_df = _flag(_flag(keyed_df, "__user_digest", suppressed_df, SUPPRESSED_USER, "__user_suppressed"),
                       "__email_digest", suppressed_df, SUPPRESSED_EMAIL, "__email_suppressed")
    return _marked(flagged_df, ("__user_suppressed", "__email_suppressed"), columns)


def with_suppressed_crm_reason(checked_df: DataFrame, suppressed_df: DataFrame) -> DataFrame:
    """CRM rows (already hashed) with `rejection_reason` = SUPPRESSED where the otherwise accepted row's email,
    in either hashed form (the identity hash or the export SHA-256), belongs to a deleted person (same columns)."""
    keyed_df = checked_df.withColumn("__hash_digest", _digest(F.col("email_hash"))).withColumn(
        "__sha256_digest", _digest(F.col("email_sha256")))
    flagged_df = _flag(_flag(keyed_df, "__hash_digest", suppressed_df, SUPPRESSED_EMAIL, "__hash_suppressed"),
                       "__sha256_digest", suppressed_df, SUPPRESSED_EMAIL, "__sha256_suppressed")
    return _marked(flagged_df, ("__hash_suppressed", "__sha256_suppressed"), checked_df.columns)


def _marked(flagged_df: DataFrame, flags: tuple[str, ...], columns: list[str]) -> DataFrame:
    """`columns` of `flagged_df`, the reason SUPPRESSED on otherwise accepted rows that raise any of `flags`."""
    is_suppressed = F.coalesce(*[F.col(flag) for flag in flags], F.lit(False))
    return flagged_df.withColumn("rejection_reason", F.when(
        F.col("rejection_reason").isNull() & is_suppressed, F.lit(SUPPRESSED)).otherwise(
        F.col("rejection_reason"))).select(*columns)


def without_suppressed_members(members_df: DataFrame, suppressed_df: DataFrame) -> DataFrame:
    """Members (subject_id, ids, ...) none of whose ids is suppressed."""
    user_digests_df = suppressed_df.where(F.col("kind") == SUPPRESSED_USER).select(F.col("digest"))
    hit_df = members_df.select("subject_id", F.explode("ids").alias("id")).select(
        "subject_id", _digest(F.col("id")).alias("digest")).join(F.broadcast(user_digests_df), on="digest",
                                                                 how="inner").select("subject_id").distinct()
    return members_df.join(hit_df, on="subject_id", how="left_anti")
