"""A scratch world for the Audience Builder's tests: its own segments folder, exports and reports,
and an empty `persons` table (left empty after) so people written here reach no other test."""

from __future__ import annotations

import dataclasses

import pytest

from dmp.storage import tables


@pytest.fixture
def audience_world(cql, settings, tmp_path):
    cql.execute(f"TRUNCATE {settings.keyspace}.{tables.PERSONS}")
    (tmp_path / "segments").mkdir()
    yield dataclasses.replace(settings, segments_dir=tmp_path / "segments", export_dir=str(tmp_path / "exports"),
                              segment_reports_dir=tmp_path / "reports")
    cql.execute(f"TRUNCATE {settings.keyspace}.{tables.PERSONS}")
