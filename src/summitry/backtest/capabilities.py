"""Capabilities of the DEU actors from the treaty in force when a proposal was introduced.

Member states carry their Council weight: the votes of the pre-Nice rules (EU-15), of the
2004 accession transition (EU-25, May-October 2004) and of the Nice rules (EU-25, EU-27
from 2007, EU-28 from July 2013); under the Lisbon rules (from 1 November 2014) their
share of the Union's population (2016 figures). The Commission gets the largest member
state's weight under every procedure; the Parliament the same under co-decision and 0
under consultation, where it is only consulted. Tables, thresholds and sources are in
``docs/capabilities.md``.

Schemes (:data:`SCHEMES`):

``treaty``
    The weights above (the default, as in the published studies).
``shapley``
    Each member state's Shapley-Shubik index under the issue's Council rule (the quota and
    member count of its period; every member alike under unanimity); the Commission and
    the Parliament as above, relative to the largest index.
``equal``
    Every actor taking part has capability 1.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from summitry.backtest.power import shapley_shubik
from summitry.errors import ParameterError, ScenarioError
from summitry.io.deu import DeuIssue

__all__ = ["COUNCILS", "SCHEMES", "Assignment", "Council", "assign", "council_for"]

SCHEMES: tuple[str, ...] = ("treaty", "shapley", "equal")


@dataclass(frozen=True)
class Council:
    """The Council's qualified-majority rule over one period.

    Attributes
    ----------
    name
        Short label, e.g. ``"nice-27"``.
    start, end
        First and last day the rule applied (``end`` None: still applies).
    weights
        Votes per member state, or for ``kind="population"`` its share of the Union's
        population in percent.
    quota
        Votes (or population percent) a qualified majority needs.
    min_members
        Members a qualified majority needs as well.
    blocking
        Members a blocking minority needs (Lisbon: 4), or None.
    kind
        ``"votes"`` or ``"population"``.
    source
        Where the figures come from.
    """

    name: str
    start: date
    end: date | None
    weights: Mapping[str, float]
    quota: float
    min_members: int
    blocking: int | None
    kind: str
    source: str

    @property
    def total(self) -> float:
        """Sum of the weights."""
        return float(sum(self.weights.values()))

    @property
    def largest(self) -> float:
        """The largest member state's weight."""
        return float(max(self.weights.values()))

    def applies(self, day: date) -> bool:
        """True when ``day`` falls in the period."""
        return self.start <= day and (self.end is None or day <= self.end)


_PRE_NICE = {
    "de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5,
    "at": 4, "se": 4, "dk": 3, "ie": 3, "fi": 3, "lu": 2,
}  # fmt: skip
_TRANSITION_2004 = {
    **_PRE_NICE,
    "pl": 8, "cz": 5, "hu": 5, "ee": 3, "lv": 3, "lt": 3, "si": 3, "sk": 3, "cy": 2, "mt": 2,
}  # fmt: skip
_NICE_25 = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "nl": 13, "be": 12,
    "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "se": 10, "dk": 7, "ie": 7, "lt": 7,
    "sk": 7, "fi": 7, "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
_NICE_27 = {**_NICE_25, "ro": 14, "bu": 10}
_NICE_28 = {**_NICE_27, "cr": 7}
_POPULATION_2016 = {
    "de": 15.93, "fr": 13.04, "uk": 12.73, "it": 12.07, "es": 9.12, "pl": 7.47, "ro": 3.90,
    "nl": 3.37, "be": 2.21, "el": 2.13, "cz": 2.05, "pt": 2.04, "hu": 1.94, "se": 1.92,
    "at": 1.69, "bu": 1.42, "dk": 1.11, "fi": 1.08, "sk": 1.06, "ie": 0.91, "cr": 0.83,
    "lt": 0.57, "si": 0.41, "lv": 0.39, "ee": 0.26, "cy": 0.17, "lu": 0.11, "mt": 0.08,
}  # fmt: skip

