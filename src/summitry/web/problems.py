"""The one error shape of the web API: a JSON object with the rule broken and where."""

from __future__ import annotations

import re

from summitry.errors import ScenarioError

__all__ = ["ApiError"]

_YAML_LOCATION = re.compile(r"^line (\d+)(?: \((.*)\))?$")


class ApiError(Exception):
    """An error answered as JSON with an HTTP status (4xx).

    The body is ``{"message", "rule", "location", "path", "line"}``: ``message`` is the
    line ``summitry validate`` prints after ``error:`` (without a file name), ``path`` a
    field path such as ``positions.us.sanctions.salience`` and ``line`` the line of a
    YAML body.
    """

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
