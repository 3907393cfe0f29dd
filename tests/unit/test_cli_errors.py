"""Errors a user can cause end in one line that says what to do, and exit 1: never a traceback.

Each case runs the command through `dmp.cli.main` as a user would type it; the cases that need
a Cassandra node are in `tests/integration/storage/test_storage_command_errors.py`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest

from dmp.cli import main
from dmp.orchestration import airflow_env

DAY = "2026-11-01"


def one_error_line(capsys) -> str:
    """The single line a failed command printed on stderr (and nothing on stdout)."""
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dmp: error: "), err
    assert "Traceback" not in out + err
    return lines[0]


@pytest.fixture()
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DMP_RUNS_DIR", str(tmp_path / "runs"))
    (tmp_path / "runs" / DAY).mkdir(parents=True)
    return tmp_path / "runs" / DAY


@pytest.mark.parametrize("files, expected", [
    ({"validate_events.json": '{"date": "2026-11-01", "read": 10, "acc'},
     ["validate_events.json is not valid JSON", f"dmp run {DAY}"]),
    ({"validate_events.json": '{"read": 1, "accepted": 1, "quarantined": 0}', "gate_raw_events.json": '{"success": tr'},
     ["gate_raw_events.json is not valid JSON", f"dmp run {DAY}"]),
    ({"validate_events.json": '{"date": "2026-11-01", "read": 10}'}, ["lacks accepted, quarantined", f"dmp run {DAY}"]),
], ids=["half-written figures", "half-written gate", "counts missing"])
def test_runs_show_on_damaged_figures_says_which_file_and_to_run_the_day_again(runs_dir, files, expected, capsys):
    for name, text in files.items():
        (runs_dir / name).write_text(text)
    assert main(["runs", "show", DAY]) == 1
    line = one_error_line(capsys)
    assert all(part in line for part in expected), line


def test_a_step_summary_is_replaced_whole_never_rewritten_in_place(runs_dir, capsys):
    """A new file renamed over the old one: a reader sees the old figures or the new, never half of them."""
    from dmp.pipeline.runs import write_step_summary
    from dmp.settings import load

    day, figures = dt.date.fromisoformat(DAY), {"read": 2, "accepted": 1, "quarantined": 1}
    first = write_step_summary(load(), day, "validate_events", figures).stat().st_ino
    second = write_step_summary(load(), day, "validate_events", {**figures, "read": 3, "accepted": 2}).stat().st_ino
    assert first != second and sorted(path.name for path in runs_dir.iterdir()) == ["validate_events.json"]
    assert main(["runs", "show", DAY]) == 0 and '"read": 3' in capsys.readouterr().out


@pytest.fixture()
def no_airflow(tmp_path, monkeypatch):
    """An environment whose venv has no `airflow` (a venv built without the requirements), with a landed day."""
    monkeypatch.setattr(airflow_env, "venv_bin", lambda: tmp_path / "empty-venv-bin")
    monkeypatch.setenv("DMP_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("DMP_LANDING_DIR", str(tmp_path / "landing"))
    (tmp_path / "landing" / DAY).mkdir(parents=True)
    (tmp_path / "landing" / DAY / "part-0.jsonl").write_text("{}\n")


@pytest.mark.parametrize("argv", [["run", DAY], ["airflow", "dags", "list"]])
def test_a_missing_airflow_binary_says_to_run_setup(no_airflow, argv, capsys):
    assert main(argv) == 1
    line = one_error_line(capsys)
    assert "airflow is missing" in line and "make setup" in line


def test_run_of_a_day_that_has_not_landed_says_where_files_go(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DMP_LANDING_DIR", str(tmp_path / "landing"))
    assert main(["run", DAY]) == 1
    line = one_error_line(capsys)
    assert f"No landing files for {DAY} in {tmp_path}/landing/{DAY}" in line and "dmp generate --start" in line


def test_estimate_with_no_days_says_how_many_to_give(capsys):
    assert main(["audience", "estimate", "music", "--days", "0"]) == 1
    assert "--days 0: give the number of days" in one_error_line(capsys)


def test_estimate_on_a_node_that_is_down_says_to_start_it():
    """In a process of its own: the driver's logging, which `cli.main` configures, must add no traceback."""
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run([sys.executable, "-m", "dmp.cli", "audience", "estimate", "music", "--until", DAY],
                          env={**os.environ, "DMP_CASSANDRA_PORT": str(port)}, capture_output=True, text=True)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and not done.stdout and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"dmp: error: Cassandra at 127.0.0.1:{port}: it does not answer")
    assert "dmp services up" in lines[0]
