"""The client's CRM export for one day: read, checked, hashed, and the newest row of each customer kept.

Files directly in `DMP_CRM_DIR` are a full snapshot (read every day, as `dmp generate` writes
`crm/customers.csv.gz`); files in its `<YYYY-MM-DD>/` sub-folder are that day's updates. CSV
(gzip or not, with a header) or Parquet, with the client's names mapped by `DMP_CRM_COLUMN_MAP`.
Every row read is accepted or quarantined with its reason (`DMP_QUARANTINE_DIR/<day>/crm/`, the
email there only as its hash), so read = accepted + quarantined; the row of a person a privacy
request deleted is counted as `suppressed` and not kept. Emails are hashed here, the first
thing done to a row: a raw email is never staged. A customer's newest row wins, by `updated_at`,
else `consent_updated_at`, then the later source day: a newer export row updates the attributes
and can withdraw consent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.errors import InputError
from dmp.identity import crm_columns as cc
from dmp.identity.columns import with_email_forms
from dmp.pipeline.ingest import CORRUPT_COLUMN, csv_header
from dmp.privacy.suppression import SUPPRESSED, with_suppressed_crm_reason
from dmp.settings import Settings
from dmp.storage.privacy import has_suppressions, read_suppressed

CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIX = ".parquet"
QUARANTINE_FOLDER = "crm"
CRM_COLUMNS = ("customer_id", "email_hash", "email_sha256", "email_uid2", "attributes", "has_consent",
               "consent_updated", "updated_at", "source_day")
MAX_CUSTOMER_ID_LENGTH = 256
STRING_MAP = T.MapType(T.StringType(), T.StringType())


@dataclass(frozen=True)
class CrmDay:
    accepted_df: DataFrame  # CRM_COLUMNS, one row per customer (the day's newest)
    figures: dict


def crm_files(settings: Settings, day: dt.date) -> list[Path]:
    """The snapshot files of the CRM folder and the files of the day's sub-folder, sorted."""
    root = Path(settings.identity.crm_dir)
    found = []
    for folder in (root, root / day.isoformat()):
        if folder.is_dir():
            found += sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith(("_", "."))
                            and path.name.endswith((*CSV_SUFFIXES, PARQUET_SUFFIX)))
    return found


def _read_file(spark: SparkSession, path: Path) -> DataFrame:
    """One file's rows, every column as text, with `_corrupt_record` for CSV lines that do not parse."""
    if path.name.endswith(PARQUET_SUFFIX):
        frame = spark.read.parquet(str(path))
        return frame.select(*[F.col(f"`{name}`").cast("string").alias(name) for name in frame.columns],
                            F.lit(None).cast("string").alias(CORRUPT_COLUMN))
    header = csv_header(path)
    schema = T.StructType([T.StructField(name, T.StringType()) for name in (*header, CORRUPT_COLUMN)])
    return (spark.read.schema(schema).option("header", "true").option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT_COLUMN).csv(str(path)))


def _to_crm_columns(frame: DataFrame, column_map: dict[str, str], path: Path, day: dt.date) -> DataFrame:
    """Our key columns (text) and an `attributes` map of every other column, lower-cased names."""
    present = {name: name for name in frame.columns if name != CORRUPT_COLUMN}
    theirs = {ours: column_map.get(ours, ours) for ours in cc.CRM_KEY_COLUMNS}
    missing = [f"{ours} (as {name!r})" for ours, name in theirs.items()
               if ours in cc.REQUIRED_COLUMNS and name not in present]
    if missing:
        raise InputError(f"The CRM file {path} has no column {', '.join(missing)}: it has {sorted(present)}. "
                         "Map the client's names with DMP_CRM_COLUMN_MAP (e.g. customer_id=id,email=mail).")
    attributes = sorted(name for name in present if name not in theirs.values())
    pairs = [item for name in attributes for item in (F.lit(name.strip().lower()), F.col(f"`{name}`"))]
    return frame.select(
        *[(F.col(f"`{name}`") if name in present else F.lit(None).cast("string")).alias(ours)
          for ours, name in theirs.items()],
        (F.map_filter(F.create_map(*pairs), lambda _, value: value.isNotNull()) if pairs
         else F.create_map().cast(STRING_MAP)).alias("attributes"),
        F.col(CORRUPT_COLUMN), F.lit(path.name).alias("source_file"), F.lit(day).alias("source_day"),
    )


def _timestamp(column: str) -> Column:
    return F.to_timestamp(F.trim(F.col(column)))


def _is_blank(column: str) -> Column:
    return F.col(column).isNull() | (F.trim(F.col(column)) == "")


def rejection_reason() -> Column:
    """The first reason a CRM row cannot be used, or null."""
    consent = F.lower(F.trim(F.col(cc.CONSENT)))
    return (
        F.when(F.col(CORRUPT_COLUMN).isNotNull(), F.lit("malformed_csv"))
        .when(_is_blank(cc.CUSTOMER_ID), F.lit("missing_customer_id"))
        .when(F.length(cc.CUSTOMER_ID) > MAX_CUSTOMER_ID_LENGTH, F.lit("customer_id_too_long"))
        .when(~_is_blank(cc.CONSENT) & ~consent.isin(*cc.CONSENT_TRUE, *cc.CONSENT_FALSE), F.lit("invalid_consent"))
        .when(~_is_blank(cc.CONSENT_UPDATED) & _timestamp(cc.CONSENT_UPDATED).isNull(),
              F.lit("unparsable_consent_time"))
        .when(~_is_blank(cc.UPDATED) & _timestamp(cc.UPDATED).isNull(), F.lit("unparsable_updated_at"))
    )


