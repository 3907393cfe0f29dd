"""Browser tests: Debian's Chromium driven by Playwright, and the local Airflow they look at.

`browser` is one headless Chromium for the session, launched from the installed package
(`executable_path`; Playwright never downloads a browser here). `airflow_ui` is one
`dmp airflow standalone` for the session on a free port, with its own Airflow home, the project's
DAGs and plugins and a Data Docs site; `signed_in_page` is a page signed in as admin through the
login page. `artifacts` is where tests save screenshots: `var/test-artifacts/` (not committed).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from dmp.services.browser import chromium_path

UI_PORT_OFFSET = 0
UI_TIMEOUT_MS = 120_000  # pages render slowly while Spark, Cassandra and Airflow share two cores
VIEWPORT = {"width": 1440, "height": 900}
ADMIN = "admin"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path()), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts(settings):
    folder = settings.var_dir / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _build_data_docs(quality_dir) -> None:
    """A real Great Expectations Data Docs site where the plugin serves it (no gate has run there yet)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no network calls, as in dmp.quality.runner
    import great_expectations as gx

    gx.get_context(mode="file", project_root_dir=str(quality_dir)).build_data_docs()


@pytest.fixture(scope="session")
def airflow_ui(local_airflow, settings, tmp_path_factory):
    """The local Airflow for the browser tests; the daily DAG's schedule starts yesterday (one catch-up run).
    Its segments folder is a copy of the project's, so audiences saved in the browser stay out of the checkout."""
    yesterday = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)
    segments = tmp_path_factory.mktemp("ui-segments") / "segments"
    shutil.copytree(settings.segments_dir, segments)
    airflow = local_airflow("airflow-ui", UI_PORT_OFFSET, DMP_PIPELINE_START=yesterday.isoformat(),
                            DMP_SEGMENTS_DIR=str(segments))
    _build_data_docs(airflow.settings.quality_dir)
    airflow.wait_healthy()
    return airflow


@pytest.fixture
def signed_in_page(browser, airflow_ui):
    """A fresh browser context signed in as admin through Airflow's login page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=UI_TIMEOUT_MS)
    context = browser.new_context(base_url=airflow_ui.url, viewport=VIEWPORT)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(airflow_ui.password())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "login" not in url)
    yield page
    context.close()
