"""Read the input files of the ``decide-exchange-model`` package (the ``decide`` format).

Every row starts with a code in its first cell; the cells are separated by tabs,
semicolons or commas (one choice for the whole file), and may be wrapped in single or
double quotes:

``#A``  actor: id, name, comment
``#P``  issue: id, name (the scenario's description of the issue), comment
``#M``  a labelled point of an issue's scale: issue id, position, meaning
``#D``  a stance: actor id, issue id, position, salience, power, comment
``#O``  a description of the data set
``#/``, ``#0``  comments

An issue's scale runs from its lowest to its highest ``#M`` position, 0-100 when it has
none (as decide does). Saliences are on 0-1 (on 0-100 when any exceeds 1, like the long
CSV). ``power`` is the actor's capability and must be the same in each of its rows. An
actor with no ``#D`` row on an issue takes no part in it. Errors name the row (its line
in the file) and the column.
"""

from __future__ import annotations

import math
import re
from typing import Any

from summitry.errors import ScenarioError
from summitry.io.csv_formats import _Locator, _make_id, _stem, delimited_rows
from summitry.scenario import Scenario

__all__ = ["looks_like_decide", "read_decide"]

CODES = {
    "#A": ("actor", "name", "comment"),
    "#P": ("issue", "name", "comment"),
    "#M": ("issue", "position", "meaning"),
    "#D": ("actor", "issue", "position", "salience", "power", "comment"),
    "#O": ("description",),
    "#/": (),
    "#0": (),
}
"""Row codes and the names of the cells after the code (columns 2, 3, ...)."""

_FIRST = re.compile(r"""^\s*(['"]?)#[APMDO/0]\1\s*([\t;,])""")
DEFAULT_SCALE = (0.0, 100.0)


def looks_like_decide(text: str) -> bool:
    """True when the first non-blank line starts with a decide row code and a separator."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return bool(_FIRST.match(first))


def _dialect(text: str) -> tuple[str, str]:
    """The separator and quote character of the file, from its first non-blank line."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "").strip()
    sep = next((c for c in "\t;," if c in first), "\t")
    quote = "'" if first.startswith("'") else '"'
    return sep, quote


