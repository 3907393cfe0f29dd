"""Each micro-batch's figures, one JSON file per batch id, and the totals that reconcile them.

A batch's file is rewritten whole when Spark replays the batch (same id, same offsets), so summing
the files counts every message once: read = stored + quarantined over any span of batches. Each
file also holds a histogram of its messages' Kafka times (per second) and the time its writes
ended, from which `bench/stream.py` and `dmp stream status` read the end-to-end latency.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dmp.settings import Settings

BATCHES_FOLDER = "batches"


def batches_dir(settings: Settings) -> Path:
    return settings.stream_dir / BATCHES_FOLDER


def write_batch(settings: Settings, batch_id: int, figures: dict) -> Path:
    """Write (or rewrite, on a replay) one batch's figures atomically."""
    folder = batches_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch_id:010d}.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"batch_id": batch_id, **figures}, sort_keys=True) + "\n")
    os.replace(partial, path)
    return path


def read_batches(settings: Settings) -> list[dict]:
    """Every batch's figures, in batch order."""
    folder = batches_dir(settings)
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def totals(batches: list[dict]) -> dict:
    """Messages read, stored and quarantined (by reason) over `batches`."""
    by_reason: dict[str, int] = {}
    for batch in batches:
        for reason, count in batch.get("quarantined_by_reason", {}).items():
            by_reason[reason] = by_reason.get(reason, 0) + count
    return {
        "batches": len(batches),
        "read": sum(batch["read"] for batch in batches),
        "stored": sum(batch["stored"] for batch in batches),
        "quarantined": sum(batch["quarantined"] for batch in batches),
        "quarantined_by_reason": dict(sorted(by_reason.items())),
    }


def event_ages(batch: dict) -> list[tuple[float, int]]:
    """(age in seconds when the batch's writes ended, messages) per second of Kafka time in `batch`."""
    ended = batch["written_at_ms"] / 1000
    return [(ended - (int(second) + 0.5), count) for second, count in batch.get("produced_per_second", {}).items()]
