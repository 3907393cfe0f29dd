"""Benchmark of identity resolution: the same graph through the scipy path and the Spark path, side by side.

The graph looks like a DMP's: people with 1 to 4 cookies tied to their email hash by logins, and
a share of partner id-syncs between random cookies that chain people into larger components (so
the Spark iteration needs several rounds). Both paths run `dmp.identity.resolve.resolve` on the
same Parquet edges under the same caps: `scipy` (components on the driver, the default up to
DMP_IDENTITY_LOCAL_MAX_EDGES) and `spark_large_small_star` (DataFrames only, what a cluster runs).
Reported: seconds of each path (edges read from Parquet, caps, components, labels written back
to Parquet), scipy's components alone on the driver, the rounds, and whether both give the same
partition. The target: 10M edges within 60 s. Results go to bench/results/identity-<edges>k.json.

    .venv/bin/python bench/identity.py [--edges 10000000]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dmp.identity.components import local_components
from dmp.identity.config import Caps
from dmp.identity.resolve import resolve
from dmp.settings import load, machine_cpus
from dmp.spark import build_spark_session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SYNC_SHARE = 0.05  # of the edges: id-syncs between random cookies
COOKIES_WEIGHTS = (0.45, 0.33, 0.14, 0.08)
TARGET_SECONDS_AT_10M = 60
BENCH_CAPS = Caps(max_ids_per_email=20, max_emails_per_cookie=3, max_ids_per_person=1_000_000)


def identity_graph(edges: int, seed: int = 5) -> pd.DataFrame:
    """About `edges` edges (src, dst): logins cookie-email of people, plus id-syncs between cookies."""
    rng = np.random.default_rng(seed)
    login_edges = int(edges * (1 - SYNC_SHARE))
    mean_cookies = float(np.dot(np.arange(1, 5), COOKIES_WEIGHTS))
    people = int(login_edges / mean_cookies)
    counts = rng.choice(np.arange(1, 5), size=people, p=COOKIES_WEIGHTS)
    person = np.repeat(np.arange(people), counts)
    cookies = np.char.add("user:c", np.arange(person.size).astype(str))
    emails = np.char.add("email:e", person.astype(str))
    sync_a = rng.integers(0, person.size, size=edges - person.size)
    sync_b = rng.integers(0, person.size, size=sync_a.size)
    src = np.concatenate([cookies, cookies[sync_a]])
    dst = np.concatenate([emails, cookies[sync_b]])
    keep = src != dst
    return pd.DataFrame({"src": src[keep], "dst": dst[keep], "kind": "login"})


def _run_path(spark, edges_path: str, out_path: str, local_max_edges: int) -> dict:
    started = time.perf_counter()
    edges_df = spark.read.parquet(edges_path)
    nodes_df = edges_df.selectExpr("src as node").union(edges_df.selectExpr("dst as node")).distinct()
    resolution = resolve(edges_df, nodes_df, BENCH_CAPS, local_max_edges)
    resolution.labels_df.write.mode("overwrite").parquet(out_path)
    seconds = time.perf_counter() - started
    resolution.release()
    return {"seconds": round(seconds, 2), **resolution.figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=10_000_000)
    args = parser.parse_args()
    settings = load()
    graph = identity_graph(args.edges)
    started = time.perf_counter()
    labels = local_components(graph[["src", "dst"]])
    scipy_alone = time.perf_counter() - started
    spark = build_spark_session("bench-identity", settings, conf={"spark.ui.enabled": "false"})
    with tempfile.TemporaryDirectory(prefix="dmp-bench-identity-") as scratch:
        edges_path = f"{scratch}/edges"
        spark.createDataFrame(graph).write.mode("overwrite").parquet(edges_path)
        local = _run_path(spark, edges_path, f"{scratch}/scipy", local_max_edges=len(graph) + 1)
        distributed = _run_path(spark, edges_path, f"{scratch}/spark", local_max_edges=0)
        a_df = spark.read.parquet(f"{scratch}/scipy").withColumnRenamed("component", "a")
        b_df = spark.read.parquet(f"{scratch}/spark").withColumnRenamed("component", "b")
        pairs_df = a_df.join(b_df, on="node", how="full")
        same = (pairs_df.where("a is null or b is null or a != b").count() == 0)
        components = a_df.select("a").distinct().count()
    spark.stop()
    result = {
        "edges": len(graph), "nodes": len(labels), "components": components,
        "scipy_components_alone_seconds": round(scipy_alone, 2),
        "paths": {"scipy": local, "spark_large_small_star": distributed},
        "same_partition": same,
        "spark_over_scipy": round(distributed["seconds"] / local["seconds"], 2) if local["seconds"] else None,
        "target": f"10M edges within {TARGET_SECONDS_AT_10M} s (scipy path)",
        "machine": {"cpus": machine_cpus(), "python": platform.python_version(),
                    "spark_master": settings.spark_master},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"identity-{len(graph) // 1000}k.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
