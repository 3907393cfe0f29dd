"""The landing location: where partners' raw connection logs arrive, one folder per day.

Checked before Spark starts, so a day with no data yet waits (or fails with a clear message)
instead of failing deep inside a Spark job, and a damaged file (a gzip cut short by a transfer,
a file that is not gzip at all) is named and set aside with its reason instead of crashing the
job or being skipped without a word.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

LANDING_PATTERNS = ("*.jsonl", "*.jsonl.gz", "*.json", "*.json.gz", "*.csv", "*.csv.gz")
CHUNK_BYTES = 1 << 20
CORRUPT_FOLDER = "_corrupt_files"
REASONS_FILE = "_reasons.json"


@dataclass(frozen=True)
class CorruptFile:
    path: Path
    reason: str


@dataclass(frozen=True)
class LandingCheck:
    good: list[Path]
    corrupt: list[CorruptFile]


def landing_files(landing_dir: str, day: dt.date) -> list[Path]:
    """The raw files of `day`, sorted; empty when the day has not landed yet.

    Names starting with `_` or `.` are metadata (`_manifest.json`) or files still being written,
    as Spark treats them too.
    """
    folder = Path(landing_dir) / day.isoformat()
    if not folder.is_dir():
        return []
    found = {path for pattern in LANDING_PATTERNS for path in folder.glob(pattern)}
    return sorted(path for path in found if not path.name.startswith(("_", ".")))


def gzip_problem(path: Path) -> str | None:
    """Why a gzip file cannot be read to its end, or None when it can (it is read through once)."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(CHUNK_BYTES):
                pass
    except EOFError:
        return "truncated_gzip"
    except gzip.BadGzipFile:
        return "not_gzip"
    except (zlib.error, OSError):
        return "corrupt_gzip"
    return None


def check_files(files: list[Path]) -> LandingCheck:
    """Split the day's files into readable ones and damaged ones with their reason."""
    good, corrupt = [], []
    for path in files:
        problem = gzip_problem(path) if path.suffix == ".gz" else None
        if problem:
            corrupt.append(CorruptFile(path, problem))
        else:
            good.append(path)
    return LandingCheck(good, corrupt)


def quarantine_files(corrupt: list[CorruptFile], quarantine_day_dir: Path) -> Path | None:
    """Copy damaged files aside with their reasons; the originals stay for the partner to replace."""
    target = quarantine_day_dir / CORRUPT_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    if not corrupt:
        return None
    target.mkdir(parents=True)
    for item in corrupt:
        shutil.copy2(item.path, target / item.path.name)
    reasons = [{"file": item.path.name, "reason": item.reason} for item in corrupt]
    (target / REASONS_FILE).write_text(json.dumps(reasons, indent=2) + "\n")
    return target
