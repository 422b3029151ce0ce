"""Read scenarios from three CSV layouts.

``long``
    One row per actor and issue: ``actor, issue, position, salience, capability`` and,
    optionally, ``scale_min, scale_max, status_quo``.
``eum``
    The one-issue table of the public expected-utility replications:
    ``Actor, Capability, Position, Salience``.
``ktab``
    The CSV read by KTAB's spatial model of politics: a line with the scenario's name,
    description and counts, a header, then one row per actor with a position and a
    salience per dimension, on 0-100.

Each reader builds plain data and hands it to :meth:`Scenario.from_dict`, so the rules live
in one place. Errors name the row (its line in the file, the first line being row 1) and
the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from summitry.errors import ScenarioError
from summitry.scenario import Scenario

__all__ = ["read_eum_csv", "read_ktab_csv", "read_long_csv", "sniff_csv"]

LONG_REQUIRED = ("actor", "issue", "position", "salience", "capability")
LONG_OPTIONAL = ("scale_min", "scale_max", "status_quo")
EUM_COLUMNS = ("actor", "capability", "position", "salience")


# -- shared helpers ----------------------------------------------------------------------


def delimited_rows(
    text: str,
    file: str | None = None,
    *,
    what: str = "CSV",
    delimiter: str = ",",
    quotechar: str = '"',
    quotes: str = '"',
    skip_space: bool = True,
    trim: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for each row with a non-empty cell.

    Cells are stripped of spaces and of the characters in ``quotes``; with ``trim``,
    empty cells at the end of a row are dropped. ``skip_space`` ignores spaces after a
    delimiter. A row the csv module cannot read is an error naming ``what`` and the row.
    """
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar=quotechar,
        skipinitialspace=skip_space,
    )
    line = 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise ScenarioError(
                f"not readable as {what}: {exc}", file=file, location=f"row {line}"
            ) from None
        if cells is None:
            return
        cells = [c.strip().strip(quotes).strip() for c in cells]
        while trim and cells and not cells[-1]:
            cells.pop()
        if any(cells):
            yield line, cells
        line = reader.line_num + 1


def _number(cell: str, row: int, column: str, file: str | None) -> float:
    where = f"row {row}, column {column}"
    if not cell:
        raise ScenarioError(f"{column} is empty; give a number", file=file, location=where)
    try:
        value = float(cell)
    except ValueError:
        raise ScenarioError(
            f"{column} '{cell}' is not a number", file=file, location=where
        ) from None
    if not math.isfinite(value):
        raise ScenarioError(f"{column} '{cell}' is not a finite number", file=file, location=where)
    return value


def _make_id(text: str) -> tuple[str, str]:
    """Return ``(id, name)``: dots become underscores; the name keeps the original if changed."""
    ident = text.strip().replace(".", "_")
    return ident, (text.strip() if ident != text.strip() else "")


def _stem(file: str | None) -> str:
    return PurePath(file).stem if file else "scenario"


class _Locator:
    """Field paths of the scenario data mapped to the row and column they came from."""

    def __init__(self) -> None:
        self.places: dict[str, tuple[int, str]] = {}

    def add(self, path: str, row: int, column: str) -> None:
        self.places.setdefault(path, (row, column))

    def validate(self, data: dict[str, Any], file: str | None) -> Scenario:
        """Validate ``data``; put the row and column into the error's location."""
        try:
            return Scenario.from_dict(data, file=file)
        except ScenarioError as exc:
            path = exc.location or ""
            probe = path
            while probe and probe not in self.places:
                last = re.search(r"(\.[^.\[]*|\[\d+\])$", probe)
                probe = probe[: last.start()] if last else ""
            if not probe:
                raise
            row, column = self.places[probe]
            location = f"row {row}, column {column} ({path})"
            raise ScenarioError(exc.rule, file=exc.file, location=location) from None


def _check_header(
    found: list[str],
    row: int,
    expected: tuple[str, ...],
    optional: tuple[str, ...],
    file: str | None,
) -> dict[str, int]:
    """Map column name to index; error when names are missing, unknown or repeated."""
    names = [c.lower() for c in found]
    allowed = set(expected) | set(optional)
    missing = [c for c in expected if c not in names]
    unknown = [c for c in names if c not in allowed]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if missing or unknown or repeated:
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if unknown:
            problems.append("unknown " + ", ".join(repr(c) for c in unknown))
        if repeated:
            problems.append("repeated " + ", ".join(repeated))
        want = ", ".join(expected) + (f" (optional: {', '.join(optional)})" if optional else "")
        raise ScenarioError(
            f"wrong columns ({'; '.join(problems)}): expected {want}; found {', '.join(found)}",
            file=file,
            location=f"row {row}",
        )
    return {name: k for k, name in enumerate(names)}


