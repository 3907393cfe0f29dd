"""Batches of privacy requests dropped in the landing folder, run by the daily DAG before validation.

A batch is a CSV file `<DMP_LANDING_DIR>/privacy/requests-*.csv` with a header and one request per
line: `kind,value[,request_id]`, kind `email`, `user_id` or `person_id` (the privacy desk's ticket
number may be the request id; without one, an id is derived from the file name and line, so a file
processed twice runs each request once). A line that cannot be a request is recorded as `rejected`
with its line number and reason, never its value. Once every line of a file is recorded, the file
is removed: it holds emails in clear, which the platform keeps nowhere. A file without the header
is left in place and reported (nothing of it runs), so the desk can correct it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

from dmp.errors import DmpError, InputError
from dmp.privacy.requests import DONE, REJECTED, REQUEST_PREFIX, run_request
from dmp.privacy.subjects import identifier
from dmp.settings import Settings
from dmp.storage.privacy import Requests
from dmp.storage.session import cassandra_session

log = logging.getLogger(__name__)
PRIVACY_FOLDER = "privacy"
BATCH_PATTERN = "requests-*.csv"
COLUMNS = ("kind", "value")
REQUEST_ID_COLUMN = "request_id"
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
DERIVED_ID_CHARS = 16


def batch_files(settings: Settings) -> list[Path]:
    return sorted((Path(settings.landing_dir) / PRIVACY_FOLDER).glob(BATCH_PATTERN))


def _derived_id(path: Path, line: int) -> str:
    return REQUEST_PREFIX + hashlib.sha256(f"{path.name}\n{line}".encode()).hexdigest()[:DERIVED_ID_CHARS]


def _reject(settings: Settings, request_id: str, source: str, reason: str) -> None:
    with cassandra_session(settings) as session:
        requests = Requests(session, settings.keyspace)
        requests.open(request_id, "", "", source, REJECTED)
        requests.close(request_id, REJECTED, 0, 0, {}, {}, [], [reason])


def _run_line(settings: Settings, path: Path, line: int, row: dict, today: dt.date) -> str:
    """Run one line's request; its status."""
    given = (row.get(REQUEST_ID_COLUMN) or "").strip()
    request_id = given if given and REQUEST_ID_SHAPE.match(given) else _derived_id(path, line)
    source = f"{path.name}:{line}"
    if given and request_id != given:
        _reject(settings, request_id, source, f"line {line}: request_id is not 1-64 letters, digits, '.', '_' or '-'")
        return REJECTED
    try:
        asked = identifier((row.get("kind") or "").strip().lower(), row.get("value") or "")
    except InputError as error:
        _reject(settings, request_id, source, f"line {line}: {error}")
        return REJECTED
    return run_request(settings, asked, source, request_id, today).record.status


def process_batches(settings: Settings, today: dt.date) -> dict:
    """Run every request of every batch file; the figures (files, requests by status, files left and why)."""
    figures = {"files": 0, "requests": 0, "by_status": {}, "files_left": {}}
    failed = []
    for path in batch_files(settings):
        figures["files"] += 1
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
            if missing:
                figures["files_left"][path.name] = (f"no {', '.join(missing)} column in the header: write "
                                                    f"`kind,value[,request_id]` on the first line")
                log.warning("privacy batch %s left as it is: %s", path.name, figures["files_left"][path.name])
                continue
            rows = list(reader)
        statuses = []
        for line, row in enumerate(rows, start=2):
            try:
                statuses.append(_run_line(settings, path, line, row, today))
            except DmpError as error:
                failed.append(f"{path.name}:{line}: {error}")
                statuses.append("failed")
        for status in statuses:
            figures["by_status"][status] = figures["by_status"].get(status, 0) + 1
        figures["requests"] += len(statuses)
        if "failed" in statuses:
            figures["files_left"][path.name] = "some requests failed: kept for the retry"
        else:
            path.unlink()
            log.info("privacy batch %s: %d request(s) recorded, file removed", path.name, len(statuses))
    if failed:
        raise DmpError(f"{len(failed)} privacy request(s) failed and will run again on retry: {'; '.join(failed)}")
    figures["done"] = figures["by_status"].get(DONE, 0)
    return figures
