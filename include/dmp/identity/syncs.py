"""Partner id-syncs of one day: pairs of clickstream ids known to be one browser, or a pair revoked.

A partner's sync table lands as CSV (gzip or not) in `DMP_IDSYNC_DIR/<YYYY-MM-DD>/`, with a header
`id_a,id_b` and an optional `action` column: `sync` (the default) or `revoke` (the partner
withdrew the match, so the edge goes and the person may split). Rows without two different,
usable ids or with another action are quarantined with a reason (`DMP_QUARANTINE_DIR/<day>/idsync/`);
read = accepted + quarantined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.identity.blocked import BlockList
from dmp.identity.columns import is_blocked
from dmp.identity.graph import SEPARATOR, USER
from dmp.pipeline.ingest import CORRUPT_COLUMN, csv_header
from dmp.settings import Settings

SYNC_ACTION = "sync"
REVOKE_ACTION = "revoke"
SYNC_COLUMNS = ("id_a", "id_b", "action")
QUARANTINE_FOLDER = "idsync"
CSV_SUFFIXES = (".csv", ".csv.gz")
SYNCS_SCHEMA = "src string, dst string, action string"


@dataclass(frozen=True)
class SyncDay:
    syncs_df: DataFrame  # src, dst (user nodes, src < dst), action
    figures: dict


def _node(column: str) -> Column:
    return F.concat(F.lit(USER + SEPARATOR), F.trim(F.col(column)))


def sync_rejection(block_list: BlockList) -> Column:
    """The first reason a sync row cannot be used, or null."""
    action = F.lower(F.trim(F.coalesce(F.col("action"), F.lit(SYNC_ACTION))))
    return (
        F.when(F.col(CORRUPT_COLUMN).isNotNull(), F.lit("malformed_csv"))
        .when(is_blocked(F.col("id_a"), block_list) | is_blocked(F.col("id_b"), block_list), F.lit("blocked_or_missing_id"))
        .when(F.trim("id_a") == F.trim("id_b"), F.lit("same_id"))
        .when(~action.isin(SYNC_ACTION, REVOKE_ACTION), F.lit("invalid_action"))
    )


def read_syncs_day(spark: SparkSession, settings: Settings, day: dt.date) -> SyncDay:
    """The day's accepted syncs and revocations as (src, dst, action); the rest quarantined."""
    folder = Path(settings.identity.idsync_dir) / day.isoformat()
    files = sorted(p for p in folder.glob("*") if p.name.endswith(CSV_SUFFIXES)) if folder.is_dir() else []
    if not files:
        return SyncDay(spark.createDataFrame([], SYNCS_SCHEMA),
                       {"files": 0, "read": 0, "accepted": 0, "quarantined": 0, "quarantined_by_reason": {}})
    frames = []
    for path in files:
        header = csv_header(path)
        schema = T.StructType([T.StructField(name, T.StringType()) for name in (*header, CORRUPT_COLUMN)])
        raw_df = (spark.read.schema(schema).option("header", "true").option("mode", "PERMISSIVE")
                  .option("columnNameOfCorruptRecord", CORRUPT_COLUMN).csv(str(path)))
        frames.append(raw_df.select(*[(F.col(name) if name in header else F.lit(None).cast("string")).alias(name)
                                      for name in SYNC_COLUMNS], CORRUPT_COLUMN))
    raw_df = frames[0]
    for frame in frames[1:]:
        raw_df = raw_df.unionByName(frame)
    checked_df = raw_df.withColumn("rejection_reason", sync_rejection(settings.identity.block_list))
    counts = {row["rejection_reason"]: row["count"] for row in checked_df.groupBy("rejection_reason").count().collect()}
    accepted = counts.pop(None, 0)
    quarantine = Path(settings.quarantine_dir) / day.isoformat() / QUARANTINE_FOLDER
    if counts:
        checked_df.where(F.col("rejection_reason").isNotNull()).withColumn(
            CORRUPT_COLUMN, F.sha2(F.col(CORRUPT_COLUMN), 256)).write.mode("overwrite").json(str(quarantine))
    a, b = _node("id_a"), _node("id_b")
    syncs_df = checked_df.where(F.col("rejection_reason").isNull()).select(
        F.least(a, b).alias("src"), F.greatest(a, b).alias("dst"),
        F.lower(F.trim(F.coalesce(F.col("action"), F.lit(SYNC_ACTION)))).alias("action")).distinct()
    return SyncDay(syncs_df, {"files": len(files), "read": accepted + sum(counts.values()), "accepted": accepted,
                              "quarantined": sum(counts.values()), "quarantined_by_reason": dict(sorted(counts.items()))})
