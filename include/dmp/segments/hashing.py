"""Email hashes in the normalisations activation platforms publish, for segment exports.

Raw emails are never stored: identity hashes them at the edge with these functions and keeps the
hashes per person (`persons.email_sha256`, `persons.email_uid2`); exports only copy them.
- Google Customer Match and Meta: SHA-256 hex of the trimmed, lower-cased email.
- The Trade Desk UID2: trimmed and lower-cased; for gmail.com, dots and any `+suffix` removed from
  the local part; SHA-256; then Base64 of the raw 32-byte digest.
"""

from __future__ import annotations

import base64
import hashlib

GMAIL_DOMAIN = "gmail.com"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sha256_email(email: str) -> str:
    """Google Customer Match / Meta: hex SHA-256 of the trimmed, lower-cased email."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def uid2_normalise(email: str) -> str:
    local, at, domain = normalise_email(email).rpartition("@")
    if at and domain == GMAIL_DOMAIN:
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}{at}{domain}"


def uid2_email_hash(email: str) -> str:
    """UID2: Base64 of the SHA-256 digest of the UID2-normalised email."""
    return base64.b64encode(hashlib.sha256(uid2_normalise(email).encode("utf-8")).digest()).decode("ascii")
