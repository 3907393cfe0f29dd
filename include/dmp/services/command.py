"""`dmp setup` and `dmp services up|down|status`: the local services the platform runs on."""

from __future__ import annotations

import argparse
import time

from dmp import settings as settings_module
from dmp.services import browser, jars
from dmp.services.cassandra import CassandraNode, State
from dmp.services.java import find_java17

# Exit status of `status` when the node is not serving, as init scripts do (LSB: 3 = not running).
EXIT_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    setup = subparsers.add_parser("setup", help="fetch the jars, prepare Airflow, install Chromium for the browser tests (idempotent)")
    setup.set_defaults(func=_setup)

    services = subparsers.add_parser("services", help="the local Cassandra node (`down` also stops the local Airflow)")
    actions = services.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start Cassandra and wait until it answers CQL (no-op if running)")
    up.add_argument("--timeout", type=float, default=180, help="seconds to wait for CQL (default 180)")
    up.set_defaults(func=_up)
    actions.add_parser("down", help="stop the local Airflow if it runs, then Cassandra, cleanly").set_defaults(func=_down)
    actions.add_parser("status", help="say whether Cassandra runs and answers CQL").set_defaults(func=_status)


def _timed(label: str, action) -> None:
    started = time.monotonic()
    did = action()
    print(f"{label}: {'done' if did else 'already there'} ({time.monotonic() - started:.1f} s)")


def _setup(args: argparse.Namespace) -> int:
    from dmp.orchestration.airflow_env import migrate_airflow_db

    settings = settings_module.load()
    print(f"Java 17: {find_java17()}")
    _timed("Cassandra jars", lambda: jars.fetch(jars.cassandra_jars(settings)))
    _timed("Spark Cassandra Connector jars", lambda: jars.fetch(jars.connector_jars(settings)))
    _timed("Airflow metadata database", lambda: migrate_airflow_db(settings))
    _timed("Chromium (browser tests)", browser.ensure_chromium)
    _timed("hey (load benchmarks)", lambda: browser.ensure_debian_tool(browser.HEY, "the load benchmarks"))
    return 0


def _up(args: argparse.Namespace) -> int:
    settings = settings_module.load()
    jars.fetch(jars.cassandra_jars(settings))
    started = time.monotonic()
    node = CassandraNode(settings)
    status = node.start(timeout=args.timeout)
    print(f"{status.describe(node)} ({time.monotonic() - started:.1f} s)")
    return 0


def _down(args: argparse.Namespace) -> int:
    from dmp.orchestration import standalone

    settings = settings_module.load()
    if standalone.stop(settings):
        print("Airflow stopped")
    node = CassandraNode(settings)
    print("Cassandra stopped" if node.stop() else "Cassandra was not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    node = CassandraNode(settings_module.load())
    status = node.status()
    print(status.describe(node))
    return 0 if status.state is State.RUNNING else EXIT_NOT_RUNNING
