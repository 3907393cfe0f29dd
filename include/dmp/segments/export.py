"""Segment exports for activation partners: one folder per run and segment under DMP_EXPORT_DIR.

Each folder holds the current version's member ids as `ids.csv` and `ids.parquet` and, where the
member consented and identity has their hashed emails, `emails_sha256.csv` (Google Customer
Match, Meta) and `emails_uid2.csv` (The Trade Desk UID2), with `manifest.json`: counts, each
file's SHA-256 and rows, the definition and segment versions, the run's day and the formats.
Emails are never in clear here: identity stores only their hashes (`dmp.segments.hashing`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.segments.definitions import Definition
from dmp.segments.subjects import PERSON_LEVEL
from dmp.settings import Settings
from dmp.storage import segments as store

MANIFEST = "manifest.json"
HASH_COLUMNS = {"emails_sha256": ("email_sha256", "sha256-hex of trimmed lower-cased email (Google, Meta)"),
                "emails_uid2": ("email_uid2", "UID2: base64 of sha256 of the UID2-normalised email")}


def export_folder(settings: Settings, day: dt.date, segment_id: str) -> Path:
    return Path(settings.export_dir) / day.isoformat() / segment_id


def _single_file(frame: DataFrame, path: Path, file_format: str) -> dict:
    """Write `frame` as one file at `path`; its rows and SHA-256."""
    scratch = path.with_name(f".{path.name}.parts")
    writer = frame.orderBy(frame.columns[0]).coalesce(1).write.mode("overwrite")
    (writer.option("header", "true").csv(str(scratch)) if file_format == "csv" else writer.parquet(str(scratch)))
    part = next(scratch.glob("part-*"))
    path.unlink(missing_ok=True)
    shutil.move(str(part), path)
    shutil.rmtree(scratch)
    return {"file": path.name, "format": file_format, "rows": frame.count(),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def hashed_emails(spark: SparkSession, settings: Settings, members_df: DataFrame, column: str) -> DataFrame:
    """One hash per row: the members' hashed emails, only of persons who consented."""
    persons_df = store.read_persons(spark, settings).where(F.col("has_consent") == F.lit(True))
    return members_df.select(F.col("subject_id").alias("person_id")).join(
        persons_df.select("person_id", column), on="person_id", how="inner").select(
        F.explode(column).alias(column)).distinct()


def export_segment(spark: SparkSession, settings: Settings, definition: Definition, pointer: store.Pointer,
                   day: dt.date, level: str) -> dict:
    """Write the current version's export of one segment and its manifest; the manifest."""
    folder = export_folder(settings, day, definition.id)
    folder.mkdir(parents=True, exist_ok=True)
    members_df = store.read_version_members(spark, settings, definition.id, pointer.version).where(
        F.col("expires") > F.lit(day)).cache()
    ids_df = members_df.select(F.explode("ids").alias("id")).distinct()
    files = [_single_file(ids_df, folder / "ids.csv", "csv"), _single_file(ids_df, folder / "ids.parquet", "parquet")]
    hashes_note = "identity has not published persons: no hashed emails"
    if level == PERSON_LEVEL:
        hashes_note = "hashed emails of consenting members only"
        for name, (column, _) in HASH_COLUMNS.items():
            files.append(_single_file(hashed_emails(spark, settings, members_df, column), folder / f"{name}.csv", "csv"))
    manifest = {
        "segment_id": definition.id, "name": definition.name, "definition_version": definition.version,
        "segment_version": pointer.version, "run_date": day.isoformat(), "level": level,
        "consent_required": definition.consent_required, "members": members_df.count(),
        "counts": {entry["file"]: entry["rows"] for entry in files}, "files": files,
        "hashes": {name: meaning for name, (_, meaning) in HASH_COLUMNS.items()}, "note": hashes_note,
    }
    members_df.unpersist()
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
