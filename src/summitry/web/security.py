"""Protection against hostile requests: the Host allowlist, cross-site writes, headers.

:class:`Guard` is ASGI middleware around the whole app (pages, API, static files and
errors alike):

* **Host allowlist.** A request whose ``Host`` header names a host this server does not
  answer to gets 400. A web page on another site cannot then reach the server by making
  its own name resolve to the server's address (DNS rebinding). The allowed hosts are
  ``localhost``, ``127.0.0.1`` and ``[::1]`` on any port, plus the address ``summitry
  serve`` listens on when it is not a wildcard; ``--allowed-host`` (repeatable) or
  ``SUMMITRY_WEB_ALLOWED_HOSTS`` (comma-separated) replace the first three (the option
  wins over the variable). An entry is a host name or address with an optional port
  (``example.org``, ``10.0.0.5:8000``, ``[fe80::1]``), ``*.example.org`` for every
  subdomain, or ``*`` for any host.
* **No writes from other sites.** A POST, PUT, PATCH or DELETE gets 403 when the browser
  says another site sent it (``Sec-Fetch-Site: cross-site``), when its ``Origin`` (or,
  without one, its ``Referer``) is neither the request's own host nor an allowed host
  (``*`` does not count here), or when it is a form post (a body a plain HTML form can
  send: ``application/x-www-form-urlencoded``, ``multipart/form-data``, ``text/plain``)
  from another site of the same domain (``Sec-Fetch-Site: same-site``). A request with
  none of these headers (``curl``, a script) passes.
* **Headers on every response**: :data:`SECURITY_HEADERS` and the content security
  policy :data:`POLICY`. The pages load only their own scripts and style sheet; the one
  inline style sheet (the report's) is allowed by its hash, and the charts are ``data:``
  images. The API pages ``/docs`` and ``/redoc`` load their viewers from a CDN and carry
  a policy of their own (:func:`add_api_pages`).

A refused request gets the API's JSON error body (:class:`~summitry.web.problems.ApiError`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from summitry.errors import ParameterError
from summitry.report.html import ReportPage
from summitry.web.problems import ApiError

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "DEFAULT_HOSTS",
    "POLICY",
    "SECURITY_HEADERS",
    "Guard",
    "add_api_pages",
    "allowed_hosts",
]

ALLOWED_HOSTS_ENV = "SUMMITRY_WEB_ALLOWED_HOSTS"
"""Environment variable with the allowed hosts, comma-separated."""

DEFAULT_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""Hosts allowed when neither ``--allowed-host`` nor the variable names any."""

WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::", "[::]", "*"})
"""Listening addresses that mean every interface (they name no host to allow)."""

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Methods that change something; only these are checked for their origin."""

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
"""Body types an HTML form can send to another site without asking it first."""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


REPORT_STYLE = _sha256(ReportPage.css)
"""CSP hash of the report's style sheet, inlined by the report and by every page."""

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {REPORT_STYLE}",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)
"""The ``Content-Security-Policy`` of every response but the API pages."""

SECURITY_HEADERS: dict[str, str] = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
"""Headers set on every response, with ``Content-Security-Policy``."""

