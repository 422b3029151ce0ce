"""Dated events that change a scenario's inputs, and how they are applied.

An :class:`Event` has a date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: as precise as the
sources allow), a label and a list of changes. Events are listed in date order; applying
the first k of them to the scenario gives the situation after the k-th.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from summitry._schema import Finite, Frozen, Id, unknown
from summitry.perception import Belief, BeliefChange, MessageChange
from summitry.terms import DATE

__all__ = [
    "CapabilityChange",
    "Change",
    "Event",
    "JoinChange",
    "LeaveChange",
    "PositionChange",
    "SalienceChange",
    "StatusQuoChange",
    "VetoChange",
    "WalkAwayChange",
    "apply_event",
]

Fail = Callable[[tuple[Any, ...], str], None]


class _Amount(Frozen):
    """A new value (``to``) or a shift of the current one (``by``): exactly one."""

    to: Finite | None = None
    by: Finite | None = None

    @model_validator(mode="after")
    def _one(self) -> _Amount:
        if (self.to is None) == (self.by is None):
            raise ValueError("give exactly one of 'to' (a new value) and 'by' (a shift)")
        return self

    def new(self, old: float) -> float:
        """The value after the change."""
        return self.to if self.to is not None else old + self.by


class PositionChange(_Amount):
    """An actor's position on an issue moves (on the issue's scale)."""

    kind: Literal["position"]
    actor: Id
    issue: Id


class SalienceChange(_Amount):
    """How much an issue matters to an actor changes (on the salience scale)."""

    kind: Literal["salience"]
    actor: Id
    issue: Id


class CapabilityChange(_Amount):
    """An actor's capability changes."""

    kind: Literal["capability"]
    actor: Id


class StatusQuoChange(_Amount):
    """The status quo of an issue moves (on the issue's scale)."""

    kind: Literal["status_quo"]
    issue: Id


class WalkAwayChange(_Amount):
    """An actor's walk-away value changes (winners-table units; docs/deal.md)."""

    kind: Literal["walk_away"]
    actor: Id


class JoinChange(Frozen):
    """An actor listed with ``present: false`` joins the negotiation on its issues."""

    kind: Literal["join"]
    actor: Id


class LeaveChange(Frozen):
    """An actor leaves the negotiation."""

    kind: Literal["leave"]
    actor: Id


class VetoChange(Frozen):
    """An actor gains (``holds: true``) or loses a veto on an issue."""

    kind: Literal["veto"]
    actor: Id
    issue: Id
    holds: bool


Change = Annotated[
    PositionChange
    | SalienceChange
    | CapabilityChange
    | StatusQuoChange
    | JoinChange
    | LeaveChange
    | VetoChange
    | WalkAwayChange
    | BeliefChange
    | MessageChange,
    Field(discriminator="kind"),
]


class Event(Frozen):
    """A dated event and the changes it brings.

    ``date_note`` says how the date was fixed, for example that a source gives only
    the month.
    """

    id: Id
    date: Annotated[str, Field(pattern=DATE)]
    label: str = Field(min_length=1)
    date_note: str = ""
    changes: tuple[Change, ...] = ()

    @property
    def parts(self) -> tuple[int, ...]:
        """(year, month, day), as far as the date goes."""
        return tuple(int(p) for p in self.date.split("-"))

    def before(self, other: Event) -> bool:
        """True when this event's date is surely earlier than ``other``'s.

        Dates are compared as far as both go: "2018-06" is neither before nor after
        "2018-06-12", so either may be listed first.
        """
        n = min(len(self.parts), len(other.parts))
        return self.parts[:n] < other.parts[:n]


