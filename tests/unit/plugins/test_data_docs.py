"""The Data Docs plugin: pages only for signed-in users, only from the site, a clear 404 otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "plugins"))

from dmp_airflow.data_docs import REQUIRE_SIGNED_IN, DmpDataDocsPlugin, data_docs_app  # noqa: E402


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "local_site"
    (root / "validations").mkdir(parents=True)
    (root / "index.html").write_text("<html>gate results</html>")
    (root / "validations" / "run.html").write_text("<html>one run</html>")
    (tmp_path / "secret.txt").write_text("not for the browser")
    return root


def _client(site, signed_in: bool):
    from fastapi.testclient import TestClient

    app = data_docs_app(site)
    if signed_in:
        app.dependency_overrides[REQUIRE_SIGNED_IN] = lambda: None
    return TestClient(app)


def test_pages_need_a_signed_in_user(site):
    response = _client(site, signed_in=False).get("/index.html")
    assert response.status_code in (401, 403)


def test_a_signed_in_user_browses_the_site_and_nothing_outside_it(site):
    client = _client(site, signed_in=True)
    assert client.get("/index.html").text == "<html>gate results</html>"
    assert client.get("/validations/run.html").text == "<html>one run</html>"
    outside = client.get("/..%2Fsecret.txt")
    assert outside.status_code == 404 and "not for the browser" not in outside.text
    missing = client.get("/nothing.html")
    assert missing.status_code == 404 and "gates write them" in missing.json()["detail"]


def test_the_plugin_adds_a_nav_entry_to_the_served_site():
    (view,) = DmpDataDocsPlugin.external_views
    (app,) = DmpDataDocsPlugin.fastapi_apps
    assert view["href"] == app["url_prefix"].lstrip("/") + "/index.html" and view["destination"] == "nav"
