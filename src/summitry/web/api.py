"""The web app and REST API: scenarios, validation, forecasts, jobs, runs and reports.

:func:`create_app` builds the FastAPI application that ``summitry serve`` runs: the REST
API under ``/api``, the pages of :mod:`summitry.web.pages` and their scripts under
``/static``. Every endpoint calls the library (:func:`summitry.io.load`,
:meth:`Scenario.from_dict`, :func:`summitry.forecast.forecast`,
:class:`summitry.store.RunStore`, :mod:`summitry.report.html`); nothing here computes a
forecast itself. Forecasts run as jobs (:mod:`summitry.web.jobs`) on a bounded queue:
``POST /api/forecast`` waits for its job, ``POST /api/jobs`` answers at once.

Every error the API gives on purpose is a JSON object ``{"message", "rule", "location",
"path", "line"}`` (:class:`~summitry.web.problems.ApiError`), and no answer shows where the
server's files are. The limits of :class:`~summitry.web.limits.Limits` protect the
machine; :class:`~summitry.web.security.Guard` refuses hosts that are not allowed and
writes sent from other sites, and sets the security headers (docs/web.md).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute

from summitry import scenarios
from summitry.errors import ScenarioError, SummitryError
from summitry.forecast import summitry_version
from summitry.io.yaml_format import to_yaml
from summitry.models import MODELS
from summitry.scenario import Scenario, field_path
from summitry.store import RunStore, UnknownRunError
from summitry.web import security
from summitry.web.advice_pages import KIND as ADVICE_JOB
from summitry.web.advice_pages import advice_router
from summitry.web.advice_work import DEFAULT_SAMPLES, advice_order, job_of_advice
from summitry.web.bodies import (
    BODY_SCHEMA,
    FORMATS,
    BodyFormat,
    bundled,
    check_size,
    parse_body,
    summary_of,
)
from summitry.web.draft_pages import DraftStore, draft_api_router, draft_router
from summitry.web.jobs import Job, JobQueue
from summitry.web.limits import ENV, BodyLimit, Limits
from summitry.web.openapi_errors import document_errors
from summitry.web.pages import STATIC, pages_router
from summitry.web.problems import ApiError, source_name, without_paths
from summitry.web.work import Order, ViewCache, job_of, work_of

__all__ = ["AdviceRequest", "ApiError", "ForecastRequest", "JobRequest", "create_app"]


def _name_or_scenario(value: Any) -> Any:
    """A request's ``scenario``, refused in one message when it is neither kind."""
    if isinstance(value, str | dict):
        return value
    raise ValueError("must be the name of a bundled scenario or a scenario object")


ScenarioField = Annotated[
    dict[str, Any] | str,
    BeforeValidator(_name_or_scenario),
    Field(
        description="The scenario as JSON (as GET /api/scenarios/{name} gives it, or as a "
        "YAML file reads), or the name of a bundled scenario."
    ),
]


class ForecastRequest(BaseModel):
    """The body of ``POST /api/forecast``."""

    model_config = ConfigDict(extra="forbid")

    scenario: ScenarioField
    models: list[str] | None = Field(
        default=None, description="Model names (GET /api/models); default: every model."
    )
    samples: int = Field(
        default=1, ge=1, strict=True, description="Monte Carlo draws of the inputs."
    )
    seed: int = Field(
        default=0, ge=0, le=2**32 - 1, strict=True, description="Seed for every model."
    )


class JobRequest(ForecastRequest):
    """The body of ``POST /api/jobs``: a forecast, and what to draw of it."""

    view: bool = Field(default=True, description="Draw the run's page (charts) at the end.")
    analyses: bool = Field(
        default=True,
        description="With view: also the drivers (Sobol indices of the compromise model) "
        "and, where the scenario has events, the timeline.",
    )


class AdviceRequest(BaseModel):
    """The body of ``POST /api/advise`` and ``POST /api/advise/jobs``."""

    model_config = ConfigDict(extra="forbid")

    scenario: ScenarioField
    actor: str = Field(min_length=1, max_length=200, description="The actor to advise (its id).")
    models: list[str] | None = Field(
        default=None,
        description="Model names (GET /api/models); default: compromise and nash.",
    )
    samples: int = Field(
        default=DEFAULT_SAMPLES,
        ge=1,
        strict=True,
        description="Monte Carlo draws per lever, the same for every lever (at most max_samples).",
    )
    seed: int = Field(default=0, ge=0, le=2**32 - 1, strict=True, description="Seed of the draws.")


