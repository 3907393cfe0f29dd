"""The no-raw-email scan: counts rows that hold anything shaped like an email, in staging, quarantine or a table.

Emails are hashed at the edge (validation, the CRM reader), so no staged dataset, quarantined
row or Cassandra table should ever match `EMAIL_PATTERN`. The identity stage scans the day's
staging folders and quarantine before anything of identity is published, and its gate fails on a
single match; tests scan every table too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dmp.identity.emails import EMAIL_PATTERN
from dmp.pipeline import staging, steps
from dmp.settings import Settings
from dmp.storage.spark_io import read_table

SCAN_SCHEMA = "location string, rows long, leaks long"
# Steps that may still be writing their staging folders while identity runs (parallel branches).
CONCURRENT_STEPS = (steps.KEYWORD_INDEX, steps.EVALUATE_SEGMENTS)


def scan_frame(location: str, frame: DataFrame) -> tuple[str, int, int]:
    """(location, rows, rows with an email-shaped value in any column, each row read as JSON)."""
    as_json = F.to_json(F.struct(*[F.col(f"`{name}`") for name in frame.columns]))
    counted = frame.agg(F.count(F.lit(1)).alias("rows"),
                        F.sum(F.when(as_json.rlike(EMAIL_PATTERN), 1).otherwise(0)).alias("leaks")).first()
    return location, int(counted["rows"] or 0), int(counted["leaks"] or 0)


def day_locations(settings: Settings, day: dt.date) -> list[tuple[str, str, str]]:
    """(location name, format, path) of the day's staging datasets and quarantine files."""
    found = []
    staged_dir = Path(settings.staged(day, "x")).parent
    if staged_dir.is_dir():
        for folder in sorted(path for path in staged_dir.iterdir() if path.is_dir()):
            if staging.WRITTEN_BY.get(folder.name) not in CONCURRENT_STEPS and folder.name != staging.EMAIL_SCAN:
                found.append((f"staging/{folder.name}", "parquet", str(folder)))
    quarantine = Path(settings.quarantine_dir) / day.isoformat()
    for path in sorted(quarantine.rglob("*")) if quarantine.is_dir() else []:
        if path.is_file() and not path.name.startswith((".", "_")) and not path.name.endswith(".crc"):
            found.append((f"quarantine/{path.relative_to(quarantine)}", "text", str(path)))
    return found


def scan_day(spark: SparkSession, settings: Settings, day: dt.date) -> DataFrame:
    """(location, rows, leaks) for each of the day's staging datasets and quarantine files."""
    results = []
    for location, kind, path in day_locations(settings, day):
        frame = spark.read.parquet(path) if kind == "parquet" else spark.read.text(path)
        results.append(scan_frame(location, frame))
    return spark.createDataFrame(results, SCAN_SCHEMA)


def scan_tables(spark: SparkSession, settings: Settings, table_names: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """(table, rows, leaks) for each named Cassandra table."""
    return [scan_frame(f"table/{name}", read_table(spark, settings, name)) for name in table_names]
