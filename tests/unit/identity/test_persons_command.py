"""`dmp persons show`: which typed ids a given text is looked up as; emails only by their hash."""

from __future__ import annotations

import pytest

from dmp.errors import InputError
from dmp.identity.command import candidate_nodes
from dmp.identity.emails import email_hash


def test_an_email_is_looked_up_by_its_normalised_hash_only(settings):
    nodes = candidate_nodes(" Jane.Doe+x@GMail.com ", settings)
    assert nodes == [f"email:{email_hash('janedoe@gmail.com', settings.identity.email_rules)}"]
    assert "jane" not in nodes[0].lower()


def test_typed_ids_are_kept_and_bare_ids_tried_as_cookie_then_customer(settings):
    assert candidate_nodes("customer:cust-1", settings) == ["customer:cust-1"]
    assert candidate_nodes("c-00ff", settings) == ["user:c-00ff", "customer:c-00ff"]


def test_a_blocked_email_is_refused(settings):
    with pytest.raises(InputError, match="blocked"):
        candidate_nodes("test@test.com", settings)
