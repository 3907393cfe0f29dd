"""The project's own single Kafka 4 node (KRaft: broker and controller in one JVM): start, stop, state.

Shaped like the Cassandra node (`cassandra.py`): a `kafka.Kafka` JVM on Java 17 with the jars Maven
copied (`services/kafka/pom.xml`), the committed `services/kafka/server.properties` plus the ports
and folders of the settings, its data, pid file and logs under `var/kafka`. The storage is formatted
once, with a cluster id kept in `var/kafka/cluster.id`, so a restart finds its topics again.
"Ready" means the broker answers a metadata request, not that the process exists; the topic the
stream reads (`DMP_STREAM_TOPIC`, keyed by user id) is created on start when missing. Starting a
running broker is a no-op; a failed start says why, with the log's path and last lines. With
`DMP_KAFKA_BOOTSTRAP` set, the platform uses that cluster and never starts this one.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import ServiceError
from dmp.services.jars import kafka_jars
from dmp.services.java import find_java17
from dmp.services.processes import log_tail, port_in_use, runs_main_class, stop_daemon
from dmp.settings import Settings

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30
FORMAT_TIMEOUT_SECONDS = 120
POLL_SECONDS = 0.5
PROBE_TIMEOUT_SECONDS = 2.0
LOG_TAIL_LINES = 25
CONFIG_DIR = Path("services") / "kafka"
MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL = "kafka.tools.StorageTool"
JVM_FLAGS = ("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true")


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None = None
    answering: bool = False

    def describe(self, broker: "KafkaBroker") -> str:
        where = broker.settings.kafka_servers
        if self.running and self.answering:
            return f"Kafka is running (pid {self.pid}) at {where}; logs in {broker.log_dir}"
        if self.running:
            return f"Kafka is starting (pid {self.pid}) but does not answer at {where} yet; logs in {broker.log_dir}"
        return f"Kafka is stopped (data in {broker.data_dir})"


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as `kafka-storage random-uuid`)."""
    while True:
        text = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka's own ids never start with '-' (it reads as an option)
            return text


