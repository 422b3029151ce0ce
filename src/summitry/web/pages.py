"""The web app's pages: pick or upload a scenario, edit it, run it, look at runs.

Pages are rendered on the server (Jinja2 templates in ``templates/``) and made
interactive by small scripts in ``static/`` that call the REST API; nothing is loaded
from another host and nothing is built at install time. Charts are the report's own
PNGs (:mod:`summitry.report.charts`), so no chart library runs in the browser. No page
holds an inline script, an event handler attribute or a ``style`` attribute: the content
security policy (:mod:`summitry.web.security`) lets in only the scripts and style sheet of
``static/``, the report's inline style sheet (by its hash) and ``data:`` images.

========================  =======================================================
page                      what it shows
========================  =======================================================
``/``                     bundled scenarios, upload (YAML, JSON, CSV, decide)
``/edit?scenario=NAME``   the editor: actors x issues, beliefs, messages, events
``/runs``                 recorded runs, with view, edit, re-run and report
``/runs/{id}``            one run: headline, P(deal), winners, drivers, timeline
``/ledger``               sealed questions, their status and outcome, running scores
``/advise``               one actor's levers, flips and replies (:mod:`.advice_pages`)
``/draft``                a scenario drafted from documents (:mod:`.draft_pages`)
========================  =======================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from summitry import scenarios
from summitry.forecast import summitry_version
from summitry.ledger import Ledger, statuses
from summitry.models import MODELS
from summitry.report.html import ReportPage
from summitry.store import RunStore, UnknownRunError
from summitry.web.headline import headline_of
from summitry.web.problems import source_name, without_paths
from summitry.web.work import ViewCache

__all__ = ["STATIC", "pages_router"]

HERE = Path(__file__).parent
STATIC = HERE / "static"
"""Folder of the pages' scripts and style sheet, served under ``/static``."""

_templates = Jinja2Templates(directory=HERE / "templates")
_templates.env.globals.update(version=summitry_version(), report_css=ReportPage.css)


_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<circle cx="12" cy="16" r="9" fill="#3f6fb0" fill-opacity="0.8"/>'
    '<circle cx="20" cy="16" r="9" fill="#d98b2b" fill-opacity="0.8"/></svg>'
)


def pages_router(runs: Callable[[], RunStore], views: ViewCache) -> APIRouter:
    """The HTML pages, on ``runs`` (the run store) and ``views`` (pages of recent runs)."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return _templates.TemplateResponse(request, name, context, status_code=status)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        bundled = [{"name": n, "description": d} for n, d in scenarios.list_examples()]
        return page(request, "home.html", bundled=bundled)

    @router.get("/favicon.ico")
    def favicon() -> Response:
        """A small icon (two overlapping circles: two parties), so browsers get no 404."""
        return Response(
            _ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
        )

    @router.get("/edit", response_class=HTMLResponse)
    def edit(request: Request) -> HTMLResponse:
        models = [{"name": n, "summary": cls.summary} for n, cls in MODELS.items()]
        return page(request, "edit.html", models=models)

    @router.get("/runs", response_class=HTMLResponse)
    def run_list(request: Request) -> HTMLResponse:
        store = runs()
        shown = [replace(r, source=source_name(r.source)) for r in store.list(100)]
        return page(request, "runs.html", runs=shown, total=store.count())

    @router.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_view(request: Request, run_id: str) -> HTMLResponse:
        store = runs()
        try:
            record = store.get(run_id)
        except UnknownRunError as exc:
            message = without_paths(str(exc), [store.path])
            return page(request, "missing.html", status=404, message=message)
        view = views.get(record.id)
        advise = record.source if scenarios.example_path(record.source) else None
        return page(
            request, "run.html", run=record, view=view, headline=headline_of(record),
            advise=advise,
        )  # fmt: skip

    @router.get("/ledger", response_class=HTMLResponse)
    def ledger(request: Request) -> HTMLResponse:
        book = Ledger(runs())
        context = _ledger_context(book)
        if context["problem"]:
            context["problem"] = without_paths(context["problem"], [book.path])
        return page(request, "ledger.html", **context)

    return router


def _ledger_context(book: Ledger) -> dict[str, Any]:
    """What the ledger page shows: the check of the chain, the questions, the scores."""
    from summitry.ledger_scores import ledger_scores  # the scoring library loads slowly
    from summitry.report.ledger_view import question_rows, score_rows

    found = book.verify()
    context: dict[str, Any] = {"count": found.count, "head": found.head, "problem": None}
    if not found.ok:
        context.update(problem=found.problem, questions=[], scores=[], resolved=0)
        return context
    entries = book.entries()
    found_questions = statuses(entries)
    resolved = sum(q.status == "resolved" for q in found_questions)
    scores = ledger_scores(entries) if resolved else []
    context.update(
        questions=question_rows(found_questions), scores=score_rows(scores), resolved=resolved
    )
    return context
