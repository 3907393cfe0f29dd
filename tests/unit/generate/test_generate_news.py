"""Real page URLs from the UCI News Aggregator file, read from a tiny fixture (the real file: tests/integration/generate)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from dmp.errors import InputError
from dmp.generate import GenerateRequest, generate
from dmp.generate.news import news_pool

BACKSLASH_URL = r"http://www.latimes.com/business/la-fi-fed-20140310,0,13.story\?track=rss"
ROWS = [  # id, title, url, publisher, category, story, hostname, timestamp
    ("1", "Fed official says weak data caused by weather", BACKSLASH_URL, "LA Times", "b", "s1", "latimes.com", "13"),
    ("2", "Stocks fall after Fed hints", "http://www.ifamagazine.com/news/stocks-fall-294436", "IFA", "b", "s1",
     "www.ifamagazine.com", "14"),
    ("3", "Samsung unveils Galaxy S5", "http://www.cnet.com/news/samsung-galaxy-s5/", "CNET", "t", "s2", "cnet.com", "15"),
    ("4", "Apple iPhone sales beat forecasts", "http://www.theverge.com/2014/4/23/apple-iphone", "Verge", "t", "s3",
     "www.theverge.com", "16"),
    ("5", "Rihanna tour dates announced", "http://www.billboard.com/articles/rihanna-tour", "Billboard", "e", "s4",
     "www.billboard.com", "17"),
    ("6", "Ebola outbreak spreads in Guinea", "http://www.who.int/csr/don/2014_03_23_ebola/en/", "WHO", "m", "s5",
     "www.who.int", "18"),
    ("7", "Unknown category row", "http://example.com/unknown", "X", "z", "s6", "example.com", "19"),
]


def _write_tsv(path: Path, rows, bad_bytes: bytes = b"") -> Path:
    text = "\n".join("\t".join(row) for row in rows) + "\n"
    with gzip.open(path, "wb") as handle:
        handle.write(text.encode("utf-8") + b"8\tbroken \xff title" + bad_bytes + b"\n")
    return path


def test_pool_keeps_real_urls_as_published_one_theme_per_category(tmp_path):
    pool = news_pool(_write_tsv(tmp_path / "news.tsv.gz", ROWS), seed=1)
    assert pool.theme_names == ("business", "science-tech", "entertainment", "health")
    assert sorted(pool.urls.tolist()) == sorted(row[2] for row in ROWS if row[4] != "z")
    themes = dict(zip(pool.urls.tolist(), pool.themes.tolist()))
    assert pool.theme_names[themes[BACKSLASH_URL]] == "business"


def test_events_use_only_the_files_urls(tmp_path):
    source = _write_tsv(tmp_path / "news.tsv.gz", ROWS)
    out = tmp_path / "out"
    generate(GenerateRequest(start=date(2026, 2, 1), days=1, people=200, out_dir=out, seed=5, urls_file=source))
    with gzip.open(out / "2026-02-01" / "events-00000.jsonl.gz", "rt") as handle:
        urls = {json.loads(line)["url"] for line in handle}
    valid = {row[2] for row in ROWS if row[4] != "z"}
    assert urls and urls <= valid
    assert len(urls) > 1


@pytest.mark.parametrize("content", [None, b"not gzip at all", gzip.compress(b"a\tb\n")])
def test_unusable_files_are_input_errors(tmp_path, content):
    path = tmp_path / "news.tsv.gz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match="--urls"):
        news_pool(path, seed=1)
