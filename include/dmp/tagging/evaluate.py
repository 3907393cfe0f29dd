"""Measuring a tagger against labelled pages: accuracy, macro-F1, coverage, per-theme figures.

The labelled file is tab-separated with a header and the columns `url`, `label` and optionally
`title`; labels are theme names of the taxonomy. A row whose `url` is empty (a set of titles
only) is tagged from its title, with or without `use_titles`. A page tagged 'unknown' counts as a
miss for accuracy and recall, and is reported apart as coverage.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dmp.errors import InputError
from dmp.tagging.tagger import Tagger
from dmp.tagging.taxonomy import UNKNOWN

BATCH = 20_000


@dataclass(frozen=True)
class LabeledPages:
    urls: list[str]
    labels: list[str]
    titles: list[str] | None


def read_labeled(path: Path, theme_names: tuple[str, ...]) -> LabeledPages:
    """Read a labelled TSV; unknown labels and missing columns are errors that name them."""
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = {"url", "label"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{path}: the header lacks column(s) {sorted(missing)} (need url, label[, title]).")
            rows = list(reader)
    except FileNotFoundError:
        raise InputError(f"Labelled file {path} does not exist.") from None
    if not rows:
        raise InputError(f"{path}: no labelled row under the header.")
    unlabelled = [number for number, row in enumerate(rows, start=2) if not row.get("label")]
    if unlabelled:
        raise InputError(f"{path}: line(s) {unlabelled[:10]} have no label ({len(unlabelled)} in all); every row "
                         "needs `url<TAB>label[<TAB>title]`.")
    labels = [row["label"] for row in rows]
    strangers = sorted(set(labels) - set(theme_names))
    if strangers:
        raise InputError(f"{path}: label(s) {strangers[:10]} are not themes of the taxonomy {list(theme_names)}.")
    titles = [row.get("title") or "" for row in rows] if "title" in rows[0] else None
    return LabeledPages([row.get("url") or "" for row in rows], labels, titles)


def combine(sets: list[LabeledPages]) -> LabeledPages:
    """Several labelled sets as one (titles kept when every set has them)."""
    titles = None if any(pages.titles is None for pages in sets) else [t for pages in sets for t in pages.titles]
    return LabeledPages([u for pages in sets for u in pages.urls], [label for pages in sets for label in pages.labels],
                        titles)


def evaluate(tagger: Tagger, pages: LabeledPages, use_titles: bool = False) -> dict:
    """Tag every page and compare with its label."""
    started = time.perf_counter()
    predicted: list[str] = []
    for start in range(0, len(pages.urls), BATCH):
        urls = pages.urls[start:start + BATCH]
        titles = [title if use_titles or not url else None
                  for url, title in zip(urls, pages.titles[start:start + BATCH])] if pages.titles else None
        predicted.extend(tag.theme for tag in tagger.tag(urls, titles))
    seconds = time.perf_counter() - started
    return {**scores(pages.labels, predicted, tagger.taxonomy.names), "pages": len(predicted),
            "use_titles": use_titles, "model_version": tagger.model_version, "seconds": round(seconds, 2),
            "pages_per_second": round(len(predicted) / seconds) if seconds else None}


def scores(labels: list[str], predicted: list[str], themes: tuple[str, ...]) -> dict:
    """Accuracy, coverage, macro-F1, per-theme precision/recall/F1 and the confusion matrix."""
    truth, guess = np.asarray(labels), np.asarray(predicted)
    covered = guess != UNKNOWN
    per_theme = {}
    for theme in themes:
        hits = int(np.sum((guess == theme) & (truth == theme)))
        predicted_count, actual = int(np.sum(guess == theme)), int(np.sum(truth == theme))
        precision = hits / predicted_count if predicted_count else 0.0
        recall = hits / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[theme] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                            "support": actual}
    columns = [*themes, UNKNOWN]
    confusion = {t: {c: int(np.sum((truth == t) & (guess == c))) for c in columns} for t in themes}
    return {
        "accuracy": round(float(np.mean(truth == guess)), 4) if truth.size else 0.0,
        "coverage": round(float(np.mean(covered)), 4) if truth.size else 0.0,
        "accuracy_on_covered": round(float(np.mean(truth[covered] == guess[covered])), 4) if covered.any() else 0.0,
        "macro_f1": round(float(np.mean([m["f1"] for m in per_theme.values()])), 4),
        "per_theme": per_theme,
        "confusion": confusion,
    }


def format_report(report: dict, descriptions: dict[str, str] | None = None) -> str:
    """A human-readable summary of `evaluate`'s report; each theme's `description` (from the
    taxonomy) ends its row, so a reader of the figures sees what the theme was meant to hold."""
    descriptions = descriptions or {}
    lines = [
        f"pages {report['pages']:,}  accuracy {report['accuracy']:.3f}  macro-F1 {report['macro_f1']:.3f}  "
        f"coverage {report['coverage']:.3f}  (accuracy on covered {report['accuracy_on_covered']:.3f})",
        f"{'theme':<24}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>10}",
    ]
    for theme, figures in report["per_theme"].items():
        lines.append((f"{theme:<24}{figures['precision']:>10.3f}{figures['recall']:>10.3f}{figures['f1']:>8.3f}"
                      f"{figures['support']:>10,}  {descriptions.get(theme, '')}").rstrip())
    columns = list(next(iter(report["confusion"].values())))
    lines.append("confusion (rows: label, columns: tagged)")
    lines.append(" " * 24 + "".join(f"{c[:12]:>14}" for c in columns))
    for theme, row in report["confusion"].items():
        lines.append(f"{theme:<24}" + "".join(f"{row[c]:>14,}" for c in columns))
    return "\n".join(lines)