def answers(servers: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """True when the cluster at `servers` answers a metadata request."""
    from confluent_kafka.admin import AdminClient

    try:
        AdminClient({"bootstrap.servers": servers, "log_level": 0}).list_topics(timeout=timeout)
    except Exception:  # KafkaException on timeout, or a transport error: not answering either way
        return False
    return True


def ensure_topic(settings: Settings, timeout: float = 30) -> bool:
    """Create the stream's topic with DMP_STREAM_PARTITIONS partitions unless it exists; True when created."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": settings.kafka_servers, "log_level": 0})
    try:
        if settings.stream_topic in admin.list_topics(timeout=timeout).topics:
            return False
        future = admin.create_topics([NewTopic(settings.stream_topic, settings.stream_partitions)])[settings.stream_topic]
        future.result(timeout=timeout)
    except KafkaException as error:
        if "TOPIC_ALREADY_EXISTS" in str(error):
            return False
        raise ServiceError(f"Could not create the topic {settings.stream_topic!r} on {settings.kafka_servers}: {error}")
    return True


class KafkaBroker:
    """The local broker described by the settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.home = settings.kafka_dir
        self.data_dir = self.home / "data"
        self.log_dir = self.home / "logs"
        self.pid_file = self.home / "kafka.pid"
        self.config_file = self.home / "server.properties"
        self.cluster_id_file = self.home / "cluster.id"
        self.stdout_log = self.log_dir / "stdout.log"
        self.server_log = self.log_dir / "server.log"

    def _pid(self) -> int | None:
        """The pid of our broker when its process is alive; a stale pid file is removed."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if runs_main_class(pid, MAIN_CLASS):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> BrokerStatus:
        pid = self._pid()
        if pid is None:
            return BrokerStatus(False)
        return BrokerStatus(True, pid, answers(self.settings.kafka_servers))

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> BrokerStatus:
        """Start the broker, wait until it answers, create the stream's topic; no-op when it already runs."""
        current = self.status()
        spawned = None
        if not current.running:
            self._check_ports_free()
            self._write_config()
            self._format_once()
            spawned = self._spawn()
        status = current if current.answering else self.wait_ready(timeout, spawned)
        ensure_topic(self.settings)
        return status

    def _check_ports_free(self) -> None:
        for port, setting in ((self.settings.kafka_port, "DMP_KAFKA_PORT"),
                              (self.settings.kafka_controller_port, "DMP_KAFKA_CONTROLLER_PORT")):
            if port_in_use(port):
                raise ServiceError(
                    f"Port {port} on 127.0.0.1 is taken by another process, so the project's Kafka cannot listen "
                    f"there. Stop that process (`ss -ltnp | grep {port}` shows it) or set {setting} to a free port.")

    def _write_config(self) -> None:
        """The committed base properties plus this checkout's ports and folders."""
        base = (self.settings.home / CONFIG_DIR / "server.properties").read_text()
        port, controller = self.settings.kafka_port, self.settings.kafka_controller_port
        local = "\n".join((
            f"# written by dmp.services.kafka from {CONFIG_DIR / 'server.properties'}: edit that file",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            f"controller.quorum.voters=1@127.0.0.1:{controller}",
            f"log.dirs={self.data_dir}",
        ))
        self.home.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(f"{base.rstrip()}\n\n{local}\n")

    def cluster_id(self) -> str:
        """The id the storage was (or will be) formatted with, kept across restarts."""
        if not self.cluster_id_file.is_file():
            self.cluster_id_file.write_text(new_cluster_id() + "\n")
        return self.cluster_id_file.read_text().strip()

    def _java(self, main_class: str, *args: str) -> list[str]:
        heap = self.settings.kafka_heap
        conf = self.settings.home / CONFIG_DIR
        return [
            str(find_java17() / "bin" / "java"), f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS,
            f"-Dlog4j2.configurationFile={conf / 'log4j2.properties'}", f"-Dkafka.logs.dir={self.log_dir}",
            "-cp", os.pathsep.join(str(jar) for jar in kafka_jars(self.settings).jars()), main_class, *args,
        ]

    def _format_once(self) -> None:
        """Format the KRaft storage the first time only (a formatted folder has meta.properties)."""
        if (self.data_dir / "meta.properties").is_file():
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        command = self._java(STORAGE_TOOL, "format", "-t", self.cluster_id(), "-c", str(self.config_file))
        result = subprocess.run(command, capture_output=True, text=True, timeout=FORMAT_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise ServiceError(f"Formatting Kafka's storage in {self.data_dir} failed:\n"
                               + "\n".join((result.stdout + result.stderr).strip().splitlines()[-LOG_TAIL_LINES:]))
        log.info("formatted Kafka's storage in %s (cluster %s)", self.data_dir, self.cluster_id())

    def _spawn(self) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.stdout_log.open("ab") as out:
            process = subprocess.Popen(self._java(MAIN_CLASS, str(self.config_file)), stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT, cwd=self.home, start_new_session=True)
        self.pid_file.write_text(f"{process.pid}\n")
        log.info("started Kafka (pid %s), waiting for it on port %s", process.pid, self.settings.kafka_port)
        return process

    def wait_ready(self, timeout: float, spawned: subprocess.Popen | None = None) -> BrokerStatus:
        """Poll until the broker answers; fail with the log's tail when the JVM dies or stalls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = spawned.pid if spawned else self._pid()
            exited = spawned.poll() is not None if spawned else pid is None
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise ServiceError(f"Kafka exited during start-up.\n{self._log_tail()}")
            if answers(self.settings.kafka_servers):
                return BrokerStatus(True, pid, True)
            time.sleep(POLL_SECONDS)
        raise ServiceError(f"Kafka did not answer within {timeout:.0f} s.\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return log_tail((self.server_log, self.stdout_log), LOG_TAIL_LINES, self.log_dir)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> bool:
        """Stop the broker cleanly (SIGTERM: a controlled shutdown); True when it was running."""
        pid = self._pid()
        if pid is None:
            return False
        stop_daemon("Kafka", pid, MAIN_CLASS, timeout)
        self.pid_file.unlink(missing_ok=True)
        return True
