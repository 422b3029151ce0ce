"""The compromise model: the capability x salience weighted mean of the positions.

Source: van den Bos (1991); Achen (2006), "Institutional realism and bargaining models",
in *The European Union Decides*. The best simple baseline in the EU bargaining
literature. See ``docs/models/compromise.md``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.inputs import Inputs
from summitry.models._stats import weighted_mean
from summitry.models.base import Model, closed_form
from summitry.trajectory import Trajectory

__all__ = ["Compromise"]


class Compromise(Model):
    """Outcome on each issue = sum(c * s * x) / sum(c * s) over the actors taking part.

    The model has no parameters and no rounds.
    """

    name: ClassVar[str] = "compromise"
    summary: ClassVar[str] = "capability x salience weighted mean of the positions (baseline)"

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        outcome = weighted_mean(inputs.position, inputs.weight)
        return closed_form(self.name, inputs, outcome)