ADVICE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such bundled scenario"},
    422: {"description": "A bad scenario, actor, model or parameter, or a limit broken"},
    429: {"description": "Every worker and queue place is taken"},
}
"""The error answers of the advice routes, as the OpenAPI schema lists them."""


def create_app(
    limits: Limits | None = None,
    store: str | Path | None = None,
    *,
    allowed_hosts: Sequence[str] | None = None,
    isolate: bool | None = None,
) -> FastAPI:
    """The REST API as a FastAPI application.

    Parameters
    ----------
    limits
        What one request may ask; default :meth:`Limits.from_env`.
    store
        Run database file; default the run store of :func:`summitry.store.default_store_path`
        (``$SUMMITRY_HOME/runs.sqlite``).
    allowed_hosts
        The hosts it answers to (:func:`summitry.web.security.allowed_hosts`); default
        those of ``SUMMITRY_WEB_ALLOWED_HOSTS``, else ``localhost``, ``127.0.0.1`` and
        ``[::1]``.
    isolate
        Run forecasts in worker processes the server stops at once (default
        :data:`summitry.web.jobs.ISOLATE`, True); False runs them on the server's threads.
    """
    limits = limits or Limits.from_env()
    hosts = security.allowed_hosts(allowed_hosts)

    def runs() -> RunStore:  # resolved per request: SUMMITRY_HOME is read when used
        return RunStore(store)

    queue = JobQueue(limits, isolate=isolate)
    views = ViewCache()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        queue.reopen()  # worker threads again, if an earlier lifespan ended
        yield
        queue.shutdown()  # running jobs' worker processes are stopped

    app = FastAPI(
        lifespan=lifespan,
        title="summitry",
        version=summitry_version(),
        description="Forecasts of multi-party negotiations (docs/web.md). No authentication: "
        "every caller sees every recorded run.",
        docs_url=None,  # add_api_pages serves them, with a content security policy
        redoc_url=None,
    )
    app.state.limits, app.state.queue, app.state.views = limits, queue, views
    app.state.allowed_hosts = hosts
    app.add_middleware(BodyLimit, max_body=limits.max_body)
    app.add_middleware(security.Guard, allowed_hosts=hosts)  # the outermost: before everything else
    security.add_api_pages(app)

    def hidden(exc: Exception) -> str:
        """The message of ``exc`` without the server's paths (the run store's above all)."""
        return without_paths(str(exc), [runs().path])

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError) -> JSONResponse:
        return await _api_error(request, ApiError.from_scenario_error(exc))

    @app.exception_handler(UnknownRunError)
    async def _unknown_run(request: Request, exc: UnknownRunError) -> JSONResponse:
        return await _api_error(request, ApiError(404, hidden(exc), path="run_id"))

    @app.exception_handler(SummitryError)
    async def _summitry_error(request: Request, exc: SummitryError) -> JSONResponse:
        return await _api_error(request, ApiError(422, hidden(exc)))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        error = ApiError(exc.status_code, _unread_body(exc.__cause__) or str(exc.detail))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not just its first route's
            routes = [*app.routes, *(route for r in included for route in r.routes)]
            headers["Allow"] = ", ".join(_methods_of(routes, request.scope))
        return JSONResponse(error.body, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return await _api_error(request, _request_error(exc, request))

    # -- reference ---------------------------------------------------------------------

    @app.get("/api/scenarios", summary="The bundled scenarios")
    def list_scenarios() -> list[dict[str, str]]:
        """Name and description of every bundled scenario."""
        return [{"name": n, "description": d} for n, d in scenarios.list_examples()]

    @app.get("/api/scenarios/{name}", summary="One bundled scenario as JSON")
    def get_scenario(name: str) -> dict[str, Any]:
        """The scenario with every field written out; POST it back to /api/forecast."""
        return bundled(name).model_dump(mode="json")

    @app.get("/api/models", summary="The bargaining models")
    def list_models() -> list[dict[str, str]]:
        """Name and one-line summary of every model."""
        return [{"name": name, "summary": cls.summary} for name, cls in MODELS.items()]

    @app.get("/api/limits", summary="The limits of this server")
    def get_limits() -> dict[str, Any]:
        """What one request may ask (docs/web.md)."""
        return limits.as_dict()

    # -- validate and forecast ---------------------------------------------------------

    async def read_scenario(
        request: Request, fmt: str | None = None, filename: str | None = None
    ) -> Scenario:
        """The scenario in a request's body, validated and within the limits."""
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        parsed = await run_in_threadpool(
            functools.partial(parse_body, format=fmt, filename=filename), raw, content_type
        )
        check_size(parsed, limits)
        return parsed

    format_query = Query(
        None,
        alias="format",
        description=f"The body's format ({', '.join(FORMATS)}); default: told from the "
        "content type, and for text/csv, text/plain or a filename detected as summitry "
        "detects a file's format (docs/format.md).",
    )
    filename_query = Query(
        None,
        max_length=255,
        description="The uploaded file's name: its extension helps tell the format, and "
        "its stem names a scenario read from a CSV or decide file.",
    )

    @app.post(
        "/api/validate",
        summary="Check a scenario",
        openapi_extra=BODY_SCHEMA,
        responses={422: {"description": "The scenario breaks a rule"}},
    )
    async def validate(
        request: Request,
        content: bool = Query(False, description="Also give the scenario as JSON."),
        fmt: BodyFormat | None = format_query,
        filename: str | None = filename_query,
    ) -> dict[str, Any]:
        """Validate a scenario (JSON, YAML, csv, eum, ktab or decide); 422 names the rule broken.

        The 422 body gives the field path, and the line or row, of the problem.
        With ``content=true`` the answer also carries the scenario as JSON under
        ``content``, every field written out (as ``GET /api/scenarios/{name}`` gives a
        bundled one): how the editor reads an uploaded file.
        """
        parsed = await read_scenario(request, fmt, filename)
        summary = summary_of(parsed)
        if content:
            summary["content"] = parsed.model_dump(mode="json")
        return summary

    @app.post(
        "/api/yaml",
        summary="A scenario as a YAML file",
        openapi_extra=BODY_SCHEMA,
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"application/yaml": {}}, "description": "The YAML file"},
            422: {"description": "The scenario breaks a rule"},
        },
    )
    async def as_yaml(
        request: Request,
        fmt: BodyFormat | None = format_query,
        filename: str | None = filename_query,
    ) -> PlainTextResponse:
        """The scenario, checked, as YAML that ``summitry`` reads back (to save an edit)."""
        parsed = await read_scenario(request, fmt, filename)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", parsed.name).strip(".-") or "scenario"
        return PlainTextResponse(
            to_yaml(parsed),
            media_type="application/yaml",
            headers={"content-disposition": f'attachment; filename="{name}.yaml"'},
        )

    def order(body: ForecastRequest, **how: Any) -> Order:
        """The order a request asks for, within the limits."""
        if body.samples > limits.max_samples:
            raise ApiError(
                422,
                f"samples: {body.samples} is more than this server takes "
                f"({limits.max_samples}; {ENV['max_samples']})",
                path="samples",
            )
        if isinstance(body.scenario, str):
            scenario, source = bundled(body.scenario), body.scenario
        else:
            scenario, source = Scenario.from_dict(body.scenario), "api"
        check_size(scenario, limits)
        if body.models is not None:
            unknown = [m for m in body.models if m not in MODELS]
            if unknown:
                raise ApiError(
                    422,
                    f"unknown model '{unknown[0]}'; choose from: {', '.join(MODELS)}",
                    path=f"models[{body.models.index(unknown[0])}]",
                )
        return within_work(
            Order(scenario, body.models, body.samples, body.seed, source=source, **how)
        )

    def within_work(job_order: Order) -> Order:
        """The order, or 422 when its estimated work is more than the server takes."""
        work = work_of(job_order)
        if work > limits.max_work:
            raise ApiError(
                422,
                f"this forecast's work, {work} (actors x issues x samples x rounds, summed "
                f"over the models), is more than this server takes ({limits.max_work}; "
                f"{ENV['max_work']}); ask for fewer samples or models",
                path="samples",
            )
        return job_order

    def submit(kind: str, job_order: Order) -> Job:
        store = runs()  # the store of the request's time, whenever the job records
        return queue.submit(kind, *job_of(job_order, store, views))

    def stored(which: str, *, record: bool) -> Order:
        """An order that runs a recorded run again: as a new run, or to draw its page."""
        run = runs().get(which)
        return within_work(
            Order(
                run.load_scenario(),
                run.models,
                run.samples,
                run.seed,
                rounds=run.rounds,
                source=run.source,
                view=True,
                record=record,
                run_id=None if record else run.id,
            )  # fmt: skip
        )

    @app.post(
        "/api/forecast",
        summary="Forecast a scenario and record the run",
        responses={
            422: {"description": "A bad scenario or parameter, or a limit broken"},
            429: {"description": "Every worker and queue place is taken"},
        },
    )
    def forecast(body: ForecastRequest) -> dict[str, Any]:
        """The forecast record (as ``summitry forecast --json``) with its ``run_id``.

        The request waits for the forecast (at most the server's time limit); for long
        runs, ``POST /api/jobs`` answers at once and shows progress.
        """
        done = queue.wait(submit("forecast", order(body)))
        return {"run_id": done["run_id"], **done["record"]}

    # -- jobs: long runs with progress -------------------------------------------------

    @app.post(
        "/api/jobs",
        summary="Start a forecast in the background",
        status_code=202,
        responses={
            422: {"description": "A bad scenario or parameter, or a limit broken"},
            429: {"description": "Every worker and queue place is taken"},
        },
    )
    def start_job(body: JobRequest) -> dict[str, Any]:
        """A job that forecasts, records the run and draws its page; poll GET /api/jobs/{id}."""
        return submit("forecast", order(body, view=body.view, analyses=body.analyses)).public()

    @app.post(
        "/api/runs/{run_id}/rerun",
        summary="Run a recorded run again, as a new run",
        status_code=202,
        responses={404: {"description": "No such run"}, 429: {"description": "Busy"}},
    )
    def rerun(run_id: str) -> dict[str, Any]:
        """A job that runs the stored scenario, models, seed and samples again and records it."""
        return submit("rerun", stored(run_id, record=True)).public()

    @app.post(
        "/api/runs/{run_id}/view",
        summary="Draw the page of a recorded run",
        status_code=202,
        responses={404: {"description": "No such run"}, 429: {"description": "Busy"}},
    )
    def draw_view(run_id: str) -> dict[str, Any]:
        """A job that replays a recorded run (not recording it again) to draw its page."""
        return submit("view", stored(run_id, record=False)).public()

    @app.get("/api/jobs/{job_id}", summary="Where a job stands")
    def get_job(job_id: str) -> dict[str, Any]:
        """Status (queued, running, done, failed, cancelled), stage and progress.

        When done: ``result`` with ``run_id``, ``input_sha256``, ``view`` (the page) and
        ``record`` (the forecast record).
        """
        return queue.get(job_id).public()

    @app.delete("/api/jobs/{job_id}", summary="Cancel a job")
    def cancel_job(job_id: str) -> dict[str, Any]:
        """Ask a job to stop; it ends at once (its worker process is stopped)."""
        return queue.cancel(job_id).public()

    # -- advice: what one actor can do ------------------------------------------------

    def advice_job(body: AdviceRequest) -> Job:
        scenario = bundled(body.scenario) if isinstance(body.scenario, str) else None
        if scenario is None:
            assert isinstance(body.scenario, dict)
            scenario = Scenario.from_dict(body.scenario)
        found = advice_order(scenario, body.actor, body.models, body.samples, body.seed, limits)
        return queue.submit(ADVICE_JOB, job_of_advice(found))

    @app.post(
        "/api/advise",
        summary="What one actor can do: levers, flips and replies",
        responses=ADVICE_ERRORS,
    )
    def advise(body: AdviceRequest) -> dict[str, Any]:
        """The advice record (``Advice.to_dict``): levers ranked, effects, flips and replies.

        It carries the actor, the seed, the samples and ``input_sha256``; the same
        scenario, actor, models, samples and seed give the same numbers. The request waits
        (at most the server's time limit); ``POST /api/advise/jobs`` answers at once.
        """
        return queue.wait(advice_job(body))["advice"]

    @app.post(
        "/api/advise/jobs",
        summary="Start advice in the background",
        status_code=202,
        responses=ADVICE_ERRORS,
    )
    def start_advice(body: AdviceRequest) -> dict[str, Any]:
        """A job that computes the advice; poll GET /api/jobs/{id} (``result.advice`` when done).

        The page ``/advise/jobs/{id}`` shows it; DELETE /api/jobs/{id} cancels it.
        """
        return advice_job(body).public()

    # -- recorded runs -----------------------------------------------------------------

    @app.get("/api/runs", summary="The recorded runs, newest first")
    def list_runs(limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
        """The most recent runs and how many are recorded."""
        store = runs()
        shown = [{**asdict(r), "source": source_name(r.source)} for r in store.list(limit)]
        return {"total": store.count(), "runs": shown}

    @app.get("/api/runs/{run_id}", summary="One recorded run")
    def get_run(run_id: str) -> dict[str, Any]:
        """Everything stored about a run: its inputs, scenario and result."""
        run = runs().get(run_id)
        return {**asdict(run), "source": source_name(run.source)}

    @app.get(
        "/api/runs/{run_id}/report",
        summary="The HTML report of a recorded run",
        response_class=HTMLResponse,
    )
    def get_report(
        run_id: str,
        download: bool = Query(False, description="Ask the browser to save it as a file."),
    ) -> HTMLResponse:
        """A self-contained HTML page (charts inlined), as ``summitry report`` writes it."""
        run_id = runs().get(run_id).id
        page = views.get(run_id)
        if page is None:
            queue.wait(submit("report", stored(run_id, record=False)))
            page = views.get(run_id)
        headers = {}
        if download:
            headers["content-disposition"] = f'attachment; filename="summitry-{run_id}.html"'
        return HTMLResponse(page.html(), headers=headers)

    included = [
        pages_router(runs, views),
        advice_router(queue, limits),
        draft_api_router(limits, queue),
        draft_router(limits, DraftStore(), queue),
    ]
    for router in included:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    document_errors(app)
    return app


def _methods_of(routes: Sequence[BaseRoute], scope: dict[str, Any]) -> list[str]:
    """The methods the routes of the request's path answer to (for a 405's Allow header).

    ``routes`` lists the app's own routes and those of the routers it includes (which
    the app keeps behind a wrapper that has no methods). HEAD is listed only where a
    route serves it.
    """
    from starlette.routing import Match

    found: set[str] = set()
    for route in routes:
        methods = getattr(route, "methods", None)
        if methods and route.matches(scope)[0] is not Match.NONE:
            found |= set(methods)
    return sorted(found)


def _request_error(exc: RequestValidationError, request: Request) -> ApiError:
    """The API error for a request FastAPI could not read into its model."""
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    kind, loc = first.get("type"), tuple(first.get("loc", ()))
    if kind == "json_invalid":  # loc ends with the character where reading stopped
        where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
        error = (first.get("ctx") or {}).get("error", "")
        return ApiError(422, f"the body is not valid JSON{where}: {error}".rstrip(": "))
    if loc == ("body",) and kind == "model_attributes_type":  # the body is no object
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if sent != "application/json":
            return ApiError(
                415,
                f"this route reads a JSON body (content-type application/json); "
                f"got {sent or 'no content type'}",
            )
        return ApiError(422, "the body must be a JSON object ({...})")
    loc = tuple(part for part in loc if part not in ("body", "query"))
    path = field_path(loc) or None
    rule = str(first["msg"]).removeprefix("Value error, ")
    return ApiError(422, f"{path}: {rule}" if path else rule, rule=rule, path=path)


def _unread_body(cause: BaseException | None) -> str | None:
    """Why FastAPI could not read a body (its own 400 says only that it could not)."""
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start})"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "the body holds a number too long to read (more than 4,300 digits)"
    return None
