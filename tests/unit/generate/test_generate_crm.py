"""The CRM export matches the people seen online by their (normalised) email."""

from __future__ import annotations

import pandas as pd

CRM_HEADER = "customer_id,email,country,age_band,gender,loyalty_tier,consent_marketing,consent_updated_at"


def _crm(landing) -> pd.DataFrame:
    return pd.read_csv(landing.out_dir / "crm" / "customers.csv.gz", dtype=str, keep_default_na=False)


def test_header_and_values(landing):
    crm = _crm(landing)
    assert ",".join(crm.columns) == CRM_HEADER
    assert crm["customer_id"].is_unique
    assert set(crm["consent_marketing"]) == {"true", "false"}
    assert 0.6 < (crm["consent_marketing"] == "true").mean() < 0.9
    assert pd.to_datetime(crm["consent_updated_at"], format="%Y-%m-%dT%H:%M:%SZ").notna().all()
    assert crm["country"].str.fullmatch(r"[A-Z]{2}").all()


def test_most_emails_seen_online_are_customers_and_some_customers_never_came(landing, events, population):
    crm_emails = set(_crm(landing)["email"].str.strip().str.lower())
    online = set(events.loc[events["event_type"] == "login", "email"].str.strip().str.lower())
    assert len(online) >= 30
    assert 0.5 < len(online & crm_emails) / len(online) < 0.9
    everyone_online = {email for email in population.email.tolist() if email is not None}
    assert crm_emails - everyone_online  # customers never seen online
    assert len(crm_emails) == len(_crm(landing))  # one row per person, whatever the typing
