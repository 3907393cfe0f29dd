"""The Spark forms of the identity rules: email normalisation and hashing, blocked values.

Column expressions only (no Python UDF), built from the same parsed rules as `dmp.identity.emails`
and `dmp.identity.blocked`, so a day's millions of logins are hashed natively and the driver-side
functions (the CLI, the tests) give the same hashes.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from dmp.identity.blocked import BlockList
from dmp.identity.emails import EMAIL_PATTERN, ProviderRule

SHA256_BITS = 256
REDACTED_EMAIL = "<email removed>"
EMAIL_PARTS = r"^(.*)@([^@]*)$"


def _trimmed_lower(value: Column) -> Column:
    return F.lower(F.regexp_replace(value, r"^\s+|\s+$", ""))


def with_normalized_email(frame: DataFrame, source: str, rules: tuple[ProviderRule, ...], output: str) -> DataFrame:
    """`frame` with `output`: the canonical form of `source` (see `normalize_email`), null when not an email.

    Built in steps of columns, not one expression: the provider rules refer to the local part
    and the domain many times, and inlined they grew past the code generator's 64 KB.
    """
    text, local, domain = (f"{output}__{part}" for part in ("text", "local", "domain"))
    parts_df = (frame.withColumn(text, _trimmed_lower(F.col(source)))
                .withColumn(local, F.regexp_extract(text, EMAIL_PARTS, 1))
                .withColumn(domain, F.regexp_extract(text, EMAIL_PARTS, 2)))
    new_local, new_domain = F.col(local), F.col(domain)
    for rule in reversed(rules):
        rule_local = F.col(local)
        if rule.ignore_plus_tag:
            rule_local = F.substring_index(rule_local, "+", 1)
        if rule.ignore_dots:
            rule_local = F.regexp_replace(rule_local, r"\.", "")
        is_rule = F.col(domain) == rule.domain
        new_local = F.when(is_rule, rule_local).otherwise(new_local)
        new_domain = F.when(is_rule, F.lit(rule.canonical_domain or rule.domain)).otherwise(new_domain)
    rewritten_df = parts_df.withColumn(local, new_local).withColumn(domain, new_domain)
    normalized = F.when((F.col(local) != "") & (F.col(domain) != ""), F.concat(F.col(local), F.lit("@"), F.col(domain)))
    return rewritten_df.withColumn(output, normalized).drop(text, local, domain)


def is_blocked(value: Column, block_list: BlockList) -> Column:
    """True for null, empty, listed or pattern-matching values (as `BlockList.is_blocked`)."""
    text = _trimmed_lower(value)
    blocked = value.isNull() | (text == "")
    if block_list.values:
        blocked = blocked | text.isin(sorted(block_list.values))
    for pattern in block_list.patterns:
        blocked = blocked | text.rlike(pattern)
    return F.coalesce(blocked, F.lit(True))


def with_email_hash(frame: DataFrame, source: str, rules: tuple[ProviderRule, ...], block_list: BlockList,
                    output: str) -> DataFrame:
    """`frame` with `output`: SHA-256 of the normalised `source`; null when not an email or blocked."""
    normalized = f"{output}__normalized"
    normalized_df = with_normalized_email(frame, source, rules, normalized)
    hashed = F.when(~is_blocked(F.col(normalized), block_list), F.sha2(F.col(normalized), SHA256_BITS))
    return normalized_df.withColumn(output, hashed).drop(normalized)


def without_emails(text: Column) -> Column:
    """`text` with anything shaped like an email replaced (for raw lines kept in quarantine)."""
    return F.regexp_replace(text, EMAIL_PATTERN, REDACTED_EMAIL)


# The export forms segments deliver (see dmp.segments.hashing): Customer Match / Meta hash the
# trimmed, lower-cased address; UID2 also drops Gmail's dots and +tags and encodes the digest in Base64.
UID2_RULES = (ProviderRule("gmail.com", ignore_dots=True, ignore_plus_tag=True),)


def with_email_forms(frame: DataFrame, source: str, rules: tuple[ProviderRule, ...], block_list: BlockList) -> DataFrame:
    """`frame` with `email_hash` (the identity node's hash), `email_sha256` and `email_uid2`, `source` dropped.

    All three are null when `source` is not an email or is blocked, so a blocked address never
    reaches a person either as a node or as an export form.
    """
    hashed_df = with_email_hash(frame, source, rules, block_list, "email_hash")
    uid2_df = with_normalized_email(hashed_df, source, UID2_RULES, "email__uid2_normal")
    usable = F.col("email_hash").isNotNull()
    return uid2_df.select(
        *[column for column in uid2_df.columns if column not in (source, "email__uid2_normal")],
        F.when(usable, F.sha2(_trimmed_lower(F.col(source)), SHA256_BITS)).alias("email_sha256"),
        F.when(usable, F.base64(F.unhex(F.sha2(F.col("email__uid2_normal"), SHA256_BITS)))).alias("email_uid2"),
    )
