"""Miscalculation: how far each actor's own forecast is from what its beliefs lead to.

An actor forecasts from what it believes: it runs the model on the inputs as it sees
them (its beliefs taken as the truth, and everyone else assumed to see the same). The
forecast itself is the model run on the true inputs, with every actor deciding on its
own beliefs. Their difference, per issue, is the actor's miscalculation; its single
score is the mean absolute difference over issues, weighted by the actor's own true
salience, in points of a 0-100 scale. Where every belief is the truth the two runs are
the same and every score is zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summitry.inputs import Inputs
from summitry.models.base import Model

__all__ = ["Miscalculation", "miscalculation"]


@dataclass(frozen=True)
class Miscalculation:
    """Each actor's own forecast against the forecast, for one model.

    Attributes
    ----------
    actors, issues
        Labels.
    own
        ``(A, S, I)`` each actor's own forecast, on each issue's scale.
    actual
        ``(S, I)`` the forecast, on each issue's scale.
    score
        ``(A, S)`` salience-weighted mean of ``|own - actual|`` over issues, in points
        of a 0-100 scale.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    own: np.ndarray
    actual: np.ndarray
    score: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """``(A, S, I)`` own forecast minus the forecast, on each issue's scale."""
        return self.own - self.actual[None]

    def summary(self, q: Sequence[float] = (0.05, 0.95)) -> list[tuple[str, float, float, float]]:
        """``(actor, median score, low, high)`` ranked by median score, largest first."""
        med = np.median(self.score, axis=1)
        lo, hi = np.quantile(self.score, q, axis=1)
        order = sorted(range(len(self.actors)), key=lambda a: (-med[a], self.actors[a]))
        return [(self.actors[a], float(med[a]), float(lo[a]), float(hi[a])) for a in order]


def miscalculation(
    model: Model, inputs: Inputs, actual: np.ndarray, *, rng: int = 0, rounds: int | None = None
) -> Miscalculation:
    """Each actor's miscalculation under ``model``.

    ``actual`` is the model's ``(S, I)`` outcome on ``inputs`` (on [0, 1]). Actors whose
    beliefs are all the truth share one run.
    """
    n_a = inputs.n_actors
    blind = model.run(inputs.without_beliefs(), rng=rng, rounds=rounds).outcome
    own = np.empty((n_a,) + actual.shape)
    for o in range(n_a):
        if inputs.knows_truth(o):
            own[o] = blind
        else:
            own[o] = model.run(inputs.perceived_by(o), rng=rng, rounds=rounds).outcome
    gap = np.abs(own - actual[None])  # on [0, 1]
    s = np.moveaxis(inputs.salience, 1, 0)  # (A, S, I): each actor's own salience
    total = s.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(total > 0, 100 * (s * gap).sum(axis=-1) / total, 0.0)
    return Miscalculation(
        actors=inputs.actors,
        issues=inputs.issues,
        own=inputs.to_scale(own),
        actual=inputs.to_scale(actual),
        score=score,
    )