COUNCILS: tuple[Council, ...] = (
    Council(
        "pre-nice-15", date(1995, 1, 1), date(2004, 4, 30), _PRE_NICE, 62, 0, None, "votes",
        "Art. 205(2) TEC (Art. 148(2) before 1999) as adapted by the 1994 Act of Accession",
    ),
    Council(
        "accession-25", date(2004, 5, 1), date(2004, 10, 31), _TRANSITION_2004, 88, 0, None,
        "votes", "2003 Act of Accession, Art. 26 (transitional weighting, 1 May-31 Oct 2004)",
    ),
    Council(
        "nice-25", date(2004, 11, 1), date(2006, 12, 31), _NICE_25, 232, 13, None, "votes",
        "Protocol on the enlargement of the EU (Nice), Art. 3, as amended by the 2003 Act "
        "of Accession, Art. 12",
    ),
    Council(
        "nice-27", date(2007, 1, 1), date(2013, 6, 30), _NICE_27, 255, 14, None, "votes",
        "2005 Act of Accession (Bulgaria, Romania), Art. 22",
    ),
    Council(
        "nice-28", date(2013, 7, 1), date(2014, 10, 31), _NICE_28, 260, 15, None, "votes",
        "2012 Act of Accession (Croatia), Art. 20, OJ L 112, 24.4.2012",
    ),
    Council(
        "lisbon-28", date(2014, 11, 1), None, _POPULATION_2016, 65.0, 16, 4, "population",
        "Art. 16(4) TEU, Art. 238(3) TFEU; population: Council Decision (EU, Euratom) "
        "2015/2393, Annex III (figures for 2016)",
    ),
)  # fmt: skip
"""Every period, in date order."""


@dataclass(frozen=True)
class Assignment:
    """Capabilities of one issue's actors and where they came from.

    Attributes
    ----------
    capability
        By actor code, for the actors taking part.
    council
        The Council rule used.
    advanced
        True when the issue's coded member states include states that had not yet joined
        on the introduction date, so the first later rule counting them was used.
    """

    capability: Mapping[str, float]
    council: Council
    advanced: bool


def council_for(day: date, members: frozenset[str] = frozenset()) -> tuple[Council, bool]:
    """The Council rule in force on ``day``, and whether it had to be advanced.

    When ``members`` (the member states coded on an issue) include a state not yet in the
    Council on ``day``, the first later rule that has them all is returned instead, with
    True: experts coded an acceding state because it voted on the final act.

    Raises
    ------
    ScenarioError
        For a day before 1 January 1995 or members no rule has.
    """
    start = next((k for k, c in enumerate(COUNCILS) if c.applies(day)), None)
    if start is None:
        raise ScenarioError(
            f"no Council table for {day.isoformat()}: the tables start on 1 January 1995"
        )
    for council in COUNCILS[start:]:
        if members <= council.weights.keys():
            return council, council is not COUNCILS[start]
    unknown = ", ".join(sorted(members - COUNCILS[-1].weights.keys()))
    raise ScenarioError(f"no Council table has the member states {unknown}")


def assign(issue: DeuIssue, scheme: str = "treaty") -> Assignment:
    """Capabilities of the actors taking part in ``issue`` under ``scheme``.

    Raises
    ------
    ParameterError
        For an unknown scheme.
    ScenarioError
        When no Council table fits the issue (naming its row).
    """
    if scheme not in SCHEMES:
        raise ParameterError(
            f"unknown capability scheme '{scheme}'; choose from: {', '.join(SCHEMES)}"
        )
    states = frozenset(a for a in issue.actors if a not in ("com", "ep"))
    try:
        council, advanced = council_for(issue.introduced, states)
    except ScenarioError as exc:
        raise ScenarioError(exc.rule, location=f"row {issue.row} ({issue.issue})") from None
    if scheme == "equal":
        return Assignment({a: 1.0 for a in issue.actors}, council, advanced)
    if scheme == "shapley":
        weights = _shapley(council.name, issue.voting, issue.min_members or 0)
    else:
        weights = dict(council.weights)
    top = max(weights.values())
    institutions = {"com": top, "ep": top if issue.procedure == "COD" else 0.0}
    capability = {a: float(institutions.get(a, weights.get(a, 0.0))) for a in issue.actors}
    return Assignment(capability, council, advanced)


@functools.cache
def _shapley(name: str, voting: str, min_members: int) -> dict[str, float]:
    """Shapley-Shubik index (in percent) of each member state under the issue's rule."""
    council = next(c for c in COUNCILS if c.name == name)
    states = list(council.weights)
    if voting == "Unan":
        return {s: 100.0 / len(states) for s in states}
    scale = 100 if council.kind == "population" else 1  # population in 0.01 % units
    weights = [round(council.weights[s] * scale) for s in states]
    if council.kind == "population":
        quota = math.ceil(council.quota / 100 * sum(weights))
    else:
        quota = round(council.quota)
    index = shapley_shubik(
        weights,
        quota,
        min_members=max(council.min_members, min_members),
        blocking=council.blocking,
    )
    return {s: 100.0 * float(v) for s, v in zip(states, index, strict=True)}
