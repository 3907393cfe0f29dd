"""Theme profiles: from a few seed words to a weight for every word of the model, per theme.

Seed words alone are too few to tag real pages (a URL rarely contains them), and a plain mean of
word vectors compared with seed centroids is dragged around by generic words. So a profile is
learnt, without labels, from the corpus the model was trained on, by self-training:

1. each corpus document becomes an IDF-weighted mean of its word vectors;
2. documents are scored by cosine to each theme's seed centroid plus the share of the theme's
   seed words (and their forms in inflecting languages, `seeds.py`) among their words; each gets
   its best theme under the share guard of `balance.py` (no theme far from the share its seeds'
   own evidence gives it), and the most confident of each theme's documents (by margin over the
   runner-up; CONFIDENT_SHARE of them) become its examples;
3. a complement naive Bayes over the examples gives every vocabulary word a weight per theme: the
   word's log-probability among the documents of all the *other* themes, negated and centred
   across themes. Estimating each theme from its complement keeps a small theme from winning on
   words its few examples never saw (Rennie et al., 2003); on the UCI news split it lifted the
   smallest theme's precision from 0.63 to 0.72 and accuracy by 0.4 (URL) and 1.1 (title) points.
   Complement weights are not log-likelihoods, so they are rescaled to the spread of the plain
   multinomial model's scores over the examples: a page's posterior, which the taxonomy's
   thresholds compare against, keeps the meaning it has in a multinomial model;
4. every corpus document is re-labelled with those profiles (under the same share guard) and the
   profiles learnt again from all of them, until fewer than RELABEL_STOP of the documents change
   theme (MAX_RELABEL_ROUNDS at most). The seed-based examples are a biased start; whole
   documents scored by the learnt words are better labels (UCI news: 1 more point);
5. priors are the target shares, not the examples' shares, and every seed word keeps a lead for
   its theme (the seed floor), so a small or noisy corpus falls back on the seeds' own evidence.

Words that the examples never contain get weights from their vector's cosine to each theme's
centroid of examples instead, so rare words still count. Profiles depend on (model, taxonomy)
only and are cached in the model folder, keyed by the taxonomy's digest and the learning method.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmp.tagging.balance import agreement, balanced_labels, seed_evidence, with_seed_floor
from dmp.tagging.model import EmbeddingModel
from dmp.tagging.seeds import seed_matrix
from dmp.tagging.taxonomy import Taxonomy, check_against_vocabulary

log = logging.getLogger(__name__)

PROFILES_FOLDER = "profiles"
# Part of the cache key: a change to how profiles are learnt must not leave older ones in use.
# 2: complement naive Bayes, self-trained to convergence.
# 3: seed forms, seed-evidence shares and priors, balanced labels, seed floor (see `balance.py`).
METHOD_VERSION = 3
CONFIDENT_SHARE = 0.7  # of each theme's documents, the most confident, become its examples
# Both knobs were chosen on the UCI news split (see README) and checked on the generated pages in
# three languages; they are the same for every taxonomy.
SEED_BONUS = 6.0  # added to a document's cosine per unit share of the theme's seeds among its words
SMOOTHING = 1.0  # additive smoothing of word counts per theme's complement
MULTINOMIAL_SMOOTHING = 0.1  # additive smoothing of word counts per theme, for the posterior scale
UNSEEN_WORD_WEIGHT = 2.0  # scale of the cosine-based weight of words no example contains
BATCH_DOCS = 100_000
MAX_RELABEL_ROUNDS = 5
RELABEL_STOP = 0.005  # share of documents changing theme under which self-training has converged


@dataclass(frozen=True)
class ThemeProfiles:
    """Per-word theme weights (vocabulary x themes) and per-theme prior log-probabilities."""

    themes: tuple[str, ...]
    weights: np.ndarray  # float32 (vocabulary, themes)
    priors: np.ndarray  # float32 (themes,)
    idf: np.ndarray  # float32 (vocabulary,)
    examples: np.ndarray  # int64 (themes,): examples per theme


def theme_profiles(model: EmbeddingModel, taxonomy: Taxonomy) -> ThemeProfiles:
    """The profiles for (model, taxonomy), from the model folder's cache when present."""
    cache = profiles_path(model, taxonomy)
    if cache.is_file():
        stored = np.load(cache)
        return ThemeProfiles(taxonomy.names, stored["weights"], stored["priors"], stored["idf"], stored["examples"])
    profiles = learn_profiles(model, taxonomy)
    _save(cache, profiles)
    return profiles


