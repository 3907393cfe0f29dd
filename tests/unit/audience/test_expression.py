"""Audience expressions as typed: terms normalised like page keywords, themes, NOT, and clear errors."""

from __future__ import annotations

import pytest

from dmp.audience.expression import MAX_TERMS, Term, parse_query, parse_term
from dmp.errors import InputError


def test_terms_are_normalised_keywords_themes_or_excluded():
    assert parse_term("  Ford Focus ") == Term("ford focus")
    assert parse_term("-Opel Astra") == Term("opel astra", negated=True)
    assert parse_term("theme:automobile") == Term("automobile", is_theme=True)
    assert parse_term("-theme:sports").text == "-theme:sports"


def test_a_query_keeps_each_term_once_and_splits_included_from_excluded():
    query = parse_query(["ford focus", "Ford  Focus", "-opel"], "all", 7, "page")
    assert query.positives == (Term("ford focus"),) and query.negatives == (Term("opel", negated=True),)
    assert (query.mode, query.window_days, query.field) == ("all", 7, "page")


@pytest.mark.parametrize("terms, mode, window, field, message", [
    ([], "any", 30, "both", "no term"),
    (["ford"] * (MAX_TERMS + 1), "any", 30, "both", f"at most {MAX_TERMS}"),
    (["ford focus wagon"], "any", 30, "both", "two-word phrase"),
    (["x" * 65], "any", 30, "both", "at most 64 characters"),
    (["ford; DROP TABLE"], "any", 30, "both", "letters, digits"),
    (["theme:Not A Theme!"], "any", 30, "both", "letters, digits"),
    (["-ford"], "any", 30, "both", "only excluded terms"),
    (["ford"], "or", 30, "both", "mode 'or'"),
    (["ford"], "any", 0, "both", "window 0 days"),
    (["ford"], "any", 91, "both", "window 91 days"),
    (["ford"], "any", 30, "title", "field 'title'"),
])
def test_bad_input_says_what_to_change(terms, mode, window, field, message):
    with pytest.raises(InputError, match=message):
        parse_query(terms, mode, window, field)