def _table(
    text: str, expected: tuple[str, ...], optional: tuple[str, ...], file: str | None
) -> tuple[int, list[tuple[int, dict[str, str]]]]:
    """Return the header's row and each data row as ``(row, {column: cell})``."""
    rows = list(delimited_rows(text, file))
    if not rows:
        raise ScenarioError("file is empty", file=file)
    (head_row, head), body = rows[0], rows[1:]
    columns = _check_header(head, head_row, expected, optional, file)
    if not body:
        raise ScenarioError("the file has a header but no data rows", file=file)
    table = []
    for row, cells in body:
        if len(cells) > len(columns):
            raise ScenarioError(
                f"row has {len(cells)} cells but the header names {len(columns)} columns",
                file=file,
                location=f"row {row}",
            )
        cells += [""] * (len(columns) - len(cells))
        table.append((row, {name: cells[k] for name, k in columns.items()}))
    return head_row, table


def _same(
    seen: dict[Any, tuple[float, int]],
    key: Any,
    value: float,
    row: int,
    owner: str,
    column: str,
    file: str | None,
) -> None:
    """Record the ``column`` value of ``owner`` ``key``; error when an earlier row differs."""
    first, first_row = seen.setdefault(key, (value, row))
    if first != value:
        raise ScenarioError(
            f"{owner} '{key}' has {column} {value:g} here but {first:g} on row {first_row}; "
            f"give each {owner} one {column}",
            file=file,
            location=f"row {row}, column {column}",
        )


def _scale(issue: str, found: dict[str, Any], file: str | None) -> tuple[tuple[float, int], ...]:
    """Return ``(min, row), (max, row)``: given values, else the range of the positions."""
    row, positions = found["row"], found["pos"]
    if "scale_min" not in found and "scale_max" not in found and min(positions) == max(positions):
        raise ScenarioError(
            f"every position on issue '{issue}' is {positions[0]:g}, so its scale cannot be "
            "inferred; give scale_min and scale_max",
            file=file,
            location=f"row {row}",
        )
    low = found.get("scale_min", (min(positions), row))
    return low, found.get("scale_max", (max(positions), row))


# -- long CSV ----------------------------------------------------------------------------


def read_long_csv(text: str, *, file: str | None = None, name: str | None = None) -> Scenario:
    """Read the long layout: one row per actor and issue.

    Saliences are read on 0-1; if any exceeds 1 the whole file is read on 0-100
    (``salience_scale`` 100). An issue's scale defaults to the range of the positions on it.

    Parameters
    ----------
    text
        The whole file.
    file
        Shown in error messages; its stem names the scenario unless ``name`` is given.
    name
        The scenario's name.
    """
    head_row, table = _table(text, LONG_REQUIRED, LONG_OPTIONAL, file)
    loc = _Locator()
    names: dict[tuple[str, str], tuple[str, int]] = {}  # (kind, id) -> (spelling, row)
    capability: dict[str, tuple[float, int]] = {}
    issues: dict[str, dict[str, Any]] = {}
    given: dict[str, dict[Any, tuple[float, int]]] = {c: {} for c in LONG_OPTIONAL}
    positions: dict[str, dict[str, dict[str, float]]] = {}
    for row, cell in table:
        a, i = (_long_id(cell, kind, row, names, file) for kind in ("actor", "issue"))
        if i in positions.get(a, {}):
            raise ScenarioError(
                f"actor '{a}' and issue '{i}' already appear together on row "
                f"{loc.places[f'positions.{a}.{i}'][0]}",
                file=file,
                location=f"row {row}",
            )
        cap = _number(cell["capability"], row, "capability", file)
        _same(capability, a, cap, row, "actor", "capability", file)
        issue = issues.setdefault(i, {"row": row, "pos": []})
        for column in LONG_OPTIONAL:
            if cell.get(column):
                value = _number(cell[column], row, column, file)
                _same(given[column], i, value, row, "issue", column, file)
                issue.setdefault(column, given[column][i])
        stance = {c: _number(cell[c], row, c, file) for c in ("position", "salience")}
        issue["pos"].append(stance["position"])
        positions.setdefault(a, {})[i] = stance
        for field in ("position", "salience"):
            loc.add(f"positions.{a}.{i}.{field}", row, field)
        loc.add(f"positions.{a}.{i}", row, "issue")
    loc.add("actors", head_row, "capability")
    loc.add("positions", head_row, "salience")
    for k, (_, row) in enumerate(capability.values()):
        loc.add(f"actors[{k}].capability", row, "capability")
        loc.add(f"actors[{k}]", row, "actor")
    data_issues = []
    for k, (i, issue) in enumerate(issues.items()):
        low, high = _scale(i, issue, file)
        entry: dict[str, Any] = {
            "id": i,
            "description": _make_id(names["issue", i][0])[1],
            "scale": {"min": low[0], "max": high[0]},
        }
        loc.add(f"issues[{k}].scale", low[1], "scale_min")
        if "status_quo" in issue:
            entry["status_quo"] = issue["status_quo"][0]
            loc.add(f"issues[{k}].status_quo", issue["status_quo"][1], "status_quo")
        loc.add(f"issues[{k}]", issue["row"], "issue")
        data_issues.append(entry)
    saliences = [s["salience"] for stances in positions.values() for s in stances.values()]
    data = {
        "name": name or _stem(file),
        "salience_scale": 100 if max(saliences) > 1 else 1,
        "issues": data_issues,
        "actors": [
            {"id": a, "name": _make_id(names["actor", a][0])[1], "capability": cap}
            for a, (cap, _) in capability.items()
        ],
        "positions": positions,
    }
    return loc.validate(data, file)


