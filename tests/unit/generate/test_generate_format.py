"""The landing format other pipelines read: day folders of gzip JSON lines and a manifest."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from dmp.generate import GenerateRequest, generate, writer

BASE_KEYS = {"user_id", "ts", "url", "referrer", "event_type", "partner_id"}
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
COOKIE_RE = re.compile(r"^c-[0-9a-f]{16}$")
PARTNER_RE = re.compile(r"^p-\d{3}$")


def _check_event(event: dict, day: str) -> None:
    expected = BASE_KEYS | {"email"} if event["event_type"] == "login" else BASE_KEYS
    assert set(event) == expected, event
    assert event["event_type"] in {"page_view", "login"}
    assert TS_RE.match(event["ts"]) and event["ts"].startswith(day + "T"), event["ts"]
    assert COOKIE_RE.match(event["user_id"]) and PARTNER_RE.match(event["partner_id"])
    assert event["url"].startswith("https://")
    assert event["referrer"] is None or event["referrer"].startswith("https://")
    if "email" in event:
        assert "@" in event["email"]


def test_every_line_is_an_event_of_its_day_in_time_order(landing, read_lines):
    day_dirs = sorted(landing.out_dir.glob("20*"))
    assert [d.name for d in day_dirs] == ["2026-11-01", "2026-11-02"]
    for day_dir in day_dirs:
        events = [json.loads(line) for line in read_lines(day_dir)]
        assert events
        for event in events:
            _check_event(event, day_dir.name)
        stamps = [event["ts"] for event in events]
        assert stamps == sorted(stamps)


def test_manifest_counts_match_the_files(landing, read_lines):
    for day_dir in sorted(landing.out_dir.glob("20*")):
        manifest = json.loads((day_dir / "_manifest.json").read_text())
        events = [json.loads(line) for line in read_lines(day_dir)]
        assert set(manifest) == {"date", "events", "users", "files", "seed", "generator_version"}
        assert manifest["date"] == day_dir.name
        assert manifest["events"] == len(events)
        assert manifest["users"] == len({event["user_id"] for event in events})
        assert manifest["seed"] == landing.seed
        assert sorted(manifest["files"]) == sorted(p.name for p in day_dir.glob("events-*.jsonl.gz"))


def test_large_days_are_split_into_parts_of_bounded_size(tmp_path, monkeypatch, read_lines):
    part_size = 400
    monkeypatch.setattr(writer, "MAX_EVENTS_PER_FILE", part_size)
    generate(GenerateRequest(start=date(2026, 1, 5), days=1, people=300, out_dir=tmp_path, seed=3))
    day_dir = tmp_path / "2026-01-05"
    manifest = json.loads((day_dir / "_manifest.json").read_text())
    assert manifest["files"][:2] == ["events-00000.jsonl.gz", "events-00001.jsonl.gz"]
    lines = read_lines(day_dir)
    assert len(lines) == manifest["events"] > part_size
    assert len(manifest["files"]) == -(-manifest["events"] // part_size)
    stamps = [json.loads(line)["ts"] for line in lines]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("field, value", [("days", 0), ("people", -3), ("seed", -1), ("events_per_person_day", 0.0)])
def test_bad_numbers_are_input_errors(tmp_path, field, value):
    from dmp.errors import InputError

    arguments = {"start": date(2026, 1, 1), "days": 1, "people": 10, "out_dir": tmp_path, field: value}
    with pytest.raises(InputError, match="greater than zero|zero or a positive"):
        GenerateRequest(**arguments)
