"""Nash bargaining with veto players: the weighted Nash product over the acceptable packages.

Sources: Nash (1950), "The bargaining problem", *Econometrica* 18(2); the asymmetric
(weighted) solution of Kalai (1977) and Roth (1979); Achen (2006), "Institutional realism
and bargaining models", in *The European Union Decides*, with the status quo as the
disagreement point. See ``docs/models/nash.md`` and ``docs/decisions.md``.

The outcome ``x`` (one value per issue) maximises ``sum_i w_i log(U_i(x) - d_i)`` where
``U_i`` is actor i's salience-weighted utility summed over issues and ``d_i`` its
disagreement utility: the status quo for a veto player, its worst outcome in the
bargaining range for an actor without a veto. A veto player only accepts packages that
leave it at least as well off as the status quo; when no package other than the status
quo is acceptable to all of them, there is no deal and the status quo stands.

The problem is concave. It is solved for every sample at once by damped Newton steps on
a path that relaxes the veto players' disagreement point by ``t`` times their utility
range and lets ``t`` fall to 1e-12, each stage warm-started from the last; arrays are laid
out ``(S, A, I)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from summitry.errors import ScenarioError
from summitry.inputs import Inputs
from summitry.models.base import Model, closed_form
from summitry.trajectory import Trajectory

__all__ = ["NashBargaining", "NashSolution"]

_PATH = 10.0 ** -np.arange(3, 13, 3)
"""Relaxations ``t`` of the veto players' disagreement point, warm-started in turn."""
_PATH_LINEAR = 10.0 ** -np.arange(1, 13)
"""The same for the linear loss, whose smoothing follows ``t`` down to ``_SMOOTH_MIN``."""
_SMOOTH, _SMOOTH_MIN = 1.0, 1e-9
_STEP = 1e-11
"""On the last stage, a sample's Newton iterations stop when no issue moves more than this."""
_STEP_PATH = 1e-9
"""The same on the earlier stages of the path."""
_STALL = 1e-8
"""A step below this that promises no rise above rounding also ends a sample's iterations."""
_MAX_NEWTON = 60
_SAME = 1e-12
"""Closer than this counts as equal: an issue whose bargaining range is narrower stays at the
status quo; a veto player this close to it on every issue it cares about blocks them all."""


@dataclass(frozen=True, eq=False)
class NashSolution:
    """What :meth:`NashBargaining.solve` returns for a batch.

    Attributes
    ----------
    outcome
        ``(S, I)`` on ``[0, 1]``; exactly the status quo where there is no deal.
    deal
        ``(S,)`` true where the outcome moves some issue by more than ``tol`` from the status
        quo and leaves some actor better off than under it.
    gain
        ``(S, A)`` each actor's utility at the outcome minus its utility at the status quo.
    binding
        ``(S, A)`` veto players with a stake that gain nothing: no acceptable package would
        leave them better off, so their acceptance holds the outcome where it is. Where
        there is no deal, every veto player with a stake.
    blocking
        ``(S, A)`` veto players without whose veto a sample with no deal would have one;
        all false where there is a deal. ``None`` when not computed.
    converged
        ``(S,)`` false where Newton's method stopped short on some stage of the path (the
        iteration limit, or no acceptable step); the outcome is then less precise.
    """

    outcome: np.ndarray
    deal: np.ndarray
    gain: np.ndarray
    binding: np.ndarray
    blocking: np.ndarray | None
    converged: np.ndarray


@dataclass(frozen=True)
class _Batch:
    """One bargaining problem per sample; ``veto`` is ``(S, A)``: whose acceptance is needed."""

    p: np.ndarray  # (S, A, I) positions
    s: np.ndarray  # (S, A, I) salience, zero where absent
    w: np.ndarray  # (S, A) bargaining weight
    veto: np.ndarray  # (S, A)
    sq: np.ndarray  # (S, I)
    lo: np.ndarray  # (S, I) bargaining range: positions of present actors and status quo
    hi: np.ndarray  # (S, I)

    def take(self, rows: np.ndarray) -> _Batch:
        return _Batch(*(getattr(self, k)[rows] for k in self.__dataclass_fields__))


