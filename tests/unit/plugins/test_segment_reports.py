"""The segment reports plugin: the reports folder for signed-in users only, with a nav entry."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "plugins"))

from dmp_airflow.data_docs import REQUIRE_SIGNED_IN  # noqa: E402
from dmp_airflow.segment_reports import DmpSegmentReportsPlugin, segment_reports_app  # noqa: E402


def test_reports_are_served_to_signed_in_users_only(tmp_path):
    from fastapi.testclient import TestClient

    (tmp_path / "2026-11-30").mkdir()
    (tmp_path / "2026-11-30" / "index.html").write_text("<html>segments</html>")
    app = segment_reports_app(tmp_path)
    assert TestClient(app).get("/2026-11-30/index.html").status_code in (401, 403)
    app.dependency_overrides[REQUIRE_SIGNED_IN] = lambda: None
    client = TestClient(app)
    assert client.get("/2026-11-30/index.html").text == "<html>segments</html>"
    assert "publish_segments" in client.get("/nothing.html").json()["detail"]
    (view,) = DmpSegmentReportsPlugin.external_views
    assert view["href"] == DmpSegmentReportsPlugin.fastapi_apps[0]["url_prefix"].lstrip("/") + "/index.html"
