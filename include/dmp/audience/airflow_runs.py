"""Trigger and watch `audience_build` runs through Airflow's own REST API, as the signed-in user.

The builder never writes Airflow's database itself: it asks the API server to create the run with
the caller's own token, so Airflow checks the caller may trigger that DAG (and records who did),
and reads the run's state the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request

from dmp.audience.build import BUILD_DAG_ID
from dmp.errors import ServiceError

TIMEOUT_SECONDS = 30


class AirflowRuns:
    """The REST calls for one DAG against `base_url` (the API server) with a bearer `token`."""

    def __init__(self, base_url: str, token: str, dag_id: str = BUILD_DAG_ID):
        self.base_url, self.token, self.dag_id = base_url.rstrip("/"), token, dag_id

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise ServiceError(f"Airflow answered {error.code} to {method} {path}: {detail}") from None
        except OSError as error:
            raise ServiceError(f"Airflow at {self.base_url} did not answer ({error}): is `make airflow` running?") from None

    def trigger(self, conf: dict) -> dict:
        """A new run with `conf` as its params, logically now: (run_id, state)."""
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        run = self._call("POST", f"/api/v2/dags/{self.dag_id}/dagRuns", {"logical_date": now, "conf": conf})
        return {"run_id": run["dag_run_id"], "state": run.get("state")}

    def state(self, run_id: str) -> str:
        run = self._call("GET", f"/api/v2/dags/{self.dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}")
        return run.get("state") or "unknown"
