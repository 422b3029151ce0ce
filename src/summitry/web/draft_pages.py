"""The ``/draft`` pages and ``POST /api/draft``: a scenario skeleton drafted from documents.

``GET /draft`` is the form: one or more documents (text, Markdown, HTML or PDF) and an
optional scenario name. Posting it reads each upload as ``summitry draft`` reads a file
(:func:`summitry.draft.documents.read_document`, paragraph N the N-th non-blank line),
drafts the scenario (:func:`summitry.draft.skeleton.draft`, well under a second for a few
documents) and leads to ``/draft/{id}``: the actors and issues found, and for each actor
and issue the passages suggested as evidence, every number a placeholder. Reading and
drafting run as a job of the server's queue (:func:`drafted`), held to its time limit and
number of workers like a forecast: a small PDF can hold megabytes of compressed text.
The drafted YAML is kept in memory for the last :data:`KEPT` drafts (never on disk),
downloaded from ``/draft/{id}/yaml``, and opened in the editor as an uploaded scenario.

Every problem (no document, a suffix not read, a text that is not UTF-8, a broken PDF,
too many documents, documents that name no actor or no recurring issue) is a 4xx: the
form again with one line naming the document and the rule, or the API's error body.
"""

from __future__ import annotations

import functools
import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path, PurePath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from summitry.draft.documents import FORMATS, Document, document_from_text, read_document
from summitry.draft.skeleton import PLACEHOLDER, Draft, draft
from summitry.errors import SummitryError
from summitry.web.jobs import JobQueue, Stages
from summitry.web.limits import Limits
from summitry.web.pages import _templates
from summitry.web.problems import ApiError

__all__ = [
    "KEPT",
    "MAX_DOCUMENTS",
    "DraftStore",
    "draft_api_router",
    "draft_router",
    "drafted",
    "read_uploads",
]

MAX_DOCUMENTS = 20
"""Most documents one draft reads."""
KIND = "draft"
"""The kind of the server's jobs that draft."""
KEPT = 32
"""Drafts kept in memory (the oldest is forgotten first)."""
MAX_NAME = 200
"""Longest scenario name accepted."""
_TEXT = {".txt", ".text"}
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")

UPLOAD_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": f"The documents (.txt, .md, .html, .htm or .pdf), "
                            f"at most {MAX_DOCUMENTS}.",
                        },
                        "name": {"type": "string", "description": "The scenario's name."},
                    },
                    "required": ["files"],
                }
            }
        },
    }
}
"""The OpenAPI request body of ``POST /api/draft``."""


def _file_name(given: str, number: int) -> str:
    """The upload's file name without folders or odd characters (``document-N`` if none)."""
    name = PurePath((given or "").replace("\\", "/")).name
    name = _SAFE.sub("-", name).strip(" .-")[:120]
    return name or f"document-{number}"


def read_uploads(files: list[tuple[str, bytes]]) -> list[Document]:
    """The uploaded ``(file name, bytes)`` as documents, read as ``summitry draft`` reads files.

    Raises
    ------
    ApiError
        422 for no document, too many, two with the same name, a text that is not UTF-8
        or a PDF that cannot be read; 415 for a suffix that is not read.
    """
    if not files:
        raise ApiError(
            422, "no document: upload one or more .txt, .md, .html, .htm or .pdf files",
            path="files",
        )  # fmt: skip
    if len(files) > MAX_DOCUMENTS:
        raise ApiError(
            422, f"{len(files)} documents; a draft reads at most {MAX_DOCUMENTS}", path="files"
        )
    names = [_file_name(given, n) for n, (given, _) in enumerate(files, start=1)]
    for name in names:
        suffix = PurePath(name).suffix.lower()
        if suffix not in FORMATS:
            raise ApiError(
                415,
                f"{name}: the suffix '{suffix or '(none)'}' is not read; upload .txt, .md, "
                ".html, .htm or .pdf files",
                path="files",
            )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ApiError(
                422,
                f"{name}: two documents are named '{name}'; evidence could not tell them apart",
                path="files",
            )
        seen.add(name)
    docs = []
    with tempfile.TemporaryDirectory(prefix="summitry-draft-") as folder:
        for name, (_, raw) in zip(names, files, strict=True):
            docs.append(_read_one(name, raw, Path(folder)))
    return docs


