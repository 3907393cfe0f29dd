"""One day of clickstream, simulated as columns: sessions of a few pages, at human hours.

People come in sessions (a few pages within minutes) that start at the hours people browse
(quiet at night, busy at lunch and in the evening, UTC), on pages of their interests and
language with some noise, picked by Zipf popularity. A session starts from a search engine, a
social site or nowhere (typed or bookmarked); the next pages come from the page before. Some page
views are logins, carrying the email as the person typed it. Everything is numpy arrays: the
day's random stream depends on (seed, day) only, so a day is the same alone or inside a range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from dmp.generate import vocabulary as vocab
from dmp.generate.pages import PagePool
from dmp.generate.population import Population, messy_variants
from dmp.generate.randomness import day_rng

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 24 * MS_PER_HOUR
# Relative traffic per UTC hour: a night trough at 3-5h, peaks at 12-14h and 20-22h.
HOURLY_WEIGHTS = (
    0.9, 0.6, 0.4, 0.25, 0.2, 0.25, 0.5, 1.0, 1.5, 1.8, 1.9, 2.1,
    2.6, 2.8, 2.5, 2.0, 1.9, 2.0, 2.3, 2.6, 3.0, 3.2, 3.0, 1.8,
)
MEAN_PAGES_PER_SESSION = 3.5
DWELL_MEDIAN_MS = 40_000
DWELL_SIGMA = 1.0
SESSION_OFF_INTEREST_SHARE = 0.08  # sessions about a theme picked at random, not by interest
PAGE_OFF_THEME_SHARE = 0.05  # pages of a session that drift to another theme
FOREIGN_LANGUAGE_SHARE = 0.05  # sessions on sites in another language than the person's
ENTRY_WEIGHTS = (0.40, 0.42, 0.18)  # session starts: direct (no referrer), search engine, social
# Search engines that still send the query: a few percent of all search visits (3-8% in the
# write-ups' analytics); the others send their origin only (an encrypted search).
SEARCH_WITH_QUERY_SHARE = 0.08
LOGIN_SHARE = 0.03


@dataclass(frozen=True)
class DayEvents:
    """A day's events sorted by time; referrer codes index `PagePool.referrer_table()`."""

    day: date
    ms_of_day: np.ndarray
    cookie: np.ndarray
    page: np.ndarray
    referrer: np.ndarray
    email: np.ndarray  # object: the typed email on login events, None on page views

    @property
    def size(self) -> int:
        return self.ms_of_day.size


@dataclass(frozen=True)
class _Sessions:
    person: np.ndarray
    cookie: np.ndarray
    group: np.ndarray
    start_ms: np.ndarray
    pages: np.ndarray


def simulate_day(day: date, population: Population, pool: PagePool, seed: int, events_per_person: float) -> DayEvents:
    """The events of `day`; `events_per_person` is the mean number of events per person."""
    rng = day_rng(seed, day)
    sessions = _sessions(population, pool, events_per_person, rng)
    session, position = _expand(sessions.pages)
    is_first = position == 0
    dwell = rng.lognormal(np.log(DWELL_MEDIAN_MS), DWELL_SIGMA, size=session.size).astype(np.int64)
    dwell[is_first] = 0
    elapsed = np.cumsum(dwell)
    ms_of_day = sessions.start_ms[session] + elapsed - elapsed[is_first][session]
    page = pool.sample(_drift(sessions.group[session], pool, rng), rng.random(session.size))
    referrer = np.empty_like(page)
    referrer[~is_first] = page[np.flatnonzero(~is_first) - 1]
    referrer[is_first] = _entry_referrers(sessions.group, page[is_first], pool, rng)
    email = _logins(population, sessions.person[session], rng)
    order = np.argsort(ms_of_day, kind="stable")
    order = order[ms_of_day[order] < MS_PER_DAY]  # sessions running past midnight end there
    return DayEvents(day, ms_of_day[order], sessions.cookie[session][order], page[order], referrer[order], email[order])


