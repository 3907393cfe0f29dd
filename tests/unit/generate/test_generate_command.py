"""`dmp generate` on the command line: arguments, default folder, summary, user errors."""

from __future__ import annotations

import argparse
import gzip
import json

import pytest

from dmp.errors import InputError
from dmp.generate.command import register


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dmp")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_generates_into_the_landing_folder_and_prints_a_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_LANDING_DIR", str(tmp_path))
    argv = ["generate", "--start", "2026-11-01", "--days", "2", "--users", "50", "--events-per-user-day", "3"]
    assert _run(argv) == 0
    summary = capsys.readouterr().out
    assert "2 day(s)" in summary and "50 people" in summary and str(tmp_path) in summary
    manifest = json.loads((tmp_path / "2026-11-02" / "_manifest.json").read_text())
    with gzip.open(tmp_path / "2026-11-02" / "events-00000.jsonl.gz", "rt") as handle:
        assert sum(1 for _ in handle) == manifest["events"] > 0
    assert (tmp_path / "crm" / "customers.csv.gz").is_file()


def test_unparsable_start_is_an_input_error_naming_the_option(tmp_path):
    with pytest.raises(InputError, match="--start 'tomorrow'.*YYYY-MM-DD"):
        _run(["generate", "--start", "tomorrow", "--days", "1", "--users", "5", "--out", str(tmp_path)])


@pytest.mark.parametrize(
    "extra, message",
    [(["--days", "0"], "--days"), (["--users", "0"], "--users"), (["--urls", "missing.tsv.gz"], "--urls")],
)
def test_bad_arguments_are_input_errors(tmp_path, extra, message):
    argv = ["generate", "--start", "2026-11-01", "--days", "1", "--users", "5", "--out", str(tmp_path), *extra]
    with pytest.raises(InputError, match=message):
        _run(argv)
