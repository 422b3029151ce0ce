"""Read the DEU data: EU legislative issues with experts' positions and recorded outcomes.

The Decision-making in the European Union data (DEU I-III; Thomson, Stokman, Achen &
Koenig 2006; Thomson et al. 2012; Arregui & Perarnaud 2021) hold one row per controversial
issue of a legislative proposal: each actor's position and salience on a 0-100 scale, the
reference point (the status quo) and the outcome that was adopted. See ``docs/backtest.md``.

Layout: a header row, then one row per issue. Tab-, semicolon- or comma-separated (the
delimiter is read off the header); cells may be quoted; with a tab or semicolon delimiter a
decimal comma (``12,5``) is read as a decimal point. Columns used (upper or lower case):

``prnr``
    Proposal id (``d...`` co-decision, ``n...`` consultation; the two digits after the
    letters are the year of the Commission's proposal).
``isnr``
    Issue id, unique in the file.
``proc``
    ``COD`` (co-decision) or ``CNS`` (consultation).
``counvte``
    Council voting rule: ``QMV``, ``Unan``, or ``QMV(n)``: a qualified majority that must
    also be cast by at least ``n`` members (the rule for acts not adopted on a proposal from
    the Commission, Art. 205(2) TEC: 62 votes cast by at least 10 members).
``intro``
    Date the proposal was introduced: ``dd-mm-yy`` (``yy`` below 50 is 20yy), ``dd-mm-yyyy``
    (``/`` and ``.`` also separate), or ``yyyy-mm-dd``. A spreadsheet that read ``dd-mm-yy``
    as ``yy-mm-dd`` turns 14-07-04 into ``2014-07-04``; an ISO date whose year disagrees with
    the proposal id's year while its day equals that year is read back as ``dd-mm-yy`` and
    the repair is noted in :attr:`DeuIssue.notes`.
``p<actor>``, ``s<actor>``
    Position and salience (0-100) of the Commission (``com``), the Parliament (``ep``) and
    each member state (:data:`ACTORS`); blank where not coded. An actor takes part in an
    issue when its position is coded; a coded position without a salience gets salience
    :data:`IMPUTED_SALIENCE` (listed in :attr:`DeuIssue.imputed`); a salience without a
    position is ignored. Actor columns missing from the header are actors never coded.
``rp``, ``out``
    Reference point (status quo) and outcome (0-100); blank where none.

Other columns (``prname`` kept as the proposal's name, ``finact``, ``type`` ...) are not
interpreted. Every problem is a :class:`~summitry.errors.ScenarioError` naming the file,
the row (its line in the file, the header being row 1) and the column.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from summitry.errors import ScenarioError
from summitry.io.csv_formats import delimited_rows
from summitry.scenario import Scenario

__all__ = [
    "ACTORS",
    "IMPUTED_SALIENCE",
    "MEMBER_STATES",
    "PROCEDURES",
    "DeuIssue",
    "parse_deu",
    "read_deu",
]

ACTORS: tuple[str, ...] = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el",
    "hu", "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es",
    "se", "uk",
)  # fmt: skip
"""The 30 DEU actor codes in the file's order: Commission, Parliament, 28 member states."""

MEMBER_STATES: tuple[str, ...] = ACTORS[2:]
"""The member-state codes (``bu`` Bulgaria, ``cr`` Croatia, ``el`` Greece, ``uk`` UK)."""

PROCEDURES: tuple[str, ...] = ("COD", "CNS")
"""Legislative procedures the reader accepts: co-decision and consultation."""

IMPUTED_SALIENCE = 50.0
"""Salience given to an actor whose position is coded but whose salience is blank."""

REQUIRED: tuple[str, ...] = ("prnr", "isnr", "proc", "counvte", "intro", "rp", "out")
_QMV_MEMBERS = re.compile(r"QMV\s*\(\s*(\d{1,6})\s*\)")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_PROPOSAL_YEAR = re.compile(r"[A-Za-z]+(\d{2})")
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")
_PIVOT = 50
"""Two-digit years below this are 20yy, the others 19yy (the data run from 1996)."""


