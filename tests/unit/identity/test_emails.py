"""Email normalisation, hashing and the block list: known answers, and config errors."""

import hashlib

import pytest

from dmp.errors import ConfigError
from dmp.identity.blocked import DEFAULT_BLOCKED_PATTERNS, DEFAULT_BLOCKED_VALUES, parse_block_list
from dmp.identity.emails import DEFAULT_EMAIL_RULES, email_hash, normalize_email, parse_email_rules

RULES = parse_email_rules(DEFAULT_EMAIL_RULES)


@pytest.mark.parametrize(("typed", "expected"), [
    ("  Jane.Doe@Example.COM\t", "jane.doe@example.com"),
    ("Jane.Doe+news@GMail.com", "janedoe@gmail.com"),
    ("j.a.n.e.doe@googlemail.com", "janedoe@gmail.com"),
    ("jane+tag@outlook.com", "jane@outlook.com"),
    ("jane.doe+tag@example.com", "jane.doe+tag@example.com"),  # no rule: kept as typed
    ("a@b@c.com", "a@b@c.com"),  # the domain follows the last @
    ("+tag@gmail.com", None),  # nothing left of the local part
    ("no-at-sign", None),
    ("@example.com", None),
    ("user@", None),
    (None, None),
])
def test_normalize_email(typed, expected):
    assert normalize_email(typed, RULES) == expected


def test_hash_is_sha256_of_the_normalised_email():
    assert email_hash(" Jane.Doe@GMAIL.com", RULES) == hashlib.sha256(b"janedoe@gmail.com").hexdigest()
    assert email_hash("JaneDoe+x@gmail.com", RULES) == email_hash("jane.doe@gmail.com", RULES)


def test_rules_are_configurable():
    rules = parse_email_rules("example.com:dots,as=example.org")
    assert normalize_email("j.doe+x@example.com", rules) == "jdoe+x@example.org"
    assert normalize_email("j.doe@gmail.com", rules) == "j.doe@gmail.com"


@pytest.mark.parametrize("text", ["gmail.com", "gmail.com:", "gmail.com:dots,shout", ":dots"])
def test_bad_rules_are_config_errors(text):
    with pytest.raises(ConfigError, match="DMP_EMAIL_RULES"):
        parse_email_rules(text)


def test_block_list_defaults():
    blocked = parse_block_list(DEFAULT_BLOCKED_VALUES, DEFAULT_BLOCKED_PATTERNS)
    for value in ("", "  ", None, "NULL", "anonymous", "test@test.com", "0000", "00000000-0000-0000-0000-000000000000",
                  "000@example.com", "noreply@shop.com"):
        assert blocked.is_blocked(value), value
    for value in ("c-0123abcd", "jane@example.com", "cust-00000001", "10"):
        assert not blocked.is_blocked(value), value


def test_block_list_is_configurable_and_checked():
    blocked = parse_block_list("guest", r"^tmp-\d+$")
    assert blocked.is_blocked("Guest") and blocked.is_blocked("tmp-12") and not blocked.is_blocked("null")
    with pytest.raises(ConfigError, match="DMP_IDENTITY_BLOCKED_PATTERNS"):
        parse_block_list("", "([")
