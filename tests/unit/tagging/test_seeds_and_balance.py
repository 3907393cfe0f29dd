"""Seed forms without a stemmer, and the guards that keep self-training from collapsing."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from dmp.tagging.balance import SEED_FLOOR, SHARE_BAND, agreement, balanced_labels, seed_evidence, with_seed_floor
from dmp.tagging.seeds import FORM_WEIGHT, forms_of, seed_matrix
from dmp.tagging.taxonomy import parse_taxonomy
from dmp.tagging.text import words

VOCABULARY = sorted(words("рубля рублей рубль рубильник футбола футболист fußballspiel fußball films film filmography "
                          "cancer cancel cancers"))


def test_inflected_and_compound_forms_meet_their_seed():
    assert set(forms_of("рубль", VOCABULARY)) == {"рубля", "рублей"}  # not рубильник
    assert set(forms_of("футбол", VOCABULARY)) == {"футбола", "футболист"}
    assert forms_of("fußball", VOCABULARY) == ["fußballspiel"]
    assert forms_of("film", VOCABULARY) == ["films"]  # a short seed: a short ending only


def test_forms_count_only_for_seeds_the_corpus_mostly_writes_otherwise():
    taxonomy = parse_taxonomy({"themes": {"economy": {"seeds": ["рубль"]}, "health": {"seeds": ["cancer"]}}})
    index = {word: i for i, word in enumerate(VOCABULARY)}
    frequency = np.zeros(len(VOCABULARY), dtype=np.int64)
    frequency[[index["рубль"], index["рубля"], index["рублей"]]] = [2, 30, 40]  # Russian: the seed form is rare
    frequency[[index["cancer"], index["cancel"], index["cancers"]]] = [90, 20, 5]  # English: the seed itself
    matrix = seed_matrix(taxonomy, index, frequency)
    assert matrix[index["рубль"], 0] == 1.0 and matrix[index["рубля"], 0] == matrix[index["рублей"], 0] == FORM_WEIGHT
    assert matrix[index["cancer"], 1] == 1.0 and matrix[index["cancel"], 1] == 0.0


def test_labels_cannot_collapse_onto_one_theme():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(3000, 4)) + np.array([3.0, 0, 0, 0])  # every document leans to theme 0
    has_words = np.ones(3000, dtype=bool)
    target = np.full(4, 0.25)
    assert np.mean(scores.argmax(axis=1) == 0) > 0.9
    shares = np.bincount(balanced_labels(scores, has_words, target), minlength=4) / 3000
    assert np.all(shares <= target * SHARE_BAND + 0.01) and np.all(shares >= target / SHARE_BAND - 0.01)


def test_shares_within_the_band_are_left_as_the_scores_say():
    scores = np.array([[1.0, 0.0], [0.9, 0.0], [0.0, 1.0]])
    labels = balanced_labels(scores, np.ones(3, dtype=bool), np.array([0.5, 0.5]))
    assert labels.tolist() == [0, 0, 1]


def test_seed_evidence_gives_target_shares_and_each_document_its_seed_theme():
    seeds = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=np.float32)  # words: a (theme 0), b (theme 1), c
    counts = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32))
    target, seed_labels = seed_evidence(counts, seeds)
    assert seed_labels.tolist() == [0, 0, 1, -1, -1]
    assert target[0] > target[1] and np.isclose(target.sum(), 1.0)
    assert agreement(np.array([0, 1, 1, 0, 0]), seed_labels) == 2 / 3


def test_a_seed_word_leads_its_theme_whatever_was_learnt():
    weights = np.array([[2.0, -1.0], [0.0, 0.0]], dtype=np.float32)
    seeds = np.array([[0.0, 1.0], [FORM_WEIGHT, 0.0]], dtype=np.float32)
    floored = with_seed_floor(weights, seeds)
    assert floored[0, 1] == 2.0 + SEED_FLOOR and floored[1, 0] == FORM_WEIGHT * SEED_FLOOR
    assert floored[0, 0] == 2.0
