"""Benchmark of the real-time stream: end-to-end latency from produce to `segments_by_user`.

A generated landing day (its pages, a model trained on them) is replayed into a topic of its own
by the producer (`dmp.stream.producer`, the send time as each event's `ts`), at a steady rate for
a phase, while the stream runs as the real service (`dmp.stream.service.start`: its own process,
Spark local mode, the default 30 s trigger, keyspace `dmp_bench`) with one real-time keyword
segment. A message's latency is its age (now - its Kafka time) when the writes of its batch,
`segments_by_user` included, ended; each batch's figures hold a per-second histogram of its
messages' times, so p50 and p99 are read over every message of a phase. The phases:
- the issue's rates, 1,000 and 10,000 events/s, for `--seconds` each (300 by default);
- a ramp (`--ramp`, rates doubling from 2,000) for `--ramp-seconds` each, until the p99 passes
  60 s or the stream falls behind (backlog left when the phase ends): the highest rate before
  that is the highest sustained rate on this machine.
Results go to bench/results/stream.json.

    .venv/bin/python bench/stream.py [--seconds 300] [--ramp] [--ramp-seconds 120]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

os.environ["DMP_KEYSPACE"] = "dmp_bench"  # before the settings are read

RESULTS = Path(__file__).resolve().parent / "results"
DAY = dt.date(2026, 11, 20)
PEOPLE = 2000
ISSUE_RATES = (1000, 10_000)
RAMP_START = 2000
MAX_P99_SECONDS = 60
SEGMENT = "bench-live"
DRAIN_TRIGGERS = 3  # after a phase, the stream has this many triggers to read what is left
WARM_UP_TIMEOUT_SECONDS = 1800  # the first batch pays the stream's one-off costs: not measured


def prepare(root: Path) -> dict[str, str]:
    """A landing day, a model, a real-time segment and the stream's own folders and topic; the env."""
    from dmp.generate import GenerateRequest, generate
    from dmp.generate.corpus import CORPUS_FILE
    from dmp.pipeline.landing import landing_files
    from dmp.stream.producer import file_lines
    from dmp.tagging.keywords import load_synonyms, page_keywords
    from dmp.tagging.model import publish, train_model
    from dmp.settings import load

    generate(GenerateRequest(start=DAY, days=1, people=PEOPLE, out_dir=root / "landing", seed=5))
    publish(root / "models", train_model(root / "landing" / CORPUS_FILE, root / "models" / "v1").path)
    synonyms = load_synonyms(load().synonyms_file)
    first = next(file_lines(landing_files(str(root / "landing"), DAY)[0]))
    keyword = page_keywords(json.loads(first)["url"], synonyms=synonyms)[0][0]
    (root / "segments").mkdir()
    (root / "segments" / f"{SEGMENT}.yaml").write_text(
        f"id: {SEGMENT}\nname: bench live keyword\nrealtime: true\nconsent: not_required\n"
        f"rule:\n  keywords: [{json.dumps(keyword)}]\n  window_days: 1\nmembership_ttl_days: 1\n")
    return {"DMP_LANDING_DIR": str(root / "landing"), "DMP_MODEL_DIR": str(root / "models"),
            "DMP_SEGMENTS_DIR": str(root / "segments"), "DMP_QUARANTINE_DIR": str(root / "quarantine"),
            "DMP_STREAM_DIR": str(root / "stream"), "DMP_STREAM_TOPIC": f"clickstream-bench-{uuid.uuid4().hex[:8]}"}


def percentile(ages: list[tuple[float, int]], share: float) -> float | None:
    """The age below which `share` of the messages lie, from (age, messages) pairs."""
    total = sum(count for _, count in ages)
    if not total:
        return None
    seen = 0
    for age, count in sorted(ages):
        seen += count
        if seen >= share * total:
            return round(age, 2)
    return round(max(age for age, _ in ages), 2)


