"""The text of the generated pages, as the corpus the semantic model is trained on.

A platform sees the pages its users visit: their titles and URLs are what `dmp model train`
learns from. Real news pages keep their real titles; synthetic pages get a headline of words of
their theme and language (and a few everyday words, as real headlines have). One line per page:
the title, then the URL.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dmp.generate import vocabulary as vocab
from dmp.generate.pages import PagePool
from dmp.generate.randomness import corpus_rng

CORPUS_FILE = Path("corpus") / "pages.txt"
HEADLINE_WORDS = (4, 9)  # theme words per synthetic headline; numpy's upper bound is exclusive
EVERYDAY_WORDS = "today week best top first latest big year guide people life world".split()
EVERYDAY_SHARE = 0.3


def write_corpus(out_dir: Path, pool: PagePool, seed: int) -> int:
    """Write `<out>/corpus/pages.txt`; returns the number of pages."""
    titles = pool.titles if pool.titles is not None else _headlines(pool, corpus_rng(seed))
    path = out_dir / CORPUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for title, url in zip(titles.tolist(), pool.urls.tolist()):
            out.write(f"{' '.join(str(title).split())} {url}\n")
    return len(pool.urls)


def _headlines(pool: PagePool, rng: np.random.Generator) -> np.ndarray:
    languages = len(pool.languages)
    words_by_group = [
        vocab.THEME_WORDS[pool.theme_names[group // languages]][vocab.LANGUAGES.index(pool.languages[group % languages])]
        .replace("-", " ").split()
        for group in range(pool.group_count)
    ]
    headlines = []
    for group in pool.groups.tolist():
        words = words_by_group[group]
        picked = [words[i] for i in rng.choice(len(words), size=min(len(words), rng.integers(*HEADLINE_WORDS)), replace=False)]
        if rng.random() < EVERYDAY_SHARE:
            picked.insert(int(rng.integers(len(picked) + 1)), EVERYDAY_WORDS[rng.integers(len(EVERYDAY_WORDS))])
        headlines.append(" ".join(picked).capitalize())
    return np.asarray(headlines, dtype=object)
