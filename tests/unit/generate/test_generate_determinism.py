"""Same arguments and seed give the same bytes; a day is the same alone or inside a range."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from dmp.generate import GenerateRequest, generate

SEED = 11
START = date(2026, 3, 28)  # a range over the end of the month
PEOPLE = 300


def _files(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def test_two_runs_write_identical_bytes(tmp_path):
    for name in ("a", "b"):
        generate(GenerateRequest(start=START, days=2, people=PEOPLE, out_dir=tmp_path / name, seed=SEED))
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 2 * 2 + 2  # two parts-and-manifest days, one CRM file, one corpus file
    assert first == second


def test_a_day_alone_equals_the_same_day_inside_a_range(tmp_path):
    second_day = START + timedelta(days=1)
    generate(GenerateRequest(start=START, days=3, people=PEOPLE, out_dir=tmp_path / "range", seed=SEED))
    generate(GenerateRequest(start=second_day, days=1, people=PEOPLE, out_dir=tmp_path / "alone", seed=SEED))
    day = second_day.isoformat()
    alone = _files(tmp_path / "alone" / day)
    assert alone and alone == _files(tmp_path / "range" / day)
    assert _files(tmp_path / "alone" / "crm") == _files(tmp_path / "range" / "crm")


def test_another_seed_gives_other_events(tmp_path):
    generate(GenerateRequest(start=START, days=1, people=PEOPLE, out_dir=tmp_path / "a", seed=SEED))
    generate(GenerateRequest(start=START, days=1, people=PEOPLE, out_dir=tmp_path / "b", seed=SEED + 1))
    part = Path(START.isoformat()) / "events-00000.jsonl.gz"
    assert (tmp_path / "a" / part).read_bytes() != (tmp_path / "b" / part).read_bytes()


def test_rerun_replaces_a_day_without_leaving_old_parts(tmp_path, monkeypatch):
    from dmp.generate import writer

    monkeypatch.setattr(writer, "MAX_EVENTS_PER_FILE", 100)
    generate(GenerateRequest(start=START, days=1, people=PEOPLE, out_dir=tmp_path, seed=SEED))
    monkeypatch.setattr(writer, "MAX_EVENTS_PER_FILE", 1_000_000)
    generate(GenerateRequest(start=START, days=1, people=PEOPLE, out_dir=tmp_path, seed=SEED))
    day_dir = tmp_path / START.isoformat()
    assert sorted(p.name for p in day_dir.iterdir()) == ["_manifest.json", "events-00000.jsonl.gz"]
    assert not list(tmp_path.glob(".*"))
