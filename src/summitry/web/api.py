"""The REST API: scenarios, validation, forecasts, recorded runs and reports over HTTP.

:func:`create_app` builds the FastAPI application that ``summitry serve`` runs. Every
endpoint calls the library (:func:`summitry.io.load`, :meth:`Scenario.from_dict`,
:func:`summitry.forecast.forecast`, :class:`summitry.store.RunStore`,
:func:`summitry.report.html.build_report`); nothing here computes a forecast itself.

Every error the API gives on purpose is a JSON object ``{"message", "rule", "location",
"path", "line"}``: ``message`` is the line ``summitry validate`` prints after
``error:`` (without a file name), ``path`` the field path such as
``positions.us.sanctions.salience`` and ``line`` the line of a YAML body. The limits of
:class:`~summitry.web.limits.Limits` protect the machine (docs/web.md).
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from summitry import io, scenarios
from summitry.errors import ParameterError, ScenarioError, SummitryError
from summitry.forecast import forecast as run_forecast
from summitry.forecast import replay, summitry_version
from summitry.io.yaml_format import read_yaml
from summitry.models import MODELS
from summitry.scenario import Scenario, field_path
from summitry.store import RunStore, UnknownRunError
from summitry.web.limits import ENV, Limits

__all__ = ["ApiError", "ForecastRequest", "create_app"]

T = TypeVar("T")

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_YAML_LOCATION = re.compile(r"^line (\d+)(?: \((.*)\))?$")


class ApiError(Exception):
    """An error answered as JSON with an HTTP status (4xx)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        rule: str | None = None,
        location: str | None = None,
        path: str | None = None,
        line: int | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.body = {
            "message": message,
            "rule": rule or message,
            "location": location,
            "path": path,
            "line": line,
        }

    @classmethod
    def from_scenario_error(cls, exc: ScenarioError) -> ApiError:
        """422 from a scenario error, its field path and line apart."""
        location, path, line = exc.location, exc.location, None
        if location and (m := _YAML_LOCATION.match(location)):
            line, path = int(m.group(1)), m.group(2)
        return cls(422, str(exc), rule=exc.rule, location=location, path=path, line=line)


class ForecastRequest(BaseModel):
    """The body of ``POST /api/forecast``."""

    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] | str = Field(
        description="The scenario as JSON (as GET /api/scenarios/{name} gives it, or as a "
        "YAML file reads), or the name of a bundled scenario."
    )
    models: list[str] | None = Field(
        default=None, description="Model names (GET /api/models); default: every model."
    )
    samples: int = Field(default=1, ge=1, description="Monte Carlo draws of the inputs.")
    seed: int = Field(default=0, ge=0, le=2**32 - 1, description="Seed for every model.")


class _Runner:
    """Runs heavy work in a bounded pool of worker threads, each call under a time limit.

    A worker thread cannot be stopped: work that runs past the limit finishes in the
    background and its result is dropped (``cancelled`` is set, so a forecast is not
    recorded). Its slot stays taken until then, so at most ``workers`` computations run
    at once, however many requests time out; a request that finds no free slot gets 429.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.slots = threading.BoundedSemaphore(limits.workers)
        self.pool = ThreadPoolExecutor(limits.workers, thread_name_prefix="summitry-web")

    def run(self, work: Callable[[threading.Event], T]) -> T:
        if not self.slots.acquire(blocking=False):
            raise ApiError(
                429,
                f"the server is busy with {self.limits.workers} forecasts; try again shortly "
                f"(limit: {ENV['workers']})",
            )
        cancelled = threading.Event()

        def job() -> T:
            try:
                return work(cancelled)
            finally:
                self.slots.release()

        try:
            future = self.pool.submit(job)
        except BaseException:
            self.slots.release()
            raise
        try:
            return future.result(timeout=self.limits.timeout)
        except FutureTimeout:
            cancelled.set()
            raise ApiError(
                422,
                f"the request ran past the time limit of {self.limits.timeout:g} s of this "
                f"server ({ENV['timeout']}); ask for fewer samples or models",
                path="samples",
            ) from None


def _check_size(scenario: Scenario, limits: Limits) -> None:
    for what, n, most in (
        ("actors", len(scenario.actors), limits.max_actors),
        ("issues", len(scenario.issues), limits.max_issues),
    ):
        if n > most:
            raise ApiError(
                422,
                f"the scenario has {n} {what}; this server takes at most {most} "
                f"({ENV['max_' + what]})",
                path=what,
            )


def _bundled(name: str) -> Scenario:
    """A bundled scenario by name; never a file on the server's disk."""
    path = scenarios.example_path(name)
    if path is None:
        names = ", ".join(n for n, _ in scenarios.list_examples())
        raise ApiError(404, f"no bundled scenario '{name}' (bundled: {names})", path="name")
    return io.load(path)