def _read_one(name: str, raw: bytes, folder: Path) -> Document:
    suffix = PurePath(name).suffix.lower()
    try:
        if suffix in _TEXT:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ApiError(
                    422, f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8",
                    path="files",
                ) from None  # fmt: skip
            return document_from_text(name, text)
        path = folder / name
        path.write_bytes(raw)
        return read_document(path, name=name)
    except ApiError:
        raise
    except SummitryError as exc:
        rule = getattr(exc, "rule", None) or str(exc)
        raise ApiError(422, f"{name}: {rule}", path="files") from None
    except Exception as exc:  # a PDF that the PDF reader fails on in its own way
        raise ApiError(
            422, f"{name}: cannot read the document ({type(exc).__name__})", path="files"
        ) from None


def drafted(files: list[tuple[str, bytes]], name: str, limits: Limits, stages: Stages) -> Draft:
    """The job of one draft: read the uploads, then draft them (see :func:`draft_of`).

    It runs on the server's job queue, in a worker process, so that a document that takes
    long to read (a small PDF can hold megabytes of compressed text) is held to the
    server's time limit and number of workers like a forecast, and is stopped there.
    """
    stages.plan(2)
    stages.begin("reading the documents")
    docs = read_uploads(files)
    stages.begin("drafting")
    return draft_of(docs, name, limits)


def draft_of(docs: list[Document], name: str, limits: Limits) -> Draft:
    """The draft of ``docs``, as many actors and issues as the server takes; 422 if none."""
    try:
        return draft(
            docs, name=name, max_actors=min(12, limits.max_actors),
            max_issues=min(8, limits.max_issues),
        )  # fmt: skip
    except SummitryError as exc:
        raise ApiError(422, str(exc), path="files") from None


def _draft_on(queue: JobQueue, files: list[tuple[str, bytes]], name: str, limits: Limits) -> Draft:
    """Draft the uploads as a job of ``queue`` and wait for it (429 when the queue is full)."""
    return queue.wait(queue.submit(KIND, functools.partial(drafted, files, name, limits)))


def _scenario_name(given: str) -> str:
    name = " ".join(given.split())
    if len(name) > MAX_NAME:
        raise ApiError(422, f"name: longer than {MAX_NAME} characters", path="name")
    return name or "draft"


def _download_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip(".-") or "draft"


async def _form(request: Request) -> tuple[list[tuple[str, bytes]], str]:
    """The uploaded files and the name field of a multipart (or any) form."""
    try:
        form = await request.form()
    except HTTPException as exc:  # a malformed multipart body
        raise ApiError(400, f"the form cannot be read: {exc.detail}") from None
    files: list[tuple[str, bytes]] = []
    try:
        for value in form.getlist("files"):
            if isinstance(value, UploadFile):
                raw = await value.read()
                if value.filename or raw:  # a file input left empty sends an empty part
                    files.append((value.filename or "", raw))
        name = form.get("name")
        return files, name if isinstance(name, str) else ""
    finally:
        await form.close()


class DraftStore:
    """The last :data:`KEPT` drafts in memory, each under a random id."""

    def __init__(self, size: int = KEPT):
        self._size = size
        self._drafts: OrderedDict[str, Draft] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, found: Draft) -> str:
        """Keep ``found``; its id."""
        key = secrets.token_hex(8)
        with self._lock:
            self._drafts[key] = found
            while len(self._drafts) > self._size:
                self._drafts.popitem(last=False)
        return key

    def get(self, key: str) -> Draft | None:
        """The draft kept under ``key``, or None."""
        with self._lock:
            return self._drafts.get(key)


