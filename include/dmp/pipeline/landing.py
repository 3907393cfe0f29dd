"""The landing location: where partners' raw connection logs arrive, one folder per day.

Checked before Spark starts, so a day with no data yet waits (or fails with a clear message)
instead of failing deep inside a Spark job.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

LANDING_PATTERNS = ("*.jsonl", "*.jsonl.gz", "*.json", "*.json.gz")


def landing_files(landing_dir: str, day: dt.date) -> list[Path]:
    """The raw files of `day`, sorted; empty when the day has not landed yet."""
    folder = Path(landing_dir) / day.isoformat()
    if not folder.is_dir():
        return []
    return sorted({path for pattern in LANDING_PATTERNS for path in folder.glob(pattern)})
