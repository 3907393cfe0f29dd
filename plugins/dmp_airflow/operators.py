"""Operators of the platform, following the provider conventions (keyword-only, thin `execute`)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from dmp.pipeline.steps import gate_step


class DmpSparkSubmitOperator(SparkSubmitOperator):
    """Submit one of the project's `spark_jobs/<job>.py` with the platform's Spark configuration.

    The configuration (connector jars, Cassandra contact points, time zone, Arrow) comes from
    `dmp.spark.spark_conf` at run time, not at parse time: it lists jar files on disk, and the DAG
    file must stay free of I/O. `conf` given here overrides single settings. The master comes from
    the `spark_default` connection (local[*] locally, a cluster master by configuration).
    When the job stops the day on its data (its figures under `step` say why), the task fails
    without retries and with that reason: retrying would meet the same data.
    """

    def __init__(self, *, job: str, step: str | None = None, conn_id: str = "spark_default", **kwargs: Any) -> None:
        from dmp.settings import load

        settings = load()
        self.step = step or job
        kwargs.setdefault("name", f"{job}_{{{{ ds_nodash }}}}")
        kwargs.setdefault("driver_memory", settings.spark_driver_memory)
        super().__init__(application=str(Path(settings.home) / "spark_jobs" / f"{job}.py"), conn_id=conn_id, **kwargs)

    def execute(self, context: Any) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from dmp.pipeline.runs import stop_reason
        from dmp.settings import load
        from dmp.spark import spark_conf

        settings = load(self._job_environment())
        self.conf = {**spark_conf(settings), **(self.conf or {})}
        started = time.time()
        try:
            super().execute(context)
        except Exception:
            reason = stop_reason(settings, dt.date.fromisoformat(context["ds"]), self.step, since=started)
            if reason:
                raise AirflowFailException(f"{self.task_id} stopped the day: {reason}") from None
            raise

    def _job_environment(self) -> dict[str, str]:
        import os

        return {**os.environ, **{key: str(value) for key, value in (self.env_vars or {}).items()}}


class DmpGateOperator(DmpSparkSubmitOperator):
    """Run a data-quality gate (`spark_jobs/gate.py`, suites in `expectations/`) on the day's staged data.

    It has no Cassandra outlets: it only reads staged data. A failed gate fails the task without retries, so every task downstream of it stays unrun and
    nothing of the day is published; the failed expectations are in the task's log, in
    `dmp runs show DATE` and in the Data Docs.
    """

    def __init__(self, *, gate: str, **kwargs: Any) -> None:
        kwargs.setdefault("task_id", gate_step(gate))
        kwargs["application_args"] = ["--gate", gate, *(kwargs.get("application_args") or [])]
        super().__init__(job="gate", step=gate_step(gate), **kwargs)
