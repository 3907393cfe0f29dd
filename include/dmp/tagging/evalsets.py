"""The public tagging evaluation sets of `../shared/data` as (corpus, labelled file) pairs.

Each set gives the model's corpus (the pages a platform would see, one document per line, no
label) and a labelled TSV (`url  label  title`) that `dmp tag evaluate` reads:

- UCI News Aggregator (English, 4 themes): split by story (`dmp.tagging.news`), the corpus is
  the training side's titles and URLs, the held-out side is labelled;
- Le Monde 2022 (French, 9 themes): real slug URLs with the section cut out; the corpus is every
  article's URL, title and description (no label), as the data README's reference figures;
- Lenta 2024 (Russian, 9 themes): titles only (`url` is empty); the corpus is every title,
  labelled or not.

`labeled_every` keeps one labelled row in N (spread over the file, stable) and `corpus_every`
one corpus document in N, for quick runs on samples; the taxonomy of each set is given next to it.
"""

from __future__ import annotations

import csv
import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import InputError
from dmp.tagging.news import split_news

SETS = ("uci", "lemonde", "lenta")
FILES = {"uci": "uci_news_aggregator.tsv.gz", "lemonde": "lemonde_2022.tsv.gz", "lenta": "lenta_2024.tsv.gz"}
TAXONOMIES = {"lemonde": "lemonde_themes.yaml", "lenta": "lenta_themes.yaml"}
UCI_TAXONOMY = Path("taxonomy") / "news.yaml"  # relative to the project root


@dataclass(frozen=True)
class EvaluationSet:
    name: str
    corpus: Path
    labeled: Path
    taxonomy: Path
    corpus_documents: int
    labeled_pages: int
    has_urls: bool


def prepare(name: str, data_dir: Path, out_dir: Path, project_root: Path, labeled_every: int = 1,
            corpus_every: int = 1) -> EvaluationSet:
    """Write `corpus.txt` and `labeled.tsv` of set `name` into `out_dir`."""
    if name not in SETS:
        raise InputError(f"unknown evaluation set {name!r}; known: {', '.join(SETS)}")
    source = Path(data_dir) / FILES[name]
    if not source.is_file():
        raise InputError(f"{source} does not exist: the shared data sets live in ../shared/data.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if name == "uci":
        split = split_news(source, out_dir, sample_every=corpus_every)
        labeled = _thin(split.labeled, labeled_every)
        return EvaluationSet(name, split.corpus, split.labeled, Path(project_root) / UCI_TAXONOMY,
                             split.train_articles, labeled, True)
    corpus, labeled = out_dir / "corpus.txt", out_dir / "labeled.tsv"
    documents = pages = 0
    csv.field_size_limit(sys.maxsize)
    with gzip.open(source, "rt", encoding="utf-8", errors="replace", newline="") as raw, \
            open(corpus, "w", encoding="utf-8") as corpus_out, open(labeled, "w", encoding="utf-8") as labeled_out:
        labeled_out.write("url\tlabel\ttitle\n")
        for position, row in enumerate(csv.DictReader(raw, delimiter="\t", quoting=csv.QUOTE_NONE)):
            url, title = _clean(row.get("url")), _clean(row.get("title"))
            if position % corpus_every == 0:
                corpus_out.write(" ".join(filter(None, (url, title, _clean(row.get("description"))))) + "\n")
                documents += 1
            label = _clean(row.get("label"))
            if label and pages % labeled_every == 0:
                labeled_out.write(f"{url}\t{label}\t{title}\n")
            pages += bool(label)
    kept = _count_rows(labeled)
    return EvaluationSet(name, corpus, labeled, Path(data_dir) / TAXONOMIES[name], documents, kept, name != "lenta")


def _clean(value: object) -> str:
    return " ".join(str(value).split()) if value else ""


def _thin(labeled: Path, every: int) -> int:
    """Keep one labelled row in `every` (the header stays); the rows kept."""
    lines = labeled.read_text(encoding="utf-8").splitlines()
    kept = [lines[0], *lines[1:][::every]]
    labeled.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(kept) - 1


def _count_rows(labeled: Path) -> int:
    with open(labeled, encoding="utf-8") as handle:
        return sum(1 for _ in handle) - 1
