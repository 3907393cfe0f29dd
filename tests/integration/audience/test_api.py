"""The Audience Builder's API in-process (FastAPI's TestClient) with Airflow's own auth.

Tokens are signed by Airflow's auth manager (the simple auth manager the platform runs), and the
routes check them with the dependencies of `airflow.api_fastapi.core_api.security`, as inside the
API server: no token is refused, a forged one too, a viewer may estimate but not save. Sketches
live in the real node. Only the REST call that starts the build is recorded instead of sent (the
browser test starts a real one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "plugins"))

from dmp.audience.service import AudienceService  # noqa: E402
from dmp.segments.definitions import load_definition  # noqa: E402
from dmp.storage import tables  # noqa: E402
from dmp.storage.formats import PERSON_DAY_KEY, key_bucket, user_sketch  # noqa: E402
from dmp.tagging.taxonomy import load_taxonomy  # noqa: E402

ID_DAY = dt.date(2031, 4, 1)  # days no other test writes
PERSON_DAY = dt.date(2031, 4, 10)


def store_sketch(cql, keyspace, kind, key, day, users):
    insert = cql.prepare(f"INSERT INTO {keyspace}.{tables.AUDIENCE_SKETCHES} (kind, bucket, day, key, sketch, estimate) "
                         "VALUES (?, ?, ?, ?, ?, ?)")
    sketch = user_sketch(users)
    cql.execute(insert, (kind, key_bucket(key), day, key, sketch.serialize(), sketch.get_estimate()))


class RecordedRuns:
    """Airflow's runs REST calls, recorded."""

    def __init__(self):
        self.triggered = []

    def __call__(self, request):
        return self

    def trigger(self, conf):
        self.triggered.append(conf)
        return {"run_id": "manual__test", "state": "queued"}

    def state(self, run_id):
        return "running"


@pytest.fixture(scope="module")
def tokens():
    from airflow.api_fastapi.app import init_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    manager = init_auth_manager()
    return {role: manager.generate_jwt(SimpleAuthManagerUser(username=role, role=role)) for role in ("admin", "viewer")}


@pytest.fixture(scope="module")
def api(cql, settings, tmp_path_factory, tokens):
    from fastapi.testclient import TestClient

    from dmp.audience.web import create_app
    from dmp_airflow.audience_builder import airflow_guard

    keyspace = settings.keyspace
    store_sketch(cql, keyspace, "keyword", "ford focus", ID_DAY, [f"c{i}" for i in range(40)])
    store_sketch(cql, keyspace, "keyword", "opel astra", ID_DAY, [f"c{i}" for i in range(30, 60)])
    store_sketch(cql, keyspace, "theme", "automobile", ID_DAY, [f"c{i}" for i in range(0, 100)])
    store_sketch(cql, keyspace, "keyword_person", "ford focus", PERSON_DAY, ["p1", "p2", "p3"])
    store_sketch(cql, keyspace, "theme_person", PERSON_DAY_KEY, PERSON_DAY, ["p1", "p2", "p3", "p4"])
    world = dataclasses.replace(settings, segments_dir=tmp_path_factory.mktemp("saved-segments"),
                                runs_dir=tmp_path_factory.mktemp("runs"))
    runs = RecordedRuns()
    app = create_app(airflow_guard(runs=runs), lambda: world,
                     open_service=lambda: AudienceService.open(world))
    client = TestClient(app)
    client.runs, client.world = runs, world
    return client


def _as(token):
    return {"Authorization": f"Bearer {token}"}


ESTIMATE = f"/api/estimate?terms=ford+focus&terms=opel+astra&window=1&until={ID_DAY}"


@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", ESTIMATE), ("GET", "/openapi.json"),
                                          ("GET", "/api/suggest?term=ford"), ("POST", "/api/audiences"),
                                          ("GET", f"/api/builds/x/manual__1?day={ID_DAY}")])
