"""Days as the CLI and the DAGs name them: `YYYY-MM-DD`, UTC."""

from __future__ import annotations

from datetime import date, datetime

from dmp.errors import InputError

DATE_FORMAT = "%Y-%m-%d"


def parse_day(text: str, what: str = "the date") -> date:
    """A `YYYY-MM-DD` day, or an `InputError` naming `what` was given and what was expected."""
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        raise InputError(f"{what} {text!r}: not a date; give the day as YYYY-MM-DD, e.g. 2026-11-01.") from None
