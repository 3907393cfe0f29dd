"""The stream as a supervised service: run it, start it in the background, stop it, tell its state.

The same shape as the project's other services: `start` is idempotent and returns once the query
runs, `status` says whether it serves (and how fresh and how far behind it is), `stop` ends the
session it started by the pid it wrote; its log is `var/stream/stream.log`. `start` also marks the
stream as wanted (`var/stream/enabled`), `stop` removes the mark: the watchdog DAG restarts a
wanted stream that died or stopped committing batches, and leaves a stopped one alone.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import ServiceError
from dmp.services.processes import command_names, session_processes, stop_session
from dmp.settings import Settings
from dmp.stream import query as stream_query

log = logging.getLogger(__name__)
STARTED_LINE = "stream query started"
START_TIMEOUT_SECONDS = 180
STOP_GRACE_SECONDS = 60
LOG_TAIL_LINES = 25
JOB_NAME = "stream.py"


@dataclass(frozen=True)
class StreamStatus:
    running: bool
    pid: int | None
    last_batch: int | None
    seconds_since_commit: float | None
    lag: int | None  # messages in the topic the stream has not committed yet (None: broker unreachable)

    def is_stale(self, settings: Settings) -> bool:
        return (self.seconds_since_commit is None
                or self.seconds_since_commit > max(settings.stream_max_stale_seconds, 3 * settings.stream_trigger_seconds))

    def describe(self, settings: Settings) -> str:
        if not self.running:
            return f"The stream is stopped (checkpoint in {stream_query.checkpoint_dir(settings)})"
        commit = ("no batch committed yet" if self.last_batch is None
                  else f"batch {self.last_batch} committed {self.seconds_since_commit:.0f} s ago")
        lag = "lag unknown (Kafka does not answer)" if self.lag is None else f"{self.lag:,} messages behind"
        return f"The stream is running (pid {self.pid}): {commit}, {lag}; log in {log_file(settings)}"


def pid_file(settings: Settings) -> Path:
    return settings.stream_dir / "stream.pid"


def log_file(settings: Settings) -> Path:
    return settings.stream_dir / "stream.log"


def enabled_file(settings: Settings) -> Path:
    return settings.stream_dir / "enabled"


def run_stream(settings: Settings, trigger_seconds: float | None = None, stop_signals=()) -> int:
    """Run the stream's query in this process until it fails or a stop signal arrives."""
    from dmp.services import jars
    from dmp.services.kafka import answers
    from dmp.spark import build_spark_session
    from dmp.stream.batch import StreamProcessor

    if not answers(settings.kafka_servers, timeout=10):
        raise ServiceError(f"Kafka does not answer at {settings.kafka_servers}: start it with `dmp services up` "
                           "(or set DMP_KAFKA_BOOTSTRAP to a running cluster).")
    jars.fetch(jars.spark_kafka_jars(settings))
    spark = build_spark_session("dmp-stream", settings)
    query = stream_query.start_query(spark, settings, StreamProcessor(settings).process, trigger_seconds)
    stopping = threading.Event()

    def stop(signum, _frame) -> None:
        log.info("%s received: stopping the stream", signal.Signals(signum).name)
        stopping.set()
        threading.Thread(target=query.stop, daemon=True).start()

    for signum in stop_signals:
        signal.signal(signum, stop)
    print(f"{STARTED_LINE}: topic {settings.stream_topic} at {settings.kafka_servers}, checkpoint "
          f"{stream_query.checkpoint_dir(settings)}", flush=True)
    query.awaitTermination()
    spark.stop()
    return 0 if stopping.is_set() or query.exception() is None else 1


def running_pid(settings: Settings) -> int | None:
    """The session id of the running stream; a stale pid file is removed."""
    path = pid_file(settings)
    try:
        leader = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    if any(JOB_NAME in command for command in command_names(session_processes(leader))):
        return leader
    path.unlink(missing_ok=True)
    return None


