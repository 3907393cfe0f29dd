"""Benchmark of the daily pipeline: events/s per core for each step and end to end, on generated days.

A day of N generated events (1M by default; `--events 10000000` for the 10M run) goes through
every step of `audience_daily`, gates included, in one local Spark session on this machine's
cores, writing to the real Cassandra node (keyspace `dmp_bench`, emptied first). Side by side, a
baseline does the least any pipeline must: parse the same raw files and write them to the same
events table through the same connector, with no validation, tagging, gates or aggregates.
The ratio end-to-end / baseline says what the platform costs above the unavoidable I/O.
Results go to bench/results/pipeline-<events>.json.

    make bench            (or .venv/bin/python bench/pipeline.py [--events N])
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ["DMP_KEYSPACE"] = "dmp_bench"  # before the settings are read

from dmp.generate import GenerateRequest, generate  # noqa: E402
from dmp.generate.corpus import CORPUS_FILE  # noqa: E402
from dmp.pipeline.day import ALL_STEPS, run_day  # noqa: E402
from dmp.services.cassandra import CassandraNode  # noqa: E402
from dmp.settings import load  # noqa: E402
from dmp.spark import append_to_table, build_spark_session  # noqa: E402
from dmp.storage import tables  # noqa: E402
from dmp.storage.migrations import migrate  # noqa: E402
from dmp.storage.session import cassandra_session  # noqa: E402
from dmp.tagging.model import publish, train_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NEWS_FILE = ROOT.parent / "shared" / "data" / "uci_news_aggregator.tsv.gz"
DAY = dt.date(2026, 11, 1)
EVENTS_PER_PERSON = 5.0
TARGET_PER_CORE = 10_000


def _per_core(events: int, seconds: float, cores: int) -> int:
    return round(events / seconds / cores) if seconds else 0


def baseline(spark, settings, day_dir: Path) -> float:
    """Seconds to parse the raw day and write it to events_by_user, nothing else."""
    from pyspark.sql import functions as F

    started = time.perf_counter()
    raw_df = spark.read.json(str(day_dir / "*.jsonl.gz"))
    events_df = raw_df.select(
        "user_id", F.to_date(F.to_timestamp("ts")).alias("day"), F.to_timestamp("ts").alias("ts"),
        F.substring(F.sha2(F.concat_ws("|", "user_id", "ts", "url"), 256), 1, 32).alias("event_id"), "url",
    )
    append_to_table(events_df, settings, tables.EVENTS)
    return time.perf_counter() - started


def _empty_tables(settings) -> None:
    with cassandra_session(settings) as session:
        migrate(session, settings)
        for table in (tables.EVENTS, tables.PAGE_INDEX, tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS,
                      tables.KEYWORD_USER_SETS, tables.AUDIENCE_SKETCHES):
            session.execute(f"TRUNCATE {settings.keyspace}.{table}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the generated day (default 1M)")
    parser.add_argument("--work-dir", type=Path, help="where to generate (default: a temporary folder)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="dmp-bench-"))
    settings = load()
    CassandraNode(settings).start()

    started = time.perf_counter()
    people = max(1, round(args.events / EVENTS_PER_PERSON))
    generated = generate(GenerateRequest(start=DAY, days=1, people=people, out_dir=work / "landing",
                                         urls_file=NEWS_FILE if NEWS_FILE.is_file() else None))
    model = train_model(work / "landing" / CORPUS_FILE, work / "models" / "v1")
    publish(work / "models", model.path)
    prepared = time.perf_counter() - started
    settings = dataclasses.replace(
        settings, landing_dir=str(work / "landing"), model_dir=work / "models", runs_dir=work / "runs",
        staging_dir=str(work / "staging"), quarantine_dir=str(work / "quarantine"), quality_dir=work / "quality",
    )
    spark = build_spark_session("dmp-bench", settings)
    try:
        _empty_tables(settings)
        baseline_seconds = baseline(spark, settings, work / "landing" / DAY.isoformat())
        _empty_tables(settings)
        results = run_day(spark, settings, DAY, steps=ALL_STEPS)
    finally:
        spark.stop()

    events = results["validate_events"]["read"]
    total = sum(step["seconds"] for step in results.values())
    report = {
        "benchmark": "pipeline",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cores": cores, "python": sys.version.split()[0], "platform": platform.platform()},
        "data": {"events": events, "people": people, "cookies_active": results["store_events"]["users"],
                 "distinct_pages": results["tag_events"]["pages"], "generated_events": generated.events,
                 "urls": "UCI News" if NEWS_FILE.is_file() else "synthetic", "prepare_seconds": round(prepared, 1)},
        "steps": {name: {"seconds": step["seconds"], "events_per_s_per_core": _per_core(events, step["seconds"], cores)}
                  for name, step in results.items()},
        "end_to_end": {"seconds": round(total, 1), "events_per_s_per_core": _per_core(events, total, cores),
                       "target_events_per_s_per_core": TARGET_PER_CORE,
                       "meets_target": _per_core(events, total, cores) >= TARGET_PER_CORE},
        "baseline_parse_and_write": {"seconds": round(baseline_seconds, 1),
                                     "events_per_s_per_core": _per_core(events, baseline_seconds, cores)},
        "end_to_end_over_baseline": round(total / baseline_seconds, 2),
    }
    out = ROOT / "bench" / "results" / f"pipeline-{args.events // 1000}k.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