class _Row:
    """One row: its line, code and cells, with messages that name row and column."""

    def __init__(self, line: int, cells: list[str], file: str | None):
        self.line, self.code, self.file = line, cells[0], file
        names = CODES[self.code]
        if len(cells) - 1 > len(names) and names:  # extra cells join the last (free text)
            cells = [*cells[: len(names)], " ".join(cells[len(names) :])]
        self.cells = dict(zip(names, cells[1:], strict=False))

    def column(self, name: str) -> str:
        """The column number of a named cell, as text (the code is column 1)."""
        return str(CODES[self.code].index(name) + 2)

    def where(self, name: str) -> str:
        return f"row {self.line}, column {self.column(name)} ({name})"

    def fail(self, column: str, rule: str) -> ScenarioError:
        return ScenarioError(rule, file=self.file, location=self.where(column))

    def text(self, column: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            raise self.fail(column, f"a {self.code} row needs its {column}; the cell is empty")
        return value

    def number(self, column: str) -> float:
        cell = self.cells.get(column, "")
        if not cell:
            raise self.fail(column, f"{column} is empty; give a number")
        try:
            value = float(cell)
        except ValueError:
            raise self.fail(column, f"{column} '{cell}' is not a number") from None
        if not math.isfinite(value):
            raise self.fail(column, f"{column} '{cell}' is not a finite number")
        return value


def read_decide(text: str, *, file: str | None = None, name: str | None = None) -> Scenario:
    """Read a decide input file into a scenario (see the module docstring for the layout).

    Parameters
    ----------
    text
        The whole file.
    file
        Shown in error messages; its stem names the scenario unless ``name`` is given.
    name
        The scenario's name.
    """
    sep, quote = _dialect(text)
    rows = list(
        delimited_rows(
            text, file, what="decide input", delimiter=sep, quotechar=quote, quotes="'\"",
            skip_space=False,
        )
    )  # fmt: skip
    if not rows:
        raise ScenarioError("file is empty", file=file)
    loc = _Locator()
    actors: dict[str, dict[str, Any]] = {}  # id -> {name, comment, row}
    issues: dict[str, dict[str, Any]] = {}  # id -> {description, row, marks}
    marks: list[_Row] = []
    stances: list[_Row] = []
    description = ""
    for line, cells in rows:
        code = cells[0]
        if code not in CODES:
            raise ScenarioError(
                f"unknown row code '{code}'; a decide row starts with one of {', '.join(CODES)}",
                file=file,
                location=f"row {line}, column 1",
            )
        row = _Row(line, cells, file)
        if code == "#A":
            ident = _id(row, "actor", actors)
            label = row.cells.get("name", "") or _make_id(row.text("actor"))[1]
            actors[ident] = {"name": "" if label == ident else label, "row": row}
            actors[ident]["comment"] = row.cells.get("comment", "")
        elif code == "#P":
            ident = _id(row, "issue", issues)
            label = row.cells.get("name", "") or _make_id(row.text("issue"))[1]
            issues[ident] = {"description": label, "row": row}
            issues[ident]["comment"] = row.cells.get("comment", "")
        elif code == "#M":
            marks.append(row)
        elif code == "#D":
            stances.append(row)
        elif code == "#O" and not description:
            description = row.cells.get("description", "")
    if not issues:
        raise ScenarioError("the file defines no issue; add a #P row for each", file=file)
    if not stances:
        raise ScenarioError("the file has no #D row (actor, issue, position, ...)", file=file)
    scale: dict[str, list[float]] = {}
    scale_row: dict[str, _Row] = {}
    for row in marks:
        issue = _known(row, "issue", issues)
        scale.setdefault(issue, []).append(row.number("position"))
        scale_row.setdefault(issue, row)
    power: dict[str, tuple[float, _Row]] = {}
    positions: dict[str, dict[str, dict[str, float]]] = {}
    for row in stances:
        actor, issue = _known(row, "actor", actors), _known(row, "issue", issues)
        if issue in positions.get(actor, {}):
            first = loc.places[f"positions.{actor}.{issue}"][0]
            raise ScenarioError(
                f"actor '{actor}' and issue '{issue}' already have a #D row (row {first})",
                file=file,
                location=f"row {row.line}",
            )
        value = row.number("power")
        seen, first = power.setdefault(actor, (value, row))
        if seen != value:
            raise row.fail(
                "power",
                f"actor '{actor}' has power {value:g} here but {seen:g} on row {first.line}; "
                "summitry gives each actor one capability, the same on every issue",
            )
        stance = {"position": row.number("position"), "salience": row.number("salience")}
        positions.setdefault(actor, {})[issue] = stance
        loc.add(f"positions.{actor}.{issue}", row.line, row.column("issue"))
        for field in ("position", "salience"):
            loc.add(f"positions.{actor}.{issue}.{field}", row.line, row.column(field))
    data_actors = []
    for k, (actor, (value, row)) in enumerate((a, power[a]) for a in actors if a in power):
        data_actors.append({"id": actor, "name": actors[actor]["name"], "capability": value})
        loc.add(f"actors[{k}].capability", row.line, row.column("power"))
        loc.add(f"actors[{k}]", actors[actor]["row"].line, "2")
    data_issues = []
    for k, (issue, entry) in enumerate(issues.items()):
        lo, hi = (min(scale[issue]), max(scale[issue])) if issue in scale else DEFAULT_SCALE
        data_issues.append(
            {"id": issue, "description": entry["description"], "scale": {"min": lo, "max": hi}}
        )
        loc.add(f"issues[{k}]", entry["row"].line, "2")
        if issue in scale_row:
            loc.add(f"issues[{k}].scale", scale_row[issue].line, "3")
    loc.add("positions", stances[0].line, "5")
    saliences = [st["salience"] for by in positions.values() for st in by.values()]
    metadata: dict[str, Any] = {"source_format": "decide"}
    for kind, defined in (("actor", actors), ("issue", issues)):
        comments = {k: e["comment"] for k, e in defined.items() if e["comment"]}
        if comments:
            metadata[f"{kind}_comments"] = comments
    left_out = [a for a in actors if a not in power]
    if left_out:
        metadata["actors_without_positions"] = left_out
    data = {
        "name": name or _stem(file),
        "description": description,
        "salience_scale": 100 if max(saliences) > 1 else 1,
        "issues": data_issues,
        "actors": data_actors,
        "positions": positions,
        "metadata": metadata,
    }
    if not data_actors:
        raise ScenarioError("no actor has a #D row", file=file)
    return loc.validate(data, file)


def _id(row: _Row, kind: str, seen: dict[str, Any]) -> str:
    """The id a #A or #P row defines; each is defined once."""
    ident = _make_id(row.text(kind))[0]
    if ident in seen:
        first = seen[ident]["row"].line
        raise row.fail(kind, f"{kind} '{ident}' is already defined on row {first}")
    return ident


def _known(row: _Row, kind: str, defined: dict[str, Any]) -> str:
    """The id of the actor or issue a row refers to; it must be defined by a #A or #P row."""
    ident = _make_id(row.text(kind))[0]
    if ident not in defined:
        code = "#A" if kind == "actor" else "#P"
        known = ", ".join(list(defined)[:8]) + (", ..." if len(defined) > 8 else "")
        raise row.fail(kind, f"{kind} '{ident}' has no {code} row (defined: {known})")
    return ident
