"""The pool of pages people visit, with Zipf popularity, built from the built-in vocabulary.

A pool groups its pages by (theme, language) so a person can be sent to the pages of their
interests and language with one vectorised lookup. Popularity within a group follows Zipf's law,
as on real sites: a few pages get most of the views. The pool also holds every string an event
can carry as a referrer (pages, search-engine queries, social sites), so events refer to them by
integer code and strings are only built when a file is written. Each page has one search-engine
referrer whose query is made of the page's own words (now and then a related word of its theme),
in the page's language, percent-encoded as engines send it: the search that led there.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote_plus

import numpy as np

from dmp.generate import vocabulary as vocab
from dmp.generate.randomness import pages_rng

PAGES_PER_GROUP = 200
SEARCH_PAGE_SHARE = 0.1
RELATED_WORD_SHARE = 0.25  # queries where one word is a related word of the theme, not the page's
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
    page_searches: np.ndarray  # object array: per page, a search-engine referrer with a query of its words
    encrypted_searches: tuple[tuple[str, ...], ...]  # per language: engines' origins (no query)
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
        encrypted = [origin for origins in self.encrypted_searches for origin in origins]
        return [*self.urls.tolist(), *self.page_searches.tolist(), *encrypted, *vocab.SOCIAL_REFERRERS, None]

    def referrer_codes(self) -> tuple[int, int, int, int]:
        """Offsets in `referrer_table` of the page searches, the encrypted searches, the social sites and null."""
        search = len(self.urls)
        encrypted = search + self.page_searches.size
        social = encrypted + sum(map(len, self.encrypted_searches))
        return search, encrypted, social, social + len(vocab.SOCIAL_REFERRERS)

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
    page_words: list[list[str]],
    rng: np.random.Generator,
    titles: list[str] | None = None,
    related_words: list[list[str]] | None = None,
) -> PagePool:
    """A pool from pages and their groups; `page_words` holds each page's own words (its searches'
    words), `related_words` other words of each group's theme that searchers type too."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = np.asarray(groups, dtype=np.int64)[order]
    if np.unique(sorted_groups).size != len(theme_names) * len(languages):
        raise ValueError("every (theme, language) group needs at least one page")
    sorted_words = [page_words[index] for index in order.tolist()]
    return PagePool(
        theme_names=theme_names,
        languages=languages,
        urls=np.asarray(urls, dtype=object)[order],
        groups=sorted_groups,
        popularity_keys=_zipf_keys(sorted_groups, rng),
        page_searches=_page_searches(languages, sorted_groups, sorted_words, related_words, rng),
        encrypted_searches=tuple(vocab.ENCRYPTED_SEARCH_REFERRERS[language] for language in languages),
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


def _page_searches(languages: tuple[str, ...], groups: np.ndarray, page_words: list[list[str]],
                   related_words: list[list[str]] | None, rng: np.random.Generator) -> np.ndarray:
    """Per page, a result URL of an engine of its language whose query is 1-2 of its own words, one
    of them now and then replaced by a related word of its theme (a searcher's words are not always
    the page's)."""
    counts = rng.integers(*QUERY_WORDS, size=groups.size)
    related = rng.random(groups.size) < RELATED_WORD_SHARE
    engine_picks = rng.random(groups.size)
    word_picks = rng.random((groups.size, QUERY_WORDS[1]))
    searches = np.empty(groups.size, dtype=object)
    for page, (group, own) in enumerate(zip(groups.tolist(), page_words)):
        language = languages[group % len(languages)]
        engines = vocab.SEARCH_ENGINES[language]
        picks = (word_picks[page, :counts[page]] * len(own)).astype(int) if own else []
        query = list(dict.fromkeys(own[pick] for pick in picks)) or [language]
        extra = related_words[group] if related_words else []
        if related[page] and extra:
            query[-1] = extra[int(word_picks[page, -1] * len(extra))]
        engine = engines[int(engine_picks[page] * len(engines))]
        searches[page] = engine.format(query=quote_plus(" ".join(query)))
    return searches


def synthetic_pool(seed: int) -> PagePool:
    """Pages from the built-in vocabulary: every theme, in English, French and Russian."""
    rng = pages_rng(seed)
    pages: dict[str, tuple[int, list[str]]] = {}
    related = []
    for theme in vocab.THEMES:
        for language_index, language in enumerate(vocab.LANGUAGES):
            words = vocab.THEME_WORDS[theme][language_index].split()
            group = len(related)
            for _ in range(PAGES_PER_GROUP):
                url, own = _synthetic_url(theme, language, words, rng)
                pages.setdefault(url, (group, own))
            related.append(words)
    return build_pool(
        vocab.THEMES, vocab.LANGUAGES, list(pages), np.fromiter((group for group, _ in pages.values()), dtype=np.int64),
        [own for _, own in pages.values()], rng, related_words=related,
    )


def _synthetic_url(theme: str, language: str, words: list[str], rng: np.random.Generator) -> tuple[str, list[str]]:
    """A page URL and its own words (its slug's, or its site search's)."""
    templates = vocab.HOSTS[(theme, language)]
    template = templates[rng.integers(len(templates))]
    if rng.random() < SEARCH_PAGE_SHARE:
        host = template.split("/", 1)[0]
        own = _picked(words, QUERY_WORDS, rng)
        return f"https://{host}" + vocab.SEARCH_PATHS[language].format(query="+".join(own)), own
    published = ARTICLE_DATES_FROM + timedelta(days=int(rng.integers(ARTICLE_DATES_SPAN_DAYS)))
    own = _picked(words, SLUG_WORDS, rng)
    return "https://" + template.format(
        id=rng.integers(*ARTICLE_ID_RANGE),
        slug="-".join(own),
        date=published.strftime("%Y/%m/%d"),
    ), own


def _picked(words: list[str], count_range: tuple[int, int], rng: np.random.Generator) -> list[str]:
    """A few distinct words in random order, as in a slug or a query string."""
    return [words[i] for i in rng.choice(len(words), size=rng.integers(*count_range), replace=False)]
