"""`dmp setup` and `dmp services up|down|status`: the local services the platform runs on (Cassandra, Kafka)."""

from __future__ import annotations

import argparse
import time

from dmp import settings as settings_module
from dmp.services import browser, jars
from dmp.services.cassandra import CassandraNode, State
from dmp.services.java import find_java17
from dmp.services.kafka import KafkaBroker, answers

# Exit status of `status` when the node is not serving, as init scripts do (LSB: 3 = not running).
EXIT_NOT_RUNNING = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    setup = subparsers.add_parser("setup", help="fetch the jars, prepare Airflow, install Chromium for the browser tests (idempotent)")
    setup.set_defaults(func=_setup)

    services = subparsers.add_parser("services", help="the local Cassandra node and Kafka broker (`down` also stops "
                                                         "the stream and the local Airflow)")
    actions = services.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start Cassandra and Kafka, wait until they answer (no-op if running)")
    up.add_argument("--timeout", type=float, default=180, help="seconds to wait for CQL (default 180)")
    up.set_defaults(func=_up)
    actions.add_parser("down", help="stop the stream and the local Airflow if they run, then Kafka and Cassandra").set_defaults(func=_down)
    actions.add_parser("status", help="say whether Cassandra and Kafka run and answer").set_defaults(func=_status)


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
    _timed("Kafka jars", lambda: jars.fetch(jars.kafka_jars(settings)))
    _timed("Spark Kafka source jars", lambda: jars.fetch(jars.spark_kafka_jars(settings)))
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
    _kafka_up(settings, args.timeout)
    return 0


def _kafka_up(settings: settings_module.Settings, timeout: float) -> None:
    """The project's broker, unless DMP_KAFKA_BOOTSTRAP names a cluster (then only the topic is checked)."""
    from dmp.services.kafka import ensure_topic

    started = time.monotonic()
    if settings.kafka_bootstrap:
        created = ensure_topic(settings)
        print(f"Kafka: using {settings.kafka_bootstrap} (DMP_KAFKA_BOOTSTRAP); topic {settings.stream_topic} "
              f"{'created' if created else 'exists'}")
        return
    jars.fetch(jars.kafka_jars(settings))
    broker = KafkaBroker(settings)
    status = broker.start(timeout=timeout)
    print(f"{status.describe(broker)}, topic {settings.stream_topic} ({time.monotonic() - started:.1f} s)")


def _down(args: argparse.Namespace) -> int:
    from dmp.orchestration import standalone

    settings = settings_module.load()
    from dmp.stream import service as stream_service

    if stream_service.stop(settings):
        print("stream stopped")
    if standalone.stop(settings):
        print("Airflow stopped")
    print("Kafka stopped" if KafkaBroker(settings).stop() else "Kafka was not running")
    node = CassandraNode(settings)
    print("Cassandra stopped" if node.stop() else "Cassandra was not running")
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = settings_module.load()
    node = CassandraNode(settings)
    status = node.status()
    print(status.describe(node))
    if settings.kafka_bootstrap:
        kafka_ok = answers(settings.kafka_servers)
        print(f"Kafka at {settings.kafka_bootstrap} (DMP_KAFKA_BOOTSTRAP) {'answers' if kafka_ok else 'does not answer'}")
    else:
        broker = KafkaBroker(settings)
        broker_status = broker.status()
        kafka_ok = broker_status.answering
        print(broker_status.describe(broker))
    return 0 if status.state is State.RUNNING and kafka_ok else EXIT_NOT_RUNNING
