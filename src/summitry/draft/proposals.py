"""Numbers proposed by an optional OpenAI-compatible endpoint, kept only when a quote backs them.

The offline draft leaves positions and saliences for the analyst. When the user
configures an endpoint (a local server or a provider speaking the chat-completions
protocol), :func:`propose` sends it the documents' numbered paragraphs, the actors and
the issues with their scales, and asks for positions and saliences, each with a quote
copied word for word from one paragraph. :func:`verify` then keeps a proposal only when
its actor, issue, field and value are valid and :func:`find_quote` finds the quote in a
document; every other proposal comes back as :class:`Dropped` with the reason.

Nothing here is needed to draft a scenario: without an endpoint nothing is sent anywhere.
Only the standard library is used for HTTP.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from summitry.draft.documents import Document
from summitry.errors import ParameterError, one_line

__all__ = [
    "ENV_API_KEY",
    "ENV_MODEL",
    "ENV_URL",
    "MAX_PROPOSALS",
    "MAX_RESPONSE_BYTES",
    "MIN_QUOTE_WORDS",
    "Dropped",
    "Endpoint",
    "Proposal",
    "find_quote",
    "propose",
    "verify",
]

ENV_URL = "SUMMITRY_LLM_URL"
"""Environment variable with the endpoint's base URL (e.g. ``http://127.0.0.1:8080/v1``)."""
ENV_MODEL = "SUMMITRY_LLM_MODEL"
"""Environment variable with the model name sent in each request."""
ENV_API_KEY = "SUMMITRY_LLM_API_KEY"
"""Environment variable with the API key, sent as ``Authorization: Bearer``."""
MAX_PROPOSALS = 1_000
"""Most proposals read from one reply; the rest are reported as not read."""
MAX_RESPONSE_BYTES = 2_000_000
"""Largest response body read from the endpoint."""
MIN_QUOTE_WORDS = 4
"""A quote with fewer words is too short to show that it backs a number."""

FIELDS = ("position", "salience")


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible chat-completions endpoint.

    Parameters
    ----------
    url
        The base URL, e.g. ``http://127.0.0.1:8080/v1``; the request goes to
        ``{url}/chat/completions``.
    model
        The model name sent with the request.
    api_key
        Sent as ``Authorization: Bearer``; when None, read from ``SUMMITRY_LLM_API_KEY``
        at the time of the request (no header when that is unset too). Never shown.
    timeout_s
        Seconds to wait for the connection and for each read.
    """

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0

    @classmethod
    def from_env(cls) -> Endpoint | None:
        """The endpoint the environment names, or None when ``SUMMITRY_LLM_URL`` is not set.

        Raises
        ------
        ParameterError
            When the URL is set but ``SUMMITRY_LLM_MODEL`` is not.
        """
        url = os.environ.get(ENV_URL, "").strip()
        if not url:
            return None
        model = os.environ.get(ENV_MODEL, "").strip()
        if not model:
            raise ParameterError(f"{ENV_URL} is set but {ENV_MODEL} is not; name the model")
        key = os.environ.get(ENV_API_KEY) or None
        return cls(url=url, model=model, api_key=key)

    def key(self) -> str | None:
        """The API key to send, or None."""
        if self.api_key is not None:
            return self.api_key or None
        return os.environ.get(ENV_API_KEY) or None

    @property
    def completions_url(self) -> str:
        """Where the request goes."""
        return self.url.rstrip("/") + "/chat/completions"


@dataclass(frozen=True)
class Proposal:
    """A position or salience backed by a quote found in a document."""

    actor: str
    issue: str
    field: str
    value: float
    quote: str
    document: str
    paragraph: int | None


@dataclass(frozen=True)
class Dropped:
    """A proposal that was not kept: what the endpoint said, and why it was dropped."""

    proposal: dict[str, Any]
    why: str


# --- quotes ---------------------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00ad": None,
    }
)  # fmt: skip


def _normalise(text: str) -> str:
    """Text as quotes are compared: NFKC, plain quotes and dashes, one space, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return " ".join(text.split()).casefold()


def _clean_quote(quote: str) -> str:
    """The normalised quote without the quotation marks a model may wrap it in."""
    return _normalise(quote).strip(" '\"")


class _Index:
    """The documents' normalised text, searched for quotes at word boundaries."""

    def __init__(self, docs: Sequence[Document]):
        self._docs: list[tuple[str, str, list[int], list[int]]] = []
        for doc in docs:
            starts: list[int] = []
            numbers: list[int] = []
            parts: list[str] = []
            offset = 0
            for p in doc.paragraphs:
                text = _normalise(p.text)
                starts.append(offset)
                numbers.append(p.number)
                parts.append(text)
                offset += len(text) + 1
            self._docs.append((doc.name, "\n".join(parts), starts, numbers))

    def find(self, quote: str) -> tuple[str, int] | None:
        q = _clean_quote(quote)
        if not q:
            return None
        for name, text, starts, numbers in self._docs:
            at = text.find(q)
            while at >= 0:
                end = at + len(q)
                before_ok = at == 0 or not (q[0].isalnum() and text[at - 1].isalnum())
                after_ok = end == len(text) or not (q[-1].isalnum() and text[end].isalnum())
                if before_ok and after_ok:
                    return name, numbers[bisect_right(starts, at) - 1]
                at = text.find(q, at + 1)
        return None