def profiles_path(model: EmbeddingModel, taxonomy: Taxonomy) -> Path:
    """Where the profiles of (model, taxonomy, learning method) are cached."""
    return model.path / PROFILES_FOLDER / f"{taxonomy.digest}-m{METHOD_VERSION}.npz"


def _save(cache: Path, profiles: ThemeProfiles) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_name(f".{cache.stem}.{os.getpid()}.npz")
    np.savez(temporary, weights=profiles.weights, priors=profiles.priors, idf=profiles.idf, examples=profiles.examples)
    temporary.replace(cache)  # concurrent workers may race; each writes the same content


def learn_profiles(model: EmbeddingModel, taxonomy: Taxonomy) -> ThemeProfiles:
    """Self-train the profiles from the model's corpus (see the module docstring)."""
    vectors = model.vectors
    unit = vectors.get_normed_vectors()
    counts = _doc_term_matrix(model, len(vectors))
    document_frequency = np.bincount(counts.indices, minlength=len(vectors))
    idf = (np.log((counts.shape[0] + 1) / (document_frequency + 1)) + 1).astype(np.float32)
    seeds = seed_matrix(taxonomy, vectors.key_to_index, document_frequency)
    check = check_against_vocabulary(taxonomy, vectors.key_to_index,
                                     {name: int(np.count_nonzero(seeds[:, column]))
                                      for column, name in enumerate(taxonomy.names)})
    for warning in check.warnings():
        log.warning(warning)
    centroids = _normalise(seeds.T @ unit)
    has_words = np.asarray(counts.sum(axis=1)).ravel() > 0
    target, seed_labels = seed_evidence(counts, seeds)
    log.info("target theme shares (seed evidence): %s", dict(zip(taxonomy.names, np.round(target, 3).tolist())))
    labels, examples = _confident_examples(counts, has_words, idf, unit, centroids, seeds, target)
    fitted = _fit(counts, labels, examples, idf, unit, taxonomy.names, target, centroids)
    log.info("start: seed agreement %.3f", agreement(labels, seed_labels))
    for round_ in range(1, MAX_RELABEL_ROUNDS + 1):
        relabelled = balanced_labels(np.asarray(counts @ fitted.weights) + fitted.priors, has_words, target)
        changed = float(np.mean(relabelled[has_words] != labels[has_words])) if has_words.any() else 0.0
        labels = relabelled
        fitted = _fit(counts, labels, has_words, idf, unit, taxonomy.names, target, centroids)
        log.info("self-training round %s: %.2f%% of documents changed theme, seed agreement %.3f",
                 round_, 100 * changed, agreement(labels, seed_labels))
        if changed < RELABEL_STOP:
            break
    log.info("theme profiles learnt from %s documents: %s", int(fitted.examples.sum()),
             dict(zip(taxonomy.names, fitted.examples.tolist())))
    return ThemeProfiles(fitted.themes, with_seed_floor(fitted.weights, seeds), fitted.priors, fitted.idf,
                         fitted.examples)


