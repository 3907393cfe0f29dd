"""`dmp run DATE` and `dmp airflow ...`: Airflow with the project's environment already set."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess

from dmp import settings as settings_module
from dmp.dates import parse_day
from dmp.errors import InputError
from dmp.orchestration import standalone
from dmp.orchestration.airflow_env import (
    airflow_environment, airflow_executable, migrate_airflow_db, run_airflow, venv_bin,
)
from dmp.pipeline.landing import landing_files
from dmp.pipeline.runs import day_stop_reasons
from dmp.settings import Settings

MAIN_DAG_ID = "audience_daily"
# `airflow dags test` with the run's true start date (see the module).
DAG_TEST_MODULE = "dmp.orchestration.dag_test"
# What `airflow dags test` says when a task starts or ends, or the run ends; the rest goes to the log file.
_PROGRESS_RE = re.compile(r"\[DAG TEST\] (starting|end task) task_id=(\S+)|Marking run .* (successful|failed)|Task failed")


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help=f"run the {MAIN_DAG_ID} DAG for one day (airflow dags test)")
    run.add_argument("date", help="the logical date, YYYY-MM-DD")
    run.add_argument("--dag", default=MAIN_DAG_ID, help=f"DAG id (default {MAIN_DAG_ID})")
    run.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="a DAG parameter for this run, e.g. --param min_tagged_share=0.3 (repeatable)")
    run.set_defaults(func=_run)

    airflow = subparsers.add_parser(
        "airflow", help="run any airflow command with the project's environment, e.g. `dmp airflow dags list`; "
        "`dmp airflow standalone` is the local Airflow, stopped whole on SIGTERM/Ctrl-C or by `dmp services down`"
    )
    airflow.add_argument("airflow_args", nargs=argparse.REMAINDER, help="arguments passed to airflow")
    airflow.set_defaults(func=_airflow)


def _run(args: argparse.Namespace) -> int:
    day = parse_day(args.date)
    settings = settings_module.load()
    if day < settings.pipeline_start:
        raise InputError(
            f"{day} is before the pipeline's start date {settings.pipeline_start}, so the DAG has no run for it. "
            f"Set DMP_PIPELINE_START={day} (or earlier) to process older days."
        )
    params = parse_params(args.param)
    if args.dag == MAIN_DAG_ID and not landing_files(settings.landing_dir, day):
        raise InputError(
            f"No landing files for {day} in {settings.landing_dir}/{day}: {MAIN_DAG_ID} would wait hours for them. "
            f"Put the day's files there (or set DMP_LANDING_DIR), or generate one: "
            f"`dmp generate --start {day} --days 1 --users 1000`."
        )
    migrate_airflow_db(settings)
    return run_dag_test(settings, args.dag, day, params)


def parse_params(items: list[str]) -> dict:
    """`NAME=VALUE` pairs as DAG run parameters; values are read as JSON when they can be (numbers)."""
    params = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param {item!r} must look like NAME=VALUE, e.g. --param min_tagged_share=0.3")
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


def run_dag_test(settings: Settings, dag_id: str, day: dt.date, params: dict | None = None) -> int:
    """`airflow dags test` for one day: task progress on the console, the full output in a log file."""
    airflow_executable()  # a clear error before the run when Airflow is not installed
    log_path = settings.runs_dir / day.isoformat() / f"airflow-{dag_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"running {dag_id} for {day} (airflow dags test; full log in {log_path})")
    command = [str(venv_bin() / "python"), "-m", DAG_TEST_MODULE, "dags", "test", dag_id, day.isoformat()]
    if params:
        command += ["--conf", json.dumps(params)]
    with log_path.open("w") as log_file, subprocess.Popen(
        command, env=airflow_environment(settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for line in process.stdout:
            log_file.write(line)
            match = _PROGRESS_RE.search(line)
            if match:
                print(f"  {_progress_message(match)}", flush=True)
    verdict = "succeeded" if process.returncode == 0 else f"FAILED (see {log_path})"
    print(f"{dag_id} {day}: {verdict}")
    for step, reason in day_stop_reasons(settings, day).items():
        print(f"  {step} stopped the day: {reason}")
    return process.returncode


def _progress_message(match: re.Match) -> str:
    event, task_id, run_state = match.groups()
    if task_id:
        return f"{'started' if event == 'starting' else 'finished'} {task_id}"
    return f"run {run_state}" if run_state else "a task failed (retried unless it stopped the day on its data)"


def _airflow(args: argparse.Namespace) -> int:
    settings = settings_module.load()
    migrate_airflow_db(settings)
    if args.airflow_args == ["standalone"]:
        return standalone.serve(settings)
    return run_airflow(settings, list(args.airflow_args)).returncode
