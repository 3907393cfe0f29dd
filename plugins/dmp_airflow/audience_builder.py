"""The Audience Builder inside the Airflow UI: its app at `/audience`, its page in the navigation.

Airflow does not protect plugin apps by itself: every route here depends on the signed-in user
Airflow's auth manager resolves from the request (the UI's session cookie or a bearer token from
`/auth/token`), as Airflow's own routes do (`airflow.api_fastapi.core_api.security`), and saving
also needs the permission to trigger the `audience_build` DAG. Builds are triggered through
Airflow's REST API with the caller's own token, so Airflow checks and records who started them.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/audience"
TOKEN_COOKIE = "_token"  # where the Airflow UI keeps the signed-in user's token (COOKIE_NAME_JWT_TOKEN)


def caller_token(request) -> str:
    """The caller's Airflow token: the bearer header a client sends, or the UI's cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[len("bearer "):].strip()
    return request.cookies.get(TOKEN_COOKIE, "")


def airflow_guard(runs=None):
    """The Guard of the app inside Airflow's API server (`runs`: how to reach Airflow's runs, by
    default its REST API on the same server, as the caller)."""
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView, DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag, requires_access_view
    from dmp.audience.airflow_runs import AirflowRuns
    from dmp.audience.build import BUILD_DAG_ID
    from dmp.audience.web import Guard

    def same_server(request) -> AirflowRuns:
        return AirflowRuns(f"{request.url.scheme}://{request.url.netloc}", caller_token(request))

    may_build = requires_access_dag(method="POST", access_entity=DagAccessEntity.RUN, param_dag_id=BUILD_DAG_ID)
    return Guard(signed_in=requires_access_view(AccessView.WEBSITE), may_build=may_build,
                 runs=runs or same_server)


def audience_app():
    from dmp.audience.web import create_app
    from dmp.settings import load

    return create_app(airflow_guard(), load)


class DmpAudienceBuilderPlugin(AirflowPlugin):
    name = "dmp_audience_builder"
    fastapi_apps = [{"app": audience_app(), "url_prefix": URL_PREFIX, "name": "DMP Audience Builder"}]
    # Under Browse, beside Data quality and Segment reports; the page opens in the UI's frame.
    external_views = [{"name": "Audience Builder", "href": f"{URL_PREFIX.lstrip('/')}/", "destination": "nav",
                       "category": "browse", "url_route": "audience-builder"}]