def _fit(counts, labels: np.ndarray, chosen: np.ndarray, idf: np.ndarray, unit: np.ndarray,
         themes: tuple[str, ...], target: np.ndarray, centroids: np.ndarray) -> ThemeProfiles:
    """Complement naive Bayes profiles from the chosen documents and their labels (see the module docstring)."""
    import scipy.sparse as sp

    membership = sp.csr_matrix(
        (np.ones(int(chosen.sum()), dtype=np.float32), (labels[chosen], np.flatnonzero(chosen))),
        shape=(len(themes), counts.shape[0]),
    )
    word_counts = np.asarray((membership @ counts).todense(), dtype=np.float64).T  # (vocabulary, themes)
    complement = word_counts.sum(axis=1, keepdims=True) - word_counts
    weights = -_centred_log_probabilities(complement, SMOOTHING)
    multinomial = _centred_log_probabilities(word_counts, MULTINOMIAL_SMOOTHING)
    chosen_counts = counts[chosen]
    spread = _score_spread(chosen_counts, weights)
    weights *= _score_spread(chosen_counts, multinomial) / spread if spread > 0 else 0.0
    unseen = word_counts.sum(axis=1) == 0
    if unseen.any():
        example_centroids = _normalise(np.asarray(membership @ (counts.multiply(idf) @ unit)))
        empty = ~example_centroids.any(axis=1)
        example_centroids[empty] = centroids[empty]  # a theme without examples keeps its seeds' centroid
        cosine = unit[unseen] @ example_centroids.T
        weights[unseen] = UNSEEN_WORD_WEIGHT * (cosine - cosine.mean(axis=1, keepdims=True))
    examples = np.bincount(labels[chosen], minlength=len(themes))
    priors = np.log(target)  # not the examples' shares: a theme's lead would feed itself round after round
    return ThemeProfiles(themes, weights.astype(np.float32), priors.astype(np.float32), idf, examples)


def _centred_log_probabilities(word_counts: np.ndarray, smoothing: float) -> np.ndarray:
    """Per theme, each word's smoothed log-probability, centred across themes."""
    log_probability = np.log((word_counts + smoothing) / (word_counts + smoothing).sum(axis=0))
    return log_probability - log_probability.mean(axis=1, keepdims=True)


def _score_spread(counts, weights: np.ndarray) -> float:
    """How far documents' theme scores stand apart: the deviation of scores centred per document."""
    if counts.shape[0] == 0:  # no corpus (imported vectors alone): nothing to scale against
        return 0.0
    scores = np.asarray(counts @ weights)
    return float((scores - scores.mean(axis=1, keepdims=True)).std())


def _doc_term_matrix(model: EmbeddingModel, vocabulary: int):
    import scipy.sparse as sp

    data = np.ones(model.word_ids.size, dtype=np.float32)
    # Copies: sum_duplicates() works in place, and the model's arrays must stay as loaded.
    matrix = sp.csr_matrix((data, model.word_ids.copy(), model.doc_offsets.copy()),
                           shape=(model.doc_offsets.size - 1, vocabulary))
    matrix.sum_duplicates()
    return matrix


def _confident_examples(counts, has_words: np.ndarray, idf: np.ndarray, unit: np.ndarray, centroids: np.ndarray,
                        seeds: np.ndarray, target: np.ndarray):
    """Each document's closest theme, and whether it is among that theme's confident share.

    Closeness is the cosine of the document's vector to the theme's seed centroid, plus a bonus
    for the share of its words that are the theme's seeds: a seed word itself is the strongest
    evidence there is, and on a small corpus the vectors alone are noisy.
    """
    all_scores = np.empty((counts.shape[0], centroids.shape[0]), dtype=np.float32)
    weighted = counts.multiply(idf).tocsr()
    for start in range(0, counts.shape[0], BATCH_DOCS):
        batch = counts[start:start + BATCH_DOCS]
        seed_share = np.asarray(batch @ seeds) / np.maximum(np.asarray(batch.sum(axis=1)), 1)
        scores = _normalise(np.asarray(weighted[start:start + BATCH_DOCS] @ unit)) @ centroids.T + SEED_BONUS * seed_share
        all_scores[start:start + BATCH_DOCS] = scores
    labels = balanced_labels(all_scores, has_words, target)
    chosen = np.take_along_axis(all_scores, labels[:, None], axis=1)[:, 0]
    others = all_scores.copy()
    np.put_along_axis(others, labels[:, None], -np.inf, axis=1)
    margins = chosen - (others.max(axis=1) if all_scores.shape[1] > 1 else 0)
    confident = np.zeros(labels.size, dtype=bool)
    for theme in range(centroids.shape[0]):
        members = (labels == theme) & has_words
        if members.any():
            confident |= members & (margins >= np.quantile(margins[members], 1 - CONFIDENT_SHARE))
    return labels, confident


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (matrix / norms).astype(np.float32)
