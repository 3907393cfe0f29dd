"""A person deleted on the real node: every table, the sketches and the exports lose them, the request
proves it, and running both days again does not bring them back.

A generated world of two small days runs through the pipeline in-process (events, interests,
keyword index, one segment published and exported). Identity is not merged on this branch, so the
test writes the person's rows itself: one person with two of the world's cookies and an email,
as identity publishes them. The email request must find both cookies; a batch file then deletes a
third cookie through the DAG task's function.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from dmp import cli
from dmp.audience.estimate import estimate
from dmp.identity import graph
from dmp.identity.emails import DEFAULT_EMAIL_RULES, email_hash, parse_email_rules
from dmp.pipeline import staging, steps
from dmp.pipeline.day import NO_GATES, run_day
from dmp.pipeline.runs import read_step_summary
from dmp.privacy.batch import PRIVACY_FOLDER, process_batches
from dmp.privacy.requests import DONE, REJECTED, SUPPRESSED_COUNT, run_request
from dmp.privacy.subjects import EMAIL, identifier
from dmp.segments.daily import evaluate_segments_day
from dmp.segments.gate import gate_segments_day
from dmp.segments.publish_day import publish_segments_day
from dmp.storage import tables
from dmp.storage.keyword_index import KeywordIndexReader, SketchReader
from dmp.storage.privacy import Requests
from dmp.storage.segments import SegmentStore

START = dt.date(2026, 10, 20)
DAYS = [START, START + dt.timedelta(days=1)]
PEOPLE, SEED = 40, 77
EMAIL_ADDRESS = "Erase.Me+dmp@GMail.com"
PERSON = "privacy-person-1"
SEGMENT = "privacy-readers"
TAGGED_AT = dt.datetime(2026, 10, 25, tzinfo=dt.timezone.utc)
SUBJECT_TABLES = (tables.EVENTS, tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS, tables.SEGMENTS_BY_USER)


def _run_days(spark, world) -> None:
    for day in DAYS:
        run_day(spark, world, day, steps=NO_GATES, tagged_at=TAGGED_AT)


def _publish_segments(spark, world) -> None:
    evaluate_segments_day(spark, world, DAYS[-1])
    assert gate_segments_day(spark, world, DAYS[-1])["success"]
    publish_segments_day(spark, world, DAYS[-1])


def _rows_of(cql, world, user_id: str) -> dict[str, int]:
    """The user's rows in the tables keyed by user id, read directly (not through the privacy code)."""
    ks = world.keyspace
    found = {tables.EVENTS: sum(cql.execute(f"SELECT count(*) FROM {ks}.{tables.EVENTS} WHERE user_id = %s AND day = %s",
                                            (user_id, day)).one()[0] for day in DAYS)}
    for table in (tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS):
        found[table] = cql.execute(f"SELECT count(*) FROM {ks}.{table} WHERE user_id = %s", (user_id,)).one()[0]
    found[tables.SEGMENTS_BY_USER] = cql.execute(
        f"SELECT count(*) FROM {ks}.{tables.SEGMENTS_BY_USER} WHERE id = %s", (user_id,)).one()[0]
    return found


def _keywords_of(spark, world, user_id: str, day: dt.date) -> list[str]:
    events_df = spark.read.parquet(world.staged(day, staging.TAGGED_EVENTS)).where(f"user_id = '{user_id}'")
    pages_df = spark.read.parquet(world.staged(day, staging.PAGES))
    urls = {row.url for row in events_df.select("url").collect()}
    return sorted({keyword for row in pages_df.collect() if row.url in urls for keyword in (row.keywords or {})})


def _audience(cql, world, kind: str, key: str, day: dt.date) -> tuple[float, set[str]]:
    """A key's day: its sketch's estimate and (keywords) its exact users."""
    sketch = estimate(SketchReader(cql, world.keyspace), kind, (key,), day, day).users
    users = KeywordIndexReader(cql, world.keyspace).users((key,), day, day) if kind == "keyword" else set()
    return sketch, users


