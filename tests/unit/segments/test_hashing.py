"""Export hashes against the normalisation examples the platforms publish."""

from __future__ import annotations

import pytest

from dmp.segments.hashing import sha256_email, uid2_email_hash, uid2_normalise

# UID2 documentation (Normalization and Encoding): USER@example.com -> this Base64 of the SHA-256 digest.
UID2_USER_EXAMPLE = "tMmiiTI7IaAcPpQPFQ65uMVCWH8av9jw4cwf/F5HVRQ="
SHA256_USER_EXAMPLE = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"


def test_google_and_meta_hash_the_trimmed_lowercased_email():
    assert sha256_email("  USER@example.com\t") == SHA256_USER_EXAMPLE == sha256_email("user@example.com")


def test_uid2_hash_is_base64_of_the_raw_digest():
    assert uid2_email_hash("USER@example.com") == UID2_USER_EXAMPLE


@pytest.mark.parametrize("typed, normalised", [
    ("MyEmail@example.com", "myemail@example.com"),
    (" JANE.DOE@example.com ", "jane.doe@example.com"),
    ("janedoe+home@example.com", "janedoe+home@example.com"),  # only gmail.com drops dots and +suffix
    ("Jane.Doe@gmail.com", "janedoe@gmail.com"),
    ("jane.doe+work@gmail.com", "janedoe@gmail.com"),
])
def test_uid2_normalisation_examples(typed, normalised):
    assert uid2_normalise(typed) == normalised
