"""What actors believe about one another, and what they are told.

A :class:`Belief` states what an observer believes about another actor: its position or
salience on an issue, or its capability. A :class:`Message` is the compact form of "the
sender tells each audience that it stands at P on issue Z": it sets every audience's
belief about the sender. Anything not stated is believed to be the truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from summitry._schema import Finite, Frozen, Id, NonNegative

__all__ = ["Belief", "Message", "belief_arrays"]


class Belief(Frozen):
    """What ``observer`` believes about ``about``.

    ``position`` and ``salience`` need an ``issue``; ``capability`` does not. Position is
    on the issue's scale, salience on the scenario's salience scale.
    """

    observer: Id
    about: Id
    issue: Id | None = None
    position: Finite | None = None
    salience: NonNegative | None = None
    capability: NonNegative | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Belief:
        if self.position is None and self.salience is None and self.capability is None:
            raise ValueError("a belief states at least one of position, salience, capability")
        if self.issue is None and (self.position is not None or self.salience is not None):
            raise ValueError("a belief about a position or salience names its issue")
        return self


class Message(Frozen):
    """``sender`` tells each of ``audience`` that it stands at ``position`` on ``issue``.

    Optionally also how much the issue matters to it (``salience``). Each audience then
    believes it; a later message or belief on the same point replaces an earlier one.
    """

    id: Id
    sender: Id
    audience: tuple[Id, ...] = Field(min_length=1)
    issue: Id
    position: Finite
    salience: NonNegative | None = None

    def as_beliefs(self) -> tuple[Belief, ...]:
        """One belief per audience."""
        return tuple(
            Belief(
                observer=observer,
                about=self.sender,
                issue=self.issue,
                position=self.position,
                salience=self.salience,
            )
            for observer in self.audience
        )


class BeliefChange(Belief):
    """An event's change: a belief formed or revised."""

    kind: Literal["belief"]


class MessageChange(Frozen):
    """An event's change: a message sent (fields as in :class:`Message`, without an id)."""

    kind: Literal["message"]
    sender: Id
    audience: tuple[Id, ...] = Field(min_length=1)
    issue: Id
    position: Finite
    salience: NonNegative | None = None

    def as_beliefs(self) -> tuple[Belief, ...]:
        """One belief per audience."""
        return Message(id="m", **self.model_dump(exclude={"kind"})).as_beliefs()


def belief_arrays(
    beliefs: Iterable[Belief],
    actors: tuple[str, ...],
    issues: tuple[str, ...],
    scale: tuple[np.ndarray, np.ndarray],
    salience_scale: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """``(A, A, I)`` position and salience beliefs on [0, 1] and ``(A, A)`` capability.

    NaN where the observer knows the truth; later beliefs replace earlier ones. None when
    there are no beliefs at all.
    """
    beliefs = list(beliefs)
    if not beliefs:
        return None
    a_index = {a: k for k, a in enumerate(actors)}
    i_index = {i: k for k, i in enumerate(issues)}
    lo, hi = scale
    n_a, n_i = len(actors), len(issues)
    position = np.full((n_a, n_a, n_i), np.nan)
    salience = np.full((n_a, n_a, n_i), np.nan)
    capability = np.full((n_a, n_a), np.nan)
    for b in beliefs:
        o, a = a_index[b.observer], a_index[b.about]
        if b.position is not None:
            i = i_index[b.issue]
            position[o, a, i] = (b.position - lo[i]) / (hi[i] - lo[i])
        if b.salience is not None:
            salience[o, a, i_index[b.issue]] = b.salience / salience_scale
        if b.capability is not None:
            capability[o, a] = b.capability
    return position, salience, capability