def find_quote(quote: str, docs: Sequence[Document]) -> tuple[str, int] | None:
    """The document and paragraph where ``quote`` stands word for word, or None.

    The comparison ignores case, runs of whitespace, typographic quotes and dashes
    (’ is ', “ ” are ", – and — are -) and quotation marks around the whole quote; the
    quote must lie within one paragraph and begin and end on word boundaries. The first
    match in document and paragraph order is returned.
    """
    return _Index(docs).find(quote)


# --- verification ---------------------------------------------------------------------


def _g(x: float) -> str:
    return f"{x:g}"


def _short(value: Any, limit: int = 60) -> str:
    text = one_line(repr(value) if not isinstance(value, str) else f"'{value}'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check(
    item: Mapping[str, Any],
    actor_ids: set[str],
    issue_scales: Mapping[str, tuple[float, float]],
) -> str | None:
    """Why ``item`` cannot be kept (apart from its quote), or None."""
    missing = [k for k in ("actor", "issue", "field", "value", "quote") if k not in item]
    if missing:
        return "missing " + ", ".join(missing)
    actor, issue, fld, value = item["actor"], item["issue"], item["field"], item["value"]
    if not isinstance(actor, str) or actor not in actor_ids:
        return f"unknown actor {_short(actor)}"
    if not isinstance(issue, str) or issue not in issue_scales:
        return f"unknown issue {_short(issue)}"
    if fld not in FIELDS:
        return f"field {_short(fld)} is neither position nor salience"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"not a number: {_short(value)}"
    try:
        finite = math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        return f"value {_short(value)} is not a finite number"
    lo, hi = issue_scales[issue] if fld == "position" else (0.0, 1.0)
    if not lo <= value <= hi:
        what = "the scale" if fld == "position" else "the salience range"
        return f"value {_g(value)} outside {what} [{_g(lo)}, {_g(hi)}]"
    quote = item["quote"]
    if not isinstance(quote, str):
        return f"the quote is not text: {_short(quote)}"
    words = len(_clean_quote(quote).split())
    if words < MIN_QUOTE_WORDS:
        return (
            f"quote too short to check ({words} word{'s' if words != 1 else ''}; "
            f"at least {MIN_QUOTE_WORDS})"
        )
    return None


def verify(
    raw: Sequence[Mapping[str, Any]],
    docs: Sequence[Document],
    actor_ids: Sequence[str] | set[str],
    issue_scales: Mapping[str, tuple[float, float]],
) -> tuple[list[Proposal], list[Dropped]]:
    """Keep the proposals that are valid and quoted word for word; drop the rest with reasons.

    A proposal is kept when its actor and issue are known, its field is ``position`` or
    ``salience``, its value is a finite number within the issue's scale (position) or
    [0, 1] (salience), its quote has at least :data:`MIN_QUOTE_WORDS` words and
    :func:`find_quote` finds it; a later proposal for the same actor, issue and field is
    dropped as a repeat. At most :data:`MAX_PROPOSALS` are read; one :class:`Dropped`
    entry counts the rest.

    Parameters
    ----------
    raw
        The proposals as the endpoint wrote them.
    docs
        The documents the quotes must come from.
    actor_ids
        The known actor ids.
    issue_scales
        Each known issue id with its scale ``(min, max)``.
    """
    actors = set(actor_ids)
    index = _Index(docs)
    kept: list[Proposal] = []
    dropped: list[Dropped] = []
    seen: set[tuple[str, str, str]] = set()
    for item in list(raw[:MAX_PROPOSALS]):
        if not isinstance(item, Mapping):
            dropped.append(Dropped({"reply": item}, "not an object"))
            continue
        entry = dict(item)
        why = _check(entry, actors, issue_scales)
        found = None
        if why is None:
            found = index.find(entry["quote"])
            if found is None:
                why = "quote not found in any document"
            elif (entry["actor"], entry["issue"], entry["field"]) in seen:
                why = f"repeats the {entry['field']} of {entry['actor']} on {entry['issue']}"
        if why is not None or found is None:
            dropped.append(Dropped(entry, why or "quote not found in any document"))
            continue
        seen.add((entry["actor"], entry["issue"], entry["field"]))
        kept.append(
            Proposal(
                actor=entry["actor"],
                issue=entry["issue"],
                field=entry["field"],
                value=float(entry["value"]),
                quote=entry["quote"],
                document=found[0],
                paragraph=found[1],
            )
        )
    if len(raw) > MAX_PROPOSALS:
        rest = len(raw) - MAX_PROPOSALS
        dropped.append(
            Dropped({"not_read": rest}, f"{rest:,} proposals beyond the first {MAX_PROPOSALS:,}")
        )
    return kept, dropped


