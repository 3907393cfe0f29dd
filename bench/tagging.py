"""Benchmark of the semantic tagger: quality on the full UCI News data set, and throughput.

Quality: model trained on the titles and URLs of the training stories, tagger evaluated on the
held-out stories (URL alone, URL + title), side by side with the naive mean-of-vectors tagger.
Throughput, one process (one core): the tagger's batches against the naive per-event loop
(`get_mean_vector` + cosine for every event), on the held-out URLs all distinct ("uncached"),
and on a day-like stream where popular pages repeat (Zipf), where the pipeline tags each
distinct URL once. Results go to bench/results/tagging.json.

    .venv/bin/python bench/tagging.py [--sample-every N] [--events N]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dmp.tagging.baseline import NaiveTagger
from dmp.tagging.evaluate import evaluate, read_labeled, scores
from dmp.tagging.model import train_model
from dmp.tagging.news import split_news
from dmp.tagging.tagger import Tagger
from dmp.tagging.taxonomy import load_taxonomy
from dmp.tagging.text import forget_words

ROOT = Path(__file__).resolve().parents[1]
NEWS_FILE = ROOT.parent / "shared" / "data" / "uci_news_aggregator.tsv.gz"
ZIPF_EXPONENT = 1.1
BATCH = 20_000


def _rate(count: int, seconds: float) -> int:
    return round(count / seconds) if seconds else 0


def throughput(tagger: Tagger, naive: NaiveTagger, urls: list[str], events: int, seed: int = 7) -> dict:
    """Events per second of both taggers, all-distinct and with realistic repetition, each from cold caches."""
    forget_words()
    started = time.perf_counter()
    for start in range(0, len(urls), BATCH):
        tagger.tag(urls[start:start + BATCH])
    ours_distinct = time.perf_counter() - started
    naive_sample = urls[: min(len(urls), 20_000)]
    forget_words()
    started = time.perf_counter()
    for url in naive_sample:
        naive.tag_one(url)
    naive_per_event = (time.perf_counter() - started) / len(naive_sample)

    rng = np.random.default_rng(seed)
    ranks = np.arange(1, len(urls) + 1, dtype=np.float64)
    weights = ranks ** -ZIPF_EXPONENT
    stream = np.asarray(urls, dtype=object)[rng.choice(len(urls), size=events, p=weights / weights.sum())]
    forget_words()
    started = time.perf_counter()
    distinct = list(dict.fromkeys(stream.tolist()))
    for start in range(0, len(distinct), BATCH):
        tagger.tag(distinct[start:start + BATCH])
    ours_stream = time.perf_counter() - started
    return {
        "uncached": {
            "urls": len(urls),
            "tagger_events_per_second": _rate(len(urls), ours_distinct),
            "naive_events_per_second": _rate(1, naive_per_event),
            "speedup": round(naive_per_event * len(urls) / ours_distinct, 2),
        },
        "zipf_stream": {
            "events": events,
            "distinct_urls": len(distinct),
            "tagger_events_per_second": _rate(events, ours_stream),
            "naive_events_per_second": _rate(1, naive_per_event),
            "speedup": round(naive_per_event * events / ours_stream, 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-every", type=int, default=1, help="keep one story in N (1: the full data set)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the repeated-URL stream")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tagging.json")
    args = parser.parse_args(argv)
    if not NEWS_FILE.is_file():
        print(f"bench: {NEWS_FILE} is missing (the shared data sets)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        split = split_news(NEWS_FILE, Path(work), sample_every=args.sample_every)
        started = time.perf_counter()
        model = train_model(split.corpus, Path(work) / "model")
        training_seconds = time.perf_counter() - started
        taxonomy = load_taxonomy(ROOT / "taxonomy" / "news.yaml")
        started = time.perf_counter()
        tagger = Tagger(model, taxonomy)
        profile_seconds = time.perf_counter() - started
        naive = NaiveTagger(model, taxonomy)
        pages = read_labeled(split.labeled, taxonomy.names)
        quality = {}
        for use_titles in (False, True):
            name = "url_and_title" if use_titles else "url"
            report = evaluate(tagger, pages, use_titles=use_titles)
            titles = pages.titles if use_titles else [None] * len(pages.urls)
            naive_report = scores(pages.labels, [naive.tag_one(u, t) for u, t in zip(pages.urls, titles)], taxonomy.names)
            quality[name] = {
                "tagger": {k: report[k] for k in ("accuracy", "macro_f1", "coverage", "per_theme", "confusion")},
                "naive": {k: naive_report[k] for k in ("accuracy", "macro_f1", "coverage")},
            }
            print(f"{name}: tagger accuracy {report['accuracy']:.3f} macro-F1 {report['macro_f1']:.3f} "
                  f"coverage {report['coverage']:.3f}; naive {naive_report['accuracy']:.3f}")
        speed = throughput(tagger, naive, pages.urls, args.events)
        print(f"throughput per core: uncached {speed['uncached']['tagger_events_per_second']:,} events/s "
              f"(naive {speed['uncached']['naive_events_per_second']:,}); Zipf stream "
              f"{speed['zipf_stream']['tagger_events_per_second']:,} events/s, {speed['zipf_stream']['speedup']}x naive")
        result = {
            "benchmark": "tagging",
            "data": {"file": NEWS_FILE.name, "sample_every": args.sample_every,
                     "train_articles": split.train_articles, "test_articles": split.test_articles},
            "model": {k: model.metadata[k] for k in ("documents", "tokens", "vocabulary", "parameters")},
            "seconds": {"training": round(training_seconds, 1), "profiles": round(profile_seconds, 1)},
            "quality": quality,
            "throughput_one_core": speed,
            "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
