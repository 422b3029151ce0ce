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

Each (sample, issue) pair is a *lane* bargained on its own; only lanes still moving are
played, by the compiled round in :mod:`summitry.models._eum_round`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.history import Rounds, to_lanes
from summitry.inputs import Inputs
from summitry.models._kernels import kernels
from summitry.models._parallel import COMPILED
from summitry.models._stats import TIE_RULES, weighted_mean, weighted_median
from summitry.models.base import TRACE, Model, count, iterate, settle_positions
from summitry.trajectory import Trajectory

__all__ = ["STOP_RULES", "ExpectedUtility"]

STOP_RULES = ("cycle", "eps", "median")
"""The stopping rules of :class:`ExpectedUtility` (``stop``)."""


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
    stop
        When a (sample, issue) stops bargaining. ``"cycle"``: when no position moves by
        more than ``tol``, when a state comes back (the forecast is then the mean over the
        cycle), or at ``max_rounds``. ``"eps"``: in the first round in which no position
        moves by more than ``eps``, or at ``max_rounds``. ``"median"``: once the forecast
        (``outcome``) has moved by less than ``eps`` in each of the last ``patience``
        rounds, or at ``max_rounds``; the rule of the schelling program, which stops at
        ``eps=0.5``, ``patience=2`` and ``max_rounds=20``. Neither of the last two looks
        for cycles.
    eps
        Threshold of ``stop="eps"`` and ``stop="median"``, on each issue's own scale.
    patience
        Consecutive calm rounds ``stop="median"`` waits for.
    keep
        ``"all"``: every round of the positions and of the risk exponents is kept, for
        traces. ``"final"``: the positions of every round (for cycles and charts) but
        only the final risk exponents, so the trajectory has no ``risk_exponent`` extra;
        half the memory on large batches, and the same numbers. :func:`summitry.forecast`
        uses it from 1,000 samples on.
    trace
        With ``stop="eps"`` or ``"median"`` (no cycles to look for), store every round
        for the first ``trace`` samples (at least 1) only and the final state of the
        others; ``None`` (default) stores every sample's rounds. :func:`summitry.forecast`
        sets it to its 500 analysis draws from 1,000 samples on. The same numbers either
        way.
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
        "max_rounds": count(1),
        "stop": (lambda v: v in STOP_RULES, "'cycle', 'eps' or 'median'"),
        "eps": (
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
            "a number >= 0",
        ),
        "patience": count(1),
        "keep": (lambda v: v in ("all", "final"), "'all' or 'final'"),
        "trace": TRACE,
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
        stop: str = "cycle",
        eps: float = 0.5,
        patience: int = 2,
        keep: str = "all",
        trace: int | None = None,
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
        self.stop = stop
        self.eps = eps
        self.patience = patience
        self.keep = keep
        self.trace = trace

    # -- the run -----------------------------------------------------------------------

    def _view(self, inputs: Inputs, x0: np.ndarray, present: np.ndarray) -> dict[str, np.ndarray]:
        """Lane arrays of the game as ``inputs`` describe it.

        ``offset`` is how far these inputs place each actor from its true starting
        position: an observer who believes an actor stands elsewhere keeps that error
        as the actor moves.
        """
        seen = to_lanes(inputs.position)
        s = to_lanes(inputs.salience)
        wk = np.where(present, np.repeat(inputs.capability, inputs.n_issues, axis=0) * s, 0.0)
        lo = np.min(np.where(present, seen, np.inf), axis=-1)
        if self.position_range == "initial":
            hi = np.max(np.where(present, seen, -np.inf), axis=-1)
            spread = np.where(hi - lo > 0, hi - lo, 1.0)
        else:
            spread = np.ones_like(lo)
        return {"offset": seen - x0, "s": s, "wk": wk, "lo": lo, "spread": spread}

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        # Lane l = sample * I + issue; lane arrays are (L, A). The first view is the truth;
        # each actor with beliefs of its own adds the view it decides from.
        x0 = to_lanes(inputs.position)
        present = np.tile(inputs.present.T, (inputs.n_samples, 1))
        observers = [o for o in range(inputs.n_actors) if not inputs.knows_truth(o)]
        play_round = kernels("eum", *inputs.position.shape).play_round
        views = [self._view(inputs, x0, present)]
        views += [self._view(inputs.perceived_by(o), x0, present) for o in observers]
        switches = (
            float(self.q),
            self.probability == "pairwise",
            self.offer_choice == "nearest",
            self.capitulation == "fixed",
            self.risk == "scholz",
            float(self.tol),
        )

        scratch: dict = {}  # work space of lanes of many actors, kept from round to round

        def step(x: np.ndarray, lanes: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
            # Each view is played in a call of its own, so that no stack of every view's
            # lanes is built. An absent actor's placeholder sits at the lowest present
            # position while the round is played, so every distance stays within the
            # range; it is masked out of every sum and choice, and keeps its own
            # placeholder afterwards.
            n, here = lanes.size, present[lanes]
            new = r = x
            for v, o in zip(views, [-1, *observers], strict=True):  # -1: the truth, all move
                seen = np.clip(x + v["offset"][lanes], 0.0, 1.0)
                play = np.where(here, seen, v["lo"][lanes][:, None])
                with COMPILED:
                    moved, risk = play_round(
                        play, v["wk"][lanes], v["s"][lanes], here, v["spread"][lanes],
                        *switches, np.full(n, o, dtype=np.int64), scratch,
                    )  # fmt: skip
                if o < 0:
                    new, r = moved, risk
                else:  # each observer decides in its own view
                    new[:, o], r[:, o] = moved[:, o], risk[:, o]
            return np.where(here, new, x), {"risk_exponent": r}

        weight = inputs.weight

        def stat(states: np.ndarray, sample: np.ndarray, issue: np.ndarray) -> np.ndarray:
            w = weight[sample, :, issue][..., None]
            if self.outcome == "median":
                return weighted_median(states[..., None], w, self.tie)[:, 0]
            return weighted_mean(states[..., None], w)[:, 0]

        n_i = inputs.n_issues
        width = np.asarray(inputs.scale_max - inputs.scale_min, dtype=float)
        keep = None if self.keep == "all" or rounds is not None else ("position",)
        res = iterate(
            step,
            np.asarray(inputs.position),
            tol=self.tol,
            max_rounds=self.max_rounds,
            rounds=rounds,
            extras0={"risk_exponent": np.ones_like(inputs.position)},
            stop=self.stop,
            eps=np.tile(float(self.eps) / width, inputs.n_samples),
            patience=self.patience,
            watch=lambda x, lanes: stat(x, lanes // n_i, lanes % n_i),
            keep=keep,
            trace=self.trace,
        )

        outcome = settle_positions(res, stat)
        return Trajectory(
            model=self.name,
            inputs=inputs,
            position=Rounds(res.history, "position"),
            outcome=outcome,
            stop_reason=res.stop_reason,
            stop_round=res.stop_round,
            cycle_length=res.cycle_length,
            extras=(
                {"risk_exponent": Rounds(res.history, "risk_exponent")}
                if "risk_exponent" in res.history.kept
                else {}
            ),
        )