class NashBargaining(Model):
    """Weighted Nash bargaining over multi-issue packages, with veto players.

    Parameters
    ----------
    utility
        Loss in distance on each issue. ``"quadratic"`` (default): ``U_i(x) = -sum_k s_ik
        (x_k - p_ik)**2``, risk-averse and smooth; the outcome is unique, and on each issue
        a weighted mean of the positions, like the compromise model's.
        ``"linear"``: ``-sum_k s_ik |x_k - p_ik|``, risk-neutral as in spatial voting
        models; on several issues the outcome may then not be unique (the solver returns
        the limit of a smoothed problem).
    fallback
        Disagreement utility of an actor without a veto. ``"range"`` (default): its worst
        utility over the bargaining range (each issue from the lowest to the highest of
        the positions and the status quo), since it cannot hold on to the status quo.
        ``"status_quo"``: the status quo, as in Nash (1950); every actor must then gain,
        which makes everyone a veto player (unanimity).
    weight
        Bargaining weight ``w_i`` (exponent in the Nash product). Salience inside ``U_i``
        sets only the trade-off between issues, since rescaling an actor's utility leaves
        the Nash outcome unchanged; its level enters here. ``"total"`` (default):
        ``c_i * sum_k s_ik``, which on one issue gives the compromise model's weights
        ``c * s``. ``"mean"``: ``c_i`` times the mean salience over the issues ``i`` takes
        part in. ``"capability"``: ``c_i`` alone.
    tol
        On ``[0, 1]``: an outcome within ``tol`` of the status quo on every issue is no
        deal, and the status quo stands.
    """

    name: ClassVar[str] = "nash"
    needs_status_quo: ClassVar[bool] = True
    summary: ClassVar[str] = (
        "weighted Nash bargaining over packages; veto players accept only gains (Nash 1950)"
    )
    _constraints = {
        "utility": (lambda v: v in ("quadratic", "linear"), "'quadratic' or 'linear'"),
        "fallback": (lambda v: v in ("range", "status_quo"), "'range' or 'status_quo'"),
        "weight": (
            lambda v: v in ("total", "mean", "capability"),
            "'total', 'mean' or 'capability'",
        ),
        "tol": (lambda v: isinstance(v, (int, float)) and 0 < v < 0.01, "a number in (0, 0.01)"),
    }

    def __init__(
        self,
        *,
        utility: str = "quadratic",
        fallback: str = "range",
        weight: str = "total",
        tol: float = 1e-7,
    ):
        self.utility = utility
        self.fallback = fallback
        self.weight = weight
        self.tol = tol

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        return closed_form(self.name, inputs, self.solve(inputs, blocking=False).outcome)

    def solve(self, inputs: Inputs, *, blocking: bool = True) -> NashSolution:
        """Solve every sample; with ``blocking``, also find who blocks where no deal is struck.

        Raises
        ------
        ScenarioError
            When an issue has no status quo in some sample: there is no disagreement point.
        """
        self._validate_params()
        missing = np.isnan(inputs.status_quo).any(axis=0)
        if missing.any():
            issue = inputs.issues[int(np.argmax(missing))]
            raise ScenarioError(
                f"issue '{issue}' has no status_quo; the Nash model needs one",
                location=f"issues.{issue}.status_quo",
            )
        batch = self._batch(inputs)
        x, converged, held = _bargain(batch, self.utility)
        deal = _is_deal(batch, x, self.utility, self.tol)
        x = np.where(deal[:, None], x, batch.sq)
        gain = _gain(batch.p, batch.s, batch.sq, x, self.utility)
        binding = batch.veto & _stake(batch) & (held | (gain == 0) | ~deal[:, None])
        found = self._blocking(batch, deal) if blocking else None
        return NashSolution(x, deal, gain, binding, found, converged)

    def _batch(self, inputs: Inputs) -> _Batch:
        s = np.where(inputs.present, inputs.salience, 0.0)
        present = np.broadcast_to(inputs.present, s.shape)
        p = np.asarray(inputs.position)
        sq = np.asarray(inputs.status_quo)
        lo = np.minimum(sq, np.min(np.where(present, p, np.inf), axis=1))
        hi = np.maximum(sq, np.max(np.where(present, p, -np.inf), axis=1))
        if self.weight == "total":
            w = inputs.capability * s.sum(axis=2)
        elif self.weight == "mean":
            n = np.maximum(inputs.present.sum(axis=1), 1)
            w = inputs.capability * s.sum(axis=2) / n
        else:
            w = np.array(inputs.capability, dtype=float)
        veto = inputs.veto.any(axis=1) if self.fallback == "range" else np.ones(s.shape[1], bool)
        veto = np.broadcast_to(veto, w.shape)
        return _Batch(p=p, s=s, w=w, veto=veto, sq=sq, lo=lo, hi=hi)

    def _blocking(self, batch: _Batch, deal: np.ndarray) -> np.ndarray:
        """Solve each sample without a deal once per veto player, with that veto lifted."""
        out = np.zeros(batch.w.shape, dtype=bool)
        rows = np.flatnonzero(~deal)
        who = np.flatnonzero(batch.veto[rows].any(axis=0))
        if rows.size == 0 or who.size == 0:
            return out
        sub = batch.take(np.repeat(rows, who.size))
        veto = np.array(sub.veto)
        veto[np.arange(veto.shape[0]), np.tile(who, rows.size)] = False
        sub = _Batch(sub.p, sub.s, sub.w, veto, sub.sq, sub.lo, sub.hi)
        freed = _is_deal(sub, _bargain(sub, self.utility)[0], self.utility, self.tol)
        out[np.ix_(rows, who)] = freed.reshape(rows.size, who.size) & batch.veto[np.ix_(rows, who)]
        return out