@dataclass(frozen=True)
class DeuIssue:
    """One DEU issue: who wanted what, how much they cared, and what was adopted.

    Attributes
    ----------
    proposal, issue
        Proposal id (``prnr``) and issue id (``isnr``).
    procedure
        ``"COD"`` or ``"CNS"``.
    voting
        ``"QMV"`` or ``"Unan"``.
    min_members
        For ``QMV(n)``, the ``n`` members the majority must include; else None.
    introduced
        Date the proposal was introduced.
    positions, saliences
        On 0-100, by actor code, for the actors taking part (those with a coded position),
        in :data:`ACTORS` order.
    imputed
        Actors whose salience was blank and set to :data:`IMPUTED_SALIENCE`.
    reference, outcome
        Reference point (status quo) and adopted outcome on 0-100, or None.
    row
        The issue's row in the file (the header is row 1).
    name
        The proposal's short name (``prname``), if the file has one.
    notes
        Repairs made while reading (a date read back from a spreadsheet's mangling).
    """

    proposal: str
    issue: str
    procedure: str
    voting: str
    min_members: int | None
    introduced: date
    positions: Mapping[str, float]
    saliences: Mapping[str, float]
    imputed: tuple[str, ...] = ()
    reference: float | None = None
    outcome: float | None = None
    row: int = 0
    name: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def actors(self) -> tuple[str, ...]:
        """The actors taking part, in :data:`ACTORS` order."""
        return tuple(self.positions)

    @property
    def voting_code(self) -> str:
        """The voting rule as the file writes it: ``QMV``, ``QMV(10)`` or ``Unan``."""
        return f"QMV({self.min_members})" if self.min_members else self.voting

    def to_scenario(self, capability: Mapping[str, float]) -> Scenario:
        """Return the issue as a one-issue :class:`~summitry.scenario.Scenario`.

        Parameters
        ----------
        capability
            Each taking-part actor's capability, for example from
            :func:`summitry.backtest.capabilities.assign`.

        Raises
        ------
        ScenarioError
            When the scenario breaks a rule (no actor with capability and salience above 0).
        """
        issue: dict[str, Any] = {"id": self.issue, "scale": {"min": 0, "max": 100}}
        if self.reference is not None:
            issue["status_quo"] = self.reference
        data = {
            "name": f"deu-{self.issue}",
            "description": f"DEU proposal {self.proposal} ({self.name or 'unnamed'}), "
            f"{self.procedure}, Council {self.voting_code}, introduced {self.introduced}",
            "salience_scale": 100,
            "issues": [issue],
            "actors": [{"id": a, "capability": capability[a]} for a in self.actors],
            "positions": {
                a: {self.issue: {"position": self.positions[a], "salience": self.saliences[a]}}
                for a in self.actors
            },
            "metadata": {"outcome": self.outcome, "source": "DEU", "row": self.row},
        }
        return Scenario.from_dict(data, file=f"row {self.row}")


# -- reading ------------------------------------------------------------------------------


