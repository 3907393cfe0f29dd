"""Small generated landing folders shared by the generator's tests (generated once per session)."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dmp.generate import GenerateRequest, generate
from dmp.generate.population import build_population
from dmp.generate.run import load_pool

SEED = 7
START = date(2026, 11, 1)
DAYS = 2
PEOPLE = 1000


def _read_lines(day_dir: Path) -> list[str]:
    """Every JSON line of a day folder, part after part, as listed in its manifest."""
    manifest = json.loads((day_dir / "_manifest.json").read_text())
    lines: list[str] = []
    for name in manifest["files"]:
        with gzip.open(day_dir / name, "rt", encoding="utf-8") as handle:
            lines.extend(handle.read().splitlines())
    return lines


@pytest.fixture(scope="session")
def read_lines():
    """Reads every JSON line of a day folder, part after part, as its manifest lists them."""
    return _read_lines


@pytest.fixture(scope="session")
def landing(tmp_path_factory) -> GenerateRequest:
    """The request of a small landing folder generated once per session (`out_dir` holds it)."""
    request = GenerateRequest(
        start=START, days=DAYS, people=PEOPLE, out_dir=tmp_path_factory.mktemp("landing"), seed=SEED
    )
    generate(request)
    return request


@pytest.fixture(scope="session")
def population(landing):
    return build_population(landing.seed, landing.people, len(load_pool(None, landing.seed).theme_names))


@pytest.fixture(scope="session")
def events(landing, population) -> pd.DataFrame:
    """All events of the landing folder, with the person behind each cookie and the page's theme."""
    days = sorted(landing.out_dir.glob("20*"))
    frame = pd.DataFrame([json.loads(line) for day_dir in days for line in _read_lines(day_dir)])
    pool = load_pool(None, landing.seed)
    person_of = dict(zip(population.cookie_ids, population.cookie_person.tolist()))
    frame["person"] = frame["user_id"].map(person_of)
    frame["theme"] = frame["url"].map(dict(zip(pool.urls.tolist(), pool.themes.tolist())))
    frame["day"] = frame["ts"].str[:10]
    return frame