# -- utilities -----------------------------------------------------------------------------


def _loss(d: np.ndarray, utility: str, e: float = 0.0) -> tuple[np.ndarray, ...]:
    """Loss at signed distance ``d`` and its first two derivatives.

    The linear loss is smoothed to ``sqrt(d**2 + e**2) - e`` while the solver runs; ``e = 0``
    gives ``|d|`` exactly.
    """
    if utility == "quadratic":
        return d * d, 2.0 * d, np.broadcast_to(2.0, d.shape)
    r = np.sqrt(d * d + e * e)
    with np.errstate(divide="ignore", invalid="ignore"):
        return r - e, np.where(r > 0, d / r, 0.0), np.where(r > 0, e * e / r**3, 0.0)


def _gain(
    p: np.ndarray, s: np.ndarray, sq: np.ndarray, x: np.ndarray, utility: str, e: float = 0.0
) -> np.ndarray:
    """``(S, A)`` utility at ``x`` minus utility at ``sq``, without cancellation near ``sq``.

    ``loss(x - p) - loss(sq - p)`` is written as ``(x - sq)(x + sq - 2p)`` over ``1`` or
    over ``r(x) + r(sq)``, so that tiny gains keep their relative precision.
    """
    a, b = x[:, None, :] - p, sq[:, None, :] - p
    rise = (x - sq)[:, None, :] * (a + b)
    if utility == "linear":
        with np.errstate(divide="ignore", invalid="ignore"):
            both = np.sqrt(a * a + e * e) + np.sqrt(b * b + e * e)
            rise = np.where(both > 0, rise / both, 0.0)
    return -np.sum(s * rise, axis=2)


def _worst(b: _Batch, utility: str, e: float = 0.0) -> np.ndarray:
    """``(S, A)`` each actor's lowest utility over the bargaining range (at its corners)."""
    low, high = (_loss(end[:, None, :] - b.p, utility, e)[0] for end in (b.lo, b.hi))
    return -np.sum(b.s * np.maximum(low, high), axis=2)


def _is_deal(b: _Batch, x: np.ndarray, utility: str, tol: float) -> np.ndarray:
    """``(S,)`` whether ``x`` moves some issue by more than ``tol`` and someone gains by it.

    An outcome that moves without making any bargainer better off than the status quo
    (by more than 1e-9 of its utility range) can only be rounding, or the smoothing of the
    linear loss meeting exact indifference; the status quo then stands.
    """
    moved = np.max(np.abs(x - b.sq), axis=1) > tol
    gains = _gain(b.p, b.s, b.sq, x, utility) > 1e-9 * -_worst(b, utility)
    return moved & np.any(gains & _stake(b) & (b.w > 0), axis=1)


def _stake(b: _Batch, free: np.ndarray | None = None) -> np.ndarray:
    """``(S, A)`` actors whose utility varies over the (free part of the) bargaining range."""
    width = (b.hi - b.lo) * (1.0 if free is None else free)
    return np.sum(b.s * width[:, None, :], axis=2) > 0


