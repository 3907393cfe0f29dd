"""The Audience Builder's FastAPI app: the page, the estimate, suggestions, save and build.

One app for both ways it runs: mounted in Airflow's API server at `/audience` (the plugin
`dmp_airflow.audience_builder` gives it Airflow's auth) and alone with `dmp serve` (a development
token). Who may do what is a `Guard` of dependencies on the app and on the saving route, never a
check inside a handler. Routes only parse (pydantic, `dmp.audience.expression`) and call the
`AudienceService`; its resources open on the first request, since a mounted app gets no lifespan
events and plugins are imported by every Airflow process. Users' errors answer 400 with what to
change; a service that is down, 503.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Query as QueryParam, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from dmp.audience import build
from dmp.audience.expression import DEFAULT_FIELD, FIELDS, MAX_TERMS, MAX_WINDOW_DAYS, MIN_WINDOW_DAYS, MODES, parse_query
from dmp.errors import ConfigError, InputError, ServiceError
from dmp.settings import Settings

PAGE = Path(__file__).with_name("static") / "index.html"
TERM_SEPARATOR = ","


@dataclass(frozen=True)
class Guard:
    """Who may do what: `signed_in` guards every route, `may_build` the saving one too; `runs` reaches
    Airflow's runs as the caller."""

    signed_in: Callable
    may_build: Callable
    runs: Callable  # (request) -> dmp.audience.airflow_runs.AirflowRuns


class SizeOut(BaseModel):
    estimate: int
    lower: int
    upper: int
    exact: bool
    confidence: float


class TermOut(SizeOut):
    term: str
    seen: bool


class EstimateOut(SizeOut):
    level: str = Field(description="person: distinct consented people; id: distinct ids (no person-level sketch yet)")
    level_means: str
    first_day: dt.date
    last_day: dt.date
    person_days: int
    terms: list[TermOut]
    milliseconds: float


class SaveIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    terms: list[str] = Field(min_length=1, max_length=MAX_TERMS)
    mode: str = "any"
    window: int = Field(30, ge=MIN_WINDOW_DAYS, le=MAX_WINDOW_DAYS)
    field: str = DEFAULT_FIELD
    ttl_days: int = Field(7, ge=build.MIN_TTL_DAYS, le=build.MAX_TTL_DAYS, description="interest duration")
    until: dt.date | None = None


class SaveOut(BaseModel):
    segment_id: str
    definition: str
    run_id: str
    state: str | None
    day: dt.date


class BuildOut(BaseModel):
    run_id: str
    state: str
    members: int | None = None
    version: str | None = None


class _Lazy:
    """The service, opened on first use and kept for the process."""

    def __init__(self, open_service: Callable):
        self.open_service, self.value, self.lock = open_service, None, threading.Lock()
        self.stack = contextlib.ExitStack()

    def get(self):
        with self.lock:
            if self.value is None:
                self.value = self.stack.enter_context(self.open_service())
            return self.value


def _terms(raw: list[str]) -> list[str]:
    """Terms as given, one per parameter or comma-separated in one."""
    return [part for item in raw for part in item.split(TERM_SEPARATOR) if part.strip()] or raw


def create_app(guard: Guard, settings_loader: Callable[[], Settings], open_service: Callable | None = None) -> FastAPI:
    """The app; `open_service()` is a context manager giving an AudienceService (default: one on the settings)."""
    from dmp.audience.service import AudienceService

    holder = _Lazy(open_service or (lambda: AudienceService.open(settings_loader())))
    app = FastAPI(title="DMP Audience Builder", version="1", openapi_url=None, docs_url=None, redoc_url=None,
                  description="Live audience-size estimates from keyword and theme sketches; save and build.",
                  dependencies=[Depends(guard.signed_in)])

    @app.exception_handler(InputError)
    def bad_input(request: Request, error: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(ServiceError)
    @app.exception_handler(ConfigError)
    def unavailable(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=503)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict:
        return app.openapi()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE.read_text(encoding="utf-8"))

    @app.get("/api/estimate", response_model=EstimateOut, summary="Estimated audience size, with bounds")
    def estimate(terms: list[str] = QueryParam(..., description="keyword, 'two words', theme:NAME; -term excludes",
                                               max_length=MAX_TERMS),
                 mode: str = QueryParam("any", description=f"how included terms combine: {', '.join(MODES)}"),
                 window: int = QueryParam(30, ge=MIN_WINDOW_DAYS, le=MAX_WINDOW_DAYS, description="days"),
                 field: str = QueryParam(DEFAULT_FIELD, description=f"keywords from: {', '.join(FIELDS)}"),
                 until: dt.date | None = QueryParam(None, description="last day (default: newest indexed)")) -> dict:
        query = parse_query(_terms(terms), mode, window, field)
        return holder.get().estimate(query, until).as_dict()

    @app.get("/api/suggest", summary="Nearby keywords in the word2vec model, each with its reach")
    def suggest(term: str = QueryParam(..., max_length=64), window: int = QueryParam(30, ge=MIN_WINDOW_DAYS, le=MAX_WINDOW_DAYS),
                field: str = QueryParam(DEFAULT_FIELD), limit: int = QueryParam(8, ge=1, le=20),
                until: dt.date | None = None) -> dict:
        parse_query([term], "any", window, field)
        return holder.get().suggest(term, window, field, limit, until)

    @app.post("/api/audiences", response_model=SaveOut, dependencies=[Depends(guard.may_build)],
              summary="Save as a segment and start its exact build")
    def save(body: SaveIn, request: Request) -> dict:
        service = holder.get()
        query = parse_query(_terms(body.terms), body.mode, body.window, body.field)
        day = body.until or service.latest_day()
        path = build.save_definition(service.settings, body.name, query, body.ttl_days)
        segment_id = path.name.removesuffix(".yaml")
        run = guard.runs(request).trigger({"segment_id": segment_id, "day": day.isoformat()})
        return {"segment_id": segment_id, "definition": path.name, "day": day, **run}

    @app.get("/api/builds/{segment_id}/{run_id}", response_model=BuildOut, summary="A build's state and exact size")
    def build_state(segment_id: str, run_id: str, day: dt.date, request: Request) -> dict:
        if not build.ID_RE.match(segment_id):
            raise InputError(f"segment id {segment_id!r}: lower-case letters, digits, '-' and '_'.")
        state = guard.runs(request).state(run_id)
        published = build.built_size(holder.get().settings, segment_id, run_id, day) if state == "success" else None
        return {"run_id": run_id, "state": state, **({"members": published["members"], "version": published["version"]}
                                                     if published else {})}

    return app