def to_crm_rows(checked_df: DataFrame) -> DataFrame:
    """CRM_COLUMNS from accepted rows (email already replaced by its hashes)."""
    return checked_df.select(
        F.trim(cc.CUSTOMER_ID).alias("customer_id"), "email_hash", "email_sha256", "email_uid2", "attributes",
        F.coalesce(F.lower(F.trim(F.col(cc.CONSENT))).isin(*cc.CONSENT_TRUE), F.lit(False)).alias("has_consent"),
        _timestamp(cc.CONSENT_UPDATED).alias("consent_updated"), _timestamp(cc.UPDATED).alias("updated_at"),
        "source_day",
    )


def newest_rows(crm_df: DataFrame) -> DataFrame:
    """One row per customer: the newest (updated_at, else consent time, then source day, then email hash)."""
    recency = Window.partitionBy("customer_id").orderBy(
        F.coalesce("updated_at", "consent_updated").desc_nulls_last(), F.col("source_day").desc_nulls_last(),
        F.col("email_hash").desc_nulls_last())
    return crm_df.withColumn("rank", F.row_number().over(recency)).where(F.col("rank") == 1).select(*CRM_COLUMNS)


def read_crm_day(spark: SparkSession, settings: Settings, day: dt.date) -> CrmDay:
    """The day's CRM rows (newest per customer), the rejected ones quarantined; figures reconcile."""
    identity = settings.identity
    files = crm_files(settings, day)
    if not files:
        empty_df = spark.createDataFrame([], _crm_schema())
        return CrmDay(empty_df, {"files": 0, "read": 0, "accepted": 0, "quarantined": 0, "quarantined_by_reason": {}})
    frames = [_to_crm_columns(_read_file(spark, path), identity.crm_column_map, path, day) for path in files]
    raw_df = frames[0]
    for frame in frames[1:]:
        raw_df = raw_df.unionByName(frame)
    # Hashed before anything else sees the row: quarantine and staging get hashes only.
    checked_df = with_email_forms(raw_df.withColumn("rejection_reason", rejection_reason()), cc.EMAIL,
                                  identity.email_rules, identity.block_list)
    checked_df = checked_df.withColumn(CORRUPT_COLUMN, F.when(F.col(CORRUPT_COLUMN).isNotNull(),
                                                              F.sha2(F.col(CORRUPT_COLUMN), 256)))
    if has_suppressions(settings):
        checked_df = with_suppressed_crm_reason(checked_df, read_suppressed(spark, settings))
    staged_dir = Path(settings.quarantine_dir) / day.isoformat() / QUARANTINE_FOLDER
    counts = {row["rejection_reason"]: row["count"] for row in checked_df.groupBy("rejection_reason").count().collect()}
    accepted = counts.pop(None, 0)
    kept = {reason for reason in counts if reason != SUPPRESSED}  # a deleted person's row is counted, not kept
    if kept:
        checked_df.where(F.col("rejection_reason").isin(*sorted(kept))).write.mode("overwrite").json(
            str(staged_dir), compression="gzip")
    accepted_df = newest_rows(to_crm_rows(checked_df.where(F.col("rejection_reason").isNull())))
    return CrmDay(accepted_df, {
        "files": len(files), "read": accepted + sum(counts.values()), "accepted": accepted,
        "quarantined": sum(counts.values()), "quarantined_by_reason": dict(sorted(counts.items())),
        "quarantine_dir": str(staged_dir) if kept else None,
    })


def _crm_schema() -> T.StructType:
    return T.StructType([
        T.StructField("customer_id", T.StringType()), T.StructField("email_hash", T.StringType()),
        T.StructField("email_sha256", T.StringType()), T.StructField("email_uid2", T.StringType()),
        T.StructField("attributes", STRING_MAP), T.StructField("has_consent", T.BooleanType()),
        T.StructField("consent_updated", T.TimestampType()), T.StructField("updated_at", T.TimestampType()),
        T.StructField("source_day", T.DateType()),
    ])


def merged_with_stored(day_df: DataFrame, stored_df: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(every customer's newest row, the day's rows that won and must be written)."""
    both_df = day_df.withColumn("is_today", F.lit(True)).unionByName(
        stored_df.select(*CRM_COLUMNS).withColumn("is_today", F.lit(False)))
    recency = Window.partitionBy("customer_id").orderBy(
        F.coalesce("updated_at", "consent_updated").desc_nulls_last(), F.col("source_day").desc_nulls_last(),
        F.col("is_today").desc())
    ranked_df = both_df.withColumn("rank", F.row_number().over(recency)).where(F.col("rank") == 1)
    return ranked_df.select(*CRM_COLUMNS), ranked_df.where(F.col("is_today")).select(*CRM_COLUMNS)
