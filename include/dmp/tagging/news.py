"""The UCI News Aggregator data set as an evaluation of the tagger, split by story.

Articles of one news story share words, so the split is by STORY (a stable hash of its id), never
by row: the training side becomes the corpus (title and URL of each article, as a platform sees
pages), the held-out side becomes the labelled file. Categories map to the themes of
`taxonomy/news.yaml`.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import InputError
from dmp.generate.news import CATEGORY_THEMES, NEWS_COLUMNS

TEST_BUCKETS = 5  # one story in five is held out (an 80/20 split)


@dataclass(frozen=True)
class NewsSplit:
    corpus: Path
    labeled: Path
    train_articles: int
    test_articles: int


def split_news(source: Path, out_dir: Path, sample_every: int = 1) -> NewsSplit:
    """Write `corpus.txt` (training side) and `labeled.tsv` (held-out side) into `out_dir`.

    `sample_every` keeps one story in N on both sides, for quick runs on a sample.
    """
    if not Path(source).is_file():
        raise InputError(f"{source} does not exist: it is ../shared/data/uci_news_aggregator.tsv.gz.")
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus, labeled = out_dir / "corpus.txt", out_dir / "labeled.tsv"
    train = test = 0
    with gzip.open(source, "rt", encoding="utf-8", errors="replace", newline="") as raw, \
            open(corpus, "w", encoding="utf-8") as corpus_out, open(labeled, "w", encoding="utf-8") as labeled_out:
        labeled_out.write("url\tlabel\ttitle\n")
        for row in csv.reader(raw, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) != len(NEWS_COLUMNS) or row[4] not in CATEGORY_THEMES:
                continue
            _, title, url, _, category, story, _, _ = row
            bucket = zlib.crc32(story.encode("utf-8"))
            if bucket % sample_every:
                continue
            title = " ".join(title.split())
            if (bucket // sample_every) % TEST_BUCKETS == 0:
                labeled_out.write(f"{url}\t{CATEGORY_THEMES[category]}\t{title}\n")
                test += 1
            else:
                corpus_out.write(f"{title} {url}\n")
                train += 1
    return NewsSplit(corpus, labeled, train, test)

