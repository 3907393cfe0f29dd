"""The Audience Builder as a marketer uses it, in a real browser inside the Airflow UI.

Signed in through Airflow's login page, the test opens Browse > Audience Builder (the plugin's
page in the UI's frame), types keywords and sees the estimate change as they are added, saves the
audience and sees its build run start (a real `audience_build` run in the metadata database),
writes a screenshot to `var/test-artifacts/`, then stops the run (the exact build itself is
tested in-process against the estimates, `tests/integration/audience`). The estimate reads sketches stored in the real node
for the newest day the page knows (yesterday, where no keyword index was published).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from dmp.storage import tables
from dmp.storage.formats import key_bucket, user_sketch

BUILD_DAG = "audience_build"
# Words no generated page has, so only these sketches count.
FIRST, SECOND = "zorblax", "quuxmobile"


def _store(cql, keyspace, key, day, users):
    insert = cql.prepare(f"INSERT INTO {keyspace}.{tables.AUDIENCE_SKETCHES} (kind, bucket, day, key, sketch, estimate) "
                         "VALUES (?, ?, ?, ?, ?, ?)")
    sketch = user_sketch(users)
    cql.execute(insert, ("keyword", key_bucket(key), day, key, sketch.serialize(), sketch.get_estimate()))


def _build_runs(airflow) -> list[tuple[str, str]]:
    with sqlite3.connect(airflow.settings.airflow_home / "airflow.db") as db:
        return db.execute("SELECT run_id, state FROM dag_run WHERE dag_id = ?", (BUILD_DAG,)).fetchall()


@pytest.mark.airflow
def test_type_keywords_see_the_estimate_change_save_and_see_the_build_start(signed_in_page, airflow_ui, artifacts,
                                                                            cql, settings):
    yesterday = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)
    _store(cql, settings.keyspace, FIRST, yesterday, [f"b{i}" for i in range(30)])
    _store(cql, settings.keyspace, SECOND, yesterday, [f"b{i}" for i in range(20, 60)])

    page = signed_in_page
    page.goto("/")
    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Audience Builder").click()
    page.wait_for_url(re.compile("/plugin/audience-builder"))
    builder = page.frame_locator("iframe").first
    terms = builder.locator("#terms")
    terms.press_sequentially(FIRST, delay=30)
    expect(builder.locator("#estimate")).to_have_text("30 ids")
    terms.press_sequentially(f", {SECOND}", delay=30)
    expect(builder.locator("#estimate")).to_have_text("60 ids")
    expect(builder.locator("#bounds")).to_have_text("exact count")

    builder.locator("#name").fill("Browser test audience")
    builder.get_by_role("button", name="Save and build").click()
    expect(builder.locator("#build-state")).to_contain_text("browser-test-audience, run manual__")
    expect(builder.locator("#build-state")).to_contain_text(re.compile(r"^(queued|running|success)"))
    page.screenshot(path=artifacts / "audience-builder.png", full_page=True)
    runs = _build_runs(airflow_ui)
    assert len(runs) == 1 and runs[0][0].startswith("manual__"), runs
    # Seen started; stopped here so its Spark jobs do not run beside the rest of the suite.
    stopped = page.request.patch(f"/api/v2/dags/{BUILD_DAG}/dagRuns/{runs[0][0]}", data={"state": "failed"})
    assert stopped.ok, stopped.text()
