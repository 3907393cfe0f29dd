"""The stream's Structured Streaming query: Kafka source, processing-time trigger, checkpoint on disk.

The query reads `DMP_STREAM_TOPIC` from `DMP_KAFKA_BOOTSTRAP` (or the local broker) from the
earliest offset the first time, then from its checkpoint (`var/stream/checkpoint`): Spark writes a
batch's offsets before running it and its commit after, so a stream stopped in the middle of a
batch runs that same batch (same offsets, same id) again on restart. `maxOffsetsPerTrigger` caps a
batch so a backlog is worked off in batches that each fit the latency budget.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQuery

from dmp.settings import Settings

QUERY_NAME = "dmp_stream"
CHECKPOINT_FOLDER = "checkpoint"


def checkpoint_dir(settings: Settings) -> Path:
    return settings.stream_dir / CHECKPOINT_FOLDER


def start_query(spark: SparkSession, settings: Settings, process, trigger_seconds: float | None = None) -> StreamingQuery:
    """Start the query; `process(batch_df, batch_id)` runs for each micro-batch."""
    seconds = settings.stream_trigger_seconds if trigger_seconds is None else trigger_seconds
    kafka_df = (spark.readStream.format("kafka")
                .option("kafka.bootstrap.servers", settings.kafka_servers)
                .option("subscribe", settings.stream_topic)
                .option("startingOffsets", "earliest")
                .option("maxOffsetsPerTrigger", str(settings.stream_max_offsets_per_trigger))
                .load())
    return (kafka_df.writeStream.queryName(QUERY_NAME).foreachBatch(process)
            .option("checkpointLocation", str(checkpoint_dir(settings)))
            .trigger(processingTime=f"{seconds} seconds").start())


def last_committed(settings: Settings) -> tuple[int, float] | None:
    """(batch id, commit time as a Unix time) of the checkpoint's last committed batch, or None."""
    commits = checkpoint_dir(settings) / "commits"
    ids = [int(path.name) for path in commits.glob("[0-9]*")] if commits.is_dir() else []
    if not ids:
        return None
    newest = max(ids)
    return newest, (commits / str(newest)).stat().st_mtime


def committed_offsets(settings: Settings, batch_id: int) -> dict[int, int]:
    """Partition -> next offset to read, as the checkpoint recorded them for `batch_id`."""
    path = checkpoint_dir(settings) / "offsets" / str(batch_id)
    if not path.is_file():
        return {}
    # The file: a version line, the batch's metadata (JSON), then one JSON line of offsets per source.
    lines = path.read_text().splitlines()
    offsets = json.loads(lines[2]).get(settings.stream_topic, {}) if len(lines) > 2 else {}
    return {int(partition): int(offset) for partition, offset in offsets.items()}
