"""The project's own single Cassandra 5.0 node: start, stop and tell its state.

The node is a plain `CassandraDaemon` JVM on Java 17, with the jars Maven copied (see `jars.py`),
the committed `services/cassandra/cassandra.yaml` and `logback.xml`, and its data and logs under
`var/cassandra`. A variant (such as `secured.yaml`: authentication and TLS) lists only the keys it
changes; the node then runs the base file with those keys replaced, written into its data folder.
"Ready" means a CQL query is answered, not that the process exists. Starting a running node is a
no-op; a failed start says why, with the log's path and last lines.
"""

from __future__ import annotations

import enum
import logging
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import ServiceError
from dmp.services.jars import cassandra_jars
from dmp.services.java import find_java17
from dmp.services.processes import log_tail, port_in_use, runs_main_class, stop_daemon
from dmp.settings import Settings
from dmp.storage.session import release_version

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 180
STOP_TIMEOUT_SECONDS = 60
POLL_SECONDS = 1.0
LOG_TAIL_LINES = 25
MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon"

# From Cassandra 5.0's conf/jvm17-server.options: the module exports and opens the server needs on
# Java 17, and G1 settings suited to a small heap.
JVM17_FLAGS = (
    "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
    "-XX:G1HeapRegionSize=16m", "-XX:MaxGCPauseMillis=300", "-XX:+CrashOnOutOfMemoryError",
    "-Djdk.attach.allowAttachSelf=true", "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
    "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
    "--add-opens", "java.base/java.util=ALL-UNNAMED",
)
# A lone node has no ring to wait for; the default 30 s delay only slows every start.
SINGLE_NODE_RING_DELAY_MS = 1000
# With PasswordAuthenticator, the default superuser is created this long after start (10 s by
# default, to let a cluster's nodes agree first); a lone node has no one to wait for.
SINGLE_NODE_SUPERUSER_SETUP_DELAY_MS = 0
CONFIG_DIR = Path("services") / "cassandra"
BASE_CONFIG = "cassandra.yaml"


class State(enum.Enum):
    RUNNING = "running"
    STARTING = "starting"
    STOPPED = "stopped"


@dataclass(frozen=True)
class NodeStatus:
    state: State
    pid: int | None = None
    version: str | None = None

    def describe(self, node: "CassandraNode") -> str:
        where = f"{node.settings.cassandra_hosts[0]}:{node.settings.cassandra_port}"
        if self.state is State.RUNNING:
            return f"Cassandra {self.version} is running (pid {self.pid}) at {where}; logs in {node.log_dir}"
        if self.state is State.STARTING:
            return f"Cassandra is starting (pid {self.pid}) but does not answer CQL at {where} yet; logs in {node.log_dir}"
        return f"Cassandra is stopped (data in {node.data_dir})"


