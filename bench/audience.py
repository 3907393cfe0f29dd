"""Benchmark of the Audience Builder: estimate latency (server-side and under load) and an exact build.

1. Server side: 20 keyword terms with theta sketches on each of 30 days (daily sizes from 200 to
   about 60K ids, so the big ones are in estimation mode) are written to keyspace
   `dmp_bench_audience`; the service answers the 20-term query over 30 days in-process, cold and
   then while a marketer types (queries of the first 1..20 terms, any/all), reporting p50/p99 of
   the full query (its answer never kept, so every time its 20 term unions are combined), side by
   side with the baseline: the uncached union `dmp audience estimate` does.
2. Under load (`--load`): a local `dmp airflow standalone` on the same keyspace; a bearer token from
   its `/auth/token`; Debian's `hey` sends 50 concurrent clients at 4 requests per second each for
   30 s to `/audience/api/estimate` through the Airflow API server; p50/p99 and the status codes.
3. Exact build (`--build-people N`): a keyword whose index lists N ids on a day, N consented
   persons (one id each), and the saved audience evaluated, gated and published (the segments'
   steps on a build folder holding only it), timed.

Results: bench/results/audience.json.

    .venv/bin/python bench/audience.py [--load] [--build-people N]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ["DMP_KEYSPACE"] = "dmp_bench_audience"  # before the settings are read

from dmp.settings import load  # noqa: E402

DAY = dt.date(2026, 11, 30)
WINDOW = 30
TERMS = ("alfa", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango")
SMALLEST, GROWTH = 200, 1.35  # term i has about SMALLEST * GROWTH**i ids a day
TYPING_ROUNDS = 25
BASELINE_RUNS = 20
LOAD = {"clients": 50, "rate_per_client": 4, "seconds": 30}
LOAD_TERMS = TERMS[:5]
RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def write_sketches(session, keyspace: str) -> int:
    """One sketch per (term, day): term i's ids of a day overlap the previous day's by 90%."""
    from dmp.storage import tables
    from dmp.storage.formats import key_bucket, user_sketch

    insert = session.prepare(f"INSERT INTO {keyspace}.{tables.AUDIENCE_SKETCHES} (kind, bucket, day, key, sketch, estimate) "
                             "VALUES (?, ?, ?, ?, ?, ?)")
    written = 0
    for index, term in enumerate(TERMS):
        size = int(SMALLEST * GROWTH ** index)
        for offset in range(WINDOW):
            start = offset * size // 10
            sketch = user_sketch(f"{term}-{n}" for n in range(start, start + size))
            session.execute(insert, ("keyword", key_bucket(term), DAY - dt.timedelta(days=offset), term,
                                     sketch.serialize(), sketch.get_estimate()))
            written += 1
    return written


def server_side(settings) -> dict:
    from dmp.audience.estimate import estimate as baseline_estimate
    from dmp.audience.expression import parse_query
    from dmp.audience.service import AudienceService
    from dmp.storage.formats import window_ending

    full = parse_query(list(TERMS), "any", WINDOW, "page")
    with AudienceService.open(settings) as service:
        started = time.perf_counter()
        cold = service.estimate(full, DAY)
        cold_ms = (time.perf_counter() - started) * 1000
        full_ms, full_cpu_ms, typing_ms = [], [], []
        for round_ in range(TYPING_ROUNDS):
            for count in range(1, len(TERMS) + 1):
                query = parse_query(list(TERMS[:count]), "all" if round_ % 2 else "any", WINDOW, "page")
                started = time.perf_counter()
                service.estimate(query, DAY)
                typing_ms.append((time.perf_counter() - started) * 1000)
            service.cache.results.items.clear()  # the set operations of the full query, not a kept answer
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = service.estimate(full, DAY)
            full_ms.append((time.perf_counter() - started) * 1000)
            full_cpu_ms.append((time.process_time() - cpu_started) * 1000)
        first, last = window_ending(DAY, WINDOW)
        baseline_ms = []
        for _ in range(BASELINE_RUNS):
            started = time.perf_counter()
            baseline = baseline_estimate(service.reader, "keyword", TERMS, first, last)
            baseline_ms.append((time.perf_counter() - started) * 1000)
    return {
        "terms": len(TERMS), "days": WINDOW, "estimate": answer.size.as_dict(), "cold_ms": round(cold_ms, 1),
        "cold_estimate": round(cold.size.estimate), "baseline_estimate": round(baseline.users),
        "full_query_p50_ms": round(percentile(full_ms, 0.5), 2), "full_query_p99_ms": round(percentile(full_ms, 0.99), 2),
        # CPU time of the process per request: what the latency is without the machine's other load.
        "full_query_cpu_p50_ms": round(percentile(full_cpu_ms, 0.5), 2),
        "full_query_cpu_p99_ms": round(percentile(full_cpu_ms, 0.99), 2),
        "load_average": round(os.getloadavg()[0], 1),
        "typing_queries": len(typing_ms), "typing_p50_ms": round(percentile(typing_ms, 0.5), 2),
        "typing_p99_ms": round(percentile(typing_ms, 0.99), 2),
        "baseline_uncached_p50_ms": round(percentile(baseline_ms, 0.5), 1),
        "baseline_uncached_p99_ms": round(percentile(baseline_ms, 0.99), 1),
        "speedup_p99": round(percentile(baseline_ms, 0.99) / max(percentile(full_ms, 0.99), 1e-6), 1),
    }


def _hey_figures(output: str) -> dict:
    latencies = {f"p{int(share)}_ms": round(float(seconds) * 1000, 2)
                 for share, seconds in re.findall(r"(\d+)%+ in ([\d.]+) secs", output)}
    codes = dict(re.findall(r"\[(\d{3})\]\s+(\d+) responses", output))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return {**{key: latencies[key] for key in ("p50_ms", "p90_ms", "p99_ms") if key in latencies},
            "requests_per_second": float(rate.group(1)) if rate else None,
            "status_codes": {code: int(count) for code, count in codes.items()}}


def under_load(settings) -> dict:
    """`hey` against the estimate through a local Airflow API server, with a bearer token."""
    from dmp.audience.dev import local_airflow_token
    from dmp.orchestration.airflow_env import airflow_url, migrate_airflow_db

    var = Path(tempfile.mkdtemp(prefix="dmp-bench-audience-airflow-")) / "var"
    env = {**os.environ, "DMP_VAR_DIR": str(var), "DMP_PIPELINE_START": DAY.isoformat()}
    airflow_settings = load(env)
    migrate_airflow_db(airflow_settings)
    log = (var / "standalone.log").open("w")
    process = subprocess.Popen([str(Path(sys.executable).parent / "dmp"), "airflow", "standalone"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = airflow_url(airflow_settings)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=5):
                    break
            except OSError:
                time.sleep(3)
        token = local_airflow_token(airflow_settings)
        query = "&".join(f"terms={term}" for term in LOAD_TERMS)
        url = f"{base}/audience/api/estimate?{query}&window={WINDOW}&field=page&until={DAY}"
        urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}), timeout=60).read()
        command = ["hey", "-z", f"{LOAD['seconds']}s", "-c", str(LOAD["clients"]), "-q", str(LOAD["rate_per_client"]),
                   "-H", f"Authorization: Bearer {token}", url]
        output = subprocess.run(command, capture_output=True, text=True, check=True,
                                timeout=LOAD["seconds"] + 120).stdout
        refused = subprocess.run(["hey", "-n", "5", "-c", "1", url], capture_output=True, text=True, check=True).stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=120)
    return {**LOAD, "terms": len(LOAD_TERMS), "through": "airflow api-server /audience (bearer token from /auth/token)",
            **_hey_figures(output), "without_token_status_codes": _hey_figures(refused)["status_codes"]}


def exact_build(settings, people: int) -> dict:
    """Index a keyword for `people` ids on DAY, a consented person per id, then build the saved audience."""
    from pyspark.sql import functions as F

    from dmp.audience.build import prepare_build, save_definition
    from dmp.audience.expression import parse_query
    from dmp.pipeline.keyword_index import CHUNK_USERS
    from dmp.segments.daily import evaluate_segments_day
    from dmp.segments.gate import gate_segments_day
    from dmp.segments.publish_day import publish_segments_day
    from dmp.spark import build_spark_session
    from dmp.storage import tables
    from dmp.storage.formats import key_bucket, users_blob_column
    from dmp.storage.spark_io import append_to_table

    scratch = Path(tempfile.mkdtemp(prefix="dmp-bench-audience-build-"))
    settings = dataclasses.replace(settings, segments_dir=scratch / "segments", export_dir=str(scratch / "exports"))
    spark = build_spark_session("bench-audience-build", settings)
    ids_df = spark.range(people).select(F.format_string("k-%010d", "id").alias("user_id"), "id")
    chunks = max(1, -(-people // CHUNK_USERS))
    sets_df = ids_df.groupBy((F.col("id") % chunks).cast("int").alias("chunk")).agg(
        F.array_sort(F.collect_list("user_id")).alias("users")).select(
        F.lit(DAY).alias("day"), F.lit(key_bucket("bravo")).alias("bucket"), F.lit("bravo").alias("keyword"), "chunk",
        users_blob_column("users").alias("user_ids"))
    started = time.perf_counter()
    append_to_table(sets_df, settings, tables.KEYWORD_USER_SETS)
    index_write_s = time.perf_counter() - started
    persons_df = ids_df.select(F.format_string("p-%010d", "id").alias("person_id"), F.array("user_id").alias("ids"),
                               F.lit(True).alias("has_consent"))
    append_to_table(persons_df, settings, tables.PERSONS)
    saved = save_definition(settings, "bench keyword audience", parse_query(["bravo"], "any", 1, "page"), ttl_days=7)
    overrides = prepare_build(settings, saved.name.removesuffix(".yaml"), "bench")
    build_settings = load(overrides={**os.environ, **overrides})
    build_settings = dataclasses.replace(build_settings, export_dir=settings.export_dir)
    timings = {}
    for name, step in (("evaluate_s", evaluate_segments_day), ("gate_s", gate_segments_day),
                       ("publish_s", publish_segments_day)):
        started = time.perf_counter()
        figures = step(spark, build_settings, DAY)
        timings[name] = round(time.perf_counter() - started, 1)
        if name == "evaluate_s":
            timings["members"] = figures["segments"]["bench-keyword-audience"]["members"]
            timings["level"] = figures["level"]
    spark.stop()
    return {"people": people, "index_write_s": round(index_write_s, 1), **timings,
            "total_s": round(timings["evaluate_s"] + timings["gate_s"] + timings["publish_s"], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", action="store_true", help="also the load test through a local Airflow (needs hey)")
    parser.add_argument("--build-people", type=int, default=0, help="also an exact build of this many people")
    args = parser.parse_args()

    from dmp.services.cassandra import CassandraNode
    from dmp.storage import tables
    from dmp.storage.migrations import migrate
    from dmp.storage.session import cassandra_session

    settings = load()
    CassandraNode(settings).start()
    with cassandra_session(settings) as session:
        migrate(session, settings)
        for table in (tables.AUDIENCE_SKETCHES, tables.KEYWORD_USER_SETS, tables.PERSONS, tables.SEGMENT_CURRENT,
                      tables.SEGMENT_VERSIONS, tables.SEGMENTS_BY_USER, tables.USERS_BY_SEGMENT):
            session.execute(f"TRUNCATE {settings.keyspace}.{table}")
        sketches = write_sketches(session, settings.keyspace)
    result = {"date": dt.date.today().isoformat(), "sketches": sketches, "server_side": server_side(settings)}
    print(json.dumps(result), flush=True)
    if args.load:
        result["under_load"] = under_load(settings)
        print(json.dumps(result["under_load"]), flush=True)
    if args.build_people:
        result["exact_build"] = exact_build(settings, args.build_people)
        print(json.dumps(result["exact_build"]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    previous = json.loads((RESULTS / "audience.json").read_text()) if (RESULTS / "audience.json").exists() else {}
    (RESULTS / "audience.json").write_text(json.dumps({**previous, **result}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
