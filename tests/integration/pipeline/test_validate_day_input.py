"""Landing data as partners send it: bad rows, damaged files, CSV and JSON, their column names.

Rows that cannot be stored go to the quarantine with their reason and the counts reconcile;
a damaged file, or too many rejected rows, stops the day at validation: nothing is staged for the
next steps, so nothing can reach Cassandra.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import uuid
from pathlib import Path

import pytest

from dmp.errors import InputError
from dmp.pipeline.landing import CORRUPT_FOLDER, REASONS_FILE
from dmp.pipeline import staging
from dmp.pipeline import steps
from dmp.pipeline.runs import read_step_summary
from dmp.pipeline.validate import ROWS_FOLDER, validate_day

DAY = dt.date(2026, 11, 12)
# Validation reads the privacy suppressions from Cassandra (dropped rows of deleted people).
pytestmark = pytest.mark.usefixtures("cql")


def _event(user: str, hour: int, url: str, **extra) -> str:
    return json.dumps({"user_id": user, "ts": f"2026-11-12T{hour:02d}:00:00.000Z", "url": url,
                       "event_type": "page_view", "partner_id": "p-001", **extra})


@pytest.fixture
def landing(tmp_path):
    """A day with good rows and every kind of bad row; returns (settings changes, good users)."""
    day_dir = tmp_path / "landing" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    good_users = [f"bad-input-{uuid.uuid4().hex}" for _ in range(6)]
    lines = [_event(user, 10 + index, f"https://www.nrj.fr/actu/{index}-concert.html") for index, user in enumerate(good_users)]
    lines += [
        _event(good_users[0], 11, "https://x.org/a", email=" Some.One@Example.ORG "),  # a login, stored without email
        '{"user_id": "u1", "ts": "2026-11-12T10:00:00Z", "url": ',  # invalid JSON
        "this is not json at all",
        _event("", 10, "https://x.org/b"),  # missing user id
        _event("u2", 10, "https://x.org/" + "a" * 1_000_000),  # a 1 MB URL
        _event("u3", 10, "https://x.org/\u0007bell"),  # control character
        _event("u8\tsecond\nline", 10, "https://x.org/f"),  # control characters in the user id
        _event("u4", 10, "javascript:void(0)"),  # not a page
        json.dumps({"user_id": "u5", "ts": "2025-03-01T10:00:00Z", "url": "https://x.org/c",
                    "email": "Person@Example.org"}),  # another year, on a login
        json.dumps({"user_id": "u6", "ts": "yesterday", "url": "https://x.org/d"}),
        json.dumps({"user": "u7", "timestamp": "2026-11-12T10:00:00Z", "link": "https://x.org/e"}),  # wrong columns
    ]
    with gzip.open(day_dir / "events-00000.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return tmp_path, day_dir, good_users


def _settings(settings, root: Path, **changes):
    return dataclasses.replace(settings, landing_dir=str(root / "landing"), quarantine_dir=str(root / "quarantine"),
                               runs_dir=root / "runs", staging_dir=str(root / "staging"), **changes)


def _staged(spark, settings):
    return spark.read.parquet(settings.staged(DAY, staging.EVENTS))


def test_bad_rows_are_quarantined_with_reasons_and_counts_reconcile(spark, settings, landing):
    root, _, good_users = landing
    day_settings = _settings(settings, root, max_rejected_share=1.0)

    summary = validate_day(spark, day_settings, DAY)

    assert summary["read"] == 17 == summary["accepted"] + summary["quarantined"]
    assert summary["quarantined_by_reason"] == {
        "malformed_json": 2, "missing_user_id": 2, "invalid_user_id": 1, "url_too_long": 1, "invalid_url": 2,
        "timestamp_outside_day": 1, "unparsable_timestamp": 1,
    }
    assert summary["quarantined"] == 10
    staged_df = _staged(spark, day_settings)
    assert summary["staged"] == summary["accepted"] == 7 == staged_df.count()
    assert {row.user_id for row in staged_df.select("user_id").collect()} == set(good_users)
    assert "email" not in staged_df.columns
    quarantined = [json.loads(line) for part in (root / "quarantine" / DAY.isoformat() / ROWS_FOLDER).glob("*.json.gz")
                   for line in gzip.open(part, "rt")]
    assert len(quarantined) == 10 and all(row["rejection_reason"] for row in quarantined)
    (login,) = [row for row in quarantined if row.get("email_hash")]
    assert "email" not in login and len(login["email_hash"]) == 64, "emails leave only hashed, even to quarantine"
    logins = spark.read.parquet(day_settings.staged(DAY, "logins")).collect()
    assert summary["logins"] == len(logins) == 1 and "@" not in str(logins[0])
    assert len(logins[0].email_hash) == 64 and logins[0].email_uid2.endswith("=")


def test_a_rerun_after_the_partner_fixed_the_day_leaves_no_quarantined_rows_behind(spark, settings, landing):
    root, day_dir, good_users = landing
    day_settings = _settings(settings, root, max_rejected_share=1.0)
    validate_day(spark, day_settings, DAY)
    rows_dir = root / "quarantine" / DAY.isoformat() / ROWS_FOLDER
    assert any(rows_dir.glob("*.json.gz"))
    with gzip.open(day_dir / "events-00000.jsonl.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(_event(user, 10, "https://www.nrj.fr/actu/1-concert.html") for user in good_users) + "\n")

    summary = validate_day(spark, day_settings, DAY)

    assert summary["quarantined"] == 0 and summary["quarantine_dir"] is None and not rows_dir.exists()


def test_a_truncated_file_stops_the_day_before_anything_is_staged(spark, settings, landing):
    root, day_dir, _ = landing
    whole = (day_dir / "events-00000.jsonl.gz").read_bytes()
    (day_dir / "events-00001.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (day_dir / "events-00002.jsonl.gz").write_bytes(b"plain text, not gzip\n")
    day_settings = _settings(settings, root, max_rejected_share=1.0)

    with pytest.raises(InputError, match=r"events-00001.jsonl.gz \(truncated_gzip\).*events-00002.jsonl.gz \(not_gzip\)"):
        validate_day(spark, day_settings, DAY)

    assert not Path(day_settings.staged(DAY, staging.EVENTS)).exists()
    corrupt = root / "quarantine" / DAY.isoformat() / CORRUPT_FOLDER
    assert json.loads((corrupt / REASONS_FILE).read_text()) == [
        {"file": "events-00001.jsonl.gz", "reason": "truncated_gzip"},
        {"file": "events-00002.jsonl.gz", "reason": "not_gzip"},
    ]
    assert (day_dir / "events-00001.jsonl.gz").is_file(), "the original stays until it is replaced"
    figures = read_step_summary(day_settings, DAY, steps.VALIDATE_EVENTS)
    assert figures["staged"] == 0 and "damaged landing file" in figures["stopped"]


def test_too_many_rejected_rows_stop_the_day_before_anything_is_staged(spark, settings, landing):
    root, _, _ = landing
    day_settings = _settings(settings, root, max_rejected_share=0.05)

    with pytest.raises(InputError, match=r"58\.8% of the 17 rows were rejected, above DMP_MAX_REJECTED_SHARE=5\.0%"):
        validate_day(spark, day_settings, DAY)
    assert not Path(day_settings.staged(DAY, staging.EVENTS)).exists()


def test_events_of_the_evening_before_are_accepted_within_the_lateness(spark, settings, tmp_path):
    day_dir = tmp_path / "landing" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    stamps = ["2026-11-11T21:59:00Z", "2026-11-11T22:30:00Z", "2026-11-12T23:59:59Z", "2026-11-13T00:00:00Z"]
    (day_dir / "late.jsonl").write_text("".join(
        json.dumps({"user_id": "late-user", "ts": ts, "url": "https://a.org/x"}) + "\n" for ts in stamps))
    day_settings = _settings(settings, tmp_path, max_rejected_share=1.0, max_lateness_hours=2)

    summary = validate_day(spark, day_settings, DAY)

    assert summary["quarantined_by_reason"] == {"timestamp_outside_day": 2}
    staged = _staged(spark, day_settings).select("ts", "day").orderBy("ts").collect()
    assert [(row.ts, row.day) for row in staged] == [
        (dt.datetime(2026, 11, 11, 22, 30), DAY), (dt.datetime(2026, 11, 12, 23, 59, 59), DAY),
    ], "a late event keeps its time and is counted in the day it was received for"


def test_csv_and_json_with_partner_column_names_and_epoch_times(spark, settings, tmp_path):
    day_dir = tmp_path / "landing" / DAY.isoformat()
    day_dir.mkdir(parents=True)
    users = [f"csv-{uuid.uuid4().hex}" for _ in range(3)]
    millis = int(dt.datetime(2026, 11, 12, 9, tzinfo=dt.timezone.utc).timestamp() * 1000)
    csv_lines = [
        "uid,time,page,ref",
        f"{users[0]},{millis},https://www.nrj.fr/actu/1-concert.html,",
        f"{users[1]},{millis // 1000},https://auto.ru/news/kia-rio/,https://yandex.ru/search/?text=kia",
        f"{users[2]},2026-11-12T10:00:00Z,https://www.espn.com/story/_/id/1/match,",
        f"{users[2]},2026-11-12T11:00:00Z,https://a.org/x,,an extra field",
        "broken-row-without-enough-fields",
    ]
    with gzip.open(day_dir / "partner-a.csv.gz", "wt", encoding="utf-8") as out:
        out.write("\n".join(csv_lines) + "\n")
    (day_dir / "partner-b.jsonl").write_text(
        json.dumps({"uid": users[0], "time": "2026-11-12T12:00:00Z", "page": "https://www.bbcgoodfood.com/recipes/cake"})
        + "\n{broken\n"
    )
    day_settings = dataclasses.replace(
        _settings(settings, tmp_path, max_rejected_share=1.0),
        column_map={"user_id": "uid", "ts": "time", "url": "page", "referrer": "ref"},
    )

    summary = validate_day(spark, day_settings, DAY)

    assert summary["read"] == 7 == summary["accepted"] + summary["quarantined"]
    assert summary["quarantined_by_reason"] == {"malformed_csv": 2, "malformed_json": 1}
    staged_df = _staged(spark, day_settings)
    assert summary["staged"] == 4 == staged_df.count()
    assert {row.user_id for row in staged_df.select("user_id").collect()} == set(users)
    stamps = sorted(row.ts for row in staged_df.select("ts").collect())
    assert stamps[0] == dt.datetime(2026, 11, 12, 9) and stamps[1] == dt.datetime(2026, 11, 12, 9)