# --- the request ----------------------------------------------------------------------

_SYSTEM = """\
You help an analyst turn documents about a negotiation into numbers for a forecasting \
model. For an actor and an issue, the position is the outcome the actor wants, written \
on the issue's scale; the salience is how much the issue matters to the actor, from 0 \
(not at all) to 1 (above all else).

Propose a number only where a paragraph of the documents shows it. Every proposal must \
carry a quote: a passage of at least four words copied exactly, word for word, from one \
paragraph (without the [document ¶N] label). Proposals without such a quote are \
discarded. Leave out what the documents do not show; an empty list is a fine answer.

Use the actor and issue ids exactly as listed. Answer with one JSON object and nothing \
else, of this form:
{"proposals": [{"actor": "<actor id>", "issue": "<issue id>", \
"field": "position" or "salience", "value": <number>, "quote": "<exact words>"}]}"""


def _paragraph_lines(
    docs: Sequence[Document],
    passages: Mapping[tuple[str, str], Sequence[tuple[str, int]]] | None,
) -> list[str]:
    """The ``[document ¶N] text`` lines to send, in document and paragraph order."""
    if passages is None:
        return [f"[{d.name} ¶{p.number}] {p.text}" for d in docs for p in d.paragraphs]
    wanted: dict[str, set[int]] = {}
    for refs in passages.values():
        for name, number in refs:
            wanted.setdefault(name, set()).add(number)
    lines = []
    for doc in docs:
        for number in sorted(wanted.get(doc.name, ())):
            p = doc.paragraph(number)
            if p is not None:
                lines.append(f"[{doc.name} ¶{p.number}] {p.text}")
    return lines


def _user_message(
    docs: Sequence[Document],
    actors: Sequence[tuple[str, str]],
    issues: Sequence[tuple[str, float, float, str]],
    passages: Mapping[tuple[str, str], Sequence[tuple[str, int]]] | None,
    max_chars: int,
) -> str:
    out = ["Actors (id: name):"]
    out += [f"- {aid}: {name}" if name and name != aid else f"- {aid}" for aid, name in actors]
    out.append("")
    out.append("Issues (id, scale of positions, description):")
    for iid, lo, hi, desc in issues:
        out.append(f"- {iid}: [{_g(lo)}, {_g(hi)}]" + (f" {desc}" if desc else ""))
    out.append("")
    lines = _paragraph_lines(docs, passages)
    which = "Passages" if passages is not None else "Documents"
    out.append(f"{which}, one paragraph a line, labelled [document ¶N]:")
    used = 0
    for k, line in enumerate(lines):
        if used + len(line) > max_chars:
            room = max_chars - used
            if room > 200:
                out.append(line[:room])
                k += 1
            left = len(lines) - k
            out.append(
                f"(The text is cut here after {max_chars:,} characters: {left:,} more "
                "paragraph(s) were not sent; quote only what is shown above.)"
            )
            break
        out.append(line)
        used += len(line)
    if not lines:
        out.append("(no paragraphs)")
    return "\n".join(out)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are refused, so the key is never sent to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        return None