class CassandraNode:
    """The local node described by the settings; `variant`: a file of keys replacing the base config's."""

    def __init__(self, settings: Settings, variant: Path | None = None):
        self.settings = settings
        self.variant = variant
        self.data_dir = settings.cassandra_dir
        self.log_dir = settings.cassandra_dir / "logs"
        self.pid_file = settings.cassandra_dir / "cassandra.pid"
        self.system_log = self.log_dir / "system.log"
        self.stdout_log = self.log_dir / "stdout.log"

    def _pid(self) -> int | None:
        """The pid of our daemon when its process is alive; a stale pid file is removed."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if runs_main_class(pid, MAIN_CLASS):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> NodeStatus:
        pid = self._pid()
        if pid is None:
            return NodeStatus(State.STOPPED)
        version = release_version(self.settings)
        return NodeStatus(State.RUNNING if version else State.STARTING, pid, version)

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> NodeStatus:
        """Start the node and wait until it answers CQL; no-op when it already runs."""
        current = self.status()
        if current.state is State.RUNNING:
            log.info("Cassandra already running (pid %s): nothing to do", current.pid)
            return current
        spawned = None
        if current.state is State.STOPPED:
            self._check_ports_free()
            spawned = self._spawn()
        return self.wait_ready(timeout, spawned)

    def _check_ports_free(self) -> None:
        ports = (
            (self.settings.cassandra_port, "DMP_CASSANDRA_PORT"),
            (self.settings.cassandra_storage_port, "DMP_CASSANDRA_STORAGE_PORT"),
        )
        for port, setting in ports:
            if port_in_use(port):
                raise ServiceError(
                    f"Port {port} on 127.0.0.1 is taken by another process, so the project's Cassandra "
                    f"cannot listen there. Stop that process (`ss -ltnp | grep {port}` shows it) "
                    f"or set {setting} to a free port."
                )

    def _config_file(self) -> Path:
        """The base cassandra.yaml, or for a variant the base with the variant's keys replaced."""
        import yaml

        base = self.settings.home / CONFIG_DIR / BASE_CONFIG
        if self.variant is None:
            return base
        config = {**yaml.safe_load(base.read_text()), **yaml.safe_load(self.variant.read_text())}
        merged = self.data_dir / f"{self.variant.stem}-{BASE_CONFIG}"
        header = f"# {BASE_CONFIG} with the keys of {self.variant}\n"
        merged.write_text(header + yaml.safe_dump(config, sort_keys=False))
        return merged

    def _command(self) -> list[str]:
        jars = cassandra_jars(self.settings).jars()
        conf = self.settings.home / CONFIG_DIR
        heap = self.settings.cassandra_heap
        return [
            str(find_java17() / "bin" / "java"),
            f"-Xms{heap}", f"-Xmx{heap}", *JVM17_FLAGS,
            f"-Dcassandra.config=file://{self._config_file()}",
            f"-Dlogback.configurationFile={conf / 'logback.xml'}",
            f"-Dcassandra.logdir={self.log_dir}",
            f"-Dcassandra.storagedir={self.data_dir}",
            f"-Dcassandra.native_transport_port={self.settings.cassandra_port}",
            f"-Dcassandra.storage_port={self.settings.cassandra_storage_port}",
            f"-Dcassandra.ring_delay_ms={SINGLE_NODE_RING_DELAY_MS}",
            f"-Dcassandra.superuser_setup_delay_ms={SINGLE_NODE_SUPERUSER_SETUP_DELAY_MS}",
            "-Dcassandra-foreground=yes",
            "-cp", os.pathsep.join(str(jar) for jar in jars),
            MAIN_CLASS,
        ]

    def _spawn(self) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        command = self._command()
        with self.stdout_log.open("ab") as out:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.data_dir, start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        log.info("started Cassandra (pid %s), waiting for CQL on port %s", process.pid, self.settings.cassandra_port)
        return process

    def wait_ready(self, timeout: float, spawned: subprocess.Popen | None = None) -> NodeStatus:
        """Poll until a CQL query is answered; fail with the log's tail when the JVM dies or stalls.

        When this process spawned the JVM, its exit is read from the child itself: /proc can show
        a java launcher that re-executes itself without its arguments for an instant.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if spawned is None:
                status = self.status()
                exited = status.state is State.STOPPED
            else:
                version = release_version(self.settings)
                status = NodeStatus(State.RUNNING if version else State.STARTING, spawned.pid, version)
                exited = spawned.poll() is not None
            if status.state is State.RUNNING:
                return status
            if exited:
                self.pid_file.unlink(missing_ok=True)
                raise ServiceError(f"Cassandra exited during start-up.\n{self._log_tail()}")
            time.sleep(POLL_SECONDS)
        raise ServiceError(f"Cassandra did not answer CQL within {timeout:.0f} s.\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return log_tail((self.system_log, self.stdout_log), LOG_TAIL_LINES, self.log_dir)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> bool:
        """Stop the node cleanly (SIGTERM runs Cassandra's shutdown hook); True when it was running."""
        pid = self._pid()
        if pid is None:
            return False
        stop_daemon("Cassandra", pid, MAIN_CLASS, timeout)
        self.pid_file.unlink(missing_ok=True)
        return True