def read_deu(path: str | os.PathLike[str]) -> list[DeuIssue]:
    """Read a DEU file: one :class:`DeuIssue` per data row, in file order.

    The file is read as UTF-8 (with or without a byte-order mark), else as Latin-1.

    Raises
    ------
    ScenarioError
        Naming the file, the row and the column of the first problem.
    """
    from summitry.io import read_limited  # the package's reader of bounded files

    shown = str(path)
    raw = read_limited(Path(path), shown, what="DEU file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return parse_deu(text, file=shown)


def parse_deu(text: str, *, file: str | None = None) -> list[DeuIssue]:
    """Parse the text of a DEU file (see the module's docstring for the layout).

    Raises
    ------
    ScenarioError
        Naming ``file``, the row and the column of the first problem.
    """
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise ScenarioError("file is empty", file=file)
    delimiter = _delimiter(first, file)
    rows = delimited_rows(
        text, file, what="delimited text", delimiter=delimiter, quotes="", skip_space=False,
        trim=False,
    )  # fmt: skip
    head_row, header = next(rows)
    columns = _header(header, head_row, file)
    reader = _Row(columns, delimiter != ",", file)
    issues: list[DeuIssue] = []
    seen: dict[str, int] = {}
    for row, cells in rows:
        if len(cells) != len(header):
            raise ScenarioError(
                f"row has {len(cells)} cells but the header names {len(header)} columns",
                file=file,
                location=f"row {row}",
            )
        issue = reader.issue(row, cells)
        if issue.issue in seen:
            raise ScenarioError(
                f"issue '{issue.issue}' already appears on row {seen[issue.issue]}",
                file=file,
                location=f"row {row}, column isnr",
            )
        seen[issue.issue] = row
        issues.append(issue)
    if not issues:
        raise ScenarioError("the file has a header but no data rows", file=file)
    return issues


def _delimiter(first: str, file: str | None) -> str:
    """The delimiter of the header line: tab, then semicolon, then comma."""
    for candidate in ("\t", ";", ","):
        if candidate in first:
            return candidate
    raise ScenarioError(
        "the header has one column; separate columns by tabs, semicolons or commas",
        file=file,
        location="row 1",
    )


def _header(header: list[str], row: int, file: str | None) -> dict[str, int]:
    """Map each column name (lower case) to its index; check the required columns."""
    names = [c.strip().lower() for c in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ScenarioError(
            f"repeated columns: {', '.join(repeated)}", file=file, location=f"row {row}"
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ScenarioError(
            f"missing columns: {', '.join(missing)} (a DEU file needs "
            f"{', '.join(REQUIRED)} and p<actor>, s<actor> pairs)",
            file=file,
            location=f"row {row}",
        )
    index = {n: k for k, n in enumerate(names)}
    for actor in ACTORS:
        pair = [f"p{actor}" in index, f"s{actor}" in index]
        if any(pair) and not all(pair):
            have, lack = ("p", "s") if pair[0] else ("s", "p")
            raise ScenarioError(
                f"column {have}{actor} has no partner {lack}{actor}; give both the position "
                "and the salience column of each actor",
                file=file,
                location=f"row {row}",
            )
    if not any(f"p{a}" in index for a in ACTORS):
        raise ScenarioError(
            "no actor columns: expected p<actor> and s<actor> for actors among "
            + ", ".join(ACTORS),
            file=file,
            location=f"row {row}",
        )
    return index


class _Row:
    """Turns the cells of one data row into a :class:`DeuIssue`."""

    def __init__(self, columns: dict[str, int], decimal_comma: bool, file: str | None):
        self.columns = columns
        self.decimal_comma = decimal_comma
        self.file = file
        self.actors = [a for a in ACTORS if f"p{a}" in columns]

    def _fail(self, message: str, row: int, column: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, location=f"row {row}, column {column}")

    def cell(self, cells: list[str], column: str) -> str:
        k = self.columns.get(column)
        return "" if k is None else cells[k]

    def number(self, cells: list[str], row: int, column: str, what: str) -> float | None:
        """The 0-100 value of a cell, None when blank."""
        text = self.cell(cells, column)
        if not text:
            return None
        if self.decimal_comma and _DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise self._fail(f"{what} '{text}' is not a number", row, column) from None
        if not math.isfinite(value) or not 0 <= value <= 100:
            raise self._fail(f"{what} {text} lies outside [0, 100]", row, column)
        return value

    def issue(self, row: int, cells: list[str]) -> DeuIssue:
        proposal, issue = self.cell(cells, "prnr"), self.cell(cells, "isnr")
        for column, value in (("prnr", proposal), ("isnr", issue)):
            if not value:
                raise self._fail(f"{column} is empty; give the id", row, column)
        procedure = self.cell(cells, "proc").upper()
        if procedure not in PROCEDURES:
            raise self._fail(
                f"procedure '{self.cell(cells, 'proc')}' is not one of {', '.join(PROCEDURES)}",
                row,
                "proc",
            )
        voting, min_members = self.voting(cells, row)
        introduced, notes = self.date(cells, row, proposal)
        positions: dict[str, float] = {}
        saliences: dict[str, float] = {}
        imputed = []
        for actor in self.actors:
            x = self.number(cells, row, f"p{actor}", "position")
            s = self.number(cells, row, f"s{actor}", "salience")
            if x is None:
                continue
            positions[actor] = x
            if s is None:
                imputed.append(actor)
                s = IMPUTED_SALIENCE
            saliences[actor] = s
        if not positions:
            raise self._fail("no actor has a position on this issue", row, "p<actor>")
        if not any(saliences.values()):
            raise self._fail(
                "every actor with a position has salience 0, so no model can weigh them",
                row, "s<actor>",
            )  # fmt: skip
        return DeuIssue(
            proposal=proposal,
            issue=issue,
            procedure=procedure,
            voting=voting,
            min_members=min_members,
            introduced=introduced,
            positions=positions,
            saliences=saliences,
            imputed=tuple(imputed),
            reference=self.number(cells, row, "rp", "reference point"),
            outcome=self.number(cells, row, "out", "outcome"),
            row=row,
            name=self.cell(cells, "prname"),
            notes=notes,
        )

    def voting(self, cells: list[str], row: int) -> tuple[str, int | None]:
        text = self.cell(cells, "counvte")
        upper = text.upper().replace(" ", "")
        if upper == "QMV":
            return "QMV", None
        if upper in ("UNAN", "UNANIMITY"):
            return "Unan", None
        found = _QMV_MEMBERS.fullmatch(upper)
        if found and int(found.group(1)) >= 1:
            return "QMV", int(found.group(1))
        raise self._fail(f"voting rule '{text}' is not QMV, QMV(n) or Unan", row, "counvte")

    def date(self, cells: list[str], row: int, proposal: str) -> tuple[date, tuple[str, ...]]:
        text = self.cell(cells, "intro")
        day_first = _DMY.fullmatch(text)
        iso = _ISO.fullmatch(text)
        notes: tuple[str, ...] = ()
        if day_first:
            d, m, y = (int(g) for g in day_first.groups())
            if len(day_first.group(3)) == 2:
                y = _century(y)
        elif iso:
            y, m, d = (int(g) for g in iso.groups())
            year = _PROPOSAL_YEAR.match(proposal)
            if year and y % 100 != int(year.group(1)) and d == int(year.group(1)):
                y, d = _century(d), y % 100
                notes = (
                    f"intro '{text}' read as {d:02d}-{m:02d}-{y % 100:02d}: a spreadsheet "
                    f"had taken the day for the year (proposal {proposal})",
                )
        else:
            raise self._fail(
                f"date '{text}' is not a date; write dd-mm-yy, dd-mm-yyyy or yyyy-mm-dd",
                row,
                "intro",
            )
        try:
            return date(y, m, d), notes
        except ValueError as exc:
            raise self._fail(f"date '{text}' is not a valid date ({exc})", row, "intro") from None


def _century(yy: int) -> int:
    return 2000 + yy if yy < _PIVOT else 1900 + yy
