"""
### audience_build: build one saved audience exactly and publish it like any segment

The Audience Builder (Browse > Audience Builder in the navigation) saves an audience as a segment
definition under `DMP_SEGMENTS_DIR` and triggers this DAG with two parameters: `segment_id` (the
saved definition) and `day` (the last day of its window). The daily DAG evaluates every segment,
this one only the saved one, now:

1. **prepare_build**: copies that one definition into a build folder
   (`var/audiences/builds/<segment_id>/<run>/`), whose segments folder, staging, figures and report
   the next steps use, so the day's other segments and figures stay as they are.
2. **evaluate_segments** (Spark, the segments' own job): its members from the keyword index and
   the interests, at person level when identity has published people, consent applied.
3. **gate_segments**: sizes against the published version, consent, a re-checked sample.
4. **publish_segments**: a new version made current, its export and report; the page shows the
   exact size from this step's figures beside the estimate.

Trigger by hand: `dmp airflow dags trigger audience_build --conf '{"segment_id": "my-audience", "day": "2026-11-01"}'`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, Param, dag, task
from dmp_airflow.operators import DmpGateOperator, DmpSparkSubmitOperator

from dmp.pipeline import steps
from dmp.settings import load

KEYSPACE = load().keyspace
PREPARE = "prepare_build"
BUILD_ENV = {name: f"{{{{ ti.xcom_pull(task_ids='{PREPARE}')['{name}'] }}}}"
             for name in ("DMP_SEGMENTS_DIR", "DMP_STAGING_DIR", "DMP_RUNS_DIR", "DMP_SEGMENT_REPORTS_DIR")}
DAY_ARGS = ["--date", "{{ params.day }}"]
PARAMS = {
    "segment_id": Param("car-intenders", type="string", pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
                        description="The saved segment to build (its file under DMP_SEGMENTS_DIR)."),
    "day": Param(dt.date(2026, 11, 1).isoformat(), type="string", format="date",
                 description="The last day of the audience's window."),
}


@dag(
    dag_id="audience_build",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    is_paused_upon_creation=False,  # the builder's runs start as soon as they are triggered
    max_active_runs=4,
    doc_md=__doc__,
    tags=["dmp", "segments", "audience-builder"],
    params=PARAMS,
    default_args={"owner": "dmp", "retries": 2, "retry_delay": dt.timedelta(seconds=30)},
)
def audience_build():
    @task(task_id=PREPARE)
    def prepare_build(params: dict | None = None, run_id: str | None = None) -> dict:
        from dmp.audience.build import prepare_build as prepare

        return prepare(load(), params["segment_id"], run_id)

    evaluate = DmpSparkSubmitOperator(task_id=steps.EVALUATE_SEGMENTS, job=steps.EVALUATE_SEGMENTS,
                                      application_args=DAY_ARGS, env_vars=BUILD_ENV)
    gate = DmpGateOperator(gate=steps.SEGMENTS_GATE, job=steps.gate_step(steps.SEGMENTS_GATE),
                           application_args=DAY_ARGS, env_vars=BUILD_ENV)
    publish = DmpSparkSubmitOperator(
        task_id=steps.PUBLISH_SEGMENTS, job=steps.PUBLISH_SEGMENTS, application_args=DAY_ARGS, env_vars=BUILD_ENV,
        outlets=[Asset(f"cassandra://{KEYSPACE}/{table}", group="dmp") for table in steps.PUBLISHES[steps.PUBLISH_SEGMENTS]])

    prepare_build() >> evaluate >> gate >> publish


audience_build()