def _shown(url: str) -> str:
    """``url`` without user and password, for messages."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return one_line(url)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        if parts.port is not None:
            host += f":{parts.port}"
        parts = parts._replace(netloc=host)
    return one_line(urllib.parse.urlunsplit(parts))


class _Failure(Exception):
    """Carries a cause up to :func:`_post`, which turns it into a ParameterError."""


def _error(endpoint: Endpoint, cause: str) -> ParameterError:
    text = f"LLM endpoint {_shown(endpoint.completions_url)}: {cause}"
    key = endpoint.key()
    if key:
        text = text.replace(key, "***")
    return ParameterError(one_line(text))


def _read(response: Any) -> bytes:
    body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise _Failure(f"the response is larger than {MAX_RESPONSE_BYTES:,} bytes")
    return body


def _http_cause(exc: urllib.error.HTTPError) -> str:
    cause = f"HTTP {exc.code} {exc.reason}".rstrip()
    if 300 <= exc.code < 400:
        cause += ", a redirect, which is not followed; give the final URL"
    try:
        body = exc.read(4_000) if exc.fp is not None else b""
    except (OSError, http.client.HTTPException):
        body = b""
    finally:
        exc.close()
    detail = ""
    try:
        data = json.loads(body)
        err = data.get("error") if isinstance(data, dict) else None
        detail = err.get("message", "") if isinstance(err, dict) else (err or "")
    except ValueError:
        detail = body.decode("utf-8", "replace")
    detail = " ".join(str(detail).split())[:200]
    return f"{cause} ({detail})" if detail else cause


def _post(endpoint: Endpoint, payload: dict[str, Any]) -> bytes:
    url = endpoint.completions_url
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise _error(endpoint, "the URL must start with http:// or https://")
    if "@" in urllib.parse.urlsplit(url).netloc:
        raise _error(endpoint, f"the URL may not hold a user or password; set {ENV_API_KEY}")
    if not endpoint.timeout_s > 0:
        raise _error(endpoint, f"the timeout must be above 0 s, not {endpoint.timeout_s}")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = endpoint.key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=endpoint.timeout_s) as response:
            return _read(response)
    except urllib.error.HTTPError as exc:
        raise _error(endpoint, _http_cause(exc)) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            cause = f"no answer within {_g(endpoint.timeout_s)} s"
        elif isinstance(reason, ConnectionRefusedError):
            cause = "connection refused (is the server running?)"
        elif isinstance(reason, OSError) and reason.strerror:
            cause = f"cannot connect: {reason.strerror}"
        else:
            cause = f"cannot connect: {reason}"
        raise _error(endpoint, cause) from None
    except TimeoutError:
        raise _error(endpoint, f"no answer within {_g(endpoint.timeout_s)} s") from None
    except _Failure as exc:
        raise _error(endpoint, str(exc)) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise _error(endpoint, f"the request failed: {type(exc).__name__} {exc}") from None


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def _json_object(text: str) -> Any:
    """The JSON value in a model's answer: the whole text, a fenced block or the first {...}."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for block in _FENCE.findall(text):
        try:
            return json.loads(block)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    at = text.find("{")
    while at >= 0:
        try:
            return decoder.raw_decode(text, at)[0]
        except ValueError:
            at = text.find("{", at + 1)
    return None


def _content(endpoint: Endpoint, body: bytes) -> str:
    """The assistant's message in a chat-completions response."""
    try:
        data = json.loads(body)
    except ValueError:
        raise _error(endpoint, "the response is not JSON") from None
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise _error(endpoint, "the response has no choices[0].message.content") from None
    if isinstance(content, list):  # content given as parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        raise _error(endpoint, "the model's answer is not text")
    return content


def _raw_proposals(endpoint: Endpoint, content: str) -> list[Any]:
    value = _json_object(content)
    if isinstance(value, dict) and isinstance(value.get("proposals"), list):
        return value["proposals"]
    if isinstance(value, list):
        return value
    if value is None:
        raise _error(endpoint, "the model's answer is not JSON")
    raise _error(endpoint, 'the model\'s answer has no "proposals" list')


def propose(
    endpoint: Endpoint,
    docs: Sequence[Document],
    actors: Sequence[tuple[str, str]],
    issues: Sequence[tuple[str, float, float, str]],
    *,
    passages: Mapping[tuple[str, str], Sequence[tuple[str, int]]] | None = None,
    max_chars: int = 60_000,
) -> tuple[list[Proposal], list[Dropped]]:
    """Ask ``endpoint`` for positions and saliences, and keep those a quote backs.

    One chat-completions request is sent (temperature 0, a JSON answer asked for) with
    the actors, the issues with their scales, and the documents' paragraphs as
    ``[document ¶N] text`` lines: only the ``passages`` given, when given (keyed by
    ``(actor, issue)``, each a list of ``(document name, paragraph number)``), else every
    paragraph; at most ``max_chars`` characters of them, with a note where the text is cut.
    The answer goes through :func:`verify`.

    Parameters
    ----------
    endpoint
        Where to send the request.
    docs
        The documents.
    actors
        ``(id, name)`` of each actor.
    issues
        ``(id, scale min, scale max, description)`` of each issue.
    passages
        The paragraphs to send instead of the whole documents.
    max_chars
        Most characters of document text sent.

    Raises
    ------
    ParameterError
        One line naming the URL and the cause, when the endpoint cannot be reached,
        answers with an HTTP error, does not answer in time or answers something that is
        not JSON. The API key is never part of it.
    """
    if max_chars < 1:
        raise ParameterError(f"max_chars must be at least 1, not {max_chars}")
    payload = {
        "model": endpoint.model,
        "messages": [
            {"role": "system", "content": _SYSTEM},
            {"role": "user", "content": _user_message(docs, actors, issues, passages, max_chars)},
        ],
        "temperature": 0,
        "response_format": {"type": "json_object"},
    }
    body = _post(endpoint, payload)
    raw = _raw_proposals(endpoint, _content(endpoint, body))
    scales = {iid: (float(lo), float(hi)) for iid, lo, hi, _ in issues}
    return verify(raw, docs, [aid for aid, _ in actors], scales)