def _blocked_issues(b: _Batch, frozen: np.ndarray) -> np.ndarray:
    """Add the issues held at the status quo by veto players who cannot gain at all.

    A veto player at the status quo on every free issue it cares about loses from any
    change on them, so none can happen; freezing them may leave another veto player in
    the same position, hence the repetition (at most once per actor, usually once).
    """
    at_sq = np.abs(b.p - b.sq[:, None, :]) <= _SAME
    for _ in range(b.p.shape[1]):
        cares = (b.s > 0) & ~frozen[:, None, :]
        stuck = b.veto & cares.any(axis=2) & np.all(at_sq | ~cares, axis=2)
        new = np.any(stuck[:, :, None] & cares, axis=1) & ~frozen
        if not new.any():
            break
        frozen = frozen | new
    return frozen


# -- the solver ----------------------------------------------------------------------------


def _bargain(b: _Batch, utility: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise the weighted Nash product in every sample.

    Returns the outcome ``(S, I)``, convergence ``(S,)`` and the veto players held at the
    edge of their acceptable set ``(S, A)``: those whose margin ``gain + cushion`` shrank
    with the cushion over the last stage (or is within ten cushions of nothing), as it
    does only for a player who cannot gain.
    """
    width = b.hi - b.lo
    player = _stake(b) & (b.w > 0)
    dead = (width <= _SAME) | ~np.any((b.s > 0) & player[:, :, None], axis=1)
    free = ~_blocked_issues(b, dead)
    player = _stake(b, free) & (b.w > 0)
    guard = _stake(b, free) & b.veto
    total = np.sum(np.where(player, b.w, 0.0), axis=1, keepdims=True)
    free &= total > 0
    spread = -_worst(b, utility)  # each actor's utility range: best is 0, at its position
    x = np.where(free, 0.5 * (b.lo + b.hi), b.sq)
    converged = np.ones(x.shape[0], dtype=bool)
    margin = cushion_last = np.ones(b.w.shape)
    path = _PATH if utility == "quadratic" else _PATH_LINEAR
    for t in path:
        e = max(_SMOOTH * t, _SMOOTH_MIN) if utility == "linear" else 0.0
        loss, slope, _ = _loss(b.sq[:, None, :] - b.p, utility, e)
        # a veto player's margin never drops below what a few rounding steps of x change
        relaxed = t * spread + 1e-15 * np.sum(b.s * np.abs(slope), axis=2)
        cushion = np.where(b.veto, relaxed, -np.sum(b.s * loss, axis=2) - _worst(b, utility, e))
        omega = np.where(player, b.w, 0.0) + np.where(guard, t * total, 0.0)
        x = _pull_back(b, x, guard, cushion, utility, e)
        s = np.where(omega[:, :, None] > 0, b.s, 0.0)
        problem = _Stage(b.p, s, b.sq, free, cushion, omega, utility, e)
        x, ok = _newton(problem, x, _STEP if t == path[-1] else _STEP_PATH)
        converged &= ok
        margin, last = _gain(b.p, b.s, b.sq, x, utility, e) + cushion, margin
        shrink, cushion_last = cushion / np.where(guard, cushion_last, 1.0), cushion
    held = guard & ((margin <= np.sqrt(shrink) * last) | (margin <= 10 * cushion))
    return np.clip(x, b.lo, b.hi), converged, held


def _pull_back(
    b: _Batch, x: np.ndarray, guard: np.ndarray, cushion: np.ndarray, utility: str, e: float
) -> np.ndarray:
    """Move ``x`` towards the status quo until every veto player keeps half its cushion.

    The last stage's outcome may leave a veto player short of the new, smaller cushion.
    Since every gain is concave and zero at the status quo, shrinking ``x - sq`` by
    ``theta`` keeps at least ``theta`` times each gain. The issues of the players who fall
    short are shrunk first; where that is not enough, all issues are.
    """
    short = np.where(guard, -_gain(b.p, b.s, b.sq, x, utility, e), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(short > 0, np.minimum(1.0, 0.5 * cushion / short), 1.0)
    theta = np.min(np.where(b.s > 0, room[:, :, None], 1.0), axis=1)  # (S, I)
    part = b.sq + theta * (x - b.sq)
    fits = np.all(~guard | (_gain(b.p, b.s, b.sq, part, utility, e) + cushion > 0), axis=1)
    whole = b.sq + np.min(room, axis=1)[:, None] * (x - b.sq)
    return np.where(fits[:, None], part, whole)


@dataclass(frozen=True)
class _Stage:
    """One stage of the path: maximise ``sum_i omega_i log(U_i(x) - d_i)`` in each sample."""

    p: np.ndarray  # (S, A, I)
    s: np.ndarray  # (S, A, I), zero for actors outside the objective
    sq: np.ndarray  # (S, I)
    free: np.ndarray  # (S, I) issues that may move
    cushion: np.ndarray  # (S, A) h_i = gain_i + cushion_i
    omega: np.ndarray  # (S, A)
    utility: str
    e: float

    def take(self, rows: np.ndarray) -> _Stage:
        arrays = (self.p, self.s, self.sq, self.free, self.cushion, self.omega)
        return _Stage(*(a[rows] for a in arrays), self.utility, self.e)

    def _log(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Objective (``-inf`` outside the domain), ``omega / h`` and ``omega / h**2``."""
        h = _gain(self.p, self.s, self.sq, x, self.utility, self.e) + self.cushion
        on = self.omega > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.sum(np.where(on, self.omega * np.log(h), 0.0), axis=1)
            coef = np.where(on, self.omega / h, 0.0)
        f = np.where(np.all((h > 0) | ~on, axis=1), f, -np.inf)
        return f, coef, np.where(on, coef / np.where(on, h, 1.0), 0.0)

    def value(self, x: np.ndarray) -> np.ndarray:
        return self._log(x)[0]

    def direction(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Newton step (frozen issues stay put), the gradient and the objective."""
        f, coef, curv = self._log(x)
        _, d1, d2 = _loss(x[:, None, :] - self.p, self.utility, self.e)
        g = -self.s * d1  # (S, A, I): gradient of each utility
        grad = np.where(self.free, np.einsum("sa,sai->si", coef, g), 0.0)
        eye = np.eye(x.shape[1], dtype=bool)
        diag = -np.einsum("sa,sai->si", coef, self.s * d2)
        hess = np.where(eye, diag[:, :, None], 0.0)
        hess -= np.matmul(np.swapaxes(g, 1, 2), curv[:, :, None] * g)
        hess = np.where(self.free[:, :, None] & self.free[:, None, :], hess, np.where(eye, -1.0, 0))
        ridge = np.where(eye, 1e-14 * np.abs(hess), 0.0)  # issues differ in scale by far
        step = np.linalg.solve(hess - ridge, -grad[:, :, None])[:, :, 0]
        return np.where(self.free, step, 0.0), grad, f


def _newton(problem: _Stage, x: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Damped Newton ascent on one stage of the path, on the samples still moving.

    A sample stops when its full Newton step moves no issue by more than ``tol``, or by
    less than ``_STALL`` while the rise it promises is below the objective's rounding; it
    has failed when the line search finds no acceptable step before that.
    """
    x = np.array(x)
    active = np.ones(x.shape[0], dtype=bool)
    failed = np.zeros(x.shape[0], dtype=bool)
    for _ in range(_MAX_NEWTON):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        sub, xs = problem.take(rows), x[rows]
        step, grad, f0 = sub.direction(xs)
        step[np.abs(step) <= 64 * np.spacing(np.maximum(np.abs(xs), 1e-3))] = 0.0  # rounding
        slope = np.sum(grad * step, axis=1)
        size = np.max(np.abs(step), axis=1)
        step /= np.maximum(1.0, size)[:, None]  # never more than the whole scale
        slope /= np.maximum(1.0, size)
        slack = 1e-13 * (np.abs(f0) + sub.omega.sum(axis=1))
        alpha = np.ones(rows.size)
        todo = size > tol
        for _ in range(60):  # backtracking: stay in the domain and rise enough
            t = np.flatnonzero(todo)
            trial = xs[t] + alpha[t, None] * step[t]
            ok = sub.take(t).value(trial) >= f0[t] + 1e-4 * alpha[t] * slope[t] - slack[t]
            xs[t[ok]] = trial[ok]
            todo[t[ok]] = False
            if not todo.any():
                break
            alpha[t[~ok]] *= 0.5
        x[rows] = xs
        stalled = (size <= _STALL) & (slope <= slack)  # no gain left above rounding
        failed[rows] = todo & ~stalled
        active[rows] = (size > tol) & ~todo & ~stalled
    return x, ~active & ~failed
