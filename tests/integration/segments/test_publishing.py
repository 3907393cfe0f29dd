"""Publishing on the real node: versions made current at once, a failure mid-publish, rollback,
and the whole day at person level (attributes, consent, gate, lookups, exports with hashes, report)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json

import pytest

from dmp.segments.daily import evaluate_segments_day
from dmp.segments.definitions import parse_definition
from dmp.segments.gate import gate_segments_day
from dmp.segments.hashing import sha256_email, uid2_email_hash
from dmp.segments.publish import publish_segment, rollback
from dmp.segments.publish_day import publish_segments_day
from dmp.storage import tables
from dmp.storage.segments import CurrentVersions, SegmentStore
from dmp.tagging.taxonomy import load_taxonomy

DAY = dt.date(2026, 11, 30)
EXPIRES = DAY + dt.timedelta(days=7)
MEMBERS_SCHEMA = "subject_id string, ids array<string>, score double, rule string, last_qualified date, expires date"


def _members(spark, rows):
    return spark.createDataFrame([(subject, ids, 1.0, "rule", DAY, EXPIRES) for subject, ids in rows], MEMBERS_SCHEMA)


def test_a_failed_publish_leaves_the_previous_version_and_rollback_restores_one(spark, cql, segment_world, settings):
    definition = parse_definition({"id": "seg", "name": "seg", "rule": {"theme": "travel", "min_events": 1}},
                                  load_taxonomy(settings.taxonomy_file))
    store = SegmentStore(cql, segment_world.keyspace)
    first = publish_segment(store, segment_world, definition, DAY, _members(spark, [("s1", ["a1"]), ("s2", ["a2"])]))
    assert first.made_current and store.lookup("a2", DAY) == {"seg": EXPIRES}
    clock = [0.0]
    ad_server = CurrentVersions(store, refresh_seconds=5, clock=lambda: clock[0])
    assert ad_server.lookup("a2", DAY) == {"seg": EXPIRES}

    broken_df = _members(spark, [("s1", ["a1"]), ("s3", ["a3", None])])  # an id the lookup table cannot take
    with pytest.raises(Exception):
        publish_segment(store, segment_world, definition, DAY + dt.timedelta(days=1), broken_df)
    assert store.pointers()["seg"].version == first.version, "readers still see the previous version"
    assert store.lookup("a2", DAY) == {"seg": EXPIRES} and store.lookup("a3", DAY) == {}, "nothing half-written is read"

    second = publish_segment(store, segment_world, definition, DAY + dt.timedelta(days=1),
                             _members(spark, [("s1", ["a1"]), ("s3", ["a3"])]))
    assert second.made_current and store.lookup("a2", DAY) == {} and store.lookup("a3", DAY) == {"seg": EXPIRES}
    assert ad_server.lookup("a2", DAY) == {"seg": EXPIRES}, "a cached view keeps reading the complete previous version"
    clock[0] = 5.0
    assert ad_server.lookup("a2", DAY) == {} and ad_server.lookup("a3", DAY) == {"seg": EXPIRES}, "then the new one"
    again = publish_segment(store, segment_world, definition, DAY + dt.timedelta(days=1),
                            _members(spark, [("s1", ["a1"]), ("s3", ["a3"])]))
    assert again.version == second.version and not again.written, "a re-run writes nothing"

    rollback(store, "seg", first.version)
    assert store.lookup("a2", DAY) == {"seg": EXPIRES} and store.lookup("a3", DAY) == {}
    assert store.lookup("a2", EXPIRES) == {}, "expired memberships are not returned"
    with pytest.raises(Exception, match="no complete version"):
        rollback(store, "seg", "20261130-unknown")


PERSONS = [  # person, ids, attributes, consent, email
    ("p1", ["c1", "c2"], {"country": "FR", "loyalty_tier": "gold", "age_band": "25-34"}, True, "Jane.Doe+news@gmail.com"),
    ("p2", ["c3"], {"country": "FR", "loyalty_tier": "silver", "age_band": "35-44"}, False, "p2@example.com"),
    ("p3", ["c4"], {"country": "FR", "loyalty_tier": "bronze", "age_band": "25-34"}, True, "p3@example.com"),
    ("p4", ["c5"], {"country": "US", "loyalty_tier": "gold", "age_band": "25-34"}, True, "p4@example.com"),
]


def test_a_person_level_day_is_gated_published_looked_up_exported_and_reported(spark, cql, segment_world, settings, helpers):
    world = segment_world
    (world.segments_dir / "french-loyal.yaml").write_text((settings.home / "segments" / "french-loyal.yaml").read_text())
    insert = cql.prepare(f"INSERT INTO {world.keyspace}.{tables.PERSONS} (person_id, ids, attributes, has_consent, "
                         "email_sha256, email_uid2) VALUES (?, ?, ?, ?, ?, ?)")
    for person, ids, attributes, consent, email in PERSONS:
        cql.execute(insert, (person, set(ids), attributes, consent, {sha256_email(email)}, {uid2_email_hash(email)}))
    helpers.daily_rows(cql, world, tables.PERSON_DAILY_INTERESTS, "person_id", [("p1", DAY, "travel", 2)])

    figures = evaluate_segments_day(spark, world, DAY)
    assert figures["level"] == "person"
    assert figures["segments"]["french-loyal"]["members"] == 1
    assert figures["segments"]["french-loyal"]["excluded_no_consent"] == 1, "p2 qualifies but refused consent"
    assert gate_segments_day(spark, world, DAY)["success"]
    published = publish_segments_day(spark, world, DAY)

    store = SegmentStore(cql, world.keyspace)
    assert store.lookup("c1", DAY) == store.lookup("c2", DAY) == {"french-loyal": DAY + dt.timedelta(days=30)}
    assert store.lookup("c3", DAY) == {} and store.lookup("c4", DAY) == {}
    folder = world.export_dir + f"/{DAY}/french-loyal"
    manifest = json.loads(open(f"{folder}/manifest.json").read())
    assert manifest["counts"] == {"ids.csv": 2, "ids.parquet": 2, "emails_sha256.csv": 1, "emails_uid2.csv": 1}
    with open(f"{folder}/emails_uid2.csv") as handle:
        assert [row["email_uid2"] for row in csv.DictReader(handle)] == [uid2_email_hash("janedoe@gmail.com")]
    with open(f"{folder}/ids.csv") as handle:
        assert sorted(row["id"] for row in csv.DictReader(handle)) == ["c1", "c2"]
    report = world.segment_reports_dir / DAY.isoformat()
    assert published["report"] == str(report / "index.html")
    assert (report / "sizes.png").read_bytes()[:4] == b"\x89PNG" and "french-loyal" in (report / "index.html").read_text()


def test_the_gate_refuses_a_sudden_size_change(spark, cql, segment_world, helpers):
    # A handful of members here (1 -> 4): the share is judged at any size for this test.
    world = dataclasses.replace(segment_world, segment_size_check_min=0)
    helpers.define(world, "travel", "consent: not_required\nrule: {theme: travel, window_days: 7, min_events: 1}\n")
    helpers.daily_rows(cql, world, tables.DAILY_INTERESTS, "user_id", [("u1", DAY, "travel", 1)])
    evaluate_segments_day(spark, world, DAY)
    gate_segments_day(spark, world, DAY)
    publish_segments_day(spark, world, DAY)
    later = DAY + dt.timedelta(days=1)
    helpers.daily_rows(cql, world, tables.DAILY_INTERESTS, "user_id",
                       [(f"u{n}", later, "travel", 1) for n in range(2, 5)])
    evaluate_segments_day(spark, world, later)
    with pytest.raises(Exception, match="segment gate failed for travel \\(size\\)"):
        gate_segments_day(spark, world, later)
    with pytest.raises(Exception, match="gate has not passed"):
        publish_segments_day(spark, world, later)
    assert SegmentStore(cql, world.keyspace).lookup("u3", later) == {}
