"""The people behind the clickstream: their cookies, interests, activity and email.

A DMP never sees people, only cookies; identity resolution and interest scoring are what it is
for. So each person has several cookies (phone, laptop, cleared browsers), lasting interests
concentrated on a few themes, a heavy-tailed activity level (most people are light, a few very
heavy) and, for some, an email they type when they log in, never quite the same way twice.
The population depends on (seed, people, themes) only, so every day of a range sees the same one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dmp.generate import vocabulary as vocab
from dmp.generate.randomness import population_rng

COOKIES_PER_PERSON_WEIGHTS = (0.45, 0.33, 0.14, 0.08)  # 1, 2, 3 or 4 cookies
FOCUS_THEMES_WEIGHTS = (0.45, 0.35, 0.20)  # interests concentrated on 1, 2 or 3 themes
FOCUS_ALPHA = 2.0
BACKGROUND_ALPHA = 0.02
ACTIVITY_SIGMA = 1.3
LANGUAGE_WEIGHTS = (0.5, 0.3, 0.2)  # readers of vocab.LANGUAGES
EMAIL_SHARE = 0.55
OFFLINE_CUSTOMER_SHARE = 0.1  # CRM customers never seen online, per person
EMAIL_PATTERNS = ("{f}.{l}", "{f}{l}", "{i}{l}", "{f}_{l}", "{l}.{f}")
EMAIL_NUMBER_SHARE = 0.5
EMAIL_CASE_WEIGHTS = (0.65, 0.27, 0.08)  # as created, Capitalised.Parts, UPPER
EMAIL_PADDINGS = (("", ""), (" ", ""), ("", " "), (" ", "  "), ("\t", ""))
EMAIL_PADDING_WEIGHTS = (0.85, 0.05, 0.05, 0.03, 0.02)
COOKIE_ID_BITS = 64


@dataclass(frozen=True)
class Population:
    """People and their cookies; person p owns cookies cookie_start[p] .. + cookie_count[p] - 1."""

    cookie_ids: list[str]
    cookie_start: np.ndarray
    cookie_count: np.ndarray
    interest_cdf: np.ndarray  # (people, themes) cumulative interest shares, last column 1
    activity: np.ndarray  # relative activity level, mean 1
    language: np.ndarray  # index into vocab.LANGUAGES
    email: np.ndarray  # object: the person's canonical email, or None
    offline_email: np.ndarray  # object: emails of CRM customers never seen online
    offline_language: np.ndarray

    @property
    def people(self) -> int:
        return self.activity.size

    @property
    def cookie_person(self) -> np.ndarray:
        """The person owning each cookie."""
        return np.repeat(np.arange(self.people), self.cookie_count)


def build_population(seed: int, people: int, themes: int) -> Population:
    """`people` persons with interests over `themes` themes, reproducible from the seed."""
    rng = population_rng(seed, people)
    cookie_count = rng.choice(
        np.arange(1, len(COOKIES_PER_PERSON_WEIGHTS) + 1), size=people, p=COOKIES_PER_PERSON_WEIGHTS
    )
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, size=people)
    offline = round(people * OFFLINE_CUSTOMER_SHARE)
    language = rng.choice(len(vocab.LANGUAGES), size=people + offline, p=LANGUAGE_WEIGHTS)
    emails = np.asarray(_emails(language, rng), dtype=object)
    has_email = rng.random(people) < EMAIL_SHARE
    return Population(
        cookie_ids=[f"c-{value:016x}" for value in _unique_ids(int(cookie_count.sum()), rng).tolist()],
        cookie_start=np.r_[0, np.cumsum(cookie_count)[:-1]],
        cookie_count=cookie_count,
        interest_cdf=np.cumsum(_interests(people, themes, rng), axis=1),
        activity=activity / activity.mean(),
        language=language[:people],
        email=np.where(has_email, emails[:people], None),
        offline_email=emails[people:],
        offline_language=language[people:],
    )


def _interests(people: int, themes: int, rng: np.random.Generator) -> np.ndarray:
    """Dirichlet interest shares whose mass sits on 1 to 3 focus themes per person."""
    focus_count = rng.choice(np.arange(1, len(FOCUS_THEMES_WEIGHTS) + 1), size=people, p=FOCUS_THEMES_WEIGHTS)
    theme_rank = rng.random((people, themes)).argsort(axis=1).argsort(axis=1)
    alpha = np.where(theme_rank < focus_count[:, None], FOCUS_ALPHA, BACKGROUND_ALPHA)
    shares = rng.gamma(alpha)
    shares /= shares.sum(axis=1, keepdims=True)
    shares[:, -1] = 1.0 - shares[:, :-1].sum(axis=1)
    return shares


def _unique_ids(count: int, rng: np.random.Generator) -> np.ndarray:
    """Random 64-bit ids, redrawn until none repeats (a collision is rare but would merge people)."""
    ids = rng.integers(0, 2**COOKIE_ID_BITS, size=count, dtype=np.uint64, endpoint=False)
    while True:
        _, first = np.unique(ids, return_index=True)
        if first.size == count:
            return ids
        repeated = np.setdiff1d(np.arange(count), first)
        ids[repeated] = rng.integers(0, 2**COOKIE_ID_BITS, size=repeated.size, dtype=np.uint64)


def _emails(language: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Distinct lower-case emails from names of each person's language."""
    count = language.size
    picks = rng.integers(0, 1 << 30, size=(count, 4))
    numbers = np.where(rng.random(count) < EMAIL_NUMBER_SHARE, rng.integers(1, 100, size=count), 0)
    words = {lang: (vocab.FIRST_NAMES[lang].split(), vocab.LAST_NAMES[lang].split(), vocab.EMAIL_DOMAINS[lang].split())
             for lang in vocab.LANGUAGES}
    locals_, domains = [], []
    for lang_index, (a, b, c, d), number in zip(language.tolist(), picks.tolist(), numbers.tolist()):
        first, last, domain = words[vocab.LANGUAGES[lang_index]]
        f, l = first[a % len(first)], last[b % len(last)]
        local = EMAIL_PATTERNS[c % len(EMAIL_PATTERNS)].format(f=f, l=l, i=f[0])
        locals_.append(f"{local}{number}" if number else local)
        domains.append(domain[d % len(domain)])
    emails = [f"{local}@{domain}" for local, domain in zip(locals_, domains)]
    # Namesakes exist: a repeated address gets the person's number, as mail providers suggest.
    for index in np.flatnonzero(pd.Series(emails).duplicated().to_numpy()).tolist():
        emails[index] = f"{locals_[index]}.{index}@{domains[index]}"
    return emails


def messy_variants(emails: list[str], rng: np.random.Generator) -> list[str]:
    """The emails as people type them: some capitalised or in capitals, some with spaces around."""
    cases = rng.choice(len(EMAIL_CASE_WEIGHTS), size=len(emails), p=EMAIL_CASE_WEIGHTS).tolist()
    paddings = rng.choice(len(EMAIL_PADDINGS), size=len(emails), p=EMAIL_PADDING_WEIGHTS).tolist()
    typed = []
    for email, case, padding in zip(emails, cases, paddings):
        shaped = (email, email.title(), email.upper())[case]
        before, after = EMAIL_PADDINGS[padding]
        typed.append(f"{before}{shaped}{after}")
    return typed
