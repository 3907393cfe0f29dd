"""Persons found against the generator's people: precision and recall of the cookies merged.

`dmp generate` knows which cookies are one person (`dmp.generate.population`). A pair of cookies
put in one person is a merge; it is right when the generator's person owns both. Recall is given
over all true pairs of the cookies seen and over the pairs both of whose cookies logged in with an
email (the only pairs the clickstream can link without id-syncs).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from dmp.generate.population import build_population
from dmp.generate.run import load_pool


def _pairs(groups: dict) -> set[tuple[str, str]]:
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def merge_quality(found: dict[str, str], logged_in: set[str], people: int, seed: int) -> dict:
    """Figures for `found` (cookie -> person id) against the population of (`seed`, `people`)."""
    population = build_population(seed, people, len(load_pool(None, seed).theme_names))
    truth_of = dict(zip(population.cookie_ids, population.cookie_person.tolist()))
    seen = {cookie: person for cookie, person in found.items() if cookie in truth_of}
    by_found, by_truth = defaultdict(set), defaultdict(set)
    for cookie, person in seen.items():
        by_found[person].add(cookie)
        by_truth[truth_of[cookie]].add(cookie)
    predicted, truth = _pairs(by_found), _pairs(by_truth)
    linkable = {pair for pair in truth if set(pair) <= logged_in}
    right = predicted & truth
    return {
        "cookies_seen": len(seen), "persons_found": len(by_found), "true_people": len(by_truth),
        "merged_pairs": len(predicted), "true_pairs": len(truth), "linkable_pairs": len(linkable),
        "precision": round(len(right) / len(predicted), 4) if predicted else 1.0,
        "recall": round(len(right) / len(truth), 4) if truth else 1.0,
        "linkable_recall": round(len(predicted & linkable) / len(linkable), 4) if linkable else 1.0,
    }


def describe(quality: dict) -> str:
    return (f"persons found vs the generator's truth: {quality['cookies_seen']} cookies seen, "
            f"{quality['persons_found']} persons found for {quality['true_people']} true people; "
            f"{quality['merged_pairs']} cookie pairs merged of {quality['true_pairs']} true: precision "
            f"{quality['precision']:.3f}, recall {quality['recall']:.3f} (recall {quality['linkable_recall']:.3f} over "
            f"the {quality['linkable_pairs']} pairs whose cookies both logged in)")
