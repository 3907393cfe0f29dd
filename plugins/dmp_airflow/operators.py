"""Operators of the platform, following the provider conventions (keyword-only, thin `execute`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from dmp.orchestration.connections import CASSANDRA_CONN_ID, SPARK_CONN_ID, cassandra_overrides, spark_overrides
from dmp.pipeline.steps import gate_step
from dmp.settings import Settings, load, run_overrides


# The job that runs a gate's suites (`spark_jobs/gate.py`); a gate with checks of its own has its own job.
SUITES_GATE_JOB = "gate"


def job_application(settings: Settings, job: str) -> Path:
    """The file spark-submit runs for one of the project's jobs."""
    return settings.home / "spark_jobs" / f"{job}.py"


class DmpSparkSubmitOperator(SparkSubmitOperator):
    """Submit one of the project's `spark_jobs/<job>.py` with the platform's settings as they are when it runs.

    Nothing is resolved at parse time (the DAG file stays free of I/O, and a setting changed in
    the worker's environment applies without a re-parse). When the task runs, the job gets the
    worker's settings with, on top: the endpoints of the `cassandra_conn_id` connection (contact
    points, port, credentials and TLS extras when set) and the master of `conn_id` (which is also
    spark-submit's), then the run parameters that were given (`dmp.settings.RUN_PARAMETERS`), then
    `env_vars`. The Spark configuration (connector jars, Cassandra endpoints, time zone, Arrow)
    comes from `dmp.spark.submit_conf` of those settings (a Cassandra password stays off the command
    line: the job reads it from its settings); `conf` given here overrides single keys.
    When the job stops the day on its data (its figures under `step` say why), the task fails
    without retries and with that reason: retrying would meet the same data.
    """

    def __init__(self, *, job: str, step: str | None = None, conn_id: str = SPARK_CONN_ID,
                 cassandra_conn_id: str = CASSANDRA_CONN_ID, **kwargs: Any) -> None:
        self.job = job
        self.step = step or job
        self.cassandra_conn_id = cassandra_conn_id
        kwargs.setdefault("name", f"{job}_{{{{ ds_nodash }}}}")
        super().__init__(conn_id=conn_id, **kwargs)

    def execute(self, context: Any) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from dmp.pipeline.runs import stop_reason

        settings = self.prepare(context)
        started = time.time()
        try:
            super().execute(context)
        except Exception:
            reason = stop_reason(settings, dt.date.fromisoformat(context["ds"]), self.step, since=started)
            if reason:
                raise AirflowFailException(f"{self.task_id} stopped the day: {reason}") from None
            raise

    def prepare(self, context: Any) -> Settings:
        """Point spark-submit (application, conf, env_vars, driver memory) at the job's settings; those settings."""
        from dmp.spark import submit_conf

        overrides = self.job_overrides(context.get("params") or {})
        settings = load(overrides=overrides)
        self.application = str(job_application(settings, self.job))
        self.env_vars = overrides
        self.conf = {**submit_conf(settings), **(self.conf or {})}
        self._driver_memory = self._driver_memory or settings.spark_driver_memory
        return settings

    def job_overrides(self, params: Mapping[str, Any]) -> dict[str, str]:
        """The `DMP_*` values the job runs with on top of the worker's environment (see the class)."""
        from airflow.sdk import BaseHook

        cassandra = BaseHook.get_connection(self.cassandra_conn_id)
        # The master exactly as spark-submit will get it: the hook's own reading of the connection.
        master = SparkSubmitHook(conn_id=self._conn_id)._connection["master"]
        return {
            **cassandra_overrides(self.cassandra_conn_id, cassandra.host, cassandra.port, cassandra.login,
                                  cassandra.password, cassandra.extra_dejson),
            **spark_overrides(master),
            **run_overrides(params),
            **{key: str(value) for key, value in (self.env_vars or {}).items()},
        }


class DmpGateOperator(DmpSparkSubmitOperator):
    """Run a data-quality gate (`spark_jobs/gate.py`, suites in `expectations/`) on the day's staged data.

    It has no Cassandra outlets: it only reads staged data. A failed gate fails the task without retries, so every task downstream of it stays unrun and
    nothing of the day is published; the failed expectations are in the task's log, in
    `dmp runs show DATE` and in the Data Docs.
    """

    def __init__(self, *, gate: str, job: str = SUITES_GATE_JOB, **kwargs: Any) -> None:
        """`job` runs the gate: `gate` (Great Expectations suites of the gate `--gate` names) or a gate's own job."""
        kwargs.setdefault("task_id", gate_step(gate))
        if job == SUITES_GATE_JOB:
            kwargs["application_args"] = ["--gate", gate, *(kwargs.get("application_args") or [])]
        super().__init__(job=job, step=gate_step(gate), **kwargs)