def run_phase(settings, lines: list[str], rate: int, seconds: float) -> dict:
    """Produce at `rate` for `seconds`, let the stream drain, and read the latency of the phase's messages."""
    from dmp.stream import figures
    from dmp.stream.producer import produce

    before = figures.read_batches(settings)
    done = {batch["batch_id"] for batch in before}
    sent = produce(settings, lines, rate, loop=True, seconds=seconds)
    expected = figures.totals(before)["read"] + sent.delivered
    deadline = time.monotonic() + DRAIN_TRIGGERS * settings.stream_trigger_seconds + 30
    while time.monotonic() < deadline and figures.totals(figures.read_batches(settings))["read"] < expected:
        time.sleep(1)
    batches = [batch for batch in figures.read_batches(settings) if batch["batch_id"] not in done and batch["read"]]
    read = sum(batch["read"] for batch in batches)
    ages = [pair for batch in batches for pair in figures.event_ages(batch)]
    durations = [(batch["written_at_ms"] - batch["started_at_ms"]) / 1000 for batch in batches]
    return {
        "rate": rate, "seconds": seconds, "produced": sent.as_dict(), "read": read,
        "kept_up": read >= sent.delivered, "batches": len(batches),
        "p50_seconds": percentile(ages, 0.5), "p99_seconds": percentile(ages, 0.99),
        "max_batch_seconds": round(max(durations), 1) if durations else None,
        "mean_batch_seconds": round(sum(durations) / len(durations), 1) if durations else None,
    }


def warm_up(settings, lines: list[str]) -> None:
    """A few events, waited for: the phases then measure the running stream, not its start."""
    from dmp.stream import figures
    from dmp.stream.producer import produce

    produce(settings, lines[:100], 100)
    deadline = time.monotonic() + WARM_UP_TIMEOUT_SECONDS
    while figures.totals(figures.read_batches(settings))["read"] < 100:
        if time.monotonic() > deadline:
            raise SystemExit(f"the stream read nothing in {WARM_UP_TIMEOUT_SECONDS} s: see {settings.stream_dir}")
        time.sleep(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300, help="length of each of the issue's phases")
    parser.add_argument("--ramp", action="store_true", help="then double the rate until the p99 passes 60 s")
    parser.add_argument("--ramp-seconds", type=float, default=120)
    parser.add_argument("--trigger-seconds", type=float, default=None, help="default DMP_STREAM_TRIGGER_SECONDS (30)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="dmp-bench-stream-"))
    os.environ.update(prepare(root))
    from dmp.pipeline.landing import landing_files
    from dmp.services.cassandra import CassandraNode
    from dmp.services.kafka import KafkaBroker, ensure_topic
    from dmp.settings import load
    from dmp.storage.migrations import migrate
    from dmp.storage.session import cassandra_session
    from dmp.stream import service
    from dmp.stream.producer import file_lines

    settings = load()
    CassandraNode(settings).start()
    if not settings.kafka_bootstrap:
        KafkaBroker(settings).start()
    with cassandra_session(settings) as session:
        migrate(session, settings)
    ensure_topic(settings)
    lines = [line for path in landing_files(settings.landing_dir, DAY) for line in file_lines(path)]
    started = time.monotonic()
    service.start(settings, args.trigger_seconds)
    phases = []
    try:
        warm_up(settings, lines)
        for rate in ISSUE_RATES:
            phases.append(run_phase(settings, lines, rate, args.seconds))
            print(json.dumps(phases[-1]), flush=True)
        rate = RAMP_START
        while args.ramp:
            phase = run_phase(settings, lines, rate, args.ramp_seconds)
            phases.append({**phase, "ramp": True})
            print(json.dumps(phases[-1]), flush=True)
            if not phase["kept_up"] or (phase["p99_seconds"] or 0) > MAX_P99_SECONDS:
                break
            rate *= 2
    finally:
        service.stop(settings)
    sustained = [p["rate"] for p in phases if p["kept_up"] and (p["p99_seconds"] or 0) <= MAX_P99_SECONDS]
    result = {
        "what": "latency from produce to segments_by_user (age of each message when its batch's writes ended)",
        "machine_cpus": os.cpu_count(), "trigger_seconds": settings.stream_trigger_seconds
        if args.trigger_seconds is None else args.trigger_seconds,
        "max_offsets_per_trigger": settings.stream_max_offsets_per_trigger, "landing_lines": len(lines),
        "phases": phases, "highest_sustained_rate": max(sustained) if sustained else None,
        "ramp_run": args.ramp, "wall_seconds": round(time.monotonic() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stream.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({key: result[key] for key in ("highest_sustained_rate", "wall_seconds")}))
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
