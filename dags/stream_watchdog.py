"""
### stream_watchdog: keeps the real-time stream committing batches

The stream (`dmp stream start`) is a long-lived Spark Structured Streaming service, not a DAG:
Airflow is no streaming engine. This DAG only watches it, every 5 minutes:
- a stream that was started (`var/stream/enabled`) but is down, or has committed no batch for
  `DMP_STREAM_MAX_STALE_SECONDS` (and 3 triggers), is restarted from its checkpoint (the batch it
  was in runs again; its writes are idempotent);
- a stream that commits but lags more than `DMP_STREAM_MAX_LAG` messages fails the task, so the
  failure shows in the UI and alerts: restarting would not help it keep up;
- a stream stopped on purpose (`dmp stream stop`) is left alone.

The same check from the command line: `dmp stream status` (exit 3 when down or stale).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, task

from dmp.settings import load

PARSE_SETTINGS = load()


@dag(
    dag_id="stream_watchdog",
    schedule=dt.timedelta(minutes=5),
    start_date=dt.datetime.combine(PARSE_SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["dmp", "stream", "watchdog"],
    default_args={"owner": "dmp", "retries": 2, "retry_delay": dt.timedelta(minutes=1)},
)
def stream_watchdog():
    @task
    def check_stream() -> dict:
        from dmp.stream.service import watch

        outcome = watch(load())
        print(f"stream watchdog: {outcome}")
        return outcome

    check_stream()


stream_watchdog()
