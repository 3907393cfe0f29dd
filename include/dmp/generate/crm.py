"""The client's CRM export that goes with the clickstream: customers, their email and consent.

Onboarding CRM data is half of what a DMP sells: most people who log in online are customers
(found by their email once both sides are normalised and hashed), some customers never come
online, and only those who consented may be targeted. Emails stay in clear text here, as the
client sends them, typed as messily as in any CRM; the platform normalises and hashes them.
The file depends on (seed, people) only, so every run over the same population writes the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dmp.generate import vocabulary as vocab
from dmp.generate.population import Population, messy_variants
from dmp.generate.randomness import crm_rng
from dmp.generate.writer import reproducible_gzip

CRM_FILE = Path("crm") / "customers.csv.gz"
CRM_COLUMNS = (
    "customer_id", "email", "country", "age_band", "gender",
    "loyalty_tier", "consent_marketing", "consent_updated_at",
)
IN_CRM_SHARE = 0.7  # of the people who have an email
CONSENT_SHARE = 0.75
COUNTRIES = {  # by language, most frequent first
    "en": (("US", "GB", "CA", "AU", "IE"), (0.5, 0.3, 0.1, 0.07, 0.03)),
    "fr": (("FR", "BE", "CH", "CA"), (0.8, 0.1, 0.06, 0.04)),
    "ru": (("RU", "KZ", "BY"), (0.85, 0.1, 0.05)),
}
AGE_BANDS = (("18-24", "25-34", "35-44", "45-54", "55-64", "65+"), (0.12, 0.24, 0.22, 0.18, 0.14, 0.10))
GENDERS = (("F", "M", "U"), (0.49, 0.46, 0.05))
LOYALTY_TIERS = (("none", "bronze", "silver", "gold", "platinum"), (0.4, 0.3, 0.17, 0.1, 0.03))
CONSENT_WINDOW_START = np.datetime64("2023-01-01T00:00:00", "s")
CONSENT_WINDOW_SECONDS = 3 * 365 * 86_400


def write_crm(out_dir: Path, population: Population, seed: int) -> int:
    """Write `<out>/crm/customers.csv.gz`; returns the number of customers."""
    customers = crm_customers(population, seed)
    path = out_dir / CRM_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with reproducible_gzip(path) as out:
        out.write(customers.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return len(customers)


def crm_customers(population: Population, seed: int) -> pd.DataFrame:
    """Customers in random order: most people with an email, plus customers never seen online."""
    rng = crm_rng(seed, population.people)
    has_email = np.flatnonzero(population.email != None)  # noqa: E711 - elementwise on objects
    known = has_email[rng.random(has_email.size) < IN_CRM_SHARE]
    emails = np.r_[population.email[known], population.offline_email]
    languages = np.r_[population.language[known], population.offline_language]
    order = rng.permutation(emails.size)
    emails, languages = emails[order], languages[order]
    count = emails.size
    consent_at = CONSENT_WINDOW_START + rng.integers(CONSENT_WINDOW_SECONDS, size=count).astype("timedelta64[s]")
    frame = pd.DataFrame({
        "customer_id": [f"cust-{number:08d}" for number in range(1, count + 1)],
        "email": messy_variants(emails.tolist(), rng),
        "country": _countries(languages, rng),
        "age_band": _draw(AGE_BANDS, count, rng),
        "gender": _draw(GENDERS, count, rng),
        "loyalty_tier": _draw(LOYALTY_TIERS, count, rng),
        "consent_marketing": np.where(rng.random(count) < CONSENT_SHARE, "true", "false"),
        "consent_updated_at": np.char.add(np.datetime_as_string(consent_at, unit="s"), "Z"),
    })
    return frame[list(CRM_COLUMNS)]


def _draw(choices: tuple[tuple[str, ...], tuple[float, ...]], count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` values drawn from (values, weights)."""
    values, weights = choices
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=count, p=weights)]


def _countries(languages: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A country per customer, among those where their language is spoken."""
    countries = np.empty(languages.size, dtype=object)
    for index, language in enumerate(vocab.LANGUAGES):
        speakers = np.flatnonzero(languages == index)
        countries[speakers] = _draw(COUNTRIES[language], speakers.size, rng)
    return countries
