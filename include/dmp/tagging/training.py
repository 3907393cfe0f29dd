"""The word2vec training parameters and their defaults, in one light module.

`dmp model train`, the `train_semantic_model` DAG (whose parse must stay light: no numpy, no
gensim) and `dmp.tagging.model` all take their defaults from `TrainingParameters`; a value a user
gives (a CLI option, a DAG run parameter) replaces a default only when it is given.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

# What a user may choose per training run (CLI options, DAG params); the rest stays fixed.
USER_PARAMETERS = ("vector_size", "window", "min_count", "epochs")


@dataclass(frozen=True)
class TrainingParameters:
    vector_size: int = 100
    window: int = 5
    min_count: int = 3
    epochs: int | None = None  # None: enough passes for MIN_TRAINING_WORDS (see `model._epochs`)
    sg: int = 0  # CBOW: a fifth of skip-gram's training time; skip-gram measured about 1 point better
    seed: int = 1
    workers: int = max(1, min(4, os.cpu_count() or 1))

    def with_given(self, **given: int | None) -> TrainingParameters:
        """These parameters with the values that were given (not None) in their place."""
        unknown = set(given) - set(USER_PARAMETERS)
        if unknown:
            raise TypeError(f"not a training parameter a user chooses: {sorted(unknown)}")
        return dataclasses.replace(self, **{name: int(value) for name, value in given.items() if value is not None})


DEFAULT_TRAINING = TrainingParameters()
