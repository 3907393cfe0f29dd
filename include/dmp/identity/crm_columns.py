"""The CRM export's columns and the client's column mapping (`DMP_CRM_COLUMN_MAP`); plain Python.

A CRM export has a customer id, an email, marketing consent with the time it was given or
withdrawn and, optionally, the time the row was last updated; every other column is an attribute
of the customer (country, age band, loyalty tier...), kept as text under its lower-cased name.
Clients name these columns as they like: `customer_id=id,email=mail_address` says which of theirs
is which of ours.
"""

from __future__ import annotations

from dmp.errors import ConfigError

CUSTOMER_ID = "customer_id"
EMAIL = "email"
CONSENT = "consent_marketing"
CONSENT_UPDATED = "consent_updated_at"
UPDATED = "updated_at"
CRM_KEY_COLUMNS = (CUSTOMER_ID, EMAIL, CONSENT, CONSENT_UPDATED, UPDATED)
REQUIRED_COLUMNS = (CUSTOMER_ID, EMAIL)
# How consent is written in exports; anything else is a bad row (quarantined with a reason).
CONSENT_TRUE = ("true", "yes", "y", "1", "opt-in", "opt_in", "granted")
CONSENT_FALSE = ("false", "no", "n", "0", "opt-out", "opt_out", "withdrawn", "denied")


def parse_crm_column_map(text: str) -> dict[str, str]:
    """`ours=theirs,...` -> {ours: theirs}; our names must be CRM key columns."""
    mapping = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        ours, separator, theirs = item.partition("=")
        if not separator or ours.strip() not in CRM_KEY_COLUMNS or not theirs.strip():
            raise ConfigError(
                f"DMP_CRM_COLUMN_MAP item {item!r} is not understood: write ours=theirs, comma separated, "
                f"with ours among {', '.join(CRM_KEY_COLUMNS)} (e.g. customer_id=id,email=mail)."
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping
