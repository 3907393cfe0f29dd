"""Generating a day on the real UCI News Aggregator file (400K URLs): data of the shared data sets, not a unit test."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date
from pathlib import Path

import pytest

from dmp.generate import GenerateRequest, generate
from dmp.generate.news import news_pool

REAL_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "uci_news_aggregator.tsv.gz"


def test_real_news_file(tmp_path):
    """Runs on the real data set; a missing file fails in CI (CI set) and is skipped elsewhere."""
    if not REAL_FILE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{REAL_FILE} is missing; CI must provide the shared data sets")
        pytest.skip(f"{REAL_FILE} not present (set CI=1 to make this a failure)")
    out = tmp_path / "out"
    request = GenerateRequest(start=date(2026, 2, 1), days=1, people=300, out_dir=out, seed=5, urls_file=REAL_FILE)
    summary = generate(request)
    with gzip.open(out / "2026-02-01" / "events-00000.jsonl.gz", "rt") as handle:
        events = [json.loads(line) for line in handle]
    assert len(events) == summary.events > 500
    assert all(event["url"].startswith(("http://", "https://")) for event in events)
    pool = news_pool(REAL_FILE, seed=5)
    assert pool.theme_names == ("business", "science-tech", "entertainment", "health")
    assert len(pool.urls) > 300_000
    assert {event["url"] for event in events} <= set(pool.urls.tolist())
