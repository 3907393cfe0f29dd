"""`dmp audience estimate` as a user runs it, on sketches stored in the real node by the pipeline's own builder."""

from __future__ import annotations

import datetime as dt

from dmp.cli import main
from dmp.storage import tables
from dmp.storage.formats import key_bucket, user_sketch

DAY = dt.date(2031, 3, 1)  # a day no other test writes


def _store_sketch(cql, keyspace: str, kind: str, key: str, day: dt.date, users: list[str]) -> None:
    insert = cql.prepare(f"INSERT INTO {keyspace}.{tables.AUDIENCE_SKETCHES} (kind, bucket, day, key, sketch, estimate) "
                         "VALUES (?, ?, ?, ?, ?, ?)")
    sketch = user_sketch(users)
    cql.execute(insert, (kind, key_bucket(key), day, key, sketch.serialize(), sketch.get_estimate()))


def test_estimate_unions_the_keywords_over_the_days_and_names_those_never_seen(cql, settings, capsys):
    _store_sketch(cql, settings.keyspace, "keyword", "ford focus", DAY, ["u1", "u2", "u3"])
    _store_sketch(cql, settings.keyspace, "keyword", "opel", DAY - dt.timedelta(days=1), ["u3", "u4"])
    assert main(["audience", "estimate", "Ford Focus, opel, zeppelin", "--until", DAY.isoformat(), "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"about 4 people from {DAY - dt.timedelta(days=1)} to {DAY} for ford focus, opel, zeppelin")
    assert "(2 sketches" in out and out.rstrip().endswith("never seen: zeppelin")
    assert main(["audience", "estimate", "opel", "--until", DAY.isoformat(), "--days", "1"]) == 1
    assert capsys.readouterr().err.startswith(f"dmp: error: no keyword sketch for opel from {DAY} to {DAY}"), (
        "the opel day is outside --days 1")


def test_estimate_of_themes_reads_the_theme_sketches(cql, settings, capsys):
    _store_sketch(cql, settings.keyspace, "theme", "sports", DAY, ["u1", "u5"])
    assert main(["audience", "estimate", "sports", "--theme", "--until", DAY.isoformat(), "--days", "1"]) == 0
    assert capsys.readouterr().out.startswith("about 2 people")


def test_a_bad_entry_or_date_ends_in_one_line(capsys):
    assert main(["audience", "estimate", "ford focus wagon"]) == 1
    assert "two-word phrases" in capsys.readouterr().err
    assert main(["audience", "estimate", "ford", "--until", "yesterday"]) == 1
    assert "--until" in capsys.readouterr().err
