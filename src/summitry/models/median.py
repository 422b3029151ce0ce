"""The weighted median model: the pairwise (Condorcet) winner among the actors' positions.

Source: Black (1948), "On the rationale of group decision-making"; used as the median
voter forecast by Bueno de Mesquita (1980s). Each actor casts ``capability x salience``
votes for the nearer of two positions; on one issue the position that beats every other
is the weighted median. See ``docs/models/median.md``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.inputs import Inputs
from summitry.models._stats import TIE_RULES, weighted_median
from summitry.models.base import Model, closed_form
from summitry.trajectory import Trajectory

__all__ = ["WeightedMedian"]


class WeightedMedian(Model):
    """Outcome on each issue = the weighted median position, votes ``c * s``.

    Parameters
    ----------
    tie
        When the votes split exactly in half between two positions, neither is a strict
        Condorcet winner: ``"midpoint"`` (default) takes their mean, ``"low"`` and
        ``"high"`` the lower or higher of the two.
    """

    name: ClassVar[str] = "median"
    summary: ClassVar[str] = "weighted median: pairwise Condorcet winner among positions, votes c*s"
    _constraints = {"tie": (lambda v: v in TIE_RULES, f"one of {TIE_RULES}")}

    def __init__(self, *, tie: str = "midpoint"):
        self.tie = tie

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        outcome = weighted_median(inputs.position, inputs.weight, self.tie)
        return closed_form(self.name, inputs, outcome)
