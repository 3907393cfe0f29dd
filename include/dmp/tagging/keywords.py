"""Keywords of a page, for keyword audiences ('ford focus, opel astra' -> who read about them).

Words and two-word phrases come from the URL and, when the page was fetched, from its title,
h1-h5 headings, meta description and keywords, image alt texts and article text, each field
with its own weight (a word in the title says more about the page than one deep in the text).
Words are normalised as everywhere else, stop words dropped, and synonyms mapped to one
canonical keyword ('auto' and 'car' can be one keyword if the client says so).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dmp.errors import ConfigError
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
}
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


def page_keywords(url: str, fields: Mapping[str, str | None] | None = None,
                  synonyms: Synonyms = Synonyms(), limit: int = MAX_KEYWORDS) -> list[tuple[str, float]]:
    """The page's keywords with weights, heaviest first (ties by keyword, so results are stable)."""
    weights: Counter[str] = Counter()
    texts = {"url": list(url_words(url).words)}
    for name, text in (fields or {}).items():
        if name not in FIELD_WEIGHTS:
            raise ValueError(f"unknown page field {name!r}; known: {sorted(FIELD_WEIGHTS)}")
        if isinstance(text, str) and text:
            texts[name] = words(text[:MAX_FIELD_CHARS])
    for name, found in texts.items():
        weight = FIELD_WEIGHTS[name]
        mapped = [synonyms.map(word) for word in found]
        for word in mapped:
            weights[word] += weight
        for first, second in zip(mapped, mapped[1:]):
            if first != second:
                weights[synonyms.map(f"{first} {second}")] += weight * PHRASE_FACTOR
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [(keyword, round(weight, 3)) for keyword, weight in ranked[:limit]]
