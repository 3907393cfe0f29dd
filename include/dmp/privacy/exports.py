"""Segment exports already delivered, written again without a deleted person.

Exports are files under DMP_EXPORT_DIR/<day>/<segment>/ (`dmp.segments.export`): the members' ids
(CSV and Parquet) and, at person level, their hashed emails. A deletion rewrites every file that
holds one of the person's ids or email hashes, and updates the folder's manifest (rows, each file's
SHA-256, members) with a `privacy` entry naming the request, so a partner that fetches again gets
the corrected files and can see why they changed. The folders rewritten go in the request's record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from dmp.privacy.subjects import Subject
from dmp.segments.export import MANIFEST
from dmp.segments.subjects import PERSON_LEVEL

IDS_STEM = "ids"
SHA256_STEM = "emails_sha256"
UID2_STEM = "emails_uid2"


def _values_of(subject: Subject) -> dict[str, frozenset[str]]:
    """File stem -> the subject's values such a file may hold."""
    return {IDS_STEM: frozenset(subject.user_ids), SHA256_STEM: frozenset(subject.email_hashes),
            UID2_STEM: frozenset(subject.email_uid2)}


def _rewrite_csv(path: Path, drop: frozenset[str]) -> int:
    """Rows of `path` whose first column is not in `drop` (header kept); the rows removed."""
    rows = list(csv.reader(io.StringIO(path.read_text())))
    header, body = rows[:1], rows[1:]
    kept = [row for row in body if not row or row[0] not in drop]
    if len(kept) != len(body):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(header + kept)
        path.write_text(out.getvalue())
    return len(body) - len(kept)


def _rewrite_parquet(path: Path, drop: frozenset[str]) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    kept = table.filter(pc.invert(pc.is_in(table.column(0), value_set=pa.array(sorted(drop)))))
    if kept.num_rows != table.num_rows:
        pq.write_table(kept, path)
    return table.num_rows - kept.num_rows


def _rewrite_folder(folder: Path, subject: Subject, request_id: str) -> int:
    """Rewrite the folder's files without the subject; the rows removed (0: nothing of it was there)."""
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    values, removed_ids, removed = _values_of(subject), 0, {}
    for entry in manifest.get("files", []):
        path = folder / entry["file"]
        drop = values.get(Path(entry["file"]).stem, frozenset())
        if not drop or not path.is_file():
            continue
        gone = _rewrite_parquet(path, drop) if entry.get("format") == "parquet" else _rewrite_csv(path, drop)
        if gone:
            removed[entry["file"]] = gone
            entry["rows"] -= gone
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            if entry["file"].startswith(IDS_STEM) and entry.get("format") == "csv":
                removed_ids = gone
    if not removed:
        return 0
    members_removed = (1 if removed_ids else 0) if manifest.get("level") == PERSON_LEVEL else removed_ids
    manifest["members"] = max(0, manifest.get("members", 0) - members_removed)
    manifest["counts"] = {entry["file"]: entry["rows"] for entry in manifest.get("files", [])}
    manifest.setdefault("privacy", []).append({"request_id": request_id, "rows_removed": removed})
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return sum(removed.values())


def rewrite_exports(export_dir: str, subject: Subject, request_id: str) -> list[str]:
    """Every delivered export folder that held the subject, rewritten without it; the folders."""
    root = Path(export_dir)
    if not root.is_dir() or not (subject.user_ids or subject.email_hashes or subject.email_uid2):
        return []
    return [str(manifest.parent) for manifest in sorted(root.glob(f"*/*/{MANIFEST}"))
            if _rewrite_folder(manifest.parent, subject, request_id)]
