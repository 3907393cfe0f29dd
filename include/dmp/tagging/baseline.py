"""The naive tagger the semantic engine is measured against, side by side.

Per page, one at a time: the mean of its known words' vectors (gensim `get_mean_vector`), cosine
to each theme's seed centroid, the closest theme wins. It is what a first implementation of
"word2vec proximity to a theme" does, and the reference figures of the README were measured
with it; benchmarks and the quality tests run it on the same pages as the real tagger.
"""

from __future__ import annotations

import numpy as np

from dmp.tagging.model import EmbeddingModel
from dmp.tagging.taxonomy import UNKNOWN, Taxonomy
from dmp.tagging.text import url_words, words


class NaiveTagger:
    def __init__(self, model: EmbeddingModel, taxonomy: Taxonomy):
        self.vectors = model.vectors
        self.names = taxonomy.names
        known = [[w for w in theme.seeds if w in self.vectors.key_to_index] for theme in taxonomy.themes]
        # A theme none of whose seeds the model knows cannot win (a zero centroid), as in a first implementation.
        self.centroids = np.stack([
            self.vectors.get_mean_vector(seeds, post_normalize=True) if seeds else np.zeros(self.vectors.vector_size)
            for seeds in known
        ])

    def tag_one(self, url: str, title: str | None = None) -> str:
        page = list(url_words(url).words) + (words(title) if title else [])
        known = [word for word in page if word in self.vectors.key_to_index]
        if not known:
            return UNKNOWN
        vector = self.vectors.get_mean_vector(known, post_normalize=True)
        return self.names[int(np.argmax(self.centroids @ vector))]
