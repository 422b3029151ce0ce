"""Limits that protect the machine serving the REST API.

Each limit has a default, an environment variable and a ``summitry serve`` option; the
option wins over the variable, the variable over the default (docs/web.md):

========================  ===============================  ========  ====================
limit                     variable                         default   error when broken
========================  ===============================  ========  ====================
request body              ``SUMMITRY_WEB_MAX_BODY``        1000000   413
actors in a scenario      ``SUMMITRY_WEB_MAX_ACTORS``      100       422
issues in a scenario      ``SUMMITRY_WEB_MAX_ISSUES``      30        422
Monte Carlo samples       ``SUMMITRY_WEB_MAX_SAMPLES``     1000      422
work of a forecast        ``SUMMITRY_WEB_MAX_WORK``        10000000  422
time per request (s)      ``SUMMITRY_WEB_TIMEOUT``         60        422
forecasts at once         ``SUMMITRY_WEB_WORKERS``         2         (others wait)
forecasts waiting         ``SUMMITRY_WEB_QUEUE``           16        429 when all taken
========================  ===============================  ========  ====================

The hosts the server answers to (``--allowed-host``, ``SUMMITRY_WEB_ALLOWED_HOSTS``) are
set the same way, in :mod:`summitry.web.security`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from summitry.errors import ParameterError
from summitry.web.problems import ApiError

__all__ = ["ENV", "BodyLimit", "Limits"]

ENV: dict[str, str] = {
    "max_body": "SUMMITRY_WEB_MAX_BODY",
    "max_actors": "SUMMITRY_WEB_MAX_ACTORS",
    "max_issues": "SUMMITRY_WEB_MAX_ISSUES",
    "max_samples": "SUMMITRY_WEB_MAX_SAMPLES",
    "max_work": "SUMMITRY_WEB_MAX_WORK",
    "timeout": "SUMMITRY_WEB_TIMEOUT",
    "workers": "SUMMITRY_WEB_WORKERS",
    "queue": "SUMMITRY_WEB_QUEUE",
}
"""The environment variable of each limit."""


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server.

    Attributes
    ----------
    max_body
        Largest request body, in bytes.
    max_actors, max_issues
        Largest scenario accepted by validate and forecast.
    max_samples
        Most Monte Carlo draws one forecast may ask for.
    max_work
        Most estimated work of one forecast: actors x issues x samples x rounds, summed
        over its models (an iterative model counts its ``max_rounds``, a closed-form one
        1 round). The default takes every bundled scenario with every model at 1000
        samples (6.39 million) and refuses 100 actors x 30 issues x 1000 samples with
        the exchange model (30 million).
    timeout
        Seconds a forecast or report may run (and a request may wait for it).
    workers
        Forecasts and reports that may run at once; others wait in the queue.
    queue
        Forecasts and reports that may wait for a worker; a request beyond them gets 429.
    """

    max_body: int = 1_000_000
    max_actors: int = 100
    max_issues: int = 30
    max_samples: int = 1000
    max_work: int = 10_000_000
    timeout: float = 60.0
    workers: int = 2
    queue: int = 16

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            least, words = (0, "0 or more") if f.name == "queue" else (1e-300, "positive")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < least:
                raise ParameterError(f"web limit {f.name} must be {words}; got {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Limits:
        """Limits from the environment, then ``given`` values that are not None on top.

        Raises
        ------
        ParameterError
            When a variable is not a positive number.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            text = environ.get(ENV[f.name], "").strip()
            if not text:
                continue
            kind, word = (float, "number") if f.name == "timeout" else (int, "whole number")
            try:
                values[f.name] = kind(text)
            except ValueError:
                raise ParameterError(f"{ENV[f.name]}={text!r} is not a {word}") from None
        limits = cls(**values)
        return replace(limits, **{k: v for k, v in given.items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        """The limits by name, as ``GET /api/limits`` shows them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class BodyLimit:
    """ASGI middleware: answer 413 to a request body larger than ``max_body`` bytes."""

    def __init__(self, app: Any, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass the request on, or answer 413 once its body is known to be too large."""
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
