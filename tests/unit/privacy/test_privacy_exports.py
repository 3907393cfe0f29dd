"""Delivered exports rewritten without a deleted person: rows, checksums and members in the manifest."""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq

from dmp.privacy.exports import rewrite_exports
from dmp.privacy.subjects import Subject

SUBJECT = Subject(user_ids=("c1", "c2"), person_ids=("p1",), email_hashes=("h1",), email_uid2=(), nodes=())


def _export(folder, level: str, ids: list[str]) -> None:
    folder.mkdir(parents=True)
    (folder / "ids.csv").write_text("id\n" + "".join(f"{value}\n" for value in ids))
    pq.write_table(pa.table({"id": ids}), folder / "ids.parquet")
    (folder / "emails_sha256.csv").write_text("email_sha256\nh1\nh3\n")
    files = [{"file": "ids.csv", "format": "csv", "rows": len(ids), "sha256": "x"},
             {"file": "ids.parquet", "format": "parquet", "rows": len(ids), "sha256": "x"},
             {"file": "emails_sha256.csv", "format": "csv", "rows": 2, "sha256": "x"}]
    (folder / "manifest.json").write_text(json.dumps({"level": level, "members": 2 if level == "person" else len(ids),
                                                      "files": files, "counts": {}}))


def test_every_file_holding_the_person_is_rewritten_and_the_manifest_follows(tmp_path):
    _export(tmp_path / "2026-11-01" / "seg", "person", ["c1", "c2", "c3"])
    _export(tmp_path / "2026-11-02" / "other", "user", ["c1", "c2", "c3"])
    rewritten = rewrite_exports(str(tmp_path), SUBJECT, "prv-1")
    assert rewritten == [str(tmp_path / "2026-11-01" / "seg"), str(tmp_path / "2026-11-02" / "other")]

    folder = tmp_path / "2026-11-01" / "seg"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (folder / "ids.csv").read_text() == "id\nc3\n"
    assert pq.read_table(folder / "ids.parquet").column("id").to_pylist() == ["c3"]
    assert (folder / "emails_sha256.csv").read_text() == "email_sha256\nh3\n"
    assert manifest["counts"] == {"ids.csv": 1, "ids.parquet": 1, "emails_sha256.csv": 1}
    assert manifest["members"] == 1, "at person level the person was one member"
    assert all(entry["sha256"] == hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
               for entry in manifest["files"])
    assert manifest["privacy"] == [{"request_id": "prv-1", "rows_removed": {"ids.csv": 2, "ids.parquet": 2,
                                                                             "emails_sha256.csv": 1}}]
    assert json.loads((tmp_path / "2026-11-02" / "other" / "manifest.json").read_text())["members"] == 1, \
        "at id level each id was a member"


def test_an_export_without_the_person_is_left_as_it_is(tmp_path):
    folder = tmp_path / "2026-11-03" / "seg"
    _export(folder, "user", ["c7", "c8"])
    (folder / "emails_sha256.csv").write_text("email_sha256\nh3\n")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert rewrite_exports(str(tmp_path), SUBJECT, "prv-1") == []
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