def _long_id(
    cell: dict[str, str],
    kind: str,
    row: int,
    names: dict[tuple[str, str], tuple[str, int]],
    file: str | None,
) -> str:
    """Return the id of the actor or issue on this row; two spellings may not share one."""
    where = f"row {row}, column {kind}"
    if not cell[kind]:
        raise ScenarioError(f"{kind} is empty", file=file, location=where)
    ident = _make_id(cell[kind])[0]
    spelling, first = names.setdefault((kind, ident), (cell[kind], row))
    if spelling != cell[kind]:
        raise ScenarioError(
            f"{kind} '{cell[kind]}' and '{spelling}' (row {first}) give the same id "
            f"'{ident}'; rename one",
            file=file,
            location=where,
        )
    return ident


# -- eum CSV -----------------------------------------------------------------------------


def read_eum_csv(text: str, *, file: str | None = None, name: str | None = None) -> Scenario:
    """Read the one-issue table ``Actor, Capability, Position, Salience``.

    The issue is called ``issue``; its scale runs from the lowest to the highest position.
    Saliences are on 0-1. An actor name with a dot keeps its spelling as the actor's name
    and gets an id with ``_`` in place of each dot.
    """
    head_row, table = _table(text, EUM_COLUMNS, (), file)
    loc = _Locator()
    loc.add("actors", head_row, "capability")
    loc.add("positions", head_row, "salience")
    actors, positions, written = [], {}, []
    for k, (row, cell) in enumerate(table):
        if not cell["actor"]:
            raise ScenarioError("actor is empty", file=file, location=f"row {row}, column actor")
        ident, label = _make_id(cell["actor"])
        cap = _number(cell["capability"], row, "capability", file)
        actors.append({"id": ident, "name": label, "capability": cap})
        stance = {c: _number(cell[c], row, c, file) for c in ("position", "salience")}
        positions.setdefault(ident, {})["issue"] = stance
        written.append(stance["position"])  # every row's, a repeated actor's too
        loc.add(f"actors[{k}].capability", row, "capability")
        loc.add(f"actors[{k}]", row, "actor")
        for field in ("position", "salience"):
            loc.add(f"positions.{ident}.issue.{field}", row, field)
    found = {"row": table[0][0], "pos": written}
    low, high = _scale("issue", found, file)
    data = {
        "name": name or _stem(file),
        "issues": [{"id": "issue", "scale": {"min": low[0], "max": high[0]}}],
        "actors": actors,
        "positions": positions,
    }
    return loc.validate(data, file)


# -- KTAB CSV ----------------------------------------------------------------------------