def apply_event(data: dict[str, Any], k: int, event: Event, fail: Fail) -> dict[str, Any]:
    """Apply event number ``k`` to a scenario's plain data; return the new data.

    ``fail(path, message)`` is called with the path of a change that cannot apply (an
    unknown actor or issue, a value leaving its range); it must raise.
    """
    data = copy.deepcopy(data)
    actors = {a["id"]: a for a in data["actors"]}
    issues = {i["id"]: i for i in data["issues"]}
    top = float(data.get("salience_scale", 1))
    for j, change in enumerate(event.changes):
        at = ("events", k, "changes", j)
        for field in ("actor", "observer", "about", "sender"):
            name = getattr(change, field, None)
            if name is not None and name not in actors:
                fail((*at, field), unknown("actor", name, actors))
        for n, name in enumerate(getattr(change, "audience", ())):
            if name not in actors:
                fail((*at, "audience", n), unknown("actor", name, actors))
        issue_id = getattr(change, "issue", None)
        if issue_id is not None and issue_id not in issues:
            fail((*at, "issue"), unknown("issue", issue_id, issues))
        _apply_change(data, actors, issues, top, change, at, fail)
    return data


def _apply_change(data, actors, issues, top, change, at, fail) -> None:  # noqa: ANN001
    kind = change.kind
    if kind in ("position", "salience"):
        stance = data["positions"].get(change.actor, {}).get(change.issue)
        if stance is None:
            fail(at, f"'{change.actor}' has no stance on '{change.issue}' to change")
        value = change.new(stance[kind])
        if kind == "position":
            _within(value, issues[change.issue]["scale"], (*at, _which(change)), fail)
        elif not 0 <= value <= top:
            fail((*at, _which(change)), f"salience {value:g} would leave [0, {top:g}]")
        stance[kind] = value
    elif kind == "capability":
        value = change.new(actors[change.actor]["capability"])
        if value < 0:
            fail((*at, _which(change)), f"capability {value:g} would be negative")
        actors[change.actor]["capability"] = value
    elif kind == "status_quo":
        old = issues[change.issue].get("status_quo")
        if old is None and change.to is None:
            fail((*at, "by"), f"issue '{change.issue}' has no status quo to shift; use 'to'")
        value = change.new(old)
        _within(value, issues[change.issue]["scale"], (*at, _which(change)), fail)
        issues[change.issue]["status_quo"] = value
    elif kind == "walk_away":
        old = actors[change.actor].get("walk_away")
        if old is None and change.to is None:
            fail((*at, "by"), f"'{change.actor}' has no walk_away to shift; use 'to'")
        actors[change.actor]["walk_away"] = change.new(old)
    elif kind in ("join", "leave"):
        joining = kind == "join"
        if actors[change.actor].get("present", True) == joining:
            state = "already takes part" if joining else "is not taking part"
            fail((*at, "actor"), f"'{change.actor}' {state}")
        actors[change.actor]["present"] = joining
    elif kind == "veto":
        veto = [v for v in actors[change.actor].get("veto", ()) if v != change.issue]
        actors[change.actor]["veto"] = veto + [change.issue] if change.holds else veto
    else:  # belief or message
        beliefs = change.as_beliefs() if kind == "message" else (_plain_belief(change),)
        for belief in beliefs:
            _check_belief(data, issues, top, belief, change, at, fail)
            data.setdefault("beliefs", []).append(belief.model_dump(exclude_none=True))


def _check_belief(data, issues, top, belief, change, at, fail) -> None:  # noqa: ANN001
    """The rules of a top-level belief or message, for one made by an event."""
    if belief.observer == belief.about:
        where = (*at, "audience") if change.kind == "message" else (*at, "about")
        fail(where, "an actor does not send itself messages or hold beliefs about itself")
    if belief.issue is None:
        return
    if belief.issue not in data["positions"].get(belief.about, {}):
        fail((*at, "issue"), f"'{belief.about}' has no stance on '{belief.issue}'")
    if belief.position is not None:
        _within(belief.position, issues[belief.issue]["scale"], (*at, "position"), fail)
    if belief.salience is not None and belief.salience > top:
        fail((*at, "salience"), f"salience {belief.salience:g} lies outside [0, {top:g}]")


def _plain_belief(change: BeliefChange) -> Belief:
    return Belief(**change.model_dump(exclude={"kind"}))


def _which(change: Any) -> str:
    return "to" if change.to is not None else "by"


def _within(value: float, scale: dict[str, Any], path: tuple[Any, ...], fail: Fail) -> None:
    if not scale["min"] <= value <= scale["max"]:
        fail(path, f"{value:g} would leave the issue's scale [{scale['min']:g}, {scale['max']:g}]")
