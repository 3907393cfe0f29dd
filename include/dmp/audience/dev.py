"""`dmp serve`: the Audience Builder's app alone, for development, behind a token it prints.

The same app as inside Airflow (`dmp.audience.web`), with a Guard that accepts one random token
made at start (a bearer header, or `?token=` once on the page's address, which the page then
keeps for its calls). Builds go to the local Airflow (`make airflow`) through its REST API, signed
in as its admin with the password Airflow generated for this machine's Airflow home.
"""

from __future__ import annotations

import json
import secrets
import urllib.request

from fastapi import HTTPException, Request

from dmp.audience.airflow_runs import AirflowRuns
from dmp.audience.web import Guard
from dmp.errors import ServiceError
from dmp.settings import Settings

DEFAULT_PORT = 8765
ADMIN = "admin"


def dev_guard(settings: Settings, token: str) -> Guard:
    def signed_in(request: Request) -> None:
        header = request.headers.get("authorization", "")
        given = header[len("bearer "):].strip() if header.lower().startswith("bearer ") else request.query_params.get("token", "")
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(status_code=401, detail="Not signed in: send the token `dmp serve` printed "
                                                        "(Authorization: Bearer TOKEN, or ?token=TOKEN on the page).",
                                headers={"WWW-Authenticate": "Bearer"})

    def runs(request: Request) -> AirflowRuns:
        return AirflowRuns(_airflow_base(settings), local_airflow_token(settings))

    return Guard(signed_in=signed_in, may_build=signed_in, runs=runs)


def _airflow_base(settings: Settings) -> str:
    from dmp.orchestration.airflow_env import airflow_url

    return airflow_url(settings)


def local_airflow_token(settings: Settings) -> str:
    """A token of the local Airflow's admin, from its `/auth/token` (the simple auth manager's password file)."""
    from dmp.orchestration.standalone import PASSWORDS_FILE

    passwords = settings.airflow_home / PASSWORDS_FILE
    if not passwords.is_file():
        raise ServiceError(f"No local Airflow password in {passwords}: start it with `make airflow` to build audiences.")
    body = json.dumps({"username": ADMIN, "password": json.loads(passwords.read_text())[ADMIN]}).encode()
    request = urllib.request.Request(f"{_airflow_base(settings)}/auth/token", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["access_token"]
    except OSError as error:
        raise ServiceError(f"The local Airflow at {_airflow_base(settings)} did not answer ({error}): "
                           "start it with `make airflow`.") from None


def serve(settings: Settings, port: int) -> None:
    """Run the app on 127.0.0.1:`port` until interrupted; print where and the token."""
    import uvicorn

    from dmp.audience.web import create_app

    token = secrets.token_urlsafe(24)
    app = create_app(dev_guard(settings, token), lambda: settings)
    print(f"Audience Builder on http://127.0.0.1:{port}/?token={token}\n"
          f"API: curl -H 'Authorization: Bearer {token}' 'http://127.0.0.1:{port}/api/estimate?terms=ford+focus'",
          flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