def read_ktab_csv(text: str, *, file: str | None = None, name: str | None = None) -> Scenario:
    """Read KTAB's CSV: counts line, header, then one row per actor.

    Row 1 holds the scenario's name, description, number of actors and number of
    dimensions; row 2 names each dimension (three leading cells ignored, then a position
    and a salience label per dimension); each further row holds an actor's name,
    description, capability, then position and salience per dimension, all on 0-100.
    Trailing commas, surrounding spaces and quotes are tolerated. Actor descriptions are
    kept in ``metadata["actor_descriptions"]``.
    """
    rows = list(delimited_rows(text, file))
    if not rows:
        raise ScenarioError("file is empty", file=file)
    (r1, first), body = rows[0], rows[1:]
    if len(first) < 4:
        raise ScenarioError(
            "the first row must hold name, description, number of actors and number of "
            f"dimensions; found {len(first)} cells",
            file=file,
            location=f"row {r1}",
        )
    n_actors = _count(first[2], r1, "number of actors", file)
    n_dims = _count(first[3], r1, "number of dimensions", file)
    if not body:
        raise ScenarioError("the header row (row 2) is missing", file=file)
    (r2, header), body = body[0], body[1:]
    width = 3 + 2 * n_dims
    if len(header) != width:
        raise ScenarioError(
            f"the header has {len(header)} cells; the first row declares {n_dims} dimension(s), "
            f"which need {width} (3, then a position and a salience column per dimension)",
            file=file,
            location=f"row {r2}",
        )
    if len(body) != n_actors:
        raise ScenarioError(
            f"the first row declares {n_actors} actors but the file has {len(body)} actor rows",
            file=file,
            location=f"row {r1}",
        )
    issue_ids = _unique_ids([header[3 + 2 * d] for d in range(n_dims)])
    column = [cell or f"column {n + 1}" for n, cell in enumerate(header)]
    loc = _Locator()
    loc.add("actors", r2, column[2])
    loc.add("positions", r2, column[4])
    actors, positions, descriptions = [], {}, {}
    for k, (row, cells) in enumerate(body):
        if len(cells) != width:
            raise ScenarioError(
                f"row has {len(cells)} cells; {n_dims} dimension(s) need {width}: name, "
                "description, capability, then a position and a salience per dimension",
                file=file,
                location=f"row {row}",
            )
        if not cells[0]:
            raise ScenarioError("actor name is empty", file=file, location=f"row {row}, column 1")
        ident, label = _make_id(cells[0])
        cap = _number(cells[2], row, column[2], file)
        actors.append({"id": ident, "name": label, "capability": cap})
        descriptions[ident] = cells[1]
        loc.add(f"actors[{k}].capability", row, column[2])
        loc.add(f"actors[{k}]", row, column[0])
        stances = positions.setdefault(ident, {})
        for d, issue in enumerate(issue_ids):
            cols = {"position": 3 + 2 * d, "salience": 4 + 2 * d}
            stances[issue] = {f: _number(cells[c], row, column[c], file) for f, c in cols.items()}
            for field, c in cols.items():
                loc.add(f"positions.{ident}.{issue}.{field}", row, column[c])
            loc.add(f"positions.{ident}.{issue}", row, column[cols["position"]])
    data = {
        "name": name or first[0] or _stem(file),
        "description": first[1],
        "salience_scale": 100,
        "issues": [{"id": i, "scale": {"min": 0, "max": 100}} for i in issue_ids],
        "actors": actors,
        "positions": positions,
        "metadata": {"actor_descriptions": descriptions},
    }
    return loc.validate(data, file)


def _count(cell: str, row: int, what: str, file: str | None) -> int:
    if not re.fullmatch(r"\d{1,9}", cell) or int(cell) < 1:
        shown = cell if len(cell) <= 20 else f"{cell[:20]}..."
        raise ScenarioError(
            f"{what} '{shown}' is not a whole number from 1 to 999,999,999",
            file=file,
            location=f"row {row}",
        )
    return int(cell)


def _unique_ids(names: list[str]) -> list[str]:
    """Turn dimension names into distinct ids: no dots, never empty, at most 80 characters."""
    ids: list[str] = []
    for d, text in enumerate(names):
        base = _make_id(text)[0][:72].strip() or f"dim{d + 1}"
        ident, n = base, 1
        while ident in ids:
            n += 1
            ident = f"{base}_{n}"
        ids.append(ident)
    return ids


# -- detection ---------------------------------------------------------------------------


def sniff_csv(text: str) -> str | None:
    """Tell which CSV layout ``text`` uses from its first row: eum, ktab, csv or None."""
    first = next(delimited_rows(text), None)
    if first is None:
        return None
    cells = [c.lower() for c in first[1]]
    if tuple(cells[:4]) == ("actor", "capability", "position", "salience"):
        return "eum"
    if len(cells) >= 4 and all(re.fullmatch(r"\d+", c) for c in cells[2:4]):
        return "ktab"
    if "actor" in cells and "issue" in cells:
        return "csv"
    return None
