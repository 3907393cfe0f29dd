"""
### audience_daily: raw connection logs of one day -> gated, tagged events and interests in Cassandra

For its logical date D (the day processed; the run starts once D is over), this DAG:

1. **wait_for_landing**: waits until D's folder in the landing location (`DMP_LANDING_DIR`,
   `data/landing/` by default) holds raw files; gives up after 6 hours.
2. **validate_events** (Spark): reads the day's JSON lines / CSV (gzip or not, `DMP_COLUMN_MAP`),
   quarantines the rows that cannot be stored with a reason (emails hashed) and stages the
   accepted events; read = accepted + quarantined. A damaged file or a rejected share above the
   `max_rejected_share` parameter stops the day here.
3. **gate_raw_events**: Great Expectations suite `expectations/raw_events.json` on the accepted batch.
4. **tag_events** (Spark): tags each distinct page once (manual rules, then the word2vec model
   under `DMP_MODEL_DIR/current`; pages already in the page index for this model are reused) and
   stages the day's events with their theme.
5. **gate_tagged_events**: suite `tagged_events.json`: coverage (the `min_tagged_share` parameter),
   score range, themes of the taxonomy, model version present.
6. **store_events** (Spark): publishes the gated day: events with their theme to `events_by_user`
   (partition (user_id, day), retention TTL), new pages to `page_index`. Re-running writes the same rows.
7. **daily_interests** then **lifetime_interests** (Spark): events and distinct pages per user, day
   and theme; lifetime totals, active days, first/last seen, a decayed score (half-life
   `DMP_INTEREST_HALF_LIFE_DAYS`) and 7/30/90-day events, the same whatever order days run in.
8. **gate_interests**: suites `daily_interests.json` and `lifetime_interests.json`: totals reconcile
   with the stored events, no negative or NaN score. Segments downstream follow its asset.
9. **keyword_index** (Spark, beside the interests): who visited pages with each keyword, and theta
   sketches per keyword and theme for `dmp audience estimate`.
10. **evaluate_segments** (Spark): every definition under `segments/` over the day's subjects
    (persons once identity publishes them, ids until then), members staged with score and rule;
    **gate_segments**: sizes against the previous run, consent, a re-checked sample;
    **publish_segments**: a new version per segment made current by one pointer write, the
    exports under `DMP_EXPORT_DIR` and the report (its path is in the task log).
11. **report**: logs and returns the day's figures (`dmp runs show D` prints the same).

A failed gate (or a day stopped on its data) fails its task without retries: nothing downstream
runs, and what earlier days published stays as it was. The failed expectations are in the task
log, in `dmp runs show D` and in the Data Docs (`var/quality/gx/uncommitted/data_docs/local_site/`).

**Trigger with parameters** (Trigger DAG in the UI, or `dmp run D --param min_tagged_share=0.3`):
`max_rejected_share`, `min_tagged_share`, `max_lateness_hours` override the settings for that run.

Run one day: `dmp run 2026-11-01` (or `airflow dags test audience_daily 2026-11-01`).
Backfill: `dmp airflow backfill create --dag-id audience_daily --from-date 2026-11-01 --to-date 2026-11-07`
(unpause the DAG first: a paused DAG's backfill runs stay queued).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, PokeReturnValue, dag, task
from dmp_airflow.operators import DmpGateOperator, DmpSparkSubmitOperator

from dmp.settings import load

SETTINGS = load()
EVENTS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/events_by_user", group="dmp")
PAGE_INDEX_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/page_index", group="dmp")
INTERESTS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/user_interests", group="dmp")
KEYWORDS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/audience_sketches", group="dmp")
SEGMENTS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/segments_by_user", group="dmp")
DAY = "{{ ds }}"
DAY_ARGS = ["--date", DAY]
LANDING_WAIT = dt.timedelta(hours=6)
# Run parameters reach every Spark job as the settings they override.
RUN_ENVIRONMENT = {
    "DMP_MAX_REJECTED_SHARE": "{{ params.max_rejected_share }}",
    "DMP_MIN_TAGGED_SHARE": "{{ params.min_tagged_share }}",
    "DMP_MAX_LATENESS_HOURS": "{{ params.max_lateness_hours }}",
}


@dag(
    dag_id="audience_daily",
    # Interval timetable: the run for logical date D covers [D, D+1) and starts after D ends.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime.combine(SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=True,
    max_active_runs=3,
    doc_md=__doc__,
    tags=["dmp", "daily", "events"],
    params={
        "max_rejected_share": Param(SETTINGS.max_rejected_share, type="number", minimum=0, maximum=1,
                                    description="Stop the day when more than this share of rows is rejected."),
        "min_tagged_share": Param(SETTINGS.min_tagged_share, type="number", minimum=0, maximum=1,
                                  description="The tagged-events gate fails below this share of events with a theme."),
        "max_lateness_hours": Param(SETTINGS.max_lateness_hours, type="integer", minimum=0, maximum=24,
                                    description="Accept events up to this many hours before the day."),
    },
    default_args={
        "owner": "dmp",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=30),
    },
)
def audience_daily():
    @task.sensor(poke_interval=300, timeout=LANDING_WAIT.total_seconds(), mode="reschedule")
    def wait_for_landing(day: str) -> PokeReturnValue:
        from dmp.pipeline.landing import landing_files

        files = landing_files(SETTINGS.landing_dir, dt.date.fromisoformat(day))
        print(f"{len(files)} raw file(s) for {day} in {SETTINGS.landing_dir}")
        return PokeReturnValue(is_done=bool(files), xcom_value=[str(path) for path in files])

    def spark_job(job: str, **kwargs) -> DmpSparkSubmitOperator:
        return DmpSparkSubmitOperator(task_id=job, job=job, application_args=DAY_ARGS, env_vars=RUN_ENVIRONMENT,
                                      **kwargs)

    def gate(name: str, **kwargs) -> DmpGateOperator:
        return DmpGateOperator(gate=name, application_args=DAY_ARGS, env_vars=RUN_ENVIRONMENT, **kwargs)

    @task
    def report(day: str) -> dict:
        from dmp.pipeline.runs import read_day_summary

        summary = read_day_summary(SETTINGS, dt.date.fromisoformat(day))
        print(summary)
        return summary

    validate_events = spark_job("validate_events")
    tag_events = spark_job("tag_events")
    store_events = spark_job("store_events", outlets=[EVENTS_ASSET, PAGE_INDEX_ASSET])
    daily_interests = spark_job("daily_interests")
    lifetime_interests = spark_job("lifetime_interests")
    keyword_index = spark_job("keyword_index", outlets=[KEYWORDS_ASSET])
    gate_raw_events = gate("raw_events")
    gate_tagged_events = gate("tagged_events")
    gate_interests = gate("interests", outlets=[INTERESTS_ASSET])
    evaluate_segments = spark_job("evaluate_segments")
    gate_segments = spark_job("gate_segments")
    publish_segments = spark_job("publish_segments", outlets=[SEGMENTS_ASSET])
    reported = report(DAY)

    wait_for_landing(DAY) >> validate_events >> gate_raw_events >> tag_events >> gate_tagged_events
    gate_tagged_events >> store_events >> [daily_interests, keyword_index]
    daily_interests >> lifetime_interests >> gate_interests >> evaluate_segments
    keyword_index >> evaluate_segments
    evaluate_segments >> gate_segments >> publish_segments >> reported


audience_daily()
