"""Independent, reproducible random streams, one per part of the generated world.

Each part draws from its own stream keyed by the seed and what it depends on, never from a shared
generator: the population depends on (seed, people) only and each day on (seed, day) only, so
generating one day alone gives exactly the events that day has inside a longer range.
"""

from __future__ import annotations

from datetime import date

import numpy as np

POPULATION_STREAM = 1
PAGES_STREAM = 2
DAY_STREAM = 3
CRM_STREAM = 4
CORPUS_STREAM = 5


def population_rng(seed: int, people: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, POPULATION_STREAM, people]))


def pages_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, PAGES_STREAM]))


def day_rng(seed: int, day: date) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, DAY_STREAM, day.toordinal()]))


def crm_rng(seed: int, people: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, CRM_STREAM, people]))


def corpus_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, CORPUS_STREAM]))
