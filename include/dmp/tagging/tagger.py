"""Tagging pages with themes, in batches: manual rules first, then the model's theme profiles.

A page's words (URL, and title when known) are looked up in the model's vocabulary; a batch
becomes one sparse word-count matrix, scored against every theme at once. A theme's score is its
posterior probability among the taxonomy's themes; a page whose best score is under the theme's
threshold, or that has no known word, is 'unknown' with a reason. Every tag records the model
version and whether a rule or the model decided it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmp.tagging.model import EmbeddingModel, load_model
from dmp.tagging.profiles import ThemeProfiles, theme_profiles
from dmp.tagging.rules import Rules, load_rules
from dmp.tagging.taxonomy import IGNORE, UNKNOWN, Taxonomy, load_taxonomy
from dmp.tagging.text import UrlWords, url_words, words

SOURCE_MODEL = "model"
SOURCE_NONE = "none"


@dataclass(frozen=True)
class PageTag:
    url: str
    host: str
    theme: str
    score: float
    runner_up: str | None
    runner_up_score: float
    source: str
    reason: str | None
    model_version: str


class Tagger:
    """Tags pages for one (model, taxonomy, rules); build it once per process, reuse it."""

    def __init__(self, model: EmbeddingModel, taxonomy: Taxonomy, rules: Rules = Rules(),
                 profiles: ThemeProfiles | None = None):
        self.model = model
        self.taxonomy = taxonomy
        self.rules = rules
        self.profiles = profiles or theme_profiles(model, taxonomy)
        self._index = model.vectors.key_to_index
        self._thresholds = np.array([theme.threshold for theme in taxonomy.themes], dtype=np.float32)

    @classmethod
    def load(cls, model_dir: Path, taxonomy_file: Path, rules_file: Path | None = None) -> "Tagger":
        taxonomy = load_taxonomy(taxonomy_file)
        return cls(load_model(model_dir), taxonomy, load_rules(rules_file, taxonomy))

    @property
    def model_version(self) -> str:
        return self.model.version

    @property
    def configuration_version(self) -> str:
        """The taxonomy's fingerprint, combined with the rules' when there are rules."""
        if not self.rules.digest:
            return self.taxonomy.digest
        return hashlib.sha256(f"{self.taxonomy.digest}:{self.rules.digest}".encode()).hexdigest()[:16]

    @staticmethod
    def _page_words(found: UrlWords, title: object) -> tuple[list[str], str | None]:
        """The words the model scores for a page, and why there are none when so."""
        page = list(found.words)
        if isinstance(title, str) and title.strip():
            page.extend(words(title))
        return page, (found.reason if not page else None)

    def tag(self, urls: Sequence[object], titles: Sequence[object] | None = None) -> list[PageTag]:
        """One tag per URL, in order; never raises on a bad URL."""
        titles = titles if titles is not None else [None] * len(urls)
        decided: dict[int, PageTag] = {}
        rows, columns, reasons, hosts = [], [], {}, []
        for position, (url, title) in enumerate(zip(urls, titles, strict=True)):
            found = url_words(url)
            hosts.append(found.host)
            rule = self.rules.decide(url) if isinstance(url, str) else None
            if rule is not None:
                theme = UNKNOWN if rule.theme == IGNORE else rule.theme
                reason = "ignored_by_rule" if rule.theme == IGNORE else None
                decided[position] = PageTag(str(url), found.host, theme, 1.0, None, 0.0, f"rule:{rule.index}", reason,
                                            self.model_version)
                continue
            page, reason = self._page_words(found, title)
            known = [self._index[word] for word in page if word in self._index]
            if not known:
                reasons[position] = reason or "no_known_words"
            rows.extend([position] * len(known))
            columns.extend(known)
        posteriors = self._posteriors(rows, columns, len(urls))
        order = np.argsort(-posteriors, axis=1, kind="stable")[:, :2]  # best and runner-up of every page at once
        return [
            decided.get(position)
            or self._model_tag(str(url) if url is not None else "", hosts[position], posteriors[position],
                               order[position], reasons.get(position))
            for position, url in enumerate(urls)
        ]

    def _posteriors(self, rows: list[int], columns: list[int], size: int) -> np.ndarray:
        import scipy.sparse as sp

        counts = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(size, len(self._index))
        )
        scores = np.asarray(counts @ self.profiles.weights) + self.profiles.priors
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def _model_tag(self, url: str, host: str, posterior: np.ndarray, order: np.ndarray, reason: str | None) -> PageTag:
        if reason is not None:
            return PageTag(url, host, UNKNOWN, 0.0, None, 0.0, SOURCE_NONE, reason, self.model_version)
        names = self.taxonomy.names
        best = int(order[0])
        runner_up, runner_up_score = (names[order[1]], float(posterior[order[1]])) if order.size > 1 else (None, 0.0)
        if posterior[best] < self._thresholds[best]:
            return PageTag(url, host, UNKNOWN, float(posterior[best]), runner_up, runner_up_score, SOURCE_MODEL,
                           f"below_threshold:{names[best]}", self.model_version)
        return PageTag(url, host, names[best], float(posterior[best]), runner_up, runner_up_score, SOURCE_MODEL, None,
                       self.model_version)
