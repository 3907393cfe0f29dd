"""Benchmark of the semantic tagger: quality on every public set of ../shared/data, and throughput.

Quality, no label used: on each set (UCI News by story split, Le Monde 2022, Lenta 2024; see
`dmp.tagging.evalsets`) a model is trained on the set's own corpus, and the tagger is evaluated
side by side with the naive mean-of-vectors tagger on the same model and pages, against the
data README's naive and supervised reference figures: the goal is the naive figure plus half of
the gap to the supervised one. Throughput, one process (one core): the tagger's batches against
the naive per-event loop (`get_mean_vector` + cosine for every event), on UCI's held-out URLs all
distinct ("all new pages"), and on a day-like stream where popular pages repeat (Zipf), where the
pipeline tags each distinct URL once. Results go to bench/results/tagging.json.

    .venv/bin/python bench/tagging.py [--labeled-every N] [--corpus-every N] [--events N] [--sets uci,lenta]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dmp.tagging import evalsets
from dmp.tagging.baseline import NaiveTagger
from dmp.tagging.evaluate import evaluate, read_labeled, scores
from dmp.tagging.model import train_model
from dmp.tagging.tagger import Tagger
from dmp.tagging.taxonomy import load_taxonomy
from dmp.tagging.text import forget_words

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"
ZIPF_EXPONENT = 1.1
BATCH = 20_000
# (set, input) -> (metric, naive reference, supervised reference), from ../shared/data/README.md.
REFERENCE = {
    ("uci", "url"): ("accuracy", 0.732, 0.877),
    ("uci", "url+title"): ("accuracy", 0.781, 0.906),
    ("lemonde", "url"): ("macro_f1", 0.314, 0.704),
    ("lemonde", "url+title"): ("macro_f1", 0.317, 0.705),
    ("lenta", "title"): ("macro_f1", 0.246, 0.811),
}


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


def quality(name: str, work: Path, labeled_every: int, corpus_every: int) -> tuple[list[dict], dict]:
    """Every input of one set: the tagger, the naive tagger on the same model, the references."""
    prepared = evalsets.prepare(name, DATA_DIR, work / name, ROOT, labeled_every, corpus_every)
    started = time.perf_counter()
    model = train_model(prepared.corpus, work / name / "model")
    training_seconds = time.perf_counter() - started
    taxonomy = load_taxonomy(prepared.taxonomy)
    started = time.perf_counter()
    tagger = Tagger(model, taxonomy)
    profile_seconds = time.perf_counter() - started
    naive = NaiveTagger(model, taxonomy)
    pages = read_labeled(prepared.labeled, taxonomy.names)
    rows = []
    for use_titles in ((False, True) if prepared.has_urls else (True,)):
        source = ("url+title" if use_titles else "url") if prepared.has_urls else "title"
        metric, naive_reference, supervised = REFERENCE[(name, source)]
        report = evaluate(tagger, pages, use_titles=use_titles)
        titles = [t if use_titles or not u else None for u, t in zip(pages.urls, pages.titles)]
        naive_report = scores(pages.labels, [naive.tag_one(u, t) for u, t in zip(pages.urls, titles)], taxonomy.names)
        goal = naive_reference + (supervised - naive_reference) / 2
        rows.append({
            "set": name, "input": source, "pages": len(pages.urls), "metric": metric,
            "naive_reference": naive_reference, "naive_same_model": naive_report[metric],
            "tagger": report[metric], "supervised_reference": supervised, "goal": round(goal, 3),
            "gap_closed": round((report[metric] - naive_reference) / (supervised - naive_reference), 3),
            "tagger_report": {k: report[k] for k in ("accuracy", "macro_f1", "coverage", "per_theme", "confusion")},
            "naive_report": {k: naive_report[k] for k in ("accuracy", "macro_f1", "coverage")},
        })
    context = {"corpus_documents": prepared.corpus_documents, "labeled_pages": prepared.labeled_pages,
               "model": {k: model.metadata[k] for k in ("documents", "tokens", "vocabulary", "parameters")},
               "seconds": {"training": round(training_seconds, 1), "profiles": round(profile_seconds, 1)}}
    if name == "uci":
        context["tagger"], context["naive"], context["urls"] = tagger, naive, pages.urls
    return rows, context


def table(rows: list[dict]) -> str:
    """The one table `make bench` prints (and the README keeps)."""
    lines = ["| set | input | metric | naive (README) | naive, same model | this tagger | supervised | goal | gap closed |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['set']} | {row['input']} | {row['metric']} | {row['naive_reference']:.3f} | "
                     f"{row['naive_same_model']:.3f} | **{row['tagger']:.3f}** | {row['supervised_reference']:.3f} | "
                     f"{row['goal']:.3f} | {100 * row['gap_closed']:.0f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(evalsets.SETS), help="comma-separated sets (default: all)")
    parser.add_argument("--labeled-every", type=int, default=1, help="keep one labelled page in N (1: all)")
    parser.add_argument("--corpus-every", type=int, default=1, help="keep one corpus document (UCI: story) in N")
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the repeated-URL stream")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tagging.json")
    args = parser.parse_args(argv)
    names = [name for name in args.sets.split(",") if name]
    missing = [evalsets.FILES[name] for name in names if not (DATA_DIR / evalsets.FILES[name]).is_file()]
    if missing:
        print(f"bench: {', '.join(missing)} missing from {DATA_DIR} (the shared data sets)", file=sys.stderr)
        return 1
    rows, contexts, speed = [], {}, None
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            found, context = quality(name, Path(work), args.labeled_every, args.corpus_every)
            rows.extend(found)
            for row in found:
                print(f"{row['set']} {row['input']}: tagger {row['metric']} {row['tagger']:.3f} "
                      f"(naive same model {row['naive_same_model']:.3f}, goal {row['goal']:.3f})", flush=True)
            if name == "uci":
                speed = throughput(context.pop("tagger"), context.pop("naive"), context.pop("urls"), args.events)
                print(f"throughput per core: all new pages {speed['uncached']['tagger_events_per_second']:,} "
                      f"events/s ({speed['uncached']['speedup']}x naive {speed['uncached']['naive_events_per_second']:,}); "
                      f"Zipf stream {speed['zipf_stream']['tagger_events_per_second']:,} events/s, "
                      f"{speed['zipf_stream']['speedup']}x naive", flush=True)
            contexts[name] = context
    print(table(rows))
    result = {
        "benchmark": "tagging",
        "data": {"dir": str(DATA_DIR), "labeled_every": args.labeled_every, "corpus_every": args.corpus_every},
        "quality": rows,
        "sets": contexts,
        "throughput_one_core": speed,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
