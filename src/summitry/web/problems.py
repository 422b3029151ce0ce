"""The one error shape of the web API: a JSON object with the rule broken and where.

No answer of the server shows where its files are: :func:`without_paths` turns every
absolute path in a message into its last part (``/srv/summitry/runs.sqlite`` becomes
``runs.sqlite``), and :class:`ApiError` does so to every message it carries.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from summitry.errors import ScenarioError

__all__ = ["ApiError", "source_name", "without_paths"]

_YAML_LOCATION = re.compile(r"^line (\d+)(?: \((.*)\))?$")
_ROW_LOCATION = re.compile(r"^row \d+")  # a CSV or decide file's row: not a field path

_PATH_CHAR = r"[^\s'\"`,;:()\[\]{}<>|]"
_BEFORE = r"(?<![\w./\\~<-])"  # not inside a word, a URL, a relative path or a closing tag
_ABSOLUTE = re.compile(  # "/a/b", "~/a", "C:\\a" or "\\\\host\\a"
    rf"{_BEFORE}(?:/(?!/)|~[/\\]|[A-Za-z]:[/\\]|\\\\){_PATH_CHAR}+"
)


def _name(path: str) -> str:
    """The last part of a path: the file's name (or the innermost folder's)."""
    parts = [p for p in re.split(r"[/\\]", path) if p and not p.endswith(":")]
    return parts[-1] if parts else "..."


def _shorten(match: re.Match[str]) -> str:
    path = match.group().rstrip(".")  # a full stop after a path ends the sentence
    return _name(path) + match.group()[len(path) :]


def _private_folders() -> list[str]:
    """Folders of this machine whose names an answer never shows (they may hold spaces)."""
    found = [tempfile.gettempdir(), os.environ.get("SUMMITRY_HOME", "")]
    try:
        found.append(str(Path.home()))
    except RuntimeError:  # no home folder
        pass
    return [f for f in found if len(f) > 1 and os.path.isabs(f)]


def without_paths(text: str, known: Iterable[str | os.PathLike[str]] = ()) -> str:
    """``text`` with each absolute path in it replaced by its last part (a file name).

    ``known`` are paths to find first, whole even where they hold spaces (the run
    store's file, say); the temporary folder, the home folder and ``SUMMITRY_HOME`` are
    always known.
    """
    paths = {os.fspath(k) for k in known if os.path.isabs(k)} | set(_private_folders())
    for path in sorted(paths, key=len, reverse=True):
        if path in text:
            whole = rf"{_BEFORE}{re.escape(path)}(?![\w-]){_PATH_CHAR}*"
            text = re.sub(whole, _shorten, text)
    return _ABSOLUTE.sub(_shorten, text)


def source_name(source: str) -> str:
    """A run's source as the server shows it: a file's name, never the folders it is in."""
    return _name(source.strip()) if _ABSOLUTE.match(source.strip()) else source


class ApiError(Exception):
    """An error answered as JSON with an HTTP status (4xx).

    The body is ``{"message", "rule", "location", "path", "line"}``: ``message`` is the
    line ``summitry validate`` prints after ``error:`` (without a file name), ``path`` a
    field path such as ``positions.us.sanctions.salience`` and ``line`` the line of a
    YAML body. Absolute paths in the message, rule and location are shown by their last
    part (:func:`without_paths`).
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
        message = without_paths(message)
        super().__init__(message)
        self.status = status
        self.body = {
            "message": message,
            "rule": without_paths(rule) if rule else message,
            "location": location and without_paths(location),
            "path": path,
            "line": line,
        }

    @classmethod
    def from_scenario_error(cls, exc: ScenarioError) -> ApiError:
        """422 from a scenario error, its field path and line apart."""
        location, path, line = exc.location, exc.location, None
        if location and (m := _YAML_LOCATION.match(location)):
            line, path = int(m.group(1)), m.group(2)
        elif location and _ROW_LOCATION.match(location):
            path = None
        return cls(422, str(exc), rule=exc.rule, location=location, path=path, line=line)
