"""Bueno de Mesquita's expected-utility model, as specified by Scholz, Calbert & Smith (2011).

Each issue is bargained on its own. One round:

1. risk exponents from danger levels (every actor's expected exposure to challenges);
2. for every pair, the probability that a challenger wins, from everyone's votes;
3. each actor weighs every other actor's offer (confrontation, compromise,
   capitulation) from its own point of view and accepts the best one;
4. all actors move at once.

The outcome is the capability x salience weighted median of the final positions (or of
the states of a cycle, averaged). Every place where the sources disagree is a parameter;
``docs/models/eum.md`` gives the equations and ``docs/decisions.md`` the reasons.

Inside this module each (sample, issue) pair is a *lane* bargained on its own; lane arrays
are ``(L, A)`` with the actor axis last, and only lanes that are still moving are played.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.inputs import Inputs
from summitry.models._stats import TIE_RULES, weighted_mean, weighted_median
from summitry.models.base import Model, iterate, settle_positions
from summitry.trajectory import Trajectory

__all__ = ["ExpectedUtility"]

_CHUNK = 1 << 22  # elements per temporary in the vote sums (32 MB of float64)


def _is_pos_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


class ExpectedUtility(Model):
    """The expected-utility model (EUM), Scholz et al. (2011) specification by default.

    Parameters
    ----------
    q
        Probability that the status quo holds when no challenge is made (Scholz: 1.0).
    probability
        ``"scholz"``: the votes for i over j divided by the sum of absolute votes over
        every voter and every ordered pair of positions (Scholz's code, followed by the
        public replication). ``"pairwise"``: divided by the absolute votes on i versus j
        only, so that P(i beats j) + P(j beats i) = 1 (Bueno de Mesquita's text).
    offer_choice
        Which compromise an actor accepts when it gets several. ``"scholz"``: the lowest
        value of Scholz's key ``(|EU_ij| x_i + |EU_ji| x_j) / (|EU_ij| + |EU_ji|)`` (his
        code). ``"nearest"``: the one that moves it least (the paper's text and Bueno de
        Mesquita).
    capitulation
        ``"fixed"``: an actor capitulates when ``0 < EU_ji < |EU_ij|`` and ``EU_ij < 0``.
        ``"published"``: the test as printed in the public replication,
        ``EU_ji < |EU_ji|``, which is never true, so no one ever capitulates.
    risk
        ``"scholz"``: risk exponents from danger levels compared across all actors,
        ``r = (1 - R/3) / (1 + R/3)``. ``"neutral"``: every actor keeps ``r = 1``.
    position_range
        Distance normaliser. ``"initial"``: max - min of the initial positions on the issue
        (the replication). ``"scale"``: the issue's declared scale.
    outcome
        Forecast read off the final positions: ``"median"`` (weighted median, Bueno de
        Mesquita's forecast) or ``"mean"`` (capability x salience weighted mean).
    tie
        Tie rule for the weighted median (see :class:`~summitry.models.WeightedMedian`).
    tol
        Positions (on [0, 1]) moving less than this count as settled; also the tolerance
        for recognising a repeated state, and two actors closer than this hold the same
        position (no offers pass between them). ``0`` compares exactly, as the public
        replication does.
    max_rounds
        Round limit.
    """

    name: ClassVar[str] = "eum"
    summary: ClassVar[str] = (
        "expected-utility model (Bueno de Mesquita; Scholz et al. 2011): challenges and offers"
    )
    iterative: ClassVar[bool] = True
    _constraints = {
        "q": (lambda v: isinstance(v, (int, float)) and 0 <= v <= 1, "a number in [0, 1]"),
        "probability": (lambda v: v in ("scholz", "pairwise"), "'scholz' or 'pairwise'"),
        "offer_choice": (lambda v: v in ("scholz", "nearest"), "'scholz' or 'nearest'"),
        "capitulation": (lambda v: v in ("fixed", "published"), "'fixed' or 'published'"),
        "risk": (lambda v: v in ("scholz", "neutral"), "'scholz' or 'neutral'"),
        "position_range": (lambda v: v in ("initial", "scale"), "'initial' or 'scale'"),
        "outcome": (lambda v: v in ("median", "mean"), "'median' or 'mean'"),
        "tie": (lambda v: v in TIE_RULES, f"one of {TIE_RULES}"),
        "tol": (lambda v: isinstance(v, (int, float)) and v >= 0, "a number >= 0"),
        "max_rounds": (_is_pos_int, "an integer >= 1"),
    }

    def __init__(
        self,
        *,
        q: float = 1.0,
        probability: str = "scholz",
        offer_choice: str = "scholz",
        capitulation: str = "fixed",
        risk: str = "scholz",
        position_range: str = "initial",
        outcome: str = "median",
        tie: str = "midpoint",
        tol: float = 1e-9,
        max_rounds: int = 100,
    ):
        self.q = q
        self.probability = probability
        self.offer_choice = offer_choice
        self.capitulation = capitulation
        self.risk = risk
        self.position_range = position_range
        self.outcome = outcome
        self.tie = tie
        self.tol = tol
        self.max_rounds = max_rounds

    # -- the run -----------------------------------------------------------------------

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        # Each (sample, issue) is a "lane" bargained on its own: lane arrays are (L, A).
        c = np.broadcast_to(inputs.capability[:, None, :], inputs.salience.swapaxes(1, 2).shape)
        s = inputs.salience.swapaxes(1, 2)
        present = np.broadcast_to(inputs.present.T[None], s.shape)
        x0 = inputs.position.swapaxes(1, 2)
        lo = np.min(np.where(present, x0, np.inf), axis=-1, keepdims=True)
        if self.position_range == "initial":
            hi = np.max(np.where(present, x0, -np.inf), axis=-1, keepdims=True)
            spread = np.where(hi - lo > 0, hi - lo, 1.0)
        else:
            spread = np.ones_like(lo)

        def step(x: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
            # Only lanes still bargaining are played; settled lanes keep their state.
            lane = np.nonzero(active)
            here = present[lane]
            held = x.swapaxes(1, 2)[lane]
            game = _Game(c=c[lane], s=s[lane], present=here, spread=spread[lane], model=self)
            # An absent actor's placeholder sits at the lowest present position while the
            # round is played, so every distance stays within the range; it is masked out
            # of every sum and choice, and keeps its own placeholder afterwards.
            moved, r_lane = game.round(np.where(here, held, lo[lane]))
            new = x.swapaxes(1, 2).copy()
            new[lane] = np.where(here, moved, held)
            r = np.ones_like(new)
            r[lane] = r_lane
            return new.swapaxes(1, 2), {"risk_exponent": r.swapaxes(1, 2)}

        res = iterate(
            step,
            np.asarray(inputs.position),
            tol=self.tol,
            max_rounds=self.max_rounds,
            rounds=rounds,
            extras0={"risk_exponent": np.ones_like(inputs.position)},
        )
        weight = inputs.weight

        def stat(states: np.ndarray, repeats: int) -> np.ndarray:
            w = np.repeat(weight, repeats, axis=0)
            if self.outcome == "median":
                return weighted_median(states, w, self.tie)
            return weighted_mean(states, w)

        outcome = settle_positions(res.position, res.stop_round, res.cycle_length, stat)
        return Trajectory(
            model=self.name,
            inputs=inputs,
            position=res.position,
            outcome=outcome,
            stop_reason=res.stop_reason,
            stop_round=res.stop_round,
            cycle_length=res.cycle_length,
            extras=res.extras,
        )


class _Game:
    """The bargaining state of a batch of lanes (one issue of one sample each); ``(L, A)``."""

    def __init__(self, *, c, s, present, spread, model: ExpectedUtility):  # noqa: ANN001
        self.c, self.s, self.present, self.spread, self.m = c, s, present, spread, model
        self.w = c * s

    # -- building blocks ---------------------------------------------------------------

    def _distance(self, x: np.ndarray, r: np.ndarray | None) -> np.ndarray:
        """``D[..., k, a] = (|x_k - x_a| / range) ** r_k`` : voter k's loss at position a.

        ``r=None`` stands for every exponent equal to 1 and skips the power (same bits).
        """
        d = np.abs(x[..., :, None] - x[..., None, :]) / self.spread[..., None]
        return d if r is None else d ** r[..., :, None]

    def _win_probability(self, x: np.ndarray, r: np.ndarray | None) -> np.ndarray:
        """``P[..., i, j]``: probability that a challenge by i against j succeeds."""
        dist = self._distance(x, r)
        wk = np.where(self.present, self.w, 0.0)
        n = x.shape[-1]
        batch = int(np.prod(x.shape[:-1]))
        chunk = max(1, _CHUNK // max(1, batch * n * n))
        favour = np.zeros(x.shape + (n,))
        for k0 in range(0, n, chunk):  # bounded memory: votes of a block of voters at a time
            dk = dist[..., k0 : k0 + chunk, :]
            gain = dk[..., :, None, :] - dk[..., :, :, None]  # (.., k, i, j) = D_kj - D_ki
            favour += np.einsum("...k,...kij->...ij", wk[..., k0 : k0 + chunk], np.maximum(gain, 0))
        if self.m.probability == "scholz":
            denom = 2.0 * np.sum(wk * _pair_spread(dist, self.present), axis=-1)
            denom = denom[..., None, None]
        else:
            denom = favour + np.swapaxes(favour, -1, -2)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(denom > 0, favour / denom, 0.0)
        same = _same_position(x, self.m.tol)
        return np.where(same, 0.0, p)

    def _challenge(self, x: np.ndarray, p: np.ndarray, r_view: np.ndarray | float) -> np.ndarray:
        """``EU[..., i, j]``: expected utility of i challenging j, with risk exponent ``r_view``.

        ``r_view`` broadcasts against ``(..., i, j)``; it is the exponent of whoever judges.
        """
        gap = np.abs(x[..., :, None] - x[..., None, :]) / self.spread[..., None]
        if isinstance(r_view, float) and r_view == 1.0:  # skip the powers (same bits)
            u_win, u_lose, u_sq = 2.0 - 4.0 * (0.5 - 0.5 * gap), 2.0 - 4.0 * (0.5 + 0.5 * gap), 0.0
        else:
            u_win = 2.0 - 4.0 * (0.5 - 0.5 * gap) ** r_view
            u_lose = 2.0 - 4.0 * (0.5 + 0.5 * gap) ** r_view
            u_sq = 2.0 - 4.0 * 0.5**r_view
        s_j = self.s[..., None, :]
        return s_j * (p * u_win + (1 - p) * u_lose) + (1 - s_j) * u_win - self.m.q * u_sq

    def _risk_exponents(self, x: np.ndarray) -> np.ndarray:
        """Scholz's risk exponents: danger levels compared across all actors (r = 1 inside)."""
        ones = np.ones_like(x)
        if self.m.risk == "neutral":
            return ones
        p = self._win_probability(x, None)
        eu = self._challenge(x, p, 1.0)  # (.., j, i): j challenges i
        pair = self.present[..., :, None] & self.present[..., None, :]
        off_diag = ~np.eye(x.shape[-1], dtype=bool)
        danger = np.sum(np.where(pair & off_diag, eu, 0.0), axis=-2)  # sum over challengers j
        d_max = np.max(np.where(self.present, danger, -np.inf), axis=-1, keepdims=True)
        d_min = np.min(np.where(self.present, danger, np.inf), axis=-1, keepdims=True)
        span = d_max - d_min
        with np.errstate(divide="ignore", invalid="ignore"):
            big_r = np.where(span > 0, (2 * danger - d_max - d_min) / span, 0.0)
        big_r = np.where(self.present, big_r, 0.0)
        return (1 - big_r / 3) / (1 + big_r / 3)

    # -- one round ---------------------------------------------------------------------

    def round(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Play one round from positions ``x``; return new positions and the r used."""
        r = self._risk_exponents(x)
        p = self._win_probability(x, r)
        r_i = r[..., :, None]  # receiver i judges with its own exponent
        eu_ij = self._challenge(x, p, r_i)  # i challenges j
        eu_ji = np.swapaxes(self._challenge(x, p, r[..., None, :]), -1, -2)  # j challenges i
        xi, xj = x[..., :, None], x[..., None, :]
        valid = (
            self.present[..., :, None] & self.present[..., None, :] & ~_same_position(x, self.m.tol)
        )
        confront = valid & (eu_ji > eu_ij) & (eu_ij > 0)
        yields = valid & (eu_ji > 0) & (eu_ij < 0)
        compromise = yields & (eu_ji > np.abs(eu_ij))
        if self.m.capitulation == "fixed":
            capitulate = yields & (eu_ji < np.abs(eu_ij))
        else:
            capitulate = np.zeros_like(yields)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.abs(eu_ij / eu_ji)
            comp_pos = xi + (xj - xi) * ratio
            if self.m.offer_choice == "scholz":
                a, b = np.abs(eu_ij), np.abs(eu_ji)
                comp_key = (a * xi + b * xj) / (a + b)
            else:
                comp_key = np.abs(comp_pos - xi)
        move = np.abs(xj - xi)
        new = x.copy()
        settled = np.zeros(x.shape, dtype=bool)
        for kind, key, target in (
            (confront, move, np.broadcast_to(xj, eu_ij.shape)),
            (compromise, comp_key, comp_pos),
            (capitulate, move, np.broadcast_to(xj, eu_ij.shape)),
        ):
            has = kind.any(axis=-1) & ~settled
            best = _argmin_lowest(np.where(kind, key, np.inf), target)
            pick = np.take_along_axis(target, best[..., None], axis=-1)[..., 0]
            new = np.where(has, pick, new)
            settled |= has
        return new, r


def _same_position(x: np.ndarray, tol: float) -> np.ndarray:
    """``[..., i, j]`` true where i and j hold the same position, to within ``tol``.

    An actor that compromises almost all the way to another lands a rounding error away
    from it; the expected utilities between two such actors are rounding noise, so they
    are treated as holding one position (no offer between them, no chance of winning a
    challenge). ``tol=0`` compares exactly, as the public replication does.
    """
    return np.abs(x[..., :, None] - x[..., None, :]) <= tol


def _argmin_lowest(key: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Index of the smallest key on the last axis; among exact ties, the lowest target.

    Breaking ties by the resulting position, not by list order, keeps the forecast
    independent of how the actors are ordered in the file.
    """
    best = np.min(key, axis=-1, keepdims=True)
    tied = key == best
    return np.argmin(np.where(tied, target, np.inf), axis=-1)


def _pair_spread(dist: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``sum_{a<b} |D[k, a] - D[k, b]|`` over present a, b, for every voter k.

    Sorting each voter's losses gives the sum in O(A log A) per voter instead of O(A^2):
    for sorted values v_0 <= ... <= v_{n-1}, sum_{a<b} (v_b - v_a) = sum_m v_m (2m - n + 1).
    """
    v = np.where(present[..., None, :], dist, np.inf)
    v = np.sort(v, axis=-1)
    n = np.sum(present, axis=-1)[..., None, None]
    m = np.arange(v.shape[-1])
    coef = 2 * m - n + 1
    return np.sum(np.where(np.isfinite(v), v * coef, 0.0), axis=-1)
