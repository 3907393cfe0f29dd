"""The quality gates' Data Docs inside the Airflow UI, for signed-in users only.

Gates rebuild a static Great Expectations site after every run (`dmp.quality.runner`); this
plugin serves it from the Airflow API server under `/dmp/data-docs/` and adds a "Data quality"
entry to the UI's navigation, shown in the UI's frame. Plugin web apps are not protected by
Airflow on their own: every page here requires the same signed-in session as the UI itself
(results hold sample values of failing rows).
"""

from __future__ import annotations

from pathlib import Path

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/dmp/data-docs"
INDEX = "index.html"


def _signed_in():
    """The dependency every page needs: a user of the Airflow UI allowed to see its website views."""
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import requires_access_view

    return requires_access_view(AccessView.WEBSITE)


REQUIRE_SIGNED_IN = _signed_in()


def static_site_app(root: Path, title: str, missing_hint: str):
    """A FastAPI app serving the files under `root` to signed-in users, and nothing outside it."""
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.responses import FileResponse

    root = root.resolve()
    app = FastAPI(title=title, dependencies=[Depends(REQUIRE_SIGNED_IN)])

    @app.get("/{path:path}")
    def page(path: str) -> FileResponse:
        target = (root / (path or INDEX)).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise HTTPException(status_code=404, detail=f"No page {path or INDEX!r} in {root}: {missing_hint}")
        return FileResponse(target)

    return app


def browse_view(name: str, url_prefix: str, url_route: str) -> dict:
    """A navigation entry under Browse that opens a static site's index page in the UI's frame."""
    return {"name": name, "href": f"{url_prefix.lstrip('/')}/{INDEX}", "destination": "nav", "category": "browse",
            "url_route": url_route}


def data_docs_app(site: Path | None = None):
    """A FastAPI app serving the Data Docs site (`site`, by default the one the settings point at)."""
    if site is None:
        from dmp.quality.runner import data_docs_index
        from dmp.settings import load

        site = data_docs_index(load()).parent
    return static_site_app(site, "DMP data quality (Great Expectations Data Docs)",
                           "the daily DAG's gates write them when they run.")


class DmpDataDocsPlugin(AirflowPlugin):
    name = "dmp_data_docs"
    fastapi_apps = [{"app": data_docs_app(), "url_prefix": URL_PREFIX, "name": "DMP Data Docs"}]
    external_views = [browse_view("Data quality", URL_PREFIX, "data-quality")]
