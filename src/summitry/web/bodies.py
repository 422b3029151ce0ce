"""Scenarios in request bodies: read in any format the CLI reads, validated, held to the limits.

A body is JSON, YAML or one of the file formats of :mod:`summitry.io` (``csv``, ``eum``,
``ktab``, ``decide``). The format is named by the ``format`` query parameter, else told
from the content type, else (for CSV types, text or a file name) detected as ``summitry``
detects a file's format (docs/format.md). Each reader gets the body's text, already bounded
by the server's ``max_body``; every problem is a 4xx :class:`ApiError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, Literal

from summitry import io, scenarios
from summitry.errors import ScenarioError
from summitry.io.csv_formats import read_eum_csv, read_ktab_csv, read_long_csv, sniff_csv
from summitry.io.decide_format import looks_like_decide, read_decide
from summitry.io.yaml_format import MAX_DIGITS, read_yaml
from summitry.scenario import Scenario
from summitry.web.limits import ENV, Limits
from summitry.web.problems import ApiError

__all__ = [
    "BODY_SCHEMA",
    "CSV_TYPES",
    "FORMATS",
    "JSON_TYPES",
    "YAML_TYPES",
    "BodyFormat",
    "bundled",
    "check_size",
    "parse_body",
    "summary_of",
]

JSON_TYPES = ("application/json",)
_YAML_NAMED = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
YAML_TYPES = (*_YAML_NAMED, "text/plain")
CSV_TYPES = ("text/csv", "application/csv", "text/tab-separated-values")
"""Body types read as one of the CSV formats (or decide), detected from the first row."""

BodyFormat = Literal["yaml", "json", "csv", "eum", "ktab", "decide"]
FORMATS: tuple[str, ...] = ("yaml", "json", "csv", "eum", "ktab", "decide")
"""What a body may be: JSON, and every format ``summitry forecast --format`` reads."""

_TABLES: dict[str, Callable[..., Scenario]] = {
    "csv": read_long_csv,
    "eum": read_eum_csv,
    "ktab": read_ktab_csv,
    "decide": read_decide,
}
_DEU_HEADER = re.compile(r"\bprnr\b.*\bisnr\b", re.IGNORECASE)


def check_size(scenario: Scenario, limits: Limits) -> None:
    """Raise 422 when the scenario has more actors or issues than the server takes."""
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


def bundled(name: str) -> Scenario:
    """A bundled scenario by name; never a file on the server's disk."""
    path = scenarios.example_path(name)
    if path is None:
        names = ", ".join(n for n, _ in scenarios.list_examples())
        raise ApiError(404, f"no bundled scenario '{name}' (bundled: {names})", path="name")
    return io.load(path)


def parse_body(
    raw: bytes,
    content_type: str,
    *,
    format: str | None = None,
    filename: str | None = None,
) -> Scenario:
    """Validate a scenario sent in a request's body, as ``summitry validate`` reads a file.

    Parameters
    ----------
    raw, content_type
        The body and its ``Content-Type``.
    format
        One of :data:`FORMATS`; None tells it from the content type and the text.
    filename
        The uploaded file's name: its extension helps detection as on the command line,
        and its stem names a scenario read from a CSV or decide file. Only the name is
        used; nothing is read from the server's disk.
    """
    kind = content_type.split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(
            422, f"the body is not UTF-8 text (byte 0x{raw[exc.start]:02x}); send UTF-8"
        ) from None
    fmt = format or _format_of(text, kind, filename)
    if fmt == "json":
        return _read_json(text)
    if fmt == "yaml":
        return read_yaml(text)
    name = PurePath(filename.replace("\\", "/")).name if filename else None
    try:  # named as the command line names it: from the file, else the file's stem
        return _TABLES[fmt](text, file=name or None)
    except ScenarioError as exc:  # the uploader knows the file: name the place only
        raise ScenarioError(exc.rule, location=exc.location) from None


def _format_of(text: str, kind: str, filename: str | None) -> str:
    """The format of a body without a ``format`` parameter (docs/web.md)."""
    suffix = PurePath(filename.replace("\\", "/")).suffix.lower() if filename else ""
    if kind in JSON_TYPES or suffix == ".json":
        return "json"
    if kind in _YAML_NAMED:
        return "yaml"
    if kind not in (*CSV_TYPES, "text/plain", ""):
        raise ApiError(
            415,
            f"cannot read a body of type '{kind}'; send application/json, application/yaml "
            "or text/csv (or text/plain with a format parameter)",
        )
    if kind in CSV_TYPES or filename:
        try:
            return io.detect_format(filename or "upload.csv", text)
        except ScenarioError:
            raise _undetected(text) from None
    if looks_like_decide(text):
        return "decide"
    found = sniff_csv(text)
    if found is None and _DEU_HEADER.search(next((ln for ln in text.splitlines() if ln), "")):
        raise _undetected(text)  # DEU data sent as text: say what it is, not a YAML error
    return found or "yaml"


def _undetected(text: str) -> ApiError:
    """The 422 for a file whose format cannot be told (DEU backtest data named as such)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if _DEU_HEADER.search(first):
        return ApiError(
            422,
            "this is DEU data (one row per legislative issue, columns prnr, isnr, ...): "
            "the backtest reads it (docs/backtest.md), not the forecast; upload one "
            "scenario in one of the formats yaml, json, csv, eum, ktab or decide",
            path="format",
        )
    return ApiError(
        422,
        "cannot tell the file's format: it is not YAML or JSON, and its first row is not "
        "one of eum (header Actor,Capability,Position,Salience), ktab (name, description, "
        "number of actors, number of dimensions), csv (a header with actor, issue, "
        "position, salience, capability) or decide (rows starting #A, #P, #M, #D); choose "
        f"the format ({', '.join(FORMATS)})",
        path="format",
    )


def _read_json(text: str) -> Scenario:
    """A scenario from JSON text, its numbers bounded in size."""
    try:
        data = json.loads(
            text,
            parse_int=_bounded(int),
            parse_float=_bounded(float),
            parse_constant=_no_constant,
        )
    except (json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        raise ApiError(
            422,
            f"the body is not JSON: {getattr(exc, 'msg', exc)}",
            location=None if line is None else f"line {line}",
            line=line,
        ) from None
    return Scenario.from_dict(data)


def _bounded(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """``convert`` for a JSON number of at most :data:`MAX_DIGITS` digits, else a 422."""

    def read(text: str) -> Any:
        if sum(c.isdigit() for c in text) > MAX_DIGITS:
            raise ApiError(
                422,
                f"a number with more than {MAX_DIGITS} digits; numbers may have at most "
                f"{MAX_DIGITS}",
            )
        return convert(text)

    return read


def _no_constant(name: str) -> float:
    raise ApiError(422, f"{name} is not a number a scenario may hold; numbers must be finite")


def summary_of(scenario: Scenario) -> dict[str, Any]:
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


BODY_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "A scenario (docs/format.md)."}
            },
            "application/yaml": {"schema": {"type": "string", "description": "A YAML scenario."}},
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "A scenario in a CSV format (csv, eum, ktab) or decide.",
                }
            },
            "text/plain": {
                "schema": {
                    "type": "string",
                    "description": "A scenario in any format; the format parameter names it.",
                }
            },
        },
    }
}
"""The OpenAPI request body of an endpoint that takes a scenario (JSON, YAML, CSV, ...)."""
