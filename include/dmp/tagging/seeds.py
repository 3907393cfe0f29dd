"""Seed words and the vocabulary words that are forms of them, in any language, without a stemmer.

Clients write seeds in a dictionary form ('рубль', 'футбол', 'économie'); pages of inflecting
languages mostly use other forms ('рубля', 'футбола', 'economique'), and the dictionary form may
be rare or absent from the corpus. A vocabulary word is a form of a seed when it starts with the
seed's stem: the seed without its last quarter (at least STEM_MIN_CHARS letters), which covers the
endings of Russian, Norwegian, German, French or Spanish words and compounds that start with the
seed ('fußballspiel'); a seed of STEM_MIN_CHARS letters or fewer matches itself and words at most
SHORT_SEED_SLACK letters longer ('film' -> 'films').

A prefix can be a coincidence ('cancer' -> 'cancel', 'internet' -> 'international'), and in a
language that barely inflects the seed itself is the evidence. So a seed's forms count only when
the corpus mostly writes the seed in other forms: when the seed's own document frequency is lower
than that of its forms together. English seeds then stand alone (on the UCI news split, forms of
English seeds cost 2-3 points); Russian seeds bring their forms (Lenta: +10 points of macro-F1).
A form weighs FORM_WEIGHT of a seed.
"""

from __future__ import annotations

import bisect

import numpy as np

from dmp.tagging.taxonomy import Taxonomy

STEM_MIN_CHARS = 4
SHORT_SEED_SLACK = 2
FORM_WEIGHT = 0.5


def stem(seed: str) -> str:
    """The prefix a word must start with to be a form of `seed` ('' for short seeds)."""
    if len(seed) <= STEM_MIN_CHARS:
        return ""
    return seed[:max(STEM_MIN_CHARS, len(seed) - len(seed) // 4)]


def forms_of(seed: str, ordered_vocabulary: list[str]) -> list[str]:
    """The words of a sorted vocabulary that are forms of `seed` (the seed itself excluded)."""
    prefix = stem(seed)
    start = bisect.bisect_left(ordered_vocabulary, prefix or seed)
    end = bisect.bisect_left(ordered_vocabulary, (prefix or seed) + "\U0010ffff", lo=start)
    return [word for word in ordered_vocabulary[start:end]
            if word != seed and (prefix or len(word) <= len(seed) + SHORT_SEED_SLACK)]


def seed_matrix(taxonomy: Taxonomy, key_to_index: dict[str, int], document_frequency: np.ndarray) -> np.ndarray:
    """(vocabulary, themes): 1.0 for each theme's seed words, FORM_WEIGHT for the forms that count."""
    ordered = sorted(key_to_index)
    matrix = np.zeros((len(key_to_index), len(taxonomy.themes)), dtype=np.float32)
    for column, theme in enumerate(taxonomy.themes):
        for seed in theme.seeds:
            forms = [key_to_index[word] for word in forms_of(seed, ordered)]
            own = int(document_frequency[key_to_index[seed]]) if seed in key_to_index else 0
            if forms and own < int(document_frequency[forms].sum()):
                matrix[forms, column] = np.maximum(matrix[forms, column], FORM_WEIGHT)
        exact = [key_to_index[seed] for seed in theme.seeds if seed in key_to_index]
        matrix[exact, column] = 1.0
    return matrix
