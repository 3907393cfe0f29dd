"""Keywords of a page, for keyword audiences ('ford focus, opel astra' -> who read about them).

Words and two-word phrases come from the URL and, when the page was fetched, from its title,
h1-h5 headings, meta description and keywords, image alt texts and article text, each field
with its own weight (a word in the title says more about the page than one deep in the text).
Words are normalised as everywhere else, stop words dropped, and synonyms mapped to one
canonical keyword ('auto' and 'car' can be one keyword if the client says so).

A person's search queries (an engine's referrer, a partner's site search: `dmp.tagging.search_terms`)
are one more field, `search`, read the same way. Each keyword also keeps the set of fields it came
from, as a bit mask (`field_mask`), so a segment can weigh a keyword met in a title above one met
in a URL and a search above both (`fields:` of a keyword rule), long after the page was read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dmp.errors import ConfigError
from dmp.tagging.search_terms import SearchTable, site_search_query
from dmp.tagging.text import url_words, words

# Weight of one occurrence per field; a phrase counts PHRASE_FACTOR of its field's weight.
FIELD_WEIGHTS = {
    "url": 2.0,
    "title": 3.0,
    "h1": 2.5,
    "h2": 1.5, "h3": 1.5, "h4": 1.0, "h5": 1.0,
    "meta_keywords": 2.0,
    "meta_description": 1.5,
    "img_alt": 0.5,
    "article_text": 0.2,
    "search": 3.0,  # what the person typed: the clearest statement of intent
}
SEARCH_FIELD = "search"
URL_FIELD = "url"
# Bit of each field in a keyword's field mask (the order of FIELD_WEIGHTS; never reorder: masks are stored).
FIELDS = tuple(FIELD_WEIGHTS)
FIELD_BITS = {name: 1 << index for index, name in enumerate(FIELDS)}
PAGE_FIELDS = tuple(name for name in FIELDS if name != SEARCH_FIELD)
PAGE_MASK = sum(FIELD_BITS[name] for name in PAGE_FIELDS)
SEARCH_MASK = FIELD_BITS[SEARCH_FIELD]
ALL_MASK = PAGE_MASK | SEARCH_MASK
PHRASE_FACTOR = 0.8
MAX_KEYWORDS = 40
MAX_FIELD_CHARS = 20_000  # article text beyond this adds nothing but time


@dataclass(frozen=True)
class Synonyms:
    """Variant -> canonical keyword (both normalised)."""

    canonical: Mapping[str, str] = field(default_factory=dict)

    def map(self, word: str) -> str:
        return self.canonical.get(word, word)


def load_synonyms(path: Path | None) -> Synonyms:
    """A YAML mapping `canonical: [variant, ...]`; none when no file is configured."""
    if path is None:
        return Synonyms()
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"Synonyms file {path} cannot be read: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"Synonyms file {path}: expected `canonical: [variant, ...]` entries.")
    mapping = {}
    for canonical, variants in document.items():
        target = " ".join(words(str(canonical)))
        for variant in variants if isinstance(variants, list) else [variants]:
            mapping[" ".join(words(str(variant)))] = target
    return Synonyms(mapping)


def field_mask(fields) -> int:
    """The bit mask of field names."""
    return sum(FIELD_BITS[name] for name in set(fields))


def fields_of(mask: int) -> tuple[str, ...]:
    """The field names of a bit mask, in FIELDS order."""
    return tuple(name for name in FIELDS if mask & FIELD_BITS[name])


def _page_texts(url: str, fields: Mapping[str, str | None] | None, table: SearchTable) -> dict[str, list[str]]:
    """Words of each field of a page; a site-search page's query is its `search` field, not its URL's."""
    site = site_search_query(url, table)
    if site is None:
        texts = {URL_FIELD: list(url_words(url).words)}
    else:
        texts = {URL_FIELD: list(url_words(url.split("?", 1)[0]).words)}
        if site.query:
            texts[SEARCH_FIELD] = words(site.query)
    for name, text in (fields or {}).items():
        if name not in FIELD_WEIGHTS:
            raise ValueError(f"unknown page field {name!r}; known: {sorted(FIELD_WEIGHTS)}")
        if isinstance(text, str) and text:
            texts[name] = words(text[:MAX_FIELD_CHARS])
    return texts


def weighted_keywords(texts: Mapping[str, list[str]], synonyms: Synonyms = Synonyms(),
                      limit: int = MAX_KEYWORDS) -> list[tuple[str, float, int]]:
    """(keyword, weight, field mask) of the words of each field, heaviest first (ties by keyword)."""
    weights: Counter[str] = Counter()
    masks: dict[str, int] = {}
    for name, found in texts.items():
        weight, bit = FIELD_WEIGHTS[name], FIELD_BITS[name]
        mapped = [synonyms.map(word) for word in found]
        phrases = [synonyms.map(f"{first} {second}") for first, second in zip(mapped, mapped[1:]) if first != second]
        for word in mapped:
            weights[word] += weight
            masks[word] = masks.get(word, 0) | bit
        for phrase in phrases:
            weights[phrase] += weight * PHRASE_FACTOR
            masks[phrase] = masks.get(phrase, 0) | bit
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [(keyword, round(weight, 3), masks[keyword]) for keyword, weight in ranked[:limit]]


def page_keyword_fields(url: str, fields: Mapping[str, str | None] | None = None, synonyms: Synonyms = Synonyms(),
                        limit: int = MAX_KEYWORDS, table: SearchTable = SearchTable()) -> list[tuple[str, float, int]]:
    """The page's keywords with weights and the mask of the fields each came from, heaviest first."""
    return weighted_keywords(_page_texts(url, fields, table), synonyms, limit)


def page_keywords(url: str, fields: Mapping[str, str | None] | None = None,
                  synonyms: Synonyms = Synonyms(), limit: int = MAX_KEYWORDS) -> list[tuple[str, float]]:
    """The page's keywords with weights, heaviest first (ties by keyword, so results are stable)."""
    return [(keyword, weight) for keyword, weight, _ in page_keyword_fields(url, fields, synonyms, limit)]


def search_keywords(query: str, synonyms: Synonyms = Synonyms(), limit: int = MAX_KEYWORDS) -> list[str]:
    """The keywords of a search query: words and two-word phrases, normalised like a page's."""
    return [keyword for keyword, _, _ in weighted_keywords({SEARCH_FIELD: words(query)}, synonyms, limit)]
