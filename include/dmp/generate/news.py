"""Real pages from the UCI News Aggregator data set, for clickstreams with real URLs.

With real URLs the downstream page tagging meets the slugs, hosts and oddities of the real web
(backslashes before '?', tracking parameters), and the data set's category of each article gives
the theme people with that interest read. The file is tab-separated, gzip, without header, and
has a few bytes that are not UTF-8; those are replaced rather than rejected.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from dmp.errors import InputError
from dmp.generate.pages import PagePool, build_pool
from dmp.generate.randomness import pages_rng

NEWS_COLUMNS = ("id", "title", "url", "publisher", "category", "story", "hostname", "timestamp")
CATEGORY_THEMES = {"b": "business", "t": "science-tech", "e": "entertainment", "m": "health"}
NEWS_LANGUAGES = ("en",)
QUERY_WORDS_FROM_TITLE = 4  # a search for an article uses the first words of its title
MIN_QUERY_WORD_CHARS = 3
_WORD_RE = re.compile(r"[a-z]+")


def news_pool(path: Path, seed: int) -> PagePool:
    """A pool of the data set's article URLs, one theme per category found in the file."""
    articles = _read_articles(path)
    categories = [c for c in CATEGORY_THEMES if c in set(articles["category"])]
    group_of = {category: index for index, category in enumerate(categories)}
    groups = articles["category"].map(group_of).to_numpy(dtype=np.int64)
    rng = pages_rng(seed)
    titles = articles["title"].tolist()
    return build_pool(
        tuple(CATEGORY_THEMES[c] for c in categories), NEWS_LANGUAGES,
        articles["url"].tolist(), groups, [_title_words(title) for title in titles], rng, titles=titles,
    )


def _read_articles(path: Path) -> pd.DataFrame:
    """Title, URL and category of each distinct URL with a known category."""
    if not path.is_file():
        raise InputError(
            f"--urls {path}: no such file (or it is a folder). Give the path of uci_news_aggregator.tsv.gz "
            "(see ../shared/data/README.md), or leave --urls out to generate synthetic URLs."
        )
    try:
        frame = pd.read_csv(
            path, sep="\t", header=None, names=list(NEWS_COLUMNS), usecols=["title", "url", "category"],
            dtype=str, quoting=csv.QUOTE_NONE, compression="gzip", encoding="utf-8",
            encoding_errors="replace", keep_default_na=False, on_bad_lines="skip",
        )
    except (OSError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(
            f"--urls {path} could not be read as a gzip tab-separated file ({error}). "
            "Expected the UCI News Aggregator layout: ID TITLE URL PUBLISHER CATEGORY STORY HOSTNAME TIMESTAMP."
        ) from None
    frame = frame[frame["category"].isin(CATEGORY_THEMES.keys()) & frame["url"].str.contains("://", regex=False)]
    if frame.empty:
        raise InputError(
            f"--urls {path} has no row with a URL and a category among {sorted(CATEGORY_THEMES)} in "
            "columns 3 and 5: is it the UCI News Aggregator file?"
        )
    return frame.drop_duplicates("url").reset_index(drop=True)


def _title_words(title: str) -> list[str]:
    """The words a searcher for an article types: the first content-looking words of its title."""
    return [word for word in _WORD_RE.findall(title.lower()) if len(word) >= MIN_QUERY_WORD_CHARS][:QUERY_WORDS_FROM_TITLE]
