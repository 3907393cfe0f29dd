"""The caps of identity resolution (plain Python, no Spark).

Defaults suit the generated data: a person has at most a handful of cookies and one email, so an
email on more than 20 ids or a cookie with more than 3 emails is a shared address or computer.
`DMP_IDENTITY_MAX_IDS_PER_EMAIL`, `_MAX_EMAILS_PER_COOKIE` and `_MAX_IDS_PER_PERSON` set them (`dmp.settings`).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_IDS_PER_EMAIL = 20
DEFAULT_MAX_EMAILS_PER_COOKIE = 3
DEFAULT_MAX_IDS_PER_PERSON = 200


@dataclass(frozen=True)
class Caps:
    """Above these, edges are left out and reported instead of merged (see `dmp.identity.resolve`)."""

    max_ids_per_email: int = DEFAULT_MAX_IDS_PER_EMAIL
    max_emails_per_cookie: int = DEFAULT_MAX_EMAILS_PER_COOKIE
    max_ids_per_person: int = DEFAULT_MAX_IDS_PER_PERSON
