"""The landing folder: which files are data, and which are damaged and why."""

from __future__ import annotations

import datetime as dt
import gzip

from dmp.pipeline.landing import check_files, gzip_problem, landing_files

DAY = dt.date(2026, 11, 12)


def test_metadata_and_hidden_files_are_not_landing_data(tmp_path):
    day_dir = tmp_path / DAY.isoformat()
    day_dir.mkdir()
    for name in ("events-00000.jsonl.gz", "_manifest.json", ".events-00001.jsonl.gz.partial", "notes.txt", "b.json"):
        (day_dir / name).write_text("")
    assert [path.name for path in landing_files(str(tmp_path), DAY)] == ["b.json", "events-00000.jsonl.gz"]
    assert landing_files(str(tmp_path), DAY + dt.timedelta(days=1)) == []


def test_damaged_gzip_files_are_told_apart(tmp_path):
    whole = gzip.compress(b'{"user_id": "u"}\n' * 10_000)
    files = {"good.jsonl.gz": whole, "cut.jsonl.gz": whole[: len(whole) // 2], "plain.jsonl.gz": b"just text\n",
             "flipped.jsonl.gz": whole[:20] + bytes(b ^ 0xFF for b in whole[20:60]) + whole[60:], "raw.jsonl": b"{}\n"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    assert gzip_problem(tmp_path / "good.jsonl.gz") is None
    assert gzip_problem(tmp_path / "cut.jsonl.gz") == "truncated_gzip"
    assert gzip_problem(tmp_path / "plain.jsonl.gz") == "not_gzip"
    assert gzip_problem(tmp_path / "flipped.jsonl.gz") == "corrupt_gzip"
    check = check_files(sorted(tmp_path / name for name in files))
    assert sorted(p.name for p in check.good) == ["good.jsonl.gz", "raw.jsonl"]
    assert {c.path.name: c.reason for c in check.corrupt} == {
        "cut.jsonl.gz": "truncated_gzip", "plain.jsonl.gz": "not_gzip", "flipped.jsonl.gz": "corrupt_gzip"}
