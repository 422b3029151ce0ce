"""Winners and losers: each actor's utility change from the status quo to a forecast.

An actor's utility of a package ``x`` (one value per issue, on [0, 1]) is minus its
salience-weighted distance from its ideal points, summed over the issues it takes part in:

    U_i(x) = - sum_k s_ik * |x_k - p_ik|          (``utility="linear"``)
    U_i(x) = - sum_k s_ik * (x_k - p_ik) ** 2     (``utility="quadratic"``)

The change ``U_i(forecast) - U_i(status quo)`` is positive for a winner. Issues without a
status quo cannot be scored and are left out (and named in the result). Distances are on
the normalised scale, so one point of change means the same on every issue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summitry.errors import ParameterError
from summitry.inputs import Inputs

__all__ = ["UTILITIES", "Winners", "utility", "winners"]

UTILITIES = ("linear", "quadratic")


def utility(inputs: Inputs, x: np.ndarray, kind: str = "linear") -> np.ndarray:
    """``(S, A)`` utility of packages ``x`` ``(S, I)`` for every actor, issues where present."""
    if kind not in UTILITIES:
        raise ParameterError(f"utility must be one of {UTILITIES}; got {kind!r}")
    gap = np.abs(x[:, None, :] - inputs.position)
    loss = gap if kind == "linear" else gap**2
    return -np.sum(np.where(inputs.present[None], inputs.salience * loss, 0.0), axis=-1)


@dataclass(frozen=True, eq=False)
class Winners:
    """Utility change per actor and sample for one forecast.

    Attributes
    ----------
    actors
        Actor labels.
    change
        ``(S, A)`` utility at the forecast minus utility at the status quo.
    issues
        The issues scored (those with a status quo).
    """

    actors: tuple[str, ...]
    change: np.ndarray
    issues: tuple[str, ...]

    def summary(
        self, q: tuple[float, float] = (0.05, 0.95)
    ) -> list[tuple[str, float, float, float]]:
        """``(actor, median, low, high)`` ranked from the biggest winner to the biggest loser."""
        med = np.median(self.change, axis=0)
        lo, hi = np.quantile(self.change, q, axis=0)
        rows = [
            (a, float(m), float(low), float(high))
            for a, m, low, high in zip(self.actors, med, lo, hi, strict=True)
        ]
        return sorted(rows, key=lambda r: (-r[1], r[0]))

    def share_winning(self) -> dict[str, float]:
        """Share of samples in which each actor gains (change > 0)."""
        return {
            a: float(v) for a, v in zip(self.actors, np.mean(self.change > 0, axis=0), strict=True)
        }


def winners(inputs: Inputs, outcome: np.ndarray, *, kind: str = "linear") -> Winners:
    """Score a forecast ``outcome`` ``(S, I)`` on [0, 1] against the status quo."""
    scored = ~np.isnan(inputs.status_quo).any(axis=0)
    if not scored.any():
        return Winners(inputs.actors, np.zeros((inputs.n_samples, inputs.n_actors)), ())
    sub = _issues(inputs, scored)
    sq = inputs.status_quo[:, scored]
    change = utility(sub, outcome[:, scored], kind) - utility(sub, sq, kind)
    issues = tuple(i for i, keep in zip(inputs.issues, scored, strict=True) if keep)
    return Winners(inputs.actors, change, issues)


def _issues(inputs: Inputs, keep: np.ndarray) -> Inputs:
    from dataclasses import replace

    return replace(
        inputs,
        issues=tuple(i for i, k in zip(inputs.issues, keep, strict=True) if k),
        position=inputs.position[:, :, keep],
        salience=inputs.salience[:, :, keep],
        status_quo=inputs.status_quo[:, keep],
        veto=inputs.veto[:, keep],
        present=inputs.present[:, keep],
        scale_min=inputs.scale_min[keep],
        scale_max=inputs.scale_max[keep],
    )
