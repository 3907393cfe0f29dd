"""The landing columns and the partner column mapping (`DMP_COLUMN_MAP`); plain Python, no Spark."""

from __future__ import annotations

from dmp.errors import ConfigError

LANDING_COLUMNS = ("user_id", "ts", "url", "referrer", "event_type", "email", "partner_id")


def parse_column_map(text: str) -> dict[str, str]:
    """`ours=theirs,...` -> {ours: theirs}; our names must be landing columns."""
    mapping = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        ours, separator, theirs = item.partition("=")
        if not separator or ours.strip() not in LANDING_COLUMNS or not theirs.strip():
            raise ConfigError(
                f"DMP_COLUMN_MAP item {item!r} is not understood: write ours=theirs, comma separated, "
                f"with ours among {', '.join(LANDING_COLUMNS)} (e.g. user_id=uid,ts=time,url=page)."
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping
