"""The pool of pages people visit, with Zipf popularity, built from the built-in vocabulary.

A pool groups its pages by (theme, language) so a person can be sent to the pages of their
interests and language with one vectorised lookup. Popularity within a group follows Zipf's law,
as on real sites: a few pages get most of the views. The pool also holds every string an event
can carry as a referrer (pages, search-engine queries, social sites), so events refer to them by
integer code and strings are only built when a file is written.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dmp.generate import vocabulary as vocab
from dmp.generate.randomness import pages_rng

PAGES_PER_GROUP = 200
SEARCH_PAGE_SHARE = 0.1
SEARCH_REFERRERS_PER_GROUP = 8
ZIPF_EXPONENT = 1.1
PARTNER_COUNT = 40
ARTICLE_ID_RANGE = (1_000, 9_999_999)
SLUG_WORDS = (2, 5)  # slugs have 2 to 4 words; numpy's upper bound is exclusive
QUERY_WORDS = (1, 3)
ARTICLE_DATES_FROM = date(2024, 1, 1)
ARTICLE_DATES_SPAN_DAYS = 730


@dataclass(frozen=True)
class PagePool:
    """Pages sorted by group (theme * languages + language), with what sampling them needs."""

    theme_names: tuple[str, ...]
    languages: tuple[str, ...]
    urls: np.ndarray  # object array of str, one per page
    groups: np.ndarray  # int64 group of each page, non-decreasing
    popularity_keys: np.ndarray  # group + cumulative popularity share within the group
    search_referrers: np.ndarray  # object array (groups, SEARCH_REFERRERS_PER_GROUP)
    titles: np.ndarray | None = None  # object array of str per page, when the source has titles

    @property
    def group_count(self) -> int:
        return len(self.theme_names) * len(self.languages)

    @property
    def themes(self) -> np.ndarray:
        """The theme index of each page."""
        return self.groups // len(self.languages)

    def sample(self, groups: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """Page indices drawn by popularity within each group; `uniforms` are in [0, 1)."""
        return np.searchsorted(self.popularity_keys, groups + uniforms, side="right")

    def referrer_table(self) -> list[str | None]:
        """Every referrer string; event referrer codes index it (see `referrer_codes`)."""
        return [*self.urls.tolist(), *self.search_referrers.ravel().tolist(), *vocab.SOCIAL_REFERRERS, None]

    def referrer_codes(self) -> tuple[int, int, int]:
        """Offsets in `referrer_table` of the search referrers, the social sites and null."""
        search = len(self.urls)
        social = search + self.search_referrers.size
        return search, social, social + len(vocab.SOCIAL_REFERRERS)

    def partner_ids(self) -> list[str]:
        """The partner that sends each page's events: a stable function of the page's host."""
        by_host: dict[str, str] = {}
        partners = []
        for url in self.urls.tolist():
            host = url.split("://", 1)[-1].split("/", 1)[0]
            if host not in by_host:
                by_host[host] = f"p-{zlib.crc32(host.encode()) % PARTNER_COUNT + 1:03d}"
            partners.append(by_host[host])
        return partners


def build_pool(
    theme_names: tuple[str, ...],
    languages: tuple[str, ...],
    urls: list[str],
    groups: np.ndarray,
    queries: np.ndarray,
    rng: np.random.Generator,
    titles: list[str] | None = None,
) -> PagePool:
    """A pool from pages and their groups; `queries` holds search words per group, (groups, K)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = np.asarray(groups, dtype=np.int64)[order]
    if np.unique(sorted_groups).size != len(theme_names) * len(languages):
        raise ValueError("every (theme, language) group needs at least one page")
    return PagePool(
        theme_names=theme_names,
        languages=languages,
        urls=np.asarray(urls, dtype=object)[order],
        groups=sorted_groups,
        popularity_keys=_zipf_keys(sorted_groups, rng),
        search_referrers=_search_referrers(languages, queries, rng),
        titles=None if titles is None else np.asarray(titles, dtype=object)[order],
    )


def _zipf_keys(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Group + cumulative Zipf share of each page; which page gets which rank is random."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, groups.size])
    ranks = np.empty(groups.size, dtype=np.int64)
    ranks[np.lexsort((rng.random(groups.size), groups))] = np.arange(groups.size) - np.repeat(starts, sizes)
    weights = 1.0 / (ranks + 1.0) ** ZIPF_EXPONENT
    weights /= np.repeat(np.add.reduceat(weights, starts), sizes)
    cumulative = np.cumsum(weights)
    share = cumulative - np.repeat(cumulative[starts] - weights[starts], sizes)
    share[np.r_[starts[1:] - 1, groups.size - 1]] = 1.0  # exact group ends, whatever the rounding
    return groups + share


def _search_referrers(languages: tuple[str, ...], queries: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Search-engine result URLs per group, in the engines of the group's language."""
    result = np.empty(queries.shape, dtype=object)
    for group, group_queries in enumerate(queries):
        engines = vocab.SEARCH_ENGINES[languages[group % len(languages)]]
        picks = rng.integers(len(engines), size=len(group_queries))
        result[group] = [engines[pick].format(query=query) for pick, query in zip(picks, group_queries)]
    return result


def synthetic_pool(seed: int) -> PagePool:
    """Pages from the built-in vocabulary: every theme, in English, French and Russian."""
    rng = pages_rng(seed)
    urls: dict[str, int] = {}
    queries = []
    for theme in vocab.THEMES:
        for language_index, language in enumerate(vocab.LANGUAGES):
            words = vocab.THEME_WORDS[theme][language_index].split()
            group = len(queries)
            for _ in range(PAGES_PER_GROUP):
                urls.setdefault(_synthetic_url(theme, language, words, rng), group)
            queries.append([_joined(words, QUERY_WORDS, "+", rng) for _ in range(SEARCH_REFERRERS_PER_GROUP)])
    return build_pool(
        vocab.THEMES, vocab.LANGUAGES, list(urls), np.fromiter(urls.values(), dtype=np.int64),
        np.asarray(queries, dtype=object), rng,
    )


def _synthetic_url(theme: str, language: str, words: list[str], rng: np.random.Generator) -> str:
    templates = vocab.HOSTS[(theme, language)]
    template = templates[rng.integers(len(templates))]
    if rng.random() < SEARCH_PAGE_SHARE:
        host = template.split("/", 1)[0]
        path = vocab.SEARCH_PATHS[language].format(query=_joined(words, QUERY_WORDS, "+", rng))
        return f"https://{host}{path}"
    published = ARTICLE_DATES_FROM + timedelta(days=int(rng.integers(ARTICLE_DATES_SPAN_DAYS)))
    return "https://" + template.format(
        id=rng.integers(*ARTICLE_ID_RANGE),
        slug=_joined(words, SLUG_WORDS, "-", rng),
        date=published.strftime("%Y/%m/%d"),
    )


def _joined(words: list[str], count_range: tuple[int, int], separator: str, rng: np.random.Generator) -> str:
    """A few distinct words in random order, joined as in a slug or a query string."""
    picked = rng.choice(len(words), size=rng.integers(*count_range), replace=False)
    return separator.join(words[i] for i in picked)
