"""`dmp serve`'s guard: the same app, behind the token it prints."""

from __future__ import annotations

from fastapi.testclient import TestClient

from dmp.audience.dev import dev_guard
from dmp.audience.web import create_app
from dmp.settings import load


def test_the_dev_app_refuses_callers_without_its_token_and_serves_the_page_with_it():
    settings = load()
    client = TestClient(create_app(dev_guard(settings, "s3cret"), lambda: settings, open_service=None))
    assert client.get("/").status_code == 401
    assert client.get("/api/estimate?terms=ford", headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = client.get("/?token=s3cret")
    assert page.status_code == 200 and "Audience Builder" in page.text and "<script" in page.text
    assert "http" not in page.text.split("<script")[0].lower().replace("http-equiv", ""), "no external resource"
    assert client.get("/api/estimate?terms=ford&window=0", headers={"Authorization": "Bearer s3cret"}).status_code == 422
