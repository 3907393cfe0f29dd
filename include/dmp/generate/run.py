"""Generating a landing folder of clickstream days and the matching CRM file.

This is what `dmp generate` runs, and what tests and benchmarks call directly: build the page pool
(real news URLs or the built-in vocabulary) and the population once, then simulate and write each
day from its own random stream, and write the CRM export last.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dmp.errors import InputError
from dmp.generate.corpus import write_corpus
from dmp.generate.crm import write_crm
from dmp.generate.events import simulate_day
from dmp.generate.news import news_pool
from dmp.generate.pages import PagePool, synthetic_pool
from dmp.generate.population import build_population
from dmp.generate.writer import EventEncoder, write_day

DEFAULT_SEED = 42
DEFAULT_EVENTS_PER_PERSON_DAY = 5.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerateRequest:
    """What to generate; invalid values raise `InputError` naming the option to fix."""

    start: date
    days: int
    people: int
    out_dir: Path
    seed: int = DEFAULT_SEED
    urls_file: Path | None = None
    events_per_person_day: float = DEFAULT_EVENTS_PER_PERSON_DAY

    def __post_init__(self) -> None:
        for option, value in (("--days", self.days), ("--users", self.people)):
            if value <= 0:
                raise InputError(f"{option} {value}: must be a whole number greater than zero.")
        if self.seed < 0:
            raise InputError(f"--seed {self.seed}: must be zero or a positive whole number.")
        if not (math.isfinite(self.events_per_person_day) and self.events_per_person_day > 0):
            raise InputError(
                f"--events-per-user-day {self.events_per_person_day}: must be a number greater than zero "
                f"(the mean number of events per person and day, {DEFAULT_EVENTS_PER_PERSON_DAY} by default)."
            )


@dataclass(frozen=True)
class GenerateSummary:
    days: int
    events: int
    people: int
    cookies: int
    customers: int
    out_dir: Path
    seconds: float


def generate(request: GenerateRequest) -> GenerateSummary:
    """Write `request.days` days of events from `request.start`, then the CRM file."""
    started = time.perf_counter()
    pool = load_pool(request.urls_file, request.seed)
    population = build_population(request.seed, request.people, len(pool.theme_names))
    encoder = EventEncoder(pool, population)
    events = 0
    for offset in range(request.days):
        day = request.start + timedelta(days=offset)
        manifest = write_day(
            request.out_dir,
            simulate_day(day, population, pool, request.seed, request.events_per_person_day),
            encoder,
            request.seed,
        )
        events += manifest["events"]
        log.info("%s: %d events from %d cookies", manifest["date"], manifest["events"], manifest["users"])
    customers = write_crm(request.out_dir, population, request.seed)
    write_corpus(request.out_dir, pool, request.seed)
    return GenerateSummary(
        days=request.days,
        events=events,
        people=population.people,
        cookies=len(population.cookie_ids),
        customers=customers,
        out_dir=request.out_dir,
        seconds=time.perf_counter() - started,
    )


def load_pool(urls_file: Path | None, seed: int) -> PagePool:
    """Real news pages from `urls_file` when given, otherwise pages of the built-in vocabulary."""
    return synthetic_pool(seed) if urls_file is None else news_pool(urls_file, seed)
