"""Writing days of events to the landing folder, in the format the ingestion pipeline reads.

    <out>/<YYYY-MM-DD>/events-00000.jsonl.gz   gzip JSON lines, sorted by ts, <= 1,000,000 each
    <out>/<YYYY-MM-DD>/_manifest.json           date, events, users, files, seed, generator_version

Every string an event can hold (cookie ids, URLs, referrers, partners) is JSON-encoded once per
run; a line is then one format of precomputed pieces, which keeps ten million events to minutes.
Gzip headers carry no time or name, so the same arguments give byte-identical files. A day is
written to a hidden folder and renamed into place, so a reader never sees half a day.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from dmp.generate.events import DayEvents
from dmp.generate.pages import PagePool
from dmp.generate.population import Population

GENERATOR_VERSION = "1.0"
MAX_EVENTS_PER_FILE = 1_000_000
LINES_PER_WRITE = 100_000
GZIP_LEVEL = 4
MANIFEST_NAME = "_manifest.json"
PART_NAME = "events-{index:05d}.jsonl.gz"
PAGE_VIEW = '"page_view"'
LOGIN = '"login"'


class EventEncoder:
    """Turns `DayEvents` into JSON lines, from strings encoded once for the whole run."""

    def __init__(self, pool: PagePool, population: Population) -> None:
        self._cookies = _json_strings(population.cookie_ids)
        self._urls = _json_strings(pool.urls.tolist())
        self._partners = _json_strings(pool.partner_ids())
        table = pool.referrer_table()
        self._referrers = np.array(["null" if r is None else json.dumps(r) for r in table], dtype=object)

    def lines(self, events: DayEvents, start: int, stop: int) -> list[str]:
        """The JSON lines of events `start` to `stop` (excluded), without line ends."""
        window = slice(start, stop)
        stamps = np.datetime_as_string(np.datetime64(events.day, "ms") + events.ms_of_day[window], unit="ms")
        emails = events.email[window].tolist()
        kinds = [PAGE_VIEW if email is None else LOGIN for email in emails]
        email_fields = ["" if email is None else f',"email":{json.dumps(email)}' for email in emails]
        page = events.page[window]
        return [
            f'{{"user_id":{c},"ts":"{t}Z","url":{u},"referrer":{r},"event_type":{k}{e},"partner_id":{p}}}'
            for c, t, u, r, k, e, p in zip(
                self._cookies[events.cookie[window]].tolist(), stamps.tolist(), self._urls[page].tolist(),
                self._referrers[events.referrer[window]].tolist(), kinds, email_fields,
                self._partners[page].tolist(),
            )
        ]


def _json_strings(values: list[str]) -> np.ndarray:
    return np.array([json.dumps(value) for value in values], dtype=object)


def write_day(out_dir: Path, events: DayEvents, encoder: EventEncoder, seed: int) -> dict:
    """Write one day's files and manifest, replacing any earlier run's; returns the manifest."""
    final_dir = out_dir / events.day.isoformat()
    work_dir = out_dir / f".{events.day.isoformat()}.partial"
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    files = []
    # Always at least one part, possibly empty, so readers find the same layout every day.
    for index, start in enumerate(range(0, max(events.size, 1), MAX_EVENTS_PER_FILE)):
        name = PART_NAME.format(index=index)
        _write_part(work_dir / name, events, encoder, start, min(start + MAX_EVENTS_PER_FILE, events.size))
        files.append(name)
    manifest = {
        "date": events.day.isoformat(),
        "events": events.size,
        "users": int(np.unique(events.cookie).size),
        "files": files,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
    }
    (work_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(final_dir, ignore_errors=True)
    work_dir.rename(final_dir)
    return manifest


def _write_part(path: Path, events: DayEvents, encoder: EventEncoder, start: int, stop: int) -> None:
    with reproducible_gzip(path) as out:
        for chunk_start in range(start, stop, LINES_PER_WRITE):
            lines = encoder.lines(events, chunk_start, min(chunk_start + LINES_PER_WRITE, stop))
            out.write(("\n".join(lines) + "\n").encode("utf-8"))


@contextmanager
def reproducible_gzip(path: Path) -> Iterator[gzip.GzipFile]:
    """A binary gzip writer without time or file name in its header, so reruns are identical."""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as out:
            yield out
