"""Parsing the days users type on the command line."""

from datetime import date

import pytest

from dmp.dates import parse_day
from dmp.errors import InputError


def test_an_iso_day_parses():
    assert parse_day("2026-11-01") == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["2026-13-01", "01/11/2026", "tomorrow", "", "2026-11-01T00:00"])
def test_anything_else_is_an_input_error_that_says_what_to_type(text):
    with pytest.raises(InputError, match="--when .*YYYY-MM-DD"):
        parse_day(text, "--when")
