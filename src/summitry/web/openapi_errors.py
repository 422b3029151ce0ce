"""Every error the API may answer, written into its OpenAPI schema.

FastAPI documents only the answers a route declares. The app also answers, from any route,
400 (a Host it does not serve), 403 (a write from another site), 404, 405, 413 (a body
over the limit), 415 (a body type it cannot read), 422 (a rule broken) and 429 (a full
queue), always with the same error body; :func:`document_errors` adds them, so that
clients and schema-driven tests know every status code and its shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

__all__ = ["ERRORS", "document_errors"]

ERRORS: dict[str, str] = {
    "400": "Bad request: a Host this server does not answer to, or a malformed request",
    "403": "Refused: a state-changing request from another site",
    "404": "Not found: no such scenario, run, job or page",
    "405": "Method not allowed",
    "413": "The request body is over the server's limit",
    "415": "A request body of a type the server cannot read",
    "422": "A rule broken: the body, a parameter, or a limit of this server",
    "429": "The server is busy: every worker and queue place is taken",
}

_BODY: dict[str, Any] = {
    "type": "object",
    "description": "What went wrong, and where (docs/web.md).",
    "properties": {
        "message": {"type": "string"},
        "rule": {"type": "string"},
        "location": {"type": ["string", "null"]},
        "path": {"type": ["string", "null"]},
        "line": {"type": ["integer", "null"]},
    },
    "required": ["message"],
}


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` list :data:`ERRORS` for every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = _BODY
            ref = {"$ref": "#/components/schemas/Error"}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    answers = operation.setdefault("responses", {})
                    for status, words in ERRORS.items():
                        answers[status] = {
                            "description": words,
                            "content": {"application/json": {"schema": ref}},
                        }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
