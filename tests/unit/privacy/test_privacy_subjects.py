"""What a request is about: an email hashed at once, ids checked, a person resolved to all its ids."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from dmp.errors import InputError
from dmp.identity.emails import DEFAULT_EMAIL_RULES, email_hash, parse_email_rules
from dmp.privacy.subjects import (
    EMAIL, PERSON_ID, SUPPRESSED_EMAIL, SUPPRESSED_USER, USER_ID, digest, identifier, resolve,
)

RULES = parse_email_rules(DEFAULT_EMAIL_RULES)


class Lookups:
    """person_by_id and persons as two dicts (what `dmp.storage.privacy.PersonLookups` reads)."""

    def __init__(self, nodes: dict[str, str], persons: dict[str, dict]):
        self.nodes, self.persons = nodes, persons

    def person_of(self, node: str):
        return self.nodes.get(node)

    def person(self, person_id: str):
        found = self.persons.get(person_id)
        return SimpleNamespace(**found) if found else None


def test_an_email_is_kept_only_as_the_hash_of_its_normalised_form():
    asked = identifier(EMAIL, "  Jane.Doe+news@GoogleMail.com ")
    assert asked.value == email_hash("janedoe@gmail.com", RULES)
    assert "jane" not in repr(asked).lower() and asked.subject_digest == digest(f"email:{asked.value}")


@pytest.mark.parametrize("kind, value, message", [
    (EMAIL, "not an email", "not an address"),
    (USER_ID, "   ", "empty"),
    (USER_ID, "a\nb", "control characters"),
    ("phone", "0612345678", "unknown request kind"),
])
def test_a_request_that_cannot_name_anyone_is_a_clear_error(kind, value, message):
    with pytest.raises(InputError, match=message):
        identifier(kind, value)


def test_an_id_identity_knows_brings_its_whole_person():
    hashed = email_hash("jane@example.com", RULES)
    lookups = Lookups({"user:c1": "p1", "user:c2": "p1", f"email:{hashed}": "p1"},
                      {"p1": {"ids": {"c1", "c2"}, "email_sha256": {hashed}, "email_uid2": {"uid"},
                              "customer_ids": {"k1"}}})
    for asked in (identifier(USER_ID, "c2"), identifier(EMAIL, "Jane@Example.com"), identifier(PERSON_ID, "p1")):
        subject = resolve(lookups, asked)
        assert subject.user_ids == ("c1", "c2") and subject.person_ids == ("p1",), asked.kind
        assert subject.email_hashes == (hashed,) and subject.email_uid2 == ("uid",)
        assert subject.customer_ids == ("k1",), "its CRM rows are deleted too"
        assert set(subject.nodes) == {"user:c1", "user:c2", f"email:{hashed}", "customer:k1"}
    assert sorted(subject.suppressions()) == sorted([(digest("c1"), SUPPRESSED_USER), (digest("c2"), SUPPRESSED_USER),
                                                     (digest(hashed), SUPPRESSED_EMAIL)])


def test_without_a_person_the_id_alone_is_the_subject():
    subject = resolve(Lookups({}, {}), identifier(USER_ID, "c9"))
    assert (subject.user_ids, subject.person_ids, subject.nodes) == (("c9",), (), ("user:c9",))
    assert resolve(None, identifier(USER_ID, "c9")) == subject, "identity not published at all"
    only_email = resolve(None, identifier(EMAIL, "x@example.com"))
    assert only_email.user_ids == () and only_email.suppressions() == [
        (digest(email_hash("x@example.com", RULES)), SUPPRESSED_EMAIL)]