@pytest.fixture(scope="module")
def world(spark, cql, generated_world, tmp_path_factory):
    """Two generated days run and a segment published; the two most active cookies are one person with an email."""
    root = tmp_path_factory.mktemp("privacy-world")
    built = dataclasses.replace(generated_world("privacy", START, days=len(DAYS), people=PEOPLE, seed=SEED),
                                segments_dir=root / "segments", export_dir=str(root / "exports"),
                                segment_reports_dir=root / "reports")
    # The keyspace outlives sessions: nobody suppressed yet, and no version of the segment complete already
    # (an earlier session's deletion edited it, and a publish finds a complete version and writes nothing).
    for table in (tables.PRIVACY_SUPPRESSIONS, tables.PRIVACY_REQUESTS, tables.PERSONS, tables.PERSON_BY_ID,
                  tables.SEGMENT_CURRENT, tables.SEGMENT_VERSIONS, tables.SEGMENTS_BY_USER, tables.USERS_BY_SEGMENT):
        cql.execute(f"TRUNCATE {built.keyspace}.{table}")
    _run_days(spark, built)
    events_df = spark.read.parquet(built.staged(DAYS[0], staging.TAGGED_EVENTS)).where("theme != 'unknown'")
    ranked = [row.user_id for row in events_df.groupBy("user_id").count().orderBy("count", "user_id",
                                                                                  ascending=False).collect()]
    theme = events_df.where(f"user_id = '{ranked[0]}'").first().theme
    root.joinpath("segments").mkdir()
    (root / "segments" / f"{SEGMENT}.yaml").write_text(
        f"id: {SEGMENT}\nname: {SEGMENT}\nconsent: not_required\nrule: {{theme: {theme}, window_days: 2, "
        "min_events: 1}\n")
    _publish_segments(spark, built)
    yield built, ranked[:2], ranked[2], theme
    for table in (tables.PERSONS, tables.PERSON_BY_ID):
        cql.execute(f"TRUNCATE {built.keyspace}.{table}")


def _add_person(cql, world, cookies: list[str]) -> str:
    """The person identity would publish for `cookies` and the email; its email hash."""
    hashed = email_hash(EMAIL_ADDRESS, parse_email_rules(DEFAULT_EMAIL_RULES))
    cql.execute(f"INSERT INTO {world.keyspace}.{tables.PERSONS} (person_id, ids, email_sha256) VALUES (%s, %s, %s)",
                (PERSON, set(cookies), {hashed}))
    for node in [graph.node(graph.USER, cookie) for cookie in cookies] + [graph.node(graph.EMAIL, hashed)]:
        cql.execute(f"INSERT INTO {world.keyspace}.{tables.PERSON_BY_ID} (id, person_id) VALUES (%s, %s)",
                    (node, PERSON))
    return hashed


