"""A scratch segments world on the real node: its own definitions, staging, runs, exports and reports."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from dmp.storage import tables

SEGMENT_TABLES = (tables.DAILY_INTERESTS, tables.SEGMENT_CURRENT, tables.SEGMENT_VERSIONS, tables.SEGMENTS_BY_USER,
                  tables.USERS_BY_SEGMENT, tables.PERSONS, tables.PERSON_DAILY_INTERESTS, tables.KEYWORD_USER_SETS)


class Helpers:
    """What the segment tests share: writing definitions and daily interest rows, listing days."""

    @staticmethod
    def define(world, segment_id: str, body: str) -> None:
        (world.segments_dir / f"{segment_id}.yaml").write_text(f"id: {segment_id}\nname: {segment_id}\n{body}")

    @staticmethod
    def daily_rows(cql, world, table: str, key: str, rows) -> None:
        """Insert (subject, day, theme, events) daily interest rows into `table` keyed by `key`."""
        statement = cql.prepare(
            f"INSERT INTO {world.keyspace}.{table} ({key}, day, theme, events, pages) VALUES (?, ?, ?, ?, ?)")
        for subject, day, theme, events in rows:
            cql.execute(statement, (subject, day, theme, events, events))

    @staticmethod
    def days_before(day: dt.date, count: int) -> list[dt.date]:
        return [day - dt.timedelta(days=offset) for offset in range(count)]


@pytest.fixture
def helpers() -> Helpers:
    return Helpers()


@pytest.fixture
def segment_world(cql, settings, tmp_path):
    """Settings for a scratch world with empty segment, interest and person tables."""
    for table in SEGMENT_TABLES:
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")
    (tmp_path / "segments").mkdir()
    world = dataclasses.replace(
        settings, segments_dir=tmp_path / "segments", staging_dir=str(tmp_path / "staging"), runs_dir=tmp_path / "runs",
        export_dir=str(tmp_path / "exports"), segment_reports_dir=tmp_path / "reports")
    yield world
    for table in (tables.PERSONS, tables.PERSON_DAILY_INTERESTS):
        cql.execute(f"TRUNCATE {settings.keyspace}.{table}")

