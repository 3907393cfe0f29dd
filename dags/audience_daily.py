"""
### audience_daily: raw connection logs of one day -> events and tagged pages in Cassandra

For its logical date D (the day processed; the run starts once D is over), this DAG:

1. **wait_for_landing**: waits until D's folder in the landing location (`DMP_LANDING_DIR`,
   `data/landing/` by default) holds raw files; gives up after 6 hours.
2. **store_events**: a Spark job (`spark_jobs/store_events.py`, connection `spark_default`) reads
   the day, quarantines rows that cannot be stored (with a reason, emails hashed) and upserts the
   rest into `events_by_user`, partitioned by (user_id, day), with the retention TTL. A damaged
   file (truncated or not gzip) or a rejected share above `DMP_MAX_REJECTED_SHARE` stops the day
   before anything is stored; the error says which files or reasons, and where they were put.
   Re-running a day writes the same rows: event ids are deterministic.
3. **tag_pages**: a Spark job (`spark_jobs/tag_pages.py`) tags the day's distinct URLs that the
   page index does not hold for the current model and taxonomy (rules first, then the word2vec
   model under `DMP_MODEL_DIR/current`), with keywords, into `page_index` (7-day TTL).
4. **daily_interests**: a Spark job (`spark_jobs/daily_interests.py`) joins the day's staged
   events with the page index and upserts, per user and theme, the events and distinct pages
   into `user_daily_interests` (unknown pages count as 'unknown', so totals reconcile).
5. **lifetime_interests**: a Spark job (`spark_jobs/lifetime_interests.py`) recomputes, for the
   day's users, their lifetime interest per theme from all their daily rows (totals, active days,
   first and last seen, a decayed score with half-life `DMP_INTEREST_HALF_LIFE_DAYS`, events of
   the last 7/30/90 days) into `user_interests`; the same whatever order days run in.
6. **keyword_index** (beside the interests): a Spark job (`spark_jobs/keyword_index.py`) writes
   who visited pages with each keyword (`keyword_users`) and theta sketches per keyword and theme
   and day (`audience_sketches`) for `dmp audience estimate`.
7. **report**: logs the day's figures (read = accepted + quarantined, pages tagged, interests)
   and returns them.

Run one day: `dmp run 2026-11-01` (or `airflow dags test audience_daily 2026-11-01`).
Backfill: `dmp airflow backfill create --dag-id audience_daily --from-date 2026-11-01 --to-date 2026-11-07`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, CronDataIntervalTimetable, PokeReturnValue, dag, task
from dmp_airflow.operators import DmpSparkSubmitOperator

from dmp.settings import load

SETTINGS = load()
EVENTS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/events_by_user", group="dmp")
PAGE_INDEX_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/page_index", group="dmp")
INTERESTS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/user_daily_interests", group="dmp")
LIFETIME_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/user_interests", group="dmp")
KEYWORDS_ASSET = Asset(f"cassandra://{SETTINGS.keyspace}/audience_sketches", group="dmp")
DAY = "{{ ds }}"
LANDING_WAIT = dt.timedelta(hours=6)


@dag(
    dag_id="audience_daily",
    # Interval timetable: the run for logical date D covers [D, D+1) and starts after D ends.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime.combine(SETTINGS.pipeline_start, dt.time(), tzinfo=dt.timezone.utc),
    catchup=True,
    max_active_runs=3,
    doc_md=__doc__,
    tags=["dmp", "daily", "events"],
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

    store_events = DmpSparkSubmitOperator(
        task_id="store_events", job="store_events", application_args=["--date", DAY], outlets=[EVENTS_ASSET]
    )
    tag_pages = DmpSparkSubmitOperator(
        task_id="tag_pages", job="tag_pages", application_args=["--date", DAY], outlets=[PAGE_INDEX_ASSET]
    )

    @task
    def report(day: str) -> dict:
        from dmp.pipeline.runs import read_day_summary

        summary = read_day_summary(SETTINGS, dt.date.fromisoformat(day))
        print(summary)
        return summary

    daily_interests = DmpSparkSubmitOperator(
        task_id="daily_interests", job="daily_interests", application_args=["--date", DAY], outlets=[INTERESTS_ASSET]
    )

    lifetime_interests = DmpSparkSubmitOperator(
        task_id="lifetime_interests", job="lifetime_interests", application_args=["--date", DAY],
        outlets=[LIFETIME_ASSET],
    )

    keyword_index = DmpSparkSubmitOperator(
        task_id="keyword_index", job="keyword_index", application_args=["--date", DAY], outlets=[KEYWORDS_ASSET]
    )

    reported = report(DAY)
    wait_for_landing(DAY) >> store_events >> tag_pages >> [daily_interests, keyword_index]
    daily_interests >> lifetime_interests >> reported
    keyword_index >> reported


audience_daily()
