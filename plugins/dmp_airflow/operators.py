"""Operators of the platform, following the provider conventions (keyword-only, thin `execute`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator


class DmpSparkSubmitOperator(SparkSubmitOperator):
    """Submit one of the project's `spark_jobs/<job>.py` with the platform's Spark configuration.

    The configuration (connector jars, Cassandra contact points, time zone, Arrow) comes from
    `dmp.spark.spark_conf` at run time, not at parse time: it lists jar files on disk, and the DAG
    file must stay free of I/O. `conf` given here overrides single settings. The master comes from
    the `spark_default` connection (local[*] locally, a cluster master by configuration).
    """

    def __init__(self, *, job: str, conn_id: str = "spark_default", **kwargs: Any) -> None:
        from dmp.settings import load

        settings = load()
        kwargs.setdefault("name", f"{job}_{{{{ ds_nodash }}}}")
        kwargs.setdefault("driver_memory", settings.spark_driver_memory)
        super().__init__(application=str(Path(settings.home) / "spark_jobs" / f"{job}.py"), conn_id=conn_id, **kwargs)

    def execute(self, context: Any) -> None:
        from dmp.settings import load
        from dmp.spark import spark_conf

        self.conf = {**spark_conf(load()), **(self.conf or {})}
        super().execute(context)
