"""The Airflow UI as a user sees it, in a real browser: signed in, the DAG, a triggered run, Data Docs.

One headless Chromium signs in through the login page of the session's local Airflow, opens the
daily DAG's page, triggers a run from the Trigger form (which unpauses the DAG), waits for the
run in the grid, checks in the metadata database that the run started when it was triggered
(not on some logical date), and opens Browse > Data quality, the gates' Data Docs in the UI's
frame. Screenshots of each page go to `var/test-artifacts/`.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

DAG_ID = "audience_daily"
TASKS = ("wait_for_landing", "validate_events", "store_events", "keyword_index", "report")
GX_SITE_TITLE = "Data Docs created by Great Expectations"
DATA_DOCS_PATH = "/dmp/data-docs/index.html"


def _manual_run_starts(airflow) -> list[dt.datetime]:
    with sqlite3.connect(airflow.settings.airflow_home / "airflow.db") as db:
        rows = db.execute("SELECT start_date FROM dag_run WHERE dag_id = ? AND run_type = 'manual' "
                          "AND start_date IS NOT NULL", (DAG_ID,)).fetchall()
    return [dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc) for (value,) in rows]


@pytest.mark.airflow
def test_signed_in_the_dag_a_triggered_runs_grid_and_data_docs(signed_in_page, airflow_ui, artifacts):
    page = signed_in_page
    page.goto(f"/dags/{DAG_ID}")
    expect(page.get_by_role("link", name="Overview")).to_be_visible()
    for task in TASKS:
        expect(page.get_by_role("link", name=task, exact=True).first).to_be_visible()
    page.screenshot(path=artifacts / "airflow-dag.png", full_page=True)

    triggered_at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    page.get_by_role("button", name="Trigger").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"Unpause {DAG_ID} on trigger")).to_be_visible()
    dialog.get_by_role("button", name="Trigger").click()
    page.wait_for_url(re.compile(rf"/dags/{DAG_ID}/runs/manual__"))
    page.reload()  # the new run's page as a user opening it sees it (the form may linger while it navigates)
    run_link = page.locator(f"a[href^='/dags/{DAG_ID}/runs/manual__'][href$='/tasks/wait_for_landing']").first
    expect(run_link).to_be_visible()
    expect(page.get_by_text("Running").first).to_be_visible()
    page.screenshot(path=artifacts / "airflow-triggered-run-grid.png", full_page=True)
    starts = _manual_run_starts(airflow_ui)
    assert len(starts) == 1 and triggered_at <= starts[0] <= dt.datetime.now(dt.timezone.utc), (
        f"the triggered run started {starts}, triggered at {triggered_at}")

    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Data quality").click()
    page.wait_for_url(re.compile("/plugin/data-quality"))
    docs = page.frame_locator("iframe").first
    expect(docs.get_by_text("Data Docs").first).to_be_visible()
    docs_frames = [frame for frame in page.frames if urlparse(frame.url).path == DATA_DOCS_PATH]
    assert [frame.title() for frame in docs_frames] == [GX_SITE_TITLE], "the gates' site, served to the signed-in user"
    page.screenshot(path=artifacts / "airflow-data-docs.png", full_page=True)
