"""Scenarios in request bodies: read as JSON or YAML, validated, held to the limits."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from summitry import io, scenarios
from summitry.io.yaml_format import MAX_DIGITS, read_yaml
from summitry.scenario import Scenario
from summitry.web.limits import ENV, Limits
from summitry.web.problems import ApiError

__all__ = [
    "BODY_SCHEMA",
    "JSON_TYPES",
    "YAML_TYPES",
    "bundled",
    "check_size",
    "parse_body",
    "summary_of",
]

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


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


def parse_body(raw: bytes, content_type: str) -> Scenario:
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
    if kind in YAML_TYPES or not kind:
        return read_yaml(text)
    raise ApiError(
        415,
        f"cannot read a body of type '{kind}'; send application/json or application/yaml",
    )


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
            "text/plain": {"schema": {"type": "string", "description": "A YAML scenario."}},
        },
    }
}
"""The OpenAPI request body of an endpoint that takes a scenario as JSON or YAML."""