def start(settings: Settings, trigger_seconds: float | None = None, timeout: float = START_TIMEOUT_SECONDS) -> int:
    """Start the stream in the background unless it runs; wait until its query started; its pid."""
    settings.stream_dir.mkdir(parents=True, exist_ok=True)
    enabled_file(settings).touch()
    pid = running_pid(settings)
    if pid is not None:
        return pid
    command = [sys.executable, str(settings.home / "spark_jobs" / JOB_NAME)]
    if trigger_seconds is not None:
        command += ["--trigger-seconds", str(trigger_seconds)]
    log_path = log_file(settings)
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("ab") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=settings.home, start_new_session=True)
    pid_file(settings).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if STARTED_LINE in _log_since(log_path, offset):
            return process.pid
        if process.poll() is not None:
            pid_file(settings).unlink(missing_ok=True)
            raise ServiceError(f"The stream exited during start-up.\n{_log_tail(log_path)}")
        time.sleep(0.5)
    raise ServiceError(f"The stream did not start within {timeout:.0f} s.\n{_log_tail(log_path)}")


def stop(settings: Settings, grace_seconds: float = STOP_GRACE_SECONDS) -> bool:
    """Stop the stream (SIGTERM: the query stops, a batch under way is run again on the next start)."""
    enabled_file(settings).unlink(missing_ok=True)
    pid = running_pid(settings)
    if pid is None:
        return False
    stubborn = stop_session(pid, grace_seconds)
    if stubborn:
        log.warning("killed what ignored SIGTERM for %s s: %s", grace_seconds, stubborn)
    pid_file(settings).unlink(missing_ok=True)
    return True


def status(settings: Settings) -> StreamStatus:
    pid = running_pid(settings)
    committed = stream_query.last_committed(settings)
    last_batch, since = (committed[0], time.time() - committed[1]) if committed else (None, None)
    return StreamStatus(pid is not None, pid, last_batch, since, lag(settings, last_batch))


def lag(settings: Settings, last_batch: int | None) -> int | None:
    """Messages in the topic past the checkpoint's last committed offsets; None when Kafka does not answer."""
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    committed = stream_query.committed_offsets(settings, last_batch) if last_batch is not None else {}
    consumer = Consumer({"bootstrap.servers": settings.kafka_servers, "group.id": "dmp-stream-status",
                         "enable.auto.commit": False, "log_level": 0})
    try:
        topic = consumer.list_topics(settings.stream_topic, timeout=5).topics.get(settings.stream_topic)
        if topic is None or topic.error is not None:
            return None
        behind = 0
        for partition in topic.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(settings.stream_topic, partition), timeout=5)
            behind += max(0, high - max(committed.get(partition, low), low))
        return behind
    except KafkaException:
        return None
    finally:
        consumer.close()


def watch(settings: Settings) -> dict:
    """The watchdog's check: restart a wanted stream that is down or stale; fail when its lag is unbounded."""
    if not enabled_file(settings).exists():
        return {"action": "none", "reason": "the stream is not started (`dmp stream start` starts it)"}
    current = status(settings)
    if not current.running or current.is_stale(settings):
        why = "not running" if not current.running else f"no batch committed for {current.seconds_since_commit or 0:.0f} s"
        stop(settings)
        pid = start(settings)
        return {"action": "restarted", "reason": why, "pid": pid}
    if current.lag is not None and current.lag > settings.stream_max_lag:
        raise ServiceError(f"The stream commits batches but is {current.lag:,} messages behind (DMP_STREAM_MAX_LAG="
                           f"{settings.stream_max_lag:,}): it cannot keep up; add cores or raise "
                           "DMP_STREAM_MAX_OFFSETS_PER_TRIGGER.")
    return {"action": "none", "reason": current.describe(settings), "lag": current.lag,
            "last_batch": current.last_batch}


def _log_since(path: Path, offset: int) -> str:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def _log_tail(path: Path) -> str:
    if not path.is_file():
        return f"No log was written at {path}."
    lines = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    return f"Last lines of {path}:\n" + "\n".join(lines)