def _review(found: Draft) -> dict[str, Any]:
    """What the review page shows of a draft."""
    issues = {i.id: i for i in found.issues}
    actors = {a.id: a for a in found.actors}
    pairs = []
    for (actor, issue), passages in found.passages.items():
        pairs.append(
            {
                "actor": actors[actor].name if actor in actors else actor,
                "actor_id": actor,
                "issue": issue,
                "words": ", ".join(issues[issue].words) if issue in issues else "",
                "passages": passages,
            }
        )
    return {
        "name": found.data["name"],
        "documents": found.data["metadata"]["draft"]["documents"],
        "actors": found.actors,
        "issues": found.issues,
        "pairs": pairs,
        "placeholder": PLACEHOLDER,
        "suggested": found.data["metadata"]["draft"]["suggested_evidence"],
        "positions": found.data["positions"],
    }


def draft_router(limits: Limits, store: DraftStore, queue: JobQueue) -> APIRouter:
    """The draft pages, within ``limits``; drafts are made on ``queue`` and kept in ``store``."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return _templates.TemplateResponse(request, template, context, status_code=status)

    def form(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("name", "")
        return page(
            request, "draft.html", status=status, max_documents=MAX_DOCUMENTS,
            accept=",".join(sorted(FORMATS)), error=context.pop("error", None), **context,
        )  # fmt: skip

    def missing(request: Request, key: str) -> HTMLResponse:
        message = f"no draft '{key}' on this server (the last {KEPT} drafts are kept)"
        return page(request, "missing.html", status=404, message=message)

    @router.get("/draft", response_class=HTMLResponse)
    def draft_form(request: Request) -> HTMLResponse:
        return form(request)

    @router.post("/draft")
    async def draft_post(request: Request) -> Response:
        name = ""
        try:
            files, name = await _form(request)
            scenario_name = _scenario_name(name)
            found = await run_in_threadpool(_draft_on, queue, files, scenario_name, limits)
        except ApiError as exc:
            return form(request, exc.status, name=name[:MAX_NAME], error=exc.body["message"])
        return RedirectResponse(f"/draft/{store.add(found)}", status_code=303)

    @router.get("/draft/{key}", response_class=HTMLResponse)
    def draft_review(request: Request, key: str) -> HTMLResponse:
        found = store.get(key)
        if found is None:
            return missing(request, key)
        return page(request, "draft_review.html", key=key, **_review(found))

    @router.get("/draft/{key}/yaml")
    def draft_yaml(request: Request, key: str) -> Response:
        found = store.get(key)
        if found is None:
            return missing(request, key)
        filename = _download_name(found.data["name"])
        return PlainTextResponse(
            found.yaml_text(),
            media_type="application/yaml",
            headers={"content-disposition": f'attachment; filename="{filename}.yaml"'},
        )

    return router


def draft_api_router(limits: Limits, queue: JobQueue) -> APIRouter:
    """``POST /api/draft``: documents in, the draft's summary and YAML out (made on ``queue``)."""
    router = APIRouter()

    @router.post(
        "/api/draft",
        summary="Draft a scenario skeleton from documents",
        openapi_extra=UPLOAD_SCHEMA,
        responses={
            415: {"description": "A document whose suffix is not read"},
            422: {"description": "No document, too many, one unreadable, or nothing to draft"},
        },
    )
    async def draft_api(request: Request) -> dict[str, Any]:
        """What ``summitry draft`` finds (actors, issues, passages) and the YAML it writes.

        Send the documents as ``multipart/form-data`` parts named ``files`` (at most 20;
        .txt, .md, .html, .htm or .pdf) and optionally a ``name``. Every number of the
        draft is a placeholder and every evidence entry a suggestion (docs/draft.md).
        """
        files, name = await _form(request)
        scenario_name = _scenario_name(name)
        found = await run_in_threadpool(_draft_on, queue, files, scenario_name, limits)
        return {**found.summary(), "yaml": found.yaml_text()}

    return router