# -- allowed hosts -----------------------------------------------------------------------

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
_AUTHORITY = re.compile(
    rf"^(?P<host>\[[0-9a-f:.]+\]|{_LABEL}(?:\.{_LABEL})*)\.?(?::(?P<port>[0-9]{{1,5}}))?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _authority(text: str) -> tuple[str, int | None] | None:
    """``(host, port)`` of ``host[:port]``, lower-case, IPv6 in brackets; None if malformed."""
    m = _AUTHORITY.match(text.strip().lower())
    if m is None:
        return None
    port = None if m.group("port") is None else int(m.group("port"))
    if port is not None and not 0 < port < 65536:
        return None
    return m.group("host"), port


@dataclass(frozen=True)
class _Allowed:
    """One allowed host: ``host`` exact, ``.domain`` for its subdomains, ``*`` for any."""

    host: str
    port: int | None = None

    def matches(self, host: str, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.host.startswith("."):
            return host.endswith(self.host)
        return self.host in ("*", host)

    @classmethod
    def parse(cls, text: str) -> _Allowed:
        entry = text.strip().lower()
        if entry == "*":
            return cls("*")
        sub = entry.startswith("*.")
        found = _authority(entry[2:] if sub else entry)
        if found is None or (sub and found[0].startswith("[")):
            raise ParameterError(
                f"allowed host {text.strip()!r} is not a host name or address with an optional "
                "port (such as example.org, *.example.org, 10.0.0.5:8000 or [::1]); "
                f"check --allowed-host and {ALLOWED_HOSTS_ENV}"
            )
        host, port = found
        return cls("." + host if sub else host, port)


def allowed_hosts(
    given: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    bind: str | None = None,
) -> tuple[str, ...]:
    """The hosts a server answers to.

    ``given`` (the ``--allowed-host`` options), else the entries of
    :data:`ALLOWED_HOSTS_ENV` in ``environ``, else :data:`DEFAULT_HOSTS`; plus ``bind``,
    the address the server listens on, unless it is a wildcard such as ``0.0.0.0``.

    Raises
    ------
    ParameterError
        When an entry is not a host name or address (with an optional port).
    """
    environ = os.environ if environ is None else environ
    entries = [h.strip() for h in given or () if h.strip()]
    if not entries:
        entries = [h.strip() for h in environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
    if not entries:
        entries = list(DEFAULT_HOSTS)
    if bind is not None and bind.strip() not in WILDCARD_ADDRESSES:
        address = bind.strip()
        entries.append(
            f"[{address}]" if ":" in address and not address.startswith("[") else address
        )
    for entry in entries:
        _Allowed.parse(entry)
    return tuple(dict.fromkeys(entries))


# -- the middleware ----------------------------------------------------------------------


class Guard:
    """ASGI middleware: refuse disallowed hosts and cross-site writes; add the headers."""

    def __init__(self, app: Any, allowed_hosts: Sequence[str]):
        self.app = app
        self.allowed = [_Allowed.parse(h) for h in allowed_hosts]
        # "*" lets any Host in but vouches for no Origin: a page elsewhere is still elsewhere
        self.trusted = [a for a in self.allowed if a.host != "*"]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Answer a refused request at once; pass the others on, with the headers added."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refusal(scope)
        if refused is not None:
            await _answer(send, refused)
            return
        started = False

        async def send_with_headers(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _secured(message.get("headers") or [])}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:  # the error page too carries the headers; the log has the rest
                await _answer(send, ApiError(500, "internal error; the server's log says more"))
            raise

    def _refusal(self, scope: Any) -> ApiError | None:
        headers: dict[str, list[str]] = {}
        for name, value in scope.get("headers") or []:
            headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        hosts = headers.get("host", [])
        if len(hosts) != 1:
            return ApiError(400, "the request must carry one Host header", rule="one Host header")
        scheme = scope.get("scheme", "http")
        found = _authority(hosts[0])
        if found is None or not any(
            a.matches(found[0], _port(found[1], scheme)) for a in self.allowed
        ):
            return ApiError(
                400,
                f"this server does not answer to the host {_shown(hosts[0])}; allow it with "
                f"`summitry serve --allowed-host` or {ALLOWED_HOSTS_ENV}",
                rule="the Host header names a host this server does not answer to",
            )
        method = scope.get("method", "GET").upper()
        if method not in UNSAFE_METHODS:
            return None
        site = _first(headers, "sec-fetch-site").lower()
        kind = _first(headers, "content-type").split(";")[0].strip().lower()
        if site == "cross-site" or (site == "same-site" and kind in FORM_TYPES):
            return _cross_site(method, f"Sec-Fetch-Site: {site}")
        origin = _first(headers, "origin", None)
        source = (
            ("Origin", origin)
            if origin is not None
            else ("Referer", _first(headers, "referer", None))
        )
        if source[1] is not None and not self._ours(source[1], found, scheme):
            return _cross_site(method, f"{source[0]}: {_shown(source[1])}")
        return None

    def _ours(self, url: str, host: tuple[str, int | None], scheme: str) -> bool:
        """Whether ``url`` (an Origin or Referer) is this server.

        That is the request's own host and port (where the Host header names no port,
        the default port of the URL's scheme) or an allowed host other than ``*``.
        """
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            return False
        name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        name, port = name.rstrip("."), _port(port, parts.scheme)
        # a Host without a port (behind a proxy, say) is on the default port of its scheme
        if name == host[0] and port == (host[1] or _DEFAULT_PORTS[parts.scheme]):
            return True
        return any(a.matches(name, port) for a in self.trusted)


def _port(port: int | None, scheme: str) -> int | None:
    return port if port is not None else _DEFAULT_PORTS.get(scheme)


def _first(headers: dict[str, list[str]], name: str, default: Any = "") -> Any:
    values = headers.get(name)
    return values[0] if values else default


def _shown(value: str) -> str:
    """A header's value as an error message quotes it: short, printable."""
    text = "".join(c if c.isprintable() else "?" for c in value)
    return repr(text if len(text) <= 100 else text[:100] + "...")


def _cross_site(method: str, evidence: str) -> ApiError:
    return ApiError(
        403,
        f"refused a {method} sent from another site ({evidence}); this server takes changes "
        "only from its own pages and from clients that are not browsers",
        rule="a request that changes something must come from this server's own pages",
    )


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with every security header the response does not set itself."""
    present = {name.lower() for name, _ in headers}
    added = [(b"content-security-policy", POLICY.encode())]
    added += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    return [*headers, *((k, v) for k, v in added if k not in present)]


async def _answer(send: Any, error: ApiError) -> None:
    body = json.dumps(error.body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send(
        {"type": "http.response.start", "status": error.status, "headers": _secured(headers)}
    )
    await send({"type": "http.response.body", "body": body})


# -- the API pages -----------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(scripts: Sequence[str] = ()) -> str:
    """The policy of ``/docs`` and ``/redoc``, whose viewers come from a CDN.

    ``scripts`` are the page's own inline scripts, allowed by their hashes.
    """
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self' https://cdn.jsdelivr.net", *map(_sha256, scripts)]),
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
            "font-src 'self' https://fonts.gstatic.com",
            "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def add_api_pages(app: FastAPI) -> None:
    """Serve ``/docs`` (Swagger UI) and ``/redoc`` with :func:`docs_policy`.

    They replace FastAPI's own (create the app with ``docs_url=None, redoc_url=None``):
    the same pages, with the hashes of their inline scripts in their policy.
    """

    def with_policy(page: HTMLResponse) -> HTMLResponse:
        scripts = _INLINE_SCRIPT.findall(bytes(page.body).decode())
        page.headers["content-security-policy"] = docs_policy(scripts)
        return page

    def schema_url(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/") + (app.openapi_url or "")

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        return with_policy(
            get_swagger_ui_html(openapi_url=schema_url(request), title=f"{app.title} - Swagger UI")
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return with_policy(
            get_redoc_html(openapi_url=schema_url(request), title=f"{app.title} - ReDoc")
        )
