"""The Audience Builder plugin: its app at /audience and its entry in the UI's navigation."""

from __future__ import annotations

from dmp_airflow.audience_builder import URL_PREFIX, DmpAudienceBuilderPlugin, caller_token


def test_the_plugin_mounts_the_app_and_adds_a_browse_entry_to_its_page():
    (app,) = DmpAudienceBuilderPlugin.fastapi_apps
    (view,) = DmpAudienceBuilderPlugin.external_views
    assert app["url_prefix"] == URL_PREFIX == "/audience"
    assert view["href"] == "audience/" and view["destination"] == "nav" and view["category"] == "browse"
    paths = {route.path for route in app["app"].routes}
    assert {"/", "/openapi.json", "/api/estimate", "/api/suggest", "/api/audiences"} <= paths


class _Request:
    def __init__(self, headers, cookies):
        self.headers, self.cookies = headers, cookies


def test_the_callers_token_is_the_bearer_header_or_the_uis_cookie():
    assert caller_token(_Request({"authorization": "Bearer abc"}, {"_token": "cookie"})) == "abc"
    assert caller_token(_Request({}, {"_token": "cookie"})) == "cookie"
    assert caller_token(_Request({}, {})) == ""
