"""Who a privacy request is about: from an email, a user id or a person id to every id of that person.

A request names one identifier. Identity knows which person it belongs to (`person_by_id`, typed
nodes as in `dmp.identity.graph`) and that person's ids and email hashes (`persons`); the subject
of the deletion is then the whole person. Where identity holds nothing for it, the identifier
alone is the subject (a user id: its own rows; an email: only its hash, suppressed so it never
joins anyone again). An email is normalised and hashed at once (`dmp.identity.emails`): the raw
address is never stored, logged or kept in a request's record, only digests are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dmp.errors import InputError
from dmp.identity import graph
from dmp.identity.emails import DEFAULT_EMAIL_RULES, email_hash, parse_email_rules

EMAIL = "email"
USER_ID = "user_id"
PERSON_ID = "person_id"
KINDS = (EMAIL, USER_ID, PERSON_ID)
# Kinds of suppressed digests: of a raw clickstream user id, of an email's SHA-256.
SUPPRESSED_USER = "user"
SUPPRESSED_EMAIL = "email"
MAX_ID_LENGTH = 256  # as validation's longest user id


def digest(value: str) -> str:
    """SHA-256 (hex) of an identifier: the only form a suppression or a request record keeps."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Identifier:
    """What a request names, already safe to keep: a user or person id as given, an email as its hash."""

    kind: str
    value: str  # for EMAIL, the SHA-256 of the normalised address

    @property
    def subject_digest(self) -> str:
        return digest(f"{self.kind}:{self.value}")


def identifier(kind: str, value: str) -> Identifier:
    """The request's identifier from what was asked; an email is hashed here and never kept."""
    if kind not in KINDS:
        raise InputError(f"unknown request kind {kind!r}: use one of {', '.join(KINDS)}.")
    text = (value or "").strip()
    if not text or len(text) > MAX_ID_LENGTH or any(ord(char) < 32 for char in text):
        raise InputError(f"the {kind} of a privacy request is empty, too long or has control characters.")
    if kind == EMAIL:
        hashed = email_hash(text, parse_email_rules(DEFAULT_EMAIL_RULES))
        if hashed is None:
            raise InputError("the email of a privacy request is not an address (local@domain); nothing was done.")
        return Identifier(EMAIL, hashed)
    return Identifier(kind, text)


@dataclass(frozen=True)
class Subject:
    """Everything the deletion removes and suppresses."""

    user_ids: tuple[str, ...]  # raw clickstream ids
    person_ids: tuple[str, ...]
    email_hashes: tuple[str, ...]  # SHA-256 of normalised emails
    email_uid2: tuple[str, ...]
    nodes: tuple[str, ...]  # identity graph nodes (person_by_id keys)
    customer_ids: tuple[str, ...] = ()  # the person's CRM customer ids (crm_customers keys)

    @property
    def member_ids(self) -> tuple[str, ...]:
        """The subject ids segments may hold it under: its persons, then its raw ids."""
        return self.person_ids + self.user_ids

    def suppressions(self) -> list[tuple[str, str]]:
        """(digest, kind) of every id and email hash that must not be stored again."""
        return ([(digest(user_id), SUPPRESSED_USER) for user_id in self.user_ids]
                + [(digest(hashed), SUPPRESSED_EMAIL) for hashed in self.email_hashes])


def resolve(lookups, asked: Identifier) -> Subject:
    """The subject of `asked` through identity's tables (`lookups`: `dmp.storage.privacy.PersonLookups`, or
    None where identity has not published persons)."""
    node = graph.node({EMAIL: graph.EMAIL, USER_ID: graph.USER}[asked.kind], asked.value) \
        if asked.kind != PERSON_ID else None
    person_id = asked.value if asked.kind == PERSON_ID else (lookups.person_of(node) if lookups else None)
    person = lookups.person(person_id) if lookups and person_id else None
    user_ids = set(person.ids or ()) if person else set()
    emails = set(person.email_sha256 or ()) if person else set()
    if asked.kind == USER_ID:
        user_ids.add(asked.value)
    if asked.kind == EMAIL:
        emails.add(asked.value)
    customers = set(person.customer_ids or ()) if person else set()
    nodes = ({graph.node(graph.USER, user_id) for user_id in user_ids} | {graph.node(graph.EMAIL, h) for h in emails}
             | {graph.node(graph.CUSTOMER, customer) for customer in customers})
    return Subject(
        user_ids=tuple(sorted(user_ids)), person_ids=(person_id,) if person_id else (),
        email_hashes=tuple(sorted(emails)), email_uid2=tuple(sorted(person.email_uid2 or ())) if person else (),
        nodes=tuple(sorted(nodes | ({node} if node else set()))), customer_ids=tuple(sorted(customers)))
