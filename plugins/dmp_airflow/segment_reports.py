"""The segments reports inside the Airflow UI (Browse > Segment reports), for signed-in users only.

`publish_segments` writes one HTML page with PNG charts per run under DMP_SEGMENT_REPORTS_DIR
(`dmp.segments.report`); this plugin serves that folder like the Data Docs, the index opening the
latest run's page.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from dmp_airflow.data_docs import browse_view, static_site_app

URL_PREFIX = "/dmp/segment-reports"


def segment_reports_app(root=None):
    if root is None:
        from dmp.settings import load

        root = load().segment_reports_dir
    return static_site_app(root, "DMP segment reports", "the daily DAG's publish_segments task writes them.")


class DmpSegmentReportsPlugin(AirflowPlugin):
    name = "dmp_segment_reports"
    fastapi_apps = [{"app": segment_reports_app(), "url_prefix": URL_PREFIX, "name": "DMP segment reports"}]
    external_views = [browse_view("Segment reports", URL_PREFIX, "segment-reports")]
