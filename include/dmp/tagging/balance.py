"""What keeps self-training honest: the seeds' own evidence, theme shares held near it, a seed floor.

Self-training on a noisy start can drift onto one or a few themes: a theme that wins a little
more of the corpus gets more examples, a larger prior and more words, and wins more the next
round (on a hidden Norwegian set, 2,286 of 2,608 pages went to one theme of seven). Three guards:

- **seed evidence**: the documents whose seed words (and forms, `seeds.py`) point to one theme
  give each theme's share of the corpus without any vector; blended half-and-half with equal
  shares (seeds are an uneven sample), that is the target share of each theme;
- **balanced labels**: every labelling of the corpus (the start and each self-training round)
  takes each document's best theme after per-theme offsets that keep every theme's share within
  SHARE_BAND times of its target, either way; shares may move, never collapse;
- **seed floor**: in the final profiles a seed word weighs at least SEED_FLOOR more for its theme
  than for any other (a form, FORM_WEIGHT of that), so a page with a seed word and little else
  goes to the seed's theme however noisy the vectors of a small corpus are.

The agreement of each round's labels with the seed evidence is logged, for whoever reads the
training log of a new taxonomy.
"""

from __future__ import annotations

import numpy as np

SHARE_BAND = 3.0
EQUAL_SHARE_BLEND = 0.5
SEED_FLOOR = 1.5
OFFSET_ROUNDS = 60
OFFSET_DECAY = 0.8


def seed_evidence(counts, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target theme shares from the documents whose seed words point to one theme, and each
    document's seed theme (-1 when its seeds point nowhere or to several themes)."""
    hits = np.asarray(counts @ seeds)
    best = hits.argmax(axis=1) if hits.size else np.zeros(hits.shape[0], dtype=np.int64)
    top = hits.max(axis=1) if hits.size else np.zeros(hits.shape[0])
    unique = (top > 0) & ((hits == top[:, None]).sum(axis=1) == 1)
    found = np.bincount(best[unique], minlength=seeds.shape[1]).astype(np.float64)
    evidence = (found + 1) / (found.sum() + seeds.shape[1])
    target = (1 - EQUAL_SHARE_BLEND) * evidence + EQUAL_SHARE_BLEND / seeds.shape[1]
    return target, np.where(unique, best, -1)


def agreement(labels: np.ndarray, seed_labels: np.ndarray) -> float:
    """Share of the documents with seed evidence whose label is their seed theme."""
    known = seed_labels >= 0
    return float(np.mean(labels[known] == seed_labels[known])) if known.any() else 1.0


def balanced_labels(scores: np.ndarray, has_words: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each document's best theme, after offsets keeping every theme's share within SHARE_BAND of its target."""
    low, high = target / SHARE_BAND, np.minimum(target * SHARE_BAND, 1.0)
    offsets = np.zeros(scores.shape[1])
    documents = max(int(has_words.sum()), 1)
    step = float((scores - scores.mean(axis=1, keepdims=True))[has_words].std()) if has_words.any() else 0.0
    for _ in range(OFFSET_ROUNDS if step > 0 else 0):
        shares = np.bincount((scores + offsets)[has_words].argmax(axis=1), minlength=scores.shape[1]) / documents
        over, under = shares > high, shares < low
        if not (over.any() or under.any()):
            break
        offsets[over] -= step
        offsets[under] += step
        step *= OFFSET_DECAY
    return (scores + offsets).argmax(axis=1)


def with_seed_floor(weights: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """`weights` (vocabulary, themes) where each seed word leads its theme by SEED_FLOOR (forms in proportion)."""
    weights = weights.copy()
    for column in range(seeds.shape[1]):
        rows = np.flatnonzero(seeds[:, column])
        if rows.size and seeds.shape[1] > 1:
            others = np.delete(weights[rows], column, axis=1).max(axis=1)
            weights[rows, column] = np.maximum(weights[rows, column], others + SEED_FLOOR * seeds[rows, column])
    return weights
