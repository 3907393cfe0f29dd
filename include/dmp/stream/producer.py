"""`dmp stream produce`: landing lines sent to the stream's topic at a steady rate (confluent-kafka).

For partners' feeds and load tests. A message is one landing line (the same JSON the daily files
hold), keyed by its `user_id` so a user's events stay in one partition, in order. Replayed lines
(`--from-landing DAY`, `--from-file FILE`) get the send time as their `ts` unless `keep_ts` is
set, so they count for the day the stream receives them (a line of another day would be
quarantined as outside its day, as the daily run would); a line that is not a JSON object is sent
as it is, for the stream to quarantine. The rate is held by a clock, not by sleeps per message, and
every message's delivery is confirmed: the figures say how many were sent and how many failed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dmp.errors import InputError
from dmp.pipeline.landing import landing_files
from dmp.settings import Settings

TICKS_PER_SECOND = 50
_TS_VALUE = re.compile(r'"ts"\s*:\s*"([^"\\]*)"')
FLUSH_TIMEOUT_SECONDS = 60
PRODUCER_CONF = {"linger.ms": 20, "batch.num.messages": 10000, "queue.buffering.max.messages": 1_000_000,
                 "compression.type": "lz4", "acks": "all", "enable.idempotence": True}


@dataclass
class Produced:
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        rate = self.sent / self.seconds if self.seconds else 0.0
        return {"sent": self.sent, "delivered": self.delivered, "failed": self.failed,
                "seconds": round(self.seconds, 1), "rate": round(rate, 1)}


def file_lines(path: Path) -> Iterator[str]:
    """The non-empty lines of a JSON-lines file, gzip or not."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                yield line.rstrip("\r\n")


def landing_lines(settings: Settings, day: dt.date) -> Iterator[str]:
    """The lines of a landing day's JSON files (CSV files are for the daily run only)."""
    files = [path for path in landing_files(settings.landing_dir, day) if ".json" in path.name]
    if not files:
        raise InputError(f"No JSON landing files for {day} in {Path(settings.landing_dir) / day.isoformat()} "
                         f"(generate some with `dmp generate --start {day} --days 1`).")
    for path in files:
        yield from file_lines(path)


def retimed(line: str, now: dt.datetime) -> tuple[str, str | None]:
    """(line with `ts` set to `now`, its user_id); a line that is not a JSON object is returned as it is."""
    try:
        event = json.loads(line)
    except ValueError:
        return line, None
    if not isinstance(event, dict):
        return line, None
    user = event.get("user_id")
    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    # The line's own text with its ts value replaced (re-encoding every event would halve the rate).
    found = _TS_VALUE.search(line)
    text = (line[:found.start(1)] + stamp + line[found.end(1):] if found and isinstance(event.get("ts"), str)
            else json.dumps({**event, "ts": stamp}, separators=(",", ":")))
    return text, user if isinstance(user, str) else None


def user_of(line: str) -> str | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    user = event.get("user_id") if isinstance(event, dict) else None
    return user if isinstance(user, str) else None


def produce(settings: Settings, lines: Iterable[str], rate: float, *, keep_ts: bool = False, loop: bool = False,
            seconds: float | None = None) -> Produced:
    """Send `lines` at `rate` messages per second (until they end, or for `seconds`; `loop` repeats them)."""
    from confluent_kafka import Producer

    if rate <= 0:
        raise InputError(f"--rate {rate}: give a positive number of events per second.")
    result = Produced()

    def delivered(error, _message) -> None:
        if error is None:
            result.delivered += 1
        else:
            result.failed += 1

    producer = Producer({"bootstrap.servers": settings.kafka_servers, **PRODUCER_CONF})
    source = itertools.cycle(lines) if loop else iter(lines)
    started = time.monotonic()
    per_tick = rate / TICKS_PER_SECOND
    for tick in itertools.count(1):
        elapsed = time.monotonic() - started
        if seconds is not None and elapsed >= seconds:
            break
        due = int(per_tick * tick) - int(per_tick * (tick - 1))
        batch = list(itertools.islice(source, due))
        now = dt.datetime.now(dt.timezone.utc)
        for line in batch:
            value, user = (line, user_of(line)) if keep_ts else retimed(line, now)
            _send(producer, settings.stream_topic, value, user, delivered)
        result.sent += len(batch)
        if len(batch) < due:
            break  # the source ended
        producer.poll(0)
        pause = started + tick / TICKS_PER_SECOND - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    producer.flush(FLUSH_TIMEOUT_SECONDS)
    result.seconds = time.monotonic() - started
    return result


def _send(producer, topic: str, value: str, user: str | None, on_delivery) -> None:
    while True:
        try:
            producer.produce(topic, value=value.encode("utf-8"), key=user.encode("utf-8") if user else None,
                             on_delivery=on_delivery)
            return
        except BufferError:  # the local queue is full: let deliveries drain, then send
            producer.poll(0.1)
