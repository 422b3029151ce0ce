"""Terms of a deal beyond positions: linked issues, ratifiers and the recorded outcome.

These are parts of a :class:`~summitry.scenario.Scenario` (``links``, ``ratifiers`` and
``outcome``); docs/deal.md gives their meaning and docs/format.md their fields.

- A :class:`TogetherLink` makes issues settle together or not at all.
- A :class:`SequenceLink` lets one issue move only once another has.
- A :class:`CredibilityLink` says how far an actor discounts what it is promised on an
  issue, because the promise can be taken back.
- A :class:`Ratifier` is an actor, or a body inside one, whose consent a deal needs besides
  the negotiators'.
- An :class:`Outcome` records what really happened, for ``summitry score``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Strict, model_validator

from summitry._schema import Finite, Frozen, Id, NonNegative, Stance

__all__ = [
    "DATE",
    "CredibilityLink",
    "IssueOutcome",
    "Link",
    "Outcome",
    "Ratifier",
    "SequenceLink",
    "TogetherLink",
]

DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
"""A date as precise as the sources allow: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

Date = Annotated[str, Field(pattern=DATE)]


class TogetherLink(Frozen):
    """Issues that settle together or not at all.

    A package either leaves every issue of the link at the status quo or delivers on
    each: moves it towards the bargaining direction (docs/deal.md) by at least its
    ``min_move`` (on the issue's scale; 0 means any move).
    """

    kind: Literal["together"]
    id: Id
    issues: tuple[Id, ...] = Field(min_length=2)
    min_move: dict[str, NonNegative] = Field(default_factory=dict)


class SequenceLink(Frozen):
    """Issue ``then`` may move only after issue ``first`` has delivered.

    A package that moves ``then`` must deliver on ``first`` (move it towards the
    bargaining direction by at least ``min_move[first]``).
    """

    kind: Literal["sequence"]
    id: Id
    first: Id
    then: Id
    min_move: dict[str, NonNegative] = Field(default_factory=dict)

    @property
    def issues(self) -> tuple[str, ...]:
        """The two issues, first then second."""
        return (self.first, self.then)


class CredibilityLink(Frozen):
    """``actor`` counts only ``1 - discount`` of what a package promises it on ``issue``.

    A promise that can be taken back (an oral pledge, a self-declared moratorium) is
    worth less than a verified step. Gains on the issue are discounted; losses count in
    full, since an actor's own concessions are certain.
    """

    kind: Literal["credibility"]
    id: Id
    actor: Id
    issue: Id
    discount: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]


Link = Annotated[TogetherLink | SequenceLink | CredibilityLink, Field(discriminator="kind")]


class Ratifier(Frozen):
    """An actor, or a body inside one, whose consent a deal needs (a two-level game).

    Give either ``actor`` (a scenario actor whose stances it uses: a UN Security Council
    member) or ``positions`` (the body's own stances: a legislature). Its consent is
    needed when a package moves any of ``issues`` (default: every issue it has a stance
    on); it accepts a package that gains it at least ``walk_away`` (0 by default), in the
    units of the winners table.
    """

    id: Id
    name: str = ""
    of: Id | None = None
    """The actor the body belongs to (informative: the US for the US Congress)."""
    actor: Id | None = None
    positions: dict[str, Stance] = Field(default_factory=dict)
    issues: tuple[Id, ...] = ()
    walk_away: Finite = 0.0
    walk_away_sd: NonNegative | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Ratifier:
        if (self.actor is None) == (not self.positions):
            raise ValueError("give exactly one of 'actor' (an actor's stances) and 'positions'")
        return self

    @property
    def label(self) -> str:
        """The name if given, else the id."""
        return self.name or self.id


class IssueOutcome(Frozen):
    """Where an issue really settled, on its scale, and when."""

    value: Finite
    date: Date | None = None
    note: str = ""


class Outcome(Frozen):
    """What really happened: whether a deal was signed, and where each issue settled.

    Recorded after a scenario's inputs were committed, never used to set them.
    """

    deal: bool
    date: Date
    source: str = Field(min_length=1)
    issues: dict[str, IssueOutcome] = Field(default_factory=dict)
    note: str = ""
