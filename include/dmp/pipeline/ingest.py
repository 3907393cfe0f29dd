"""Reading a landing day: JSON lines and CSV, gzip or not, with the partner's column names.

Partners name their columns as they like; `DMP_COLUMN_MAP` (`user_id=uid,ts=time,url=page`) says
which of theirs is which of ours. Everything is read as strings, so a bad value becomes a
rejection reason downstream instead of a failed job. Lines that cannot be parsed (broken JSON,
a CSV row with the wrong number of fields) are kept in `_corrupt_record` with the format they
came in, never dropped.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dmp.errors import InputError
from dmp.pipeline.columns import LANDING_COLUMNS
from dmp.pipeline.landing import LandingCheck, check_files, landing_files

CORRUPT_COLUMN = "_corrupt_record"
FORMAT_COLUMN = "_format"
RAW_SCHEMA = T.StructType(
    [T.StructField(name, T.StringType()) for name in (*LANDING_COLUMNS, CORRUPT_COLUMN, FORMAT_COLUMN)]
)
CSV_SUFFIXES = (".csv", ".csv.gz")


def _source_names(column_map: dict[str, str]) -> list[str]:
    return [column_map.get(name, name) for name in LANDING_COLUMNS]


def _to_landing_columns(source_df: DataFrame, column_map: dict[str, str], file_format: str) -> DataFrame:
    present = set(source_df.columns)
    return source_df.select(
        *[(F.col(f"`{source}`") if source in present else F.lit(None).cast("string")).alias(name)
          for name, source in zip(LANDING_COLUMNS, _source_names(column_map))],
        F.col(CORRUPT_COLUMN),
        F.lit(file_format).alias(FORMAT_COLUMN),
    )


def _read_json(spark: SparkSession, paths: list[str], column_map: dict[str, str]) -> DataFrame:
    schema = T.StructType([T.StructField(name, T.StringType()) for name in (*_source_names(column_map), CORRUPT_COLUMN)])
    source_df = (spark.read.schema(schema).option("mode", "PERMISSIVE")
                 .option("columnNameOfCorruptRecord", CORRUPT_COLUMN).json(paths))
    return _to_landing_columns(source_df, column_map, "json")


def csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        header = handle.readline().rstrip("\r\n")
    if not header:
        raise InputError(f"{path} has no header line: CSV landing files start with the column names.")
    return [name.strip().strip('"') for name in header.split(",")]


def _read_csv(spark: SparkSession, paths: list[Path], column_map: dict[str, str]) -> DataFrame:
    """CSV files with a header; files are grouped by header so each group gets its exact schema."""
    by_header: dict[tuple[str, ...], list[str]] = {}
    for path in paths:
        by_header.setdefault(tuple(csv_header(path)), []).append(str(path))
    frames = []
    for header, group in by_header.items():
        schema = T.StructType([T.StructField(name, T.StringType()) for name in (*header, CORRUPT_COLUMN)])
        source_df = (spark.read.schema(schema).option("header", "true").option("mode", "PERMISSIVE")
                     .option("columnNameOfCorruptRecord", CORRUPT_COLUMN).option("multiLine", "false").csv(group))
        frames.append(_to_landing_columns(source_df, column_map, "csv"))
    return _union(frames)


def _union(frames: list[DataFrame]) -> DataFrame:
    result = frames[0]
    for frame in frames[1:]:
        result = result.unionByName(frame)
    return result


def read_landing_files(spark: SparkSession, paths: list[Path], column_map: dict[str, str] | None = None) -> DataFrame:
    """Raw rows of these files (landing columns as strings, `_corrupt_record`, `_format`)."""
    column_map = column_map or {}
    csv_paths = [path for path in paths if path.name.endswith(CSV_SUFFIXES)]
    json_paths = [str(path) for path in paths if not path.name.endswith(CSV_SUFFIXES)]
    frames = []
    if json_paths:
        frames.append(_read_json(spark, json_paths, column_map))
    if csv_paths:
        frames.append(_read_csv(spark, csv_paths, column_map))
    return _union(frames) if frames else spark.createDataFrame([], RAW_SCHEMA)


def read_day_files(spark: SparkSession, landing_dir: str, day: dt.date,
                   column_map: dict[str, str] | None = None) -> tuple[DataFrame, LandingCheck]:
    """The day's raw rows from its readable files, and the check of its files.

    Damaged files are left out of the rows and listed in the check; no file at all is an error.
    """
    files = landing_files(landing_dir, day)
    if not files:
        raise InputError(
            f"No landing data for {day} in {Path(landing_dir) / day.isoformat()} "
            f"(generate some with `dmp generate --start {day} --days 1`)."
        )
    check = check_files(files)
    return read_landing_files(spark, check.good, column_map), check
