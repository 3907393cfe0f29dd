"""Benchmark of the keyword index step alone, against the same step of an earlier revision, side by side.

The keyword index is the pipeline's heaviest step (`bench/pipeline.py`), and keyword fields and
search keywords add work to it. This prepares one generated day of N events (1M by default) up to
the step's inputs (validated, tagged and staged events and pages, by this revision), then runs
`keyword_index_day` on that same input in fresh processes, alternately with this revision's code
and with the code of `--baseline-rev` (exported from git into a temporary folder), and reports the
medians of wall and CPU seconds and their ratio. The index is staged, not written: Cassandra is only
read (the page index, by the preparation). Results go to bench/results/keyword_index-<events>.json.

    .venv/bin/python bench/keyword_index.py --baseline-rev e83d11e [--events N] [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DMP_KEYSPACE", "dmp_bench")  # before the settings are read

ROOT = Path(__file__).resolve().parents[1]
NEWS_FILE = ROOT.parent / "shared" / "data" / "uci_news_aggregator.tsv.gz"
DAY = dt.date(2026, 11, 1)
EVENTS_PER_PERSON = 5.0


def _settings(work: Path):
    from dmp.settings import load

    return dataclasses.replace(
        load(), landing_dir=str(work / "landing"), model_dir=work / "models", runs_dir=work / "runs",
        staging_dir=str(work / "staging"), quarantine_dir=str(work / "quarantine"), quality_dir=work / "quality")


def prepare(work: Path, events: int) -> dict:
    """Generate the day, train the model, run validation and tagging: the keyword index's inputs."""
    from dmp.generate import GenerateRequest, generate
    from dmp.generate.corpus import CORPUS_FILE
    from dmp.pipeline import steps
    from dmp.pipeline.day import run_day
    from dmp.services.cassandra import CassandraNode
    from dmp.spark import build_spark_session
    from dmp.storage.migrations import migrate
    from dmp.storage.session import cassandra_session
    from dmp.tagging.model import publish, train_model

    settings = _settings(work)
    CassandraNode(settings).start()
    people = max(1, round(events / EVENTS_PER_PERSON))
    generate(GenerateRequest(start=DAY, days=1, people=people, out_dir=work / "landing",
                             urls_file=NEWS_FILE if NEWS_FILE.is_file() else None))
    publish(work / "models", train_model(work / "landing" / CORPUS_FILE, work / "models" / "v1").path)
    with cassandra_session(settings) as session:
        migrate(session, settings)
        session.execute(f"TRUNCATE {settings.keyspace}.page_index")
    spark = build_spark_session("dmp-bench-keywords", settings)
    try:
        results = run_day(spark, settings, DAY, steps=(steps.VALIDATE_EVENTS, steps.TAG_EVENTS))
    finally:
        spark.stop()
    return {"events": results[steps.VALIDATE_EVENTS]["read"], "people": people,
            "pages": results[steps.TAG_EVENTS]["pages"], "urls": "UCI News" if NEWS_FILE.is_file() else "synthetic"}


def run_once(work: Path) -> None:
    """One keyword index of the prepared day, in this process: prints its figures as one JSON line."""
    from dmp.pipeline.keyword_index import keyword_index_day
    from dmp.spark import build_spark_session

    settings = _settings(work)
    spark = build_spark_session("dmp-bench-keywords", settings)
    try:
        started = time.perf_counter()
        figures = keyword_index_day(spark, settings, DAY)
        seconds = time.perf_counter() - started
    finally:
        spark.stop()
    print(json.dumps({"seconds": round(seconds, 2), "figures": figures}, default=str))


def _timed(command: list[str], env: dict) -> dict:
    """Run `command`, return its step seconds (its own figure) and the CPU seconds of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": result["seconds"], "process_cpu_seconds": round(cpu, 1), "figures": result["figures"]}


def _baseline_tree(revision: str) -> Path:
    """The `include/` of `revision`, exported from git (never a checkout: nothing in the work tree moves)."""
    target = Path(tempfile.mkdtemp(prefix="dmp-bench-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "include"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "include"


def compare(work: Path, baseline_rev: str, runs: int) -> dict:
    """This revision's step against the baseline's, alternately, `runs` times each."""
    baseline = _baseline_tree(baseline_rev)
    command = [sys.executable, str(Path(__file__).resolve()), "--work-dir", str(work), "--run-once"]
    current_env = {**os.environ, "PYTHONPATH": str(ROOT / "include")}
    baseline_env = {**os.environ, "PYTHONPATH": str(baseline)}
    current, base = [], []
    for index in range(runs):
        current.append(_timed(command, current_env))
        base.append(_timed(command, baseline_env))
        print(f"run {index + 1}: this {current[-1]['seconds']} s ({current[-1]['process_cpu_seconds']} CPU s), "
              f"baseline {base[-1]['seconds']} s ({base[-1]['process_cpu_seconds']} CPU s)", flush=True)

    def medians(sample: list[dict]) -> dict:
        return {"seconds": statistics.median(r["seconds"] for r in sample),
                "process_cpu_seconds": statistics.median(r["process_cpu_seconds"] for r in sample),
                "runs": [{key: r[key] for key in ("seconds", "process_cpu_seconds")} for r in sample]}

    this, that = medians(current), medians(base)
    return {"this": this, "baseline": {**that, "revision": baseline_rev},
            "ratio_seconds": round(this["seconds"] / that["seconds"], 3),
            "ratio_cpu": round(this["process_cpu_seconds"] / that["process_cpu_seconds"], 3),
            "figures": current[-1]["figures"], "baseline_figures": base[-1]["figures"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the generated day (default 1M)")
    parser.add_argument("--work-dir", type=Path, help="the prepared day (default: a new temporary folder)")
    parser.add_argument("--baseline-rev", default="HEAD~1", help="git revision to compare with (default HEAD~1)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--run-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_once:
        run_once(args.work_dir)
        return 0
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="dmp-bench-keywords-"))
    data = prepare(work, args.events) if not (work / "staging").is_dir() else json.loads((work / "data.json").read_text())
    (work / "data.json").write_text(json.dumps(data))
    report = {"benchmark": "keyword_index", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cores": os.cpu_count()}, "data": data, **compare(work, args.baseline_rev, args.runs)}
    out = ROOT / "bench" / "results" / f"keyword_index-{args.events // 1000}k.json"
    out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(f"this / baseline: {report['ratio_seconds']} (wall), {report['ratio_cpu']} (CPU); {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