def test_every_route_refuses_a_caller_without_a_signed_in_user(api, method, path):
    assert api.request(method, path).status_code == 401
    forged = api.request(method, path, headers=_as("eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmVk"))
    assert forged.status_code in (401, 403)


def test_the_estimate_is_a_get_of_terms_window_and_mode_with_bounds_and_its_level(api, tokens):
    answer = api.get(ESTIMATE, headers=_as(tokens["viewer"])).json()
    assert (answer["estimate"], answer["lower"], answer["upper"], answer["exact"]) == (60, 60, 60, True)
    assert answer["level"] == "id" and answer["confidence"] == pytest.approx(0.9545)
    assert [term["estimate"] for term in answer["terms"]] == [40, 30]
    both = api.get(f"/api/estimate?terms=ford focus,opel astra&mode=all&window=1&until={ID_DAY}",
                   headers=_as(tokens["viewer"])).json()
    assert both["estimate"] == 10
    cars_not_ford = api.get(f"/api/estimate?terms=theme:automobile&terms=-ford+focus&window=1&until={ID_DAY}",
                            headers=_as(tokens["viewer"])).json()
    assert cars_not_ford["estimate"] == 60
    people = api.get(f"/api/estimate?terms=ford+focus&window=7&until={PERSON_DAY}", headers=_as(tokens["viewer"])).json()
    assert (people["level"], people["estimate"], people["person_days"]) == ("person", 3, 1)


@pytest.mark.parametrize("query, status, message", [
    ("terms=ford%3BDROP&window=30", 400, "letters, digits"),
    ("terms=ford+focus+wagon", 400, "two-word phrase"),
    ("terms=ford&mode=or", 400, "mode 'or'"),
    ("terms=ford&window=0", 422, "greater than or equal to 1"),
    ("terms=ford&window=365", 422, "less than or equal to 90"),
    ("terms=ford&window=week", 422, "valid integer"),
    ("window=7", 422, "Field required"),
    ("terms=-ford", 400, "only excluded terms"),
    ("terms=ford&until=yesterday", 422, "valid date"),
])
def test_bad_input_is_a_clear_4xx(api, tokens, query, status, message):
    response = api.get(f"/api/estimate?{query}", headers=_as(tokens["viewer"]))
    assert response.status_code == status
    assert message in str(response.json()["detail"])


def test_saving_needs_the_permission_to_trigger_the_build(api, tokens):
    body = {"name": "Ford or Opel", "terms": ["ford focus", "opel astra", "-theme:sports"], "window": 30,
            "ttl_days": 14, "until": ID_DAY.isoformat()}
    assert api.post("/api/audiences", json=body, headers=_as(tokens["viewer"])).status_code == 403
    saved = api.post("/api/audiences", json=body, headers=_as(tokens["admin"]))
    assert saved.status_code == 200, saved.text
    assert saved.json()["segment_id"] == "ford-or-opel" and saved.json()["run_id"] == "manual__test"
    assert api.runs.triggered == [{"segment_id": "ford-or-opel", "day": ID_DAY.isoformat()}]
    definition = load_definition(api.world.segments_dir / "ford-or-opel.yaml", load_taxonomy(api.world.taxonomy_file))
    assert definition.consent_required and definition.membership_ttl_days == 14
    state = api.get(f"/api/builds/ford-or-opel/manual__test?day={ID_DAY}", headers=_as(tokens["admin"])).json()
    assert state == {"run_id": "manual__test", "state": "running", "members": None, "version": None}
    bad = api.post("/api/audiences", json={**body, "ttl_days": 0}, headers=_as(tokens["admin"]))
    assert bad.status_code == 422


def test_the_openapi_spec_lists_the_estimate_with_its_query_parameters(api, tokens):
    spec = api.get("/openapi.json", headers=_as(tokens["viewer"])).json()
    parameters = {p["name"] for p in spec["paths"]["/api/estimate"]["get"]["parameters"]}
    assert {"terms", "window", "mode", "field"} <= parameters
    assert "post" in spec["paths"]["/api/audiences"]
