"""Benchmark of segments: evaluate, gate and publish one sustained-interest segment of N people,
and the key-lookup latency an ad server sees from another process while the publish runs.

Daily interest rows for N ids (2.5M by default; every id its own subject, about 60% of them in the
segment) are written straight to `user_daily_interests` of keyspace `dmp_bench` (emptied first,
not timed). Then `evaluate_segments`, `gate_segments` and `publish_segments` run for the day in one
local Spark session, timed; meanwhile a separate Python process looks up random ids of the segment
in `segments_by_user` as an ad server would (`CurrentVersions`: one prepared read of the id's row,
the current pointers re-read every DMP_SEGMENT_POINTER_REFRESH_SECONDS) and reports the latency percentiles,
beside a baseline probe of the same lookups with nothing else running. Results go to
bench/results/segments-<people>.json.

    .venv/bin/python bench/segments.py [--people N]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["DMP_KEYSPACE"] = "dmp_bench"  # before the settings are read

from dmp.settings import load  # noqa: E402

DAY = dt.date(2026, 11, 30)
DAYS = 4
DEFAULT_PEOPLE = 2_500_000
DEFINITION = ("id: bench-sustained\nname: bench sustained interest\nconsent: not_required\n"
              "rule: {theme: automobile, window_days: 7, min_active_days: 3}\nmembership_ttl_days: 7\n")
IDLE_PROBE_SECONDS = 15  # the baseline: lookups with nothing else running
RESULTS = Path(__file__).resolve().parent / "results"


def write_interests(spark, settings, people: int) -> None:
    """DAYS days of automobile rows for 60% of the ids (active on every day), travel rows for the rest."""
    from pyspark.sql import functions as F

    from dmp.storage.spark_io import append_to_table, by_partition
    from dmp.storage import tables

    ids_df = spark.range(people).select(F.format_string("b-%010d", "id").alias("user_id"),
                                        (F.col("id") % 5 < 3).alias("is_driver"))
    days_df = spark.createDataFrame([(DAY - dt.timedelta(days=n),) for n in range(DAYS)], "day date")
    rows_df = ids_df.crossJoin(days_df).select(
        "user_id", "day", F.when(F.col("is_driver"), "automobile").otherwise("travel").alias("theme"),
        F.lit(2).alias("events"), F.lit(2).alias("pages"))
    append_to_table(by_partition(rows_df, "user_id"), settings, tables.DAILY_INTERESTS)


def lookups(stop_file: Path, people: int) -> None:
    """The lookup process: random ids until `stop_file` exists, then percentiles as one JSON line."""
    import random

    from dmp.storage.segments import CurrentVersions, SegmentStore
    from dmp.storage.session import cassandra_session

    settings, latencies, found = load(), [], 0
    with cassandra_session(settings) as session:
        store = CurrentVersions(SegmentStore(session, settings.keyspace), settings.segment_pointer_refresh_seconds)
        while not stop_file.exists():
            member = f"b-{random.randrange(people):010d}"
            started = time.perf_counter()
            found += bool(store.lookup(member, DAY))
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    pick = lambda share: round(latencies[min(len(latencies) - 1, int(share * len(latencies)))], 3)  # noqa: E731
    print(json.dumps({"lookups": len(latencies), "found": found, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                      "max_ms": round(latencies[-1], 3)}))


@contextlib.contextmanager
def lookup_probe(stop_file: Path, people: int):
    """A separate lookup process for the `with` block; the dict yielded is filled with its percentiles."""
    probe = subprocess.Popen([sys.executable, __file__, "--people", str(people), "--lookups-until", str(stop_file)],
                             stdout=subprocess.PIPE, text=True)
    figures: dict = {}
    try:
        yield figures
    finally:
        stop_file.touch()
        figures.update(json.loads(probe.communicate()[0].strip().splitlines()[-1]))


def timed_day(spark, settings, day: dt.date) -> dict:
    """Seconds of evaluate, gate and publish for `day`, and the segment's size."""
    from dmp.segments.daily import evaluate_segments_day
    from dmp.segments.gate import gate_segments_day
    from dmp.segments.publish_day import publish_segments_day

    timings = {}
    for name, step in (("evaluate_s", evaluate_segments_day), ("gate_s", gate_segments_day),
                       ("publish_s", publish_segments_day)):
        started = time.perf_counter()
        figures = step(spark, settings, day)
        timings[name] = round(time.perf_counter() - started, 1)
        if name == "evaluate_s":
            timings["members"] = figures["segments"]["bench-sustained"]["members"]
    timings["total_s"] = round(timings["evaluate_s"] + timings["gate_s"] + timings["publish_s"], 1)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
    parser.add_argument("--lookups-until", type=Path, help=argparse.SUPPRESS)  # the lookup process
    args = parser.parse_args()
    if args.lookups_until:
        lookups(args.lookups_until, args.people)
        return 0

    from dmp.services.cassandra import CassandraNode
    from dmp.spark import build_spark_session
    from dmp.storage import tables
    from dmp.storage.migrations import migrate
    from dmp.storage.session import cassandra_session

    scratch = Path(tempfile.mkdtemp(prefix="dmp-bench-segments-"))
    (scratch / "segments").mkdir()
    (scratch / "segments" / "bench-sustained.yaml").write_text(DEFINITION)
    settings = dataclasses.replace(load(), segments_dir=scratch / "segments", staging_dir=str(scratch / "staging"),
                                   runs_dir=scratch / "runs", export_dir=str(scratch / "exports"),
                                   segment_reports_dir=scratch / "reports")
    CassandraNode(settings).start()
    with cassandra_session(settings) as session:
        migrate(session, settings)
        for table in (tables.DAILY_INTERESTS, tables.SEGMENT_CURRENT, tables.SEGMENT_VERSIONS,
                      tables.SEGMENTS_BY_USER, tables.USERS_BY_SEGMENT):
            session.execute(f"TRUNCATE {settings.keyspace}.{table}")
    spark = build_spark_session("bench-segments", settings)
    write_interests(spark, settings, args.people)
    first = timed_day(spark, settings, DAY)
    os.environ["DMP_KEYSPACE"] = settings.keyspace  # the lookup process reads the same keyspace
    with lookup_probe(scratch / "stop-idle", args.people) as idle:
        time.sleep(IDLE_PROBE_SECONDS)
    with lookup_probe(scratch / "stop-busy", args.people) as busy:
        second = timed_day(spark, settings, DAY + dt.timedelta(days=1))
    lookups_seen = {"idle": idle, "while_evaluating_and_publishing": busy,
                    "p99_busy_over_idle": round(busy["p99_ms"] / idle["p99_ms"], 2)}
    spark.stop()
    result = {"people": args.people, "date": dt.date.today().isoformat(), "first_day": first,
              "second_day_with_lookups": second, "lookups": lookups_seen}
    print(json.dumps(result))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"segments-{args.people // 1000}k.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
