"""The client's taxonomy: themes defined by a few seed words, validated with clear errors.

Minimum format, which keeps working: `themes: {<name>: {seeds: [word, ...]}}`. Optional per theme:
`seeds_by_language: {fr: [...], ru: [...]}` (added to `seeds`), `parent` (another theme's name: a
page of this theme also counts toward its parent and the parent's parents, in interests and
audience estimates; see `dmp.pipeline.theme_lineage`), `threshold` (the confidence under which a
page is 'unknown' instead of this theme) and `description` (for the people who edit the taxonomy;
`dmp tag evaluate` prints it in its per-theme table). Seed words are normalised like every other word; a seed of several words
("horse riding") counts each word. Whether seeds are in a model's vocabulary is checked against
the model (`TaxonomyCheck`), because the taxonomy is edited more often than the model is trained.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dmp.errors import ConfigError
from dmp.tagging.text import words

DEFAULT_THRESHOLD = 0.4
UNKNOWN = "unknown"
IGNORE = "ignore"
RESERVED_NAMES = frozenset({UNKNOWN, IGNORE})
_THEME_KEYS = frozenset({"seeds", "seeds_by_language", "parent", "threshold", "description"})


@dataclass(frozen=True)
class Theme:
    name: str
    seeds: tuple[str, ...]
    parent: str | None = None
    threshold: float = DEFAULT_THRESHOLD
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    source: str = "<memory>"
    digest: str = field(default="", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(theme.name for theme in self.themes)

    def theme(self, name: str) -> Theme:
        return self.themes[self.names.index(name)]

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The parent of theme `name`, its parent's parent and so on (none for 'unknown' or a root)."""
        parents = {theme.name: theme.parent for theme in self.themes}
        chain: list[str] = []
        while parents.get(name) is not None:
            name = parents[name]
            chain.append(name)
        return tuple(chain)

    def lineage(self, name: str) -> tuple[str, ...]:
        """The themes a page of theme `name` counts toward: itself, then its ancestors."""
        return (name, *self.ancestors(name))


@dataclass(frozen=True)
class TaxonomyCheck:
    """Seed words the model does not know, per theme; themes left with none cannot be used."""

    missing: dict[str, tuple[str, ...]]
    unusable: tuple[str, ...]

    def warnings(self) -> list[str]:
        return [f"theme {name!r}: seed words not in the model's vocabulary: {', '.join(words_)}"
                for name, words_ in self.missing.items() if words_ and name not in self.unusable]


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and validate a taxonomy YAML file."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Taxonomy file {path} does not exist (set DMP_TAXONOMY or pass --taxonomy).") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"Taxonomy file {path} is not valid YAML: {error}") from None
    return parse_taxonomy(document, str(path))


def parse_taxonomy(document: object, source: str = "<memory>") -> Taxonomy:
    """Validate a parsed taxonomy document; every problem names the theme and the field."""
    if not isinstance(document, dict) or not isinstance(document.get("themes"), dict) or not document["themes"]:
        raise ConfigError(f"{source}: expected `themes:` mapping theme names to `{{seeds: [word, ...]}}`.")
    themes = [_parse_theme(str(name), spec, source) for name, spec in document["themes"].items()]
    names = {theme.name for theme in themes}
    for theme in themes:
        if theme.parent is not None and theme.parent not in names:
            raise ConfigError(f"{source}: theme {theme.name!r} has parent {theme.parent!r}, which is not a theme.")
    _check_no_parent_cycle(themes, source)
    digest = hashlib.sha256(json.dumps([t.__dict__ for t in themes], sort_keys=True).encode()).hexdigest()[:16]
    return Taxonomy(tuple(themes), source, digest)


def _check_no_parent_cycle(themes: list[Theme], source: str) -> None:
    """A theme cannot be its own ancestor: its pages would count toward it forever."""
    parents = {theme.name: theme.parent for theme in themes}
    for theme in themes:
        chain = [theme.name]
        while parents[chain[-1]] is not None:
            chain.append(parents[chain[-1]])
            if chain[-1] == theme.name:
                raise ConfigError(f"{source}: parents form a cycle ({' -> '.join(chain)}); a theme cannot be its "
                                  "own ancestor, remove one of these `parent` fields.")
            if len(chain) > len(themes):
                break


def _parse_theme(name: str, spec: object, source: str) -> Theme:
    where = f"{source}: theme {name!r}"
    if name in RESERVED_NAMES or not name.strip():
        raise ConfigError(f"{where}: this name is reserved; choose another.")
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected a mapping with `seeds: [word, ...]`.")
    unknown_keys = set(spec) - _THEME_KEYS
    if unknown_keys:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown_keys)}; allowed: {sorted(_THEME_KEYS)}.")
    seeds = list(_seed_list(spec.get("seeds", []), f"{where} seeds"))
    by_language = spec.get("seeds_by_language", {}) or {}
    if not isinstance(by_language, dict):
        raise ConfigError(f"{where}: `seeds_by_language` must map a language code to a list of words.")
    for language, language_seeds in by_language.items():
        seeds.extend(_seed_list(language_seeds, f"{where} seeds_by_language.{language}"))
    normalised = tuple(dict.fromkeys(word for seed in seeds for word in words(seed)))
    if not normalised:
        raise ConfigError(f"{where}: no seed word (give at least one in `seeds`).")
    threshold = spec.get("threshold", DEFAULT_THRESHOLD)
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 <= threshold < 1:
        raise ConfigError(f"{where}: threshold {threshold!r} must be a number from 0 to 1 (excluded).")
    parent = spec.get("parent")
    return Theme(name, normalised, None if parent is None else str(parent), float(threshold),
                 str(spec.get("description", "")))


def _seed_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of words.")
    return value


def check_against_vocabulary(taxonomy: Taxonomy, vocabulary, forms: dict[str, int] | None = None) -> TaxonomyCheck:
    """Which seeds the model lacks; a clear error when a theme has neither a seed nor a form of one
    (`forms`: per theme name, how many vocabulary words are forms of its seeds, see `seeds.py`)."""
    forms = forms or {}
    missing = {theme.name: tuple(w for w in theme.seeds if w not in vocabulary) for theme in taxonomy.themes}
    unusable = tuple(theme.name for theme in taxonomy.themes
                     if len(missing[theme.name]) == len(theme.seeds) and not forms.get(theme.name))
    if unusable:
        raise ConfigError(
            f"{taxonomy.source}: theme(s) {', '.join(map(repr, unusable))} have no seed word the model knows, nor a form of one "
            f"(missing: {'; '.join(', '.join(missing[n]) for n in unusable)}). Add seed words that occur in the "
            "training corpus, or retrain the model on a corpus that has them."
        )
    return TaxonomyCheck(missing, unusable)