def test_a_deleted_person_is_gone_everywhere_and_a_rerun_of_both_days_does_not_bring_them_back(
        spark, cql, world, capsys, caplog):
    world, cookies, _, theme = world
    keyword = _keywords_of(spark, world, cookies[0], DAYS[0])[0]
    keyword_before = _audience(cql, world, "keyword", keyword, DAYS[0])
    theme_before = _audience(cql, world, "theme", theme, DAYS[0])
    theme_users = {user for row in spark.read.parquet(world.staged(DAYS[0], staging.USER_LISTS)).where(
        f"kind = 'theme' AND key = '{theme}'").collect() for user in row.users}
    assert theme_before[0] == len(theme_users) and cookies[0] in theme_users
    assert set(cookies) & keyword_before[1] and keyword_before[0] == len(keyword_before[1]), "exact mode"
    assert all(_rows_of(cql, world, cookie)[tables.EVENTS] for cookie in cookies)
    assert SegmentStore(cql, world.keyspace).lookup(cookies[0], DAYS[-1]), "the busiest cookie is a member"
    _add_person(cql, world, cookies)

    with caplog.at_level(logging.DEBUG):
        outcome = run_request(world, identifier(EMAIL, EMAIL_ADDRESS), "test", today=DAYS[-1])
    record = outcome.record
    assert outcome.subject.user_ids == tuple(sorted(cookies)) and outcome.subject.person_ids == (PERSON,)
    assert record.status == DONE, record.notes
    for table in (tables.EVENTS, tables.DAILY_INTERESTS, tables.LIFETIME_INTERESTS, tables.KEYWORD_USER_SETS,
                  tables.AUDIENCE_SKETCHES, tables.SEGMENTS_BY_USER, tables.USERS_BY_SEGMENT, tables.PERSONS,
                  tables.PERSON_BY_ID):
        assert record.before[table] > 0, table
        assert record.after[table] == 0, table
    for cookie in cookies:
        assert set(_rows_of(cql, world, cookie).values()) == {0}, cookie

    keyword_after = _audience(cql, world, "keyword", keyword, DAYS[0])
    removed = len(set(cookies) & keyword_before[1])
    assert keyword_after[1] == keyword_before[1] - set(cookies)
    assert keyword_after[0] == keyword_before[0] - removed, "the keyword's sketch is rebuilt without them"
    theme_after = _audience(cql, world, "theme", theme, DAYS[0])[0]
    assert theme_after == len(theme_users - set(cookies)), "the theme's sketch forgot them"
    assert SegmentStore(cql, world.keyspace).lookup(cookies[0], DAYS[-1]) == {}
    folder = Path(world.export_dir) / DAYS[-1].isoformat() / SEGMENT
    with (folder / "ids.csv").open() as handle:
        exported = {row["id"] for row in csv.DictReader(handle)}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert not exported & set(cookies) and manifest["counts"]["ids.csv"] == len(exported)
    assert manifest["privacy"][0]["request_id"] == record.request_id and str(folder) in record.exports

    assert cli.main(["privacy", "report", record.request_id]) == 0
    report = capsys.readouterr().out
    assert f"{tables.EVENTS}" in report and "status      done" in report
    stored = json.dumps(dataclasses.asdict(record), default=str)
    for text in (stored, report, caplog.text):
        assert "erase" not in text.lower(), "no raw email in the record, the report or the logs"

    _run_days(spark, world)  # the landing files still hold them: validation must drop them
    _publish_segments(spark, world)
    for cookie in cookies:
        assert set(_rows_of(cql, world, cookie).values()) == {0}, f"{cookie} came back"
    assert _audience(cql, world, "keyword", keyword, DAYS[0]) == keyword_after
    assert _audience(cql, world, "theme", theme, DAYS[0])[0] == theme_after
    validated = read_step_summary(world, DAYS[0], steps.VALIDATE_EVENTS)
    assert validated["quarantined_by_reason"]["suppressed"] == validated["suppressed"] > 0
    assert validated["read"] == validated["accepted"] + validated["quarantined"]
    assert not (Path(world.quarantine_dir) / DAYS[0].isoformat() / "rows").exists(), "suppressed rows are not kept"


def test_a_batch_file_runs_each_request_once_and_records_bad_lines_without_their_value(spark, cql, world):
    world, _, cookie, _ = world
    folder = Path(world.landing_dir) / PRIVACY_FOLDER
    folder.mkdir(exist_ok=True)
    batch = folder / "requests-0001.csv"
    batch.write_text(f"kind,value,request_id\nuser_id,{cookie},desk-42\nphone,someone@example.com,desk-43\n")
    figures = process_batches(world, DAYS[-1] + dt.timedelta(days=1))
    assert figures["by_status"] == {DONE: 1, REJECTED: 1} and not batch.exists(), "recorded, then removed"

    requests = Requests(cql, world.keyspace)
    done, rejected = requests.get("desk-42"), requests.get("desk-43")
    assert done.status == DONE and done.before[tables.EVENTS] > 0 and done.after.pop(SUPPRESSED_COUNT) == 1
    assert set(done.after.values()) == {0} and set(_rows_of(cql, world, cookie).values()) == {0}
    assert cookie not in str(done), "the subject is held as a digest only"
    assert rejected.status == REJECTED and "line 3" in rejected.notes[0] and "someone" not in str(rejected)
    assert process_batches(world, DAYS[-1])["files"] == 0
