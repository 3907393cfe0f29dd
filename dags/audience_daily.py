"""
### audience_daily: raw connection logs of one day -> gated, tagged events and interests in Cassandra

For its logical date D (the day processed; the run starts once D is over), this DAG:

1. **wait_for_landing**: waits until D's folder in the landing location (`DMP_LANDING_DIR`,
   `data/landing/` by default) holds raw files; gives up after 6 hours. Beside it,
   **privacy_requests** runs the deletion requests landed as `privacy/requests-*.csv` (each person
   deleted from every table, their ids suppressed; `dmp privacy report ID`), so this day's
   validation already drops the people deleted.
2. **validate_events** (Spark): reads the day's JSON lines / CSV (gzip or not, `DMP_COLUMN_MAP`),
   quarantines the rows that cannot be stored with a reason (emails hashed) and stages the
   accepted events; read = accepted + quarantined. A damaged file or a rejected share above the
   `max_rejected_share` parameter stops the day here.
3. **gate_raw_events**: Great Expectations suite `expectations/raw_events.json` on the accepted batch:
   events and distinct users within `DMP_VOLUME_DRIFT_MIN`/`_MAX` of the trailing 7 days' median,
   no duplicate event id, late events at most `DMP_MAX_LATE_SHARE`.
4. **tag_events** (Spark): tags each distinct page once (manual rules, then the word2vec model
   under `DMP_MODEL_DIR/current`; pages already in the page index for this model are reused) and
   stages the day's events with their theme.
5. **gate_tagged_events**: suite `tagged_events.json`: coverage (the `min_tagged_share` parameter),
   score range, themes of the taxonomy, model version present.
6. **store_events** (Spark): publishes the gated day: events with their theme to `events_by_user`
   (partition (user_id, day), retention TTL), new pages to `page_index`. Re-running writes the same rows.
7. **daily_interests** then **lifetime_interests** (Spark): stage events and distinct pages per user,
   day and theme; lifetime totals, active days, first/last seen, a decayed score (half-life
   `DMP_INTEREST_HALF_LIFE_DAYS`) and 7/30/90-day events from the day's staged rows and the other
   days' stored ones, the same whatever order days run in. Totals that do not reconcile, or a
   negative or NaN score, stop the day here.
8. **gate_interests**: suites `daily_interests.json` and `lifetime_interests.json` on the staged rows:
   totals reconcile with the stored events, no negative or NaN score, windows nest.
9. **publish_interests** (Spark): writes the gated rows to `user_daily_interests` and `user_interests`
   and deletes the themes a re-run no longer has. Segments downstream follow its assets.
10. **identity** (Spark, after the interests are published): the day's login email hashes (hashed in
   validation), the CRM export (`DMP_CRM_DIR`, newest row per customer wins, bad rows quarantined) and
   partner id-syncs (`DMP_IDSYNC_DIR`) join the stored identity graph; its connected components
   (scipy up to `DMP_IDENTITY_LOCAL_MAX_EDGES` edges, Spark large-star/small-star above), under the
   caps `DMP_IDENTITY_MAX_*`, are persons with stable ids (merges keep the older id and are recorded);
   person profiles (CRM attributes, consent), person interests and the stale keys are staged, and the
   day's staging and quarantine are scanned for raw emails. **gate_identity**: suites `persons.json`,
   `person_by_id.json`, `email_scan.json`, `identity_figures.json`: every id in exactly one person,
   persons within the caps, no raw email, every user of the day in a person, the CRM match rate near
   the trailing days'. **publish_identity** (Spark): `crm_customers`, `identity_edges`,
   `person_by_id`, `person_merges`, `person_daily_interests`, `person_interests`, then `persons`.
11. **keyword_index** (Spark, beside the interests): stages who visited pages with each keyword and
   theta sketches per keyword and theme; theme lists that do not reconcile with the events stop the day.
12. **gate_keyword_index**: suites `keyword_user_sets.json` and `audience_sketches.json`: chunks
   reconcile with the lists, no empty key, each sketch within its error bound of its key's users.
13. **publish_keyword_index** (Spark): replaces the day's `keyword_user_sets` and `audience_sketches`.
14. **person_sketches** (Spark, once identity and the keyword index are published): the day's keyword
    and theme lists mapped to consented people (identity's `persons`), as theta sketches under the
    `*_person` kinds for the Audience Builder's person-level estimates (nothing while no person
    exists); **gate_person_sketches**: the sketch suite on them; **publish_person_sketches**:
    replaces the day's person-level sketches.
15. **evaluate_segments** (Spark, once identity and the keyword index are published): every
    definition under `segments/` over the day's subjects (persons once identity publishes them, ids
    until then), members staged with score and rule; **gate_segments**: sizes against the published
    version, consent, a re-checked sample; **publish_segments**: a new version per segment made
    current by one pointer write, the exports under `DMP_EXPORT_DIR` and the report.
16. **report**: logs and returns the day's figures (`dmp runs show D` prints the same).

Every Cassandra write has one shape: a step computes and stages (Parquet under `DMP_STAGING_DIR/D/`),
a gate checks the staged rows, then a publishing task (the only tasks with Cassandra outlets, listed
in `dmp.pipeline.steps.PUBLISHES`) writes them. A failed gate (or a day stopped on its data) fails
its task without retries: nothing downstream runs, and what earlier days published stays as it was. The failed expectations are in the task
log, in `dmp runs show D` and in the Data Docs (`var/quality/gx/uncommitted/data_docs/local_site/`).

**Trigger with parameters** (Trigger DAG in the UI, or `dmp run D --param min_tagged_share=0.3`):
`max_rejected_share`, `min_tagged_share`, `max_lateness_hours` override the settings for that run;
left empty, the worker's settings apply. Cassandra and Spark endpoints come from the connections
`cassandra_default` and `spark_default` when each task runs.

Run one day: `dmp run 2026-11-01` (or `airflow dags test audience_daily 2026-11-01`).
Backfill: `dmp airflow backfill create --dag-id audience_daily --from-date 2026-11-01 --to-date 2026-11-07`
(unpause the DAG first: a paused DAG's backfill runs stay queued).
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, PokeReturnValue, dag, task
from dmp_airflow.operators import DmpGateOperator, DmpSparkSubmitOperator

from dmp.pipeline import steps
from dmp.settings import load

# Parse-time settings only where Airflow stores a value with the DAG: the start date and the
# assets' URIs. The keyspace names the data the assets stand for, so the DAG processor must share
# the workers' DMP_KEYSPACE; every other setting is read by the tasks when they run.
PARSE_SETTINGS = load()
KEYSPACE = PARSE_SETTINGS.keyspace
DAY = "{{ ds }}"
DAY_ARGS = ["--date", DAY]
LANDING_WAIT = dt.timedelta(hours=6)
# Settings a run may override (dmp.settings.RUN_PARAMETERS); left empty, a parameter overrides nothing
# and the worker's setting applies when the task runs.
RUN_PARAMS = {
    "max_rejected_share": Param(None, type=["null", "number"], minimum=0, maximum=1,
                                description="Stop the day when more than this share of rows is rejected "
                                            "(empty: DMP_MAX_REJECTED_SHARE)."),
    "min_tagged_share": Param(None, type=["null", "number"], minimum=0, maximum=1,
                              description="The tagged-events gate fails below this share of events with a theme "
                                          "(empty: DMP_MIN_TAGGED_SHARE)."),
    "max_lateness_hours": Param(None, type=["null", "integer"], minimum=0, maximum=24,
                                description="Accept events up to this many hours before the day "
                                            "(empty: DMP_MAX_LATENESS_HOURS)."),
}


@dag(
    dag_id="audience_daily",
    # Interval timetable: the run for logical date D covers [D, D+1) and starts after D ends.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime.combine(PARSE_SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=True,
    max_active_runs=3,
    doc_md=__doc__,
    tags=["dmp", "daily", "events"],
    params=RUN_PARAMS,
    default_args={
        "owner": "dmp",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "max_retry_delay": dt.timedelta(minutes=30),
    },
)
def audience_daily():
    @task.sensor(task_id=steps.WAIT_FOR_LANDING, poke_interval=300, timeout=LANDING_WAIT.total_seconds(), mode="reschedule")
    def wait_for_landing(day: str) -> PokeReturnValue:
        from dmp.pipeline.landing import landing_files

        landing_dir = load().landing_dir
        files = landing_files(landing_dir, dt.date.fromisoformat(day))
        print(f"{len(files)} raw file(s) for {day} in {landing_dir}")
        return PokeReturnValue(is_done=bool(files), xcom_value=[str(path) for path in files])

    def spark_job(step: str) -> DmpSparkSubmitOperator:
        return DmpSparkSubmitOperator(task_id=step, job=step, application_args=DAY_ARGS,
                                      outlets=cassandra_assets(step))

    def gate(name: str) -> DmpGateOperator:
        return DmpGateOperator(gate=name, application_args=DAY_ARGS)

    @task(task_id=steps.REPORT)
    def report(day: str) -> dict:
        from dmp.pipeline.runs import read_day_summary

        summary = read_day_summary(load(), dt.date.fromisoformat(day))
        print(summary)
        return summary

    @task(task_id=steps.PRIVACY_REQUESTS)
    def privacy_requests(day: str) -> dict:
        from dmp.privacy.batch import process_batches

        # The retention window of events ends with the day after D, the day this run starts.
        figures = process_batches(load(), dt.date.fromisoformat(day) + dt.timedelta(days=1))
        print(figures)
        return figures

    validate_events = spark_job(steps.VALIDATE_EVENTS)
    tag_events = spark_job(steps.TAG_EVENTS)
    store_events = spark_job(steps.STORE_EVENTS)
    daily_interests = spark_job(steps.DAILY_INTERESTS)
    lifetime_interests = spark_job(steps.LIFETIME_INTERESTS)
    publish_interests = spark_job(steps.PUBLISH_INTERESTS)
    keyword_index = spark_job(steps.KEYWORD_INDEX)
    publish_keyword_index = spark_job(steps.PUBLISH_KEYWORD_INDEX)
    gate_raw_events, gate_tagged_events, gate_interests, gate_keyword_index, gate_identity, gate_person_sketches = \
        map(gate, steps.GATES)
    identity = spark_job(steps.IDENTITY)
    publish_identity = spark_job(steps.PUBLISH_IDENTITY)
    person_sketches = spark_job(steps.PERSON_SKETCHES)
    publish_person_sketches = spark_job(steps.PUBLISH_PERSON_SKETCHES)
    evaluate_segments = spark_job(steps.EVALUATE_SEGMENTS)
    gate_segments = DmpGateOperator(gate=steps.SEGMENTS_GATE, job=steps.gate_step(steps.SEGMENTS_GATE),
                                    application_args=DAY_ARGS)
    publish_segments = spark_job(steps.PUBLISH_SEGMENTS)
    reported = report(DAY)

    [wait_for_landing(DAY), privacy_requests(DAY)] >> validate_events
    validate_events >> gate_raw_events >> tag_events >> gate_tagged_events
    gate_tagged_events >> store_events >> [daily_interests, keyword_index]
    daily_interests >> lifetime_interests >> gate_interests >> publish_interests
    publish_interests >> identity >> gate_identity >> publish_identity
    keyword_index >> gate_keyword_index >> publish_keyword_index
    [publish_identity, publish_keyword_index] >> person_sketches >> gate_person_sketches >> publish_person_sketches
    publish_person_sketches >> reported
    [publish_identity, publish_keyword_index] >> evaluate_segments >> gate_segments >> publish_segments >> reported


def cassandra_assets(step: str) -> list[Asset]:
    """The tables a publishing step writes, as the assets it updates (none for the other steps)."""
    return [Asset(f"cassandra://{KEYSPACE}/{table}", group="dmp") for table in steps.PUBLISHES.get(step, ())]


audience_daily()
