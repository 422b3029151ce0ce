"""Deal or no deal: whether any package satisfies every veto player, and the forecast does.

A veto player (an actor holding a veto on any issue) accepts a package ``x`` only if it is
at least as well off as under the status quo, ``U_v(x) >= U_v(sq)``, with the utility of
the Nash model (:mod:`summitry.models.nash`). In each Monte Carlo draw:

- the **acceptable set** holds the packages every veto player accepts; it holds more than
  the status quo exactly when Nash bargaining with the veto players strikes a deal;
- a model's forecast **is a deal** when that set holds more than the status quo, the
  forecast moves some issue away from the status quo, and every veto player accepts it.

P(deal) is the share of draws in which the forecast is a deal. A veto player **blocks**
a draw when it rejects the model's forecast, or, where no package satisfies all veto
players, when the Nash model finds that its veto alone stands in the way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summitry.analysis.winners import utility
from summitry.inputs import Inputs
from summitry.models.nash import NashBargaining

__all__ = ["DealResult", "deal_analysis"]

MOVED = 1e-7
"""An outcome within this of the status quo on every issue (on [0, 1]) changes nothing."""
REJECT = 1e-9
"""A veto player rejects a package that loses it more than this share of its utility range."""


@dataclass(frozen=True, eq=False)
class DealResult:
    """P(deal) and blocking for one model's forecast over a batch.

    Attributes
    ----------
    deal
        ``(S,)`` true where the forecast is a deal.
    possible
        ``(S,)`` true where some package other than the status quo satisfies every veto
        player.
    blocking
        ``(S, A)`` veto players that block the draw (see the module docstring).
    actors
        Actor labels.
    """

    deal: np.ndarray
    possible: np.ndarray
    blocking: np.ndarray
    actors: tuple[str, ...]

    @property
    def p_deal(self) -> float:
        """Share of draws in which the forecast is a deal."""
        return float(np.mean(self.deal))

    def blocking_share(self) -> dict[str, float]:
        """Share of draws each veto player blocks, for the actors that ever do."""
        share = np.mean(self.blocking, axis=0)
        return {a: float(v) for a, v in zip(self.actors, share, strict=True) if v > 0}

    def top_blocker(self) -> str | None:
        """The veto player that blocks most often, or None."""
        share = self.blocking_share()
        return max(share, key=lambda a: (share[a], a)) if share else None


def acceptable_set(inputs: Inputs, *, nash: NashBargaining | None = None):  # noqa: ANN201
    """Solve Nash bargaining once per draw: whether a deal is possible and who blocks."""
    return (nash or NashBargaining()).solve(inputs, blocking=True)


def deal_analysis(
    inputs: Inputs, outcome: np.ndarray, *, nash: NashBargaining | None = None, solution=None
) -> DealResult | None:  # noqa: ANN001
    """P(deal) for a forecast ``outcome`` ``(S, I)`` on [0, 1]; None without a status quo.

    ``solution`` may pass a :class:`~summitry.models.nash.NashSolution` already computed
    for these inputs, so that several models share one solve.
    """
    if np.isnan(inputs.status_quo).any():
        return None
    nash = nash or NashBargaining()
    sol = solution if solution is not None else acceptable_set(inputs, nash=nash)
    sq = np.asarray(inputs.status_quo)
    veto_player = inputs.veto.any(axis=1)[None, :]
    gain = utility(inputs, outcome, nash.utility) - utility(inputs, sq, nash.utility)
    # A loss below 1e-9 of the actor's utility range is rounding, not a rejection: the
    # range is its summed salience, the most it can lose on the [0, 1] scale.
    scale = np.sum(np.where(inputs.present[None], inputs.salience, 0.0), axis=-1)
    rejects = veto_player & (gain < -REJECT * scale)
    moved = np.max(np.abs(outcome - sq), axis=1) > MOVED
    deal = sol.deal & moved & ~rejects.any(axis=1)
    blocking = rejects & moved[:, None]
    if sol.blocking is not None:
        blocking = blocking | (sol.blocking & ~sol.deal[:, None])
    return DealResult(deal=deal, possible=sol.deal, blocking=blocking, actors=inputs.actors)
