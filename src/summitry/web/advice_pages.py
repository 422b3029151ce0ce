"""The ``/advise`` pages: what one actor of a bundled scenario can do, run as a job.

``GET /advise?scenario=NAME`` is the form (actor, models, samples, seed); posting it
starts a job (:mod:`summitry.web.advice_work`) and leads to ``/advise/jobs/{id}``, which
shows the job's stage while it runs (the page reloads itself every second, no script
needed), a button that cancels it, and then the advice: the most helpful levers, the
least concession that makes each blocker accept, and the other actors' best replies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from summitry import scenarios
from summitry.models import MODELS
from summitry.web.advice_work import (
    DEFAULT_MODELS,
    DEFAULT_SAMPLES,
    TOP,
    advice_order,
    flip_rows,
    job_of_advice,
    lever_rows,
    reply_rows,
)
from summitry.web.bodies import bundled
from summitry.web.jobs import JobQueue
from summitry.web.limits import Limits
from summitry.web.pages import _templates
from summitry.web.problems import ApiError

__all__ = ["KIND", "advice_router"]

KIND = "advice"
"""The kind of an advice job."""


def advice_router(queue: JobQueue, limits: Limits) -> APIRouter:
    """The advice pages, whose jobs run on ``queue`` within ``limits``."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return _templates.TemplateResponse(request, name, context, status_code=status)

    def missing(request: Request, message: str) -> HTMLResponse:
        return page(request, "missing.html", status=404, message=message)

    def form(request: Request, name: str | None, status: int = 200, **chosen: Any) -> HTMLResponse:
        actors = []
        if name:
            scenario = bundled(name)
            actors = [{"id": a.id, "name": a.name} for a in scenario.actors if a.present]
        context = {
            "bundled": [n for n, _ in scenarios.list_examples()],
            "scenario": name,
            "actors": actors,
            "models": [{"name": n, "summary": cls.summary} for n, cls in MODELS.items()],
            "chosen_models": chosen.get("models") or list(DEFAULT_MODELS),
            "actor": chosen.get("actor"),
            "samples": chosen.get("samples", min(DEFAULT_SAMPLES, limits.max_samples)),
            "seed": chosen.get("seed", 0),
            "max_samples": limits.max_samples,
            "error": chosen.get("error"),
        }
        return page(request, "advise.html", status=status, **context)

    @router.get("/advise", response_class=HTMLResponse)
    def advise_form(request: Request, scenario: str | None = None) -> HTMLResponse:
        try:
            return form(request, scenario or None)
        except ApiError as exc:
            return missing(request, exc.body["message"])

    @router.post("/advise")
    async def advise_start(request: Request) -> Response:
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))

        def one(key: str, default: str = "") -> str:
            return (fields.get(key) or [default])[0].strip()

        name, actor, models = one("scenario"), one("actor"), fields.get("model") or None
        if not name:
            return form(request, None, 422, error="scenario: choose a bundled scenario")
        try:
            samples = int(one("samples", str(DEFAULT_SAMPLES)))
            seed = int(one("seed", "0"))
        except ValueError:
            return form(
                request, name or None, 422, actor=actor, models=models,
                error="samples and seed must be whole numbers",
            )  # fmt: skip
        try:
            if not 0 <= seed < 2**32:
                raise ApiError(422, f"seed: {seed} lies outside 0 to {2**32 - 1}", path="seed")
            scenario = bundled(name)
            order = advice_order(scenario, actor, models, samples, seed, limits)
            job = queue.submit(KIND, job_of_advice(order))
        except ApiError as exc:
            if exc.status == 404:
                return missing(request, exc.body["message"])
            return form(
                request, name, exc.status, actor=actor, models=models, samples=samples,
                seed=seed, error=exc.body["message"],
            )  # fmt: skip
        return RedirectResponse(f"/advise/jobs/{job.id}", status_code=303)

    @router.get("/advise/jobs/{job_id}", response_class=HTMLResponse)
    def advise_job(request: Request, job_id: str) -> HTMLResponse:
        try:
            job = queue.get(job_id)
        except ApiError as exc:
            return missing(request, exc.body["message"])
        if job.kind != KIND:
            return missing(request, f"no advice job '{job_id}' on this server")
        context: dict[str, Any] = {"job": job.public(), "top": TOP}
        if job.status == "done":
            record = job.result["advice"]
            context.update(
                record=record,
                levers=lever_rows(record),
                flips=flip_rows(record),
                replies=reply_rows(record),
            )
        return page(request, "advice.html", **context)

    @router.post("/advise/jobs/{job_id}/cancel")
    def advise_cancel(request: Request, job_id: str) -> Response:
        try:
            queue.cancel(job_id)
        except ApiError as exc:
            return missing(request, exc.body["message"])
        return RedirectResponse(f"/advise/jobs/{job_id}", status_code=303)

    return router
