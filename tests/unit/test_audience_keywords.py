"""What a marketer types becomes keywords as pages have them."""

import pytest

from dmp.audience.estimate import parse_keywords
from dmp.errors import InputError


def test_entries_are_normalised_like_page_keywords():
    assert parse_keywords("Ford Focus, opel ASTRA ,  Voiture électrique, ford focus") == (
        "ford focus", "opel astra", "voiture electrique")


@pytest.mark.parametrize("text, message", [(" , ", "no keyword"), ("the best ford focus deals", "two-word phrases")])
def test_what_cannot_be_a_keyword_is_explained(text, message):
    with pytest.raises(InputError, match=message):
        parse_keywords(text)