def _parse_body(raw: bytes, content_type: str) -> Scenario:
    """Validate a scenario sent as JSON or YAML, as ``summitry validate`` reads a file."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            422, f"the body is not UTF-8 text (byte 0x{raw[exc.start]:02x}); send UTF-8"
        ) from None
    if kind in JSON_TYPES:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            line = getattr(exc, "lineno", None)
            raise ApiError(
                422,
                f"the body is not JSON: {getattr(exc, 'msg', exc)}",
                location=None if line is None else f"line {line}",
                line=line,
            ) from None
        return Scenario.from_dict(data)
    if kind in YAML_TYPES or not kind:
        return read_yaml(text)
    raise ApiError(
        415,
        f"cannot read a body of type '{kind}'; send application/json or application/yaml",
    )


def _summary(scenario: Scenario) -> dict[str, Any]:
    """What ``summitry validate`` prints, as JSON."""
    return {
        "valid": True,
        "scenario": scenario.name,
        "input_sha256": scenario.digest(),
        "actors": list(scenario.actor_ids),
        "evidence": len(scenario.evidence),
        "issues": [
            {
                "id": issue.id,
                "scale": [issue.scale.min, issue.scale.max],
                "status_quo": None if issue.status_quo is None else float(issue.status_quo),
                "actors": sum(issue.id in stances for stances in scenario.positions.values()),
            }
            for issue in scenario.issues
        ],
    }


def _body_schema() -> dict[str, Any]:
    scenario = {"type": "object", "description": "A scenario (docs/format.md)."}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": scenario},
                "text/plain": {"schema": {"type": "string", "description": "A YAML scenario."}},
            },
        }
    }


class _BodyLimit:
    """ASGI middleware: answer 413 to a request body larger than ``max_body`` bytes."""

    def __init__(self, app: Any, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit():
            if int(length) > self.max_body:
                await self._too_large(send)
                return
            await self.app(scope, receive, send)
            return
        # no length given (chunked): read at most max_body bytes, then pass them on
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body:
                await self._too_large(send)
                return
            if not message.get("more_body", False):
                break

        async def replay_receive() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay_receive, send)

    async def _too_large(self, send: Any) -> None:
        body = json.dumps(
            ApiError(
                413,
                f"the request body is larger than this server takes ({self.max_body} bytes; "
                f"{ENV['max_body']})",
            ).body
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def create_app(limits: Limits | None = None, store: str | Path | None = None) -> FastAPI:
    """The REST API as a FastAPI application.

    Parameters
    ----------
    limits
        What one request may ask; default :meth:`Limits.from_env`.
    store
        Run database file; default the run store of :func:`summitry.store.default_store_path`
        (``$SUMMITRY_HOME/runs.sqlite``).
    """
    limits = limits or Limits.from_env()

    def runs() -> RunStore:  # resolved per request: SUMMITRY_HOME is read when used
        return RunStore(store)

    runner = _Runner(limits)
    app = FastAPI(
        title="summitry",
        version=summitry_version(),
        description="Forecasts of multi-party negotiations (docs/web.md). No authentication: "
        "every caller sees every recorded run.",
    )
    app.state.limits = limits
    app.add_middleware(_BodyLimit, max_body=limits.max_body)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError) -> JSONResponse:
        return await _api_error(request, ApiError.from_scenario_error(exc))

    @app.exception_handler(UnknownRunError)
    async def _unknown_run(request: Request, exc: UnknownRunError) -> JSONResponse:
        return await _api_error(request, ApiError(404, str(exc), path="run_id"))

    @app.exception_handler(SummitryError)
    async def _summitry_error(request: Request, exc: SummitryError) -> JSONResponse:
        return await _api_error(request, ApiError(422, str(exc)))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        error = ApiError(exc.status_code, str(exc.detail))
        return JSONResponse(error.body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = tuple(part for part in first.get("loc", ()) if part not in ("body", "query"))
        path = field_path(loc) or None
        message = f"{path}: {first['msg']}" if path else str(first["msg"])
        return await _api_error(request, ApiError(422, message, rule=first["msg"], path=path))

    # -- reference ---------------------------------------------------------------------

    @app.get("/api/scenarios", summary="The bundled scenarios")
    def list_scenarios() -> list[dict[str, str]]:
        """Name and description of every bundled scenario."""
        return [{"name": n, "description": d} for n, d in scenarios.list_examples()]

    @app.get("/api/scenarios/{name}", summary="One bundled scenario as JSON")
    def get_scenario(name: str) -> dict[str, Any]:
        """The scenario with every field written out; POST it back to /api/forecast."""
        return _bundled(name).model_dump(mode="json")

    @app.get("/api/models", summary="The bargaining models")
    def list_models() -> list[dict[str, str]]:
        """Name and one-line summary of every model."""
        return [{"name": name, "summary": cls.summary} for name, cls in MODELS.items()]

    @app.get("/api/limits", summary="The limits of this server")
    def get_limits() -> dict[str, Any]:
        """What one request may ask (docs/web.md)."""
        return limits.as_dict()

    # -- validate and forecast ---------------------------------------------------------

    @app.post(
        "/api/validate",
        summary="Check a scenario",
        openapi_extra=_body_schema(),
        responses={422: {"description": "The scenario breaks a rule"}},
    )
    async def validate(request: Request) -> dict[str, Any]:
        """Validate a JSON or YAML scenario; 422 gives the rule broken and its field path."""
        raw = await request.body()
        content_type = request.headers.get("content-type", "")
        scenario = await run_in_threadpool(_parse_body, raw, content_type)
        _check_size(scenario, limits)
        return _summary(scenario)

    @app.post(
        "/api/forecast",
        summary="Forecast a scenario and record the run",
        responses={
            422: {"description": "A bad scenario or parameter, or a limit broken"},
            429: {"description": "Every worker is busy"},
        },
    )
    def forecast(body: ForecastRequest) -> dict[str, Any]:
        """The forecast record (as ``summitry forecast --json``) with its ``run_id``."""
        if body.samples > limits.max_samples:
            raise ApiError(
                422,
                f"samples: {body.samples} is more than this server takes "
                f"({limits.max_samples}; {ENV['max_samples']})",
                path="samples",
            )
        if isinstance(body.scenario, str):
            scenario, source = _bundled(body.scenario), body.scenario
        else:
            scenario, source = Scenario.from_dict(body.scenario), "api"
        _check_size(scenario, limits)
        if body.models is not None:
            unknown = [m for m in body.models if m not in MODELS]
            if unknown:
                raise ApiError(
                    422,
                    f"unknown model '{unknown[0]}'; choose from: {', '.join(MODELS)}",
                    path=f"models[{body.models.index(unknown[0])}]",
                )

        def work(cancelled: threading.Event) -> dict[str, Any]:
            result = run_forecast(scenario, body.models, seed=body.seed, samples=body.samples)
            record = result.to_dict(created=True)
            if cancelled.is_set():
                raise ParameterError("abandoned after the time limit")
            run_id = runs().record(result, source)
            return {"run_id": run_id, **record}

        return runner.run(work)

    # -- recorded runs -----------------------------------------------------------------

    @app.get("/api/runs", summary="The recorded runs, newest first")
    def list_runs(limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
        """The most recent runs and how many are recorded."""
        store = runs()
        return {"total": store.count(), "runs": [asdict(r) for r in store.list(limit)]}

    @app.get("/api/runs/{run_id}", summary="One recorded run")
    def get_run(run_id: str) -> dict[str, Any]:
        """Everything stored about a run: its inputs, scenario and result."""
        return asdict(runs().get(run_id))

    @app.get(
        "/api/runs/{run_id}/report",
        summary="The HTML report of a recorded run",
        response_class=HTMLResponse,
    )
    def get_report(run_id: str) -> HTMLResponse:
        """A self-contained HTML page (charts inlined), from the run replayed."""
        from summitry.report.html import build_report, extras_from  # matplotlib loads slowly

        record = runs().get(run_id)

        def work(cancelled: threading.Event) -> str:
            result = replay(
                record.load_scenario(),
                record.models,
                seed=record.seed,
                rounds=record.rounds,
                samples=record.samples,
            )
            with tempfile.TemporaryDirectory(prefix="summitry-report-") as folder:
                page = build_report(result, Path(folder) / "report", extras=extras_from(result))
                return page.read_text(encoding="utf-8")

        return HTMLResponse(runner.run(work))

    return app