def _sessions(population: Population, pool: PagePool, events_per_person: float, rng: np.random.Generator) -> _Sessions:
    """Who browses today, how many sessions each, on which cookie, theme and language, when."""
    per_person = rng.poisson(population.activity * events_per_person / MEAN_PAGES_PER_SESSION)
    person = np.repeat(np.arange(population.people), per_person)
    count = person.size
    cookie = population.cookie_start[person] + (rng.random(count) * population.cookie_count[person]).astype(np.int64)
    theme = (rng.random(count)[:, None] >= population.interest_cdf[person]).sum(axis=1)
    off_interest = rng.random(count) < SESSION_OFF_INTEREST_SHARE
    theme[off_interest] = rng.integers(len(pool.theme_names), size=int(off_interest.sum()))
    language = _pool_languages(pool)[population.language[person]]
    foreign = rng.random(count) < FOREIGN_LANGUAGE_SHARE
    language[foreign] = rng.integers(len(pool.languages), size=int(foreign.sum()))
    hourly = np.asarray(HOURLY_WEIGHTS) / sum(HOURLY_WEIGHTS)
    start_ms = rng.choice(len(hourly), size=count, p=hourly) * MS_PER_HOUR + rng.integers(MS_PER_HOUR, size=count)
    pages = rng.geometric(1.0 / MEAN_PAGES_PER_SESSION, size=count)
    return _Sessions(person, cookie, theme * len(pool.languages) + language, start_ms, pages)


def _pool_languages(pool: PagePool) -> np.ndarray:
    """For each language of the vocabulary, the pool's language its readers read (the first if absent)."""
    return np.array([pool.languages.index(lang) if lang in pool.languages else 0 for lang in vocab.LANGUAGES])


def _expand(pages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each event, its session and its position in the session, from pages per session."""
    session = np.repeat(np.arange(pages.size), pages)
    first = np.r_[0, np.cumsum(pages)[:-1]]
    return session, np.arange(session.size) - first[session]


def _drift(groups: np.ndarray, pool: PagePool, rng: np.random.Generator) -> np.ndarray:
    """Each event's (theme, language) group, a few moved to another theme in the same language."""
    languages = len(pool.languages)
    drifted = rng.random(groups.size) < PAGE_OFF_THEME_SHARE
    groups = groups.copy()
    new_theme = rng.integers(len(pool.theme_names), size=int(drifted.sum()))
    groups[drifted] = new_theme * languages + groups[drifted] % languages
    return groups


def _entry_referrers(groups: np.ndarray, landing: np.ndarray, pool: PagePool, rng: np.random.Generator) -> np.ndarray:
    """Referrer codes of session starts: null, a search engine (now and then with the query that
    found the landing page, mostly encrypted: the engine of the session's language without it),
    or a social site."""
    search, encrypted, social, null = pool.referrer_codes()
    kind = rng.choice(len(ENTRY_WEIGHTS), size=groups.size, p=ENTRY_WEIGHTS)
    with_query = rng.random(groups.size) < SEARCH_WITH_QUERY_SHARE
    sizes = np.array([len(origins) for origins in pool.encrypted_searches])
    starts = encrypted + np.r_[0, np.cumsum(sizes)[:-1]]
    language = groups % len(pool.languages)
    origin = starts[language] + (rng.random(groups.size) * sizes[language]).astype(np.int64)
    return np.select(
        [(kind == 1) & with_query, kind == 1, kind == 2],
        [search + landing, origin, social + rng.integers(null - social, size=groups.size)],
        default=null,
    )


def _logins(population: Population, person: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Typed emails on the events that are logins (about LOGIN_SHARE of all), None elsewhere."""
    has_email = population.email != None  # noqa: E711 - elementwise test on an object array
    email_activity = population.activity[has_email].sum()
    probability = min(1.0, LOGIN_SHARE * population.activity.sum() / email_activity) if email_activity else 0.0
    is_login = has_email[person] & (rng.random(person.size) < probability)
    email = np.full(person.size, None, dtype=object)
    logins = np.flatnonzero(is_login)
    email[logins] = messy_variants(population.email[person[logins]].tolist(), rng)
    return email
