"""KTAB's spatial model of politics (SMP), as its ``smpc`` program plays it.

The issues of a scenario are the dimensions of one joint space: each actor holds a
position with a salience per dimension, and judges a position by its salience-weighted
distance from its own ideal (its current position). One turn:

1. risk attitudes from a probabilistic Condorcet election (PCE) among the actors'
   positions: the likelier an actor's position, the more risk-averse it is;
2. each actor finds the target whose challenge it expects to gain most from (principals
   and third parties vote on the contest) and proposes a bargain: both move to a point
   between them weighted by salience and its estimated chance of winning;
3. each actor adopts one bargain from those it made or received, or keeps its position,
   by a PCE among them in which everyone votes by the state that would result.

Turns go on until the positions change, in total, by less than a fraction of the first
turn's change. The forecast is read off the PCE among the final positions. Every choice
KTAB offers is a parameter, with KTAB's default; ``docs/models/smp.md`` gives the
equations and says where summitry departs from KTAB and why.

The compiled turn is in :mod:`summitry.models._smp_turn`.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.history import History, Rounds
from summitry.inputs import Inputs
from summitry.models._kernels import kernels
from summitry.models._parallel import COMPILED
from summitry.models.base import TRACE, Model, SampleStreams, count, number, one_of
from summitry.trajectory import Stop, Trajectory

__all__ = ["SpatialModel"]

VOTING = ("binary", "prop_bin", "prop", "prop_cubic", "cubic", "asym_prospect")
VICTORY = ("linear", "square", "quartic", "octic", "binary")
PCE = ("conditional", "markov_incentive", "markov_uniform")
TRANSITIONS = ("deterministic", "stochastic")
RISK_ADJUST = ("none", "one_third", "half", "two_thirds", "full")
RISK_RANGE = ("min", "mid", "max")
THIRD_PARTY = ("none", "semi", "full")
INTERPOLATION = ("s1p1", "s2p2", "s2pmax")
BARGAIN = ("init_only", "init_rcvr", "pw_compromise")
OUTCOMES = ("mean", "modal")
SALIENCE = ("actor", "common")
TIES = ("ktab", "symmetric")

TIE_GAIN = 1e-9
"""Expected gains this close to the largest count as equally good targets."""
TIE_PROB = 1e-9
"""Bargains this close to the likeliest count as equally likely: exact ties come out of
the arithmetic differing by rounding noise, which the floor of 1e-8 on every coalition
blows up when the votes are about as small."""
OPTION_MARGIN = 1e-9
"""Positions this much short of ``position_tol`` apart are distinct options of the forecast."""
CHUNK_DOUBLES = 2**25
"""Samples are played in chunks whose per-turn scratch stays near this many doubles."""


class SpatialModel(Model):
    """KTAB's spatial model of politics (``smpc``), multi-dimensional.

    Every default is KTAB's; brackets give KTAB's name for the setting and its default.

    Parameters
    ----------
    voting
        How an actor's utility difference becomes a vote [VotingRule, Prop]: ``"prop"``
        w du; ``"binary"`` w sign(du) (linear within 1e-8); ``"prop_bin"`` 0.8 prop +
        0.2 binary; ``"prop_cubic"`` w (du + du^3) / 2; ``"cubic"`` w du^3;
        ``"asym_prospect"`` gains count 2/3 of losses.
    victory
        Chance that a coalition wins from the strengths c1, c2
        [VictoryProbModel, Linear]: ``c1^m / (c1^m + c2^m)`` with m = 1, 2, 4, 8 for
        ``"linear"``, ``"square"``, ``"quartic"``, ``"octic"``; ``"binary"`` certain
        at 1.1 : 1, linear in between.
    pce
        How pairwise victories make a distribution [PCEModel, Conditional]:
        ``"conditional"`` (the chance of beating every other option, renormalised),
        ``"markov_uniform"`` or ``"markov_incentive"`` (a Markov chain of challenges).
    transitions
        [StateTransitions, Deterministic] ``"deterministic"``: each actor adopts its
        likeliest bargain; ``"stochastic"``: one drawn by probability (uses ``rng``).
    risk_adjust
        How actor h perceives i's risk attitude [BigRAdjust, OneThird]: ``"none"`` (its
        own), ``"one_third"`` (2 r_h + r_i) / 3, ``"half"``, ``"two_thirds"``,
        ``"full"`` (i's own).
    risk_range
        Range of the risk attitudes read off the PCE [BigRRange, Mid]: ``"min"``
        [0, 1], ``"mid"`` [-1/2, 1], ``"max"`` [-1, 1].
    third_party
        What a third party expects to get when it joins a side [ThirdPartyCommit,
        SemiCommit]: ``"semi"``, ``"full"`` or ``"none"``.
    interpolation
        How a bargain's point is interpolated [InterVecBrgn, S2P2]: weights
        (salience x probability) squared ``"s2p2"``, to the first power ``"s1p1"``, or
        ``"s2pmax"``.
    bargain_model
        Whose estimate shapes a bargain [BargnModel, InitOnlyInterp]: ``"init_only"``
        the initiator's; ``"init_rcvr"`` one bargain from each side's estimate, both
        offered; ``"pw_compromise"`` their weighted mean.
    bargain_rounding
        Bargain points are rounded to this fraction of each issue's scale (KTAB: 4
        decimals on [0, 1], 1e-4); 0 keeps them unrounded. Not applied with ``s2pmax``.
    min_gain
        Smallest expected gain for which an actor challenges [minSigEDU, 1e-5].
    position_tol
        Positions closer than this (Euclidean, on [0, 1]) are one option in the PCE of
        the final state [posTol, 1e-3].
    stop_fraction
        Stop once a turn changes the positions (summed distance) by less than this
        fraction of the first turn's change [minDeltaRatio, 0.02].
    first_change_floor
        Added to the first turn's change so that a first turn without change does not
        divide by zero [minSigDelta, 1e-4].
    min_rounds, max_rounds
        Turns at least and at most [minIter 2, maxIter 100].
    outcome
        The forecast, read off the PCE among the final positions (smpc prints none):
        ``"mean"`` the probability-weighted mean of the distinct positions;
        ``"modal"`` the likeliest of them.
    salience
        What to do when an actor's saliences add up to more than 1 (KTAB refuses such
        input): ``"actor"`` scales that actor's saliences down to a sum of 1;
        ``"common"`` scales every actor's by the same factor, the largest sum.
    ties
        Exact ties. ``"ktab"``: as KTAB, the first target (by actor order) among those
        with the largest expected gain, the first bargain in the queue among the
        likeliest, distinct final positions found scanning the actors in order.
        ``"symmetric"``: nothing depends on the order of the actors: every target within
        1e-12 of the largest gain is offered a bargain; an actor whose likeliest
        bargains (within 1e-12) would move it to different points stays; distinct final
        positions are found scanning from the likeliest. KTAB's rule makes the run
        depend on the order of actors that are exact copies of one another.
    trace
        Not a KTAB setting: store every turn for the first ``trace`` samples (at least
        1) only, and the final state of the others; ``None`` (default) stores every
        sample's turns. The stopping rule needs none of them. :func:`summitry.forecast`
        sets it to its 500 analysis draws from 1,000 samples on. The same numbers either
        way.
    """

    name: ClassVar[str] = "smp"
    summary: ClassVar[str] = (
        "KTAB's spatial model of politics: issues as one space, Condorcet elections, bargains"
    )
    iterative: ClassVar[bool] = True
    _constraints = {
        "voting": one_of(VOTING),
        "victory": one_of(VICTORY),
        "pce": one_of(PCE),
        "transitions": one_of(TRANSITIONS),
        "risk_adjust": one_of(RISK_ADJUST),
        "risk_range": one_of(RISK_RANGE),
        "third_party": one_of(THIRD_PARTY),
        "interpolation": one_of(INTERPOLATION),
        "bargain_model": one_of(BARGAIN),
        "bargain_rounding": number(0.0, 1.0),
        "min_gain": number(0.0),
        "position_tol": number(0.0),
        "stop_fraction": number(0.0),
        "first_change_floor": number(0.0),
        "min_rounds": count(1),
        "max_rounds": count(1),
        "outcome": one_of(OUTCOMES),
        "salience": one_of(SALIENCE),
        "ties": one_of(TIES),
        "trace": TRACE,
    }

    def __init__(
        self,
        *,
        voting: str = "prop",
        victory: str = "linear",
        pce: str = "conditional",
        transitions: str = "deterministic",
        risk_adjust: str = "one_third",
        risk_range: str = "mid",
        third_party: str = "semi",
        interpolation: str = "s2p2",
        bargain_model: str = "init_only",
        bargain_rounding: float = 1e-4,
        min_gain: float = 1e-5,
        position_tol: float = 1e-3,
        stop_fraction: float = 0.02,
        first_change_floor: float = 1e-4,
        min_rounds: int = 2,
        max_rounds: int = 100,
        outcome: str = "mean",
        salience: str = "actor",
        ties: str = "ktab",
        trace: int | None = None,
    ):
        self.voting = voting
        self.victory = victory
        self.pce = pce
        self.transitions = transitions
        self.risk_adjust = risk_adjust
        self.risk_range = risk_range
        self.third_party = third_party
        self.interpolation = interpolation
        self.bargain_model = bargain_model
        self.bargain_rounding = bargain_rounding
        self.min_gain = min_gain
        self.position_tol = position_tol
        self.stop_fraction = stop_fraction
        self.first_change_floor = first_change_floor
        self.min_rounds = min_rounds
        self.max_rounds = max_rounds
        self.outcome = outcome
        self.salience = salience
        self.ties = ties
        self.trace = trace

    def _codes(self) -> np.ndarray:
        return np.array(
            [
                VOTING.index(self.voting),
                VICTORY.index(self.victory),
                PCE.index(self.pce),
                TRANSITIONS.index(self.transitions),
                RISK_ADJUST.index(self.risk_adjust),
                RISK_RANGE.index(self.risk_range),
                THIRD_PARTY.index(self.third_party),
                INTERPOLATION.index(self.interpolation),
                BARGAIN.index(self.bargain_model),
            ],
            dtype=np.int64,
        )

    # -- inputs ------------------------------------------------------------------------

    def _scaled_salience(self, salience: np.ndarray) -> np.ndarray:
        """``(S, A, D)`` saliences whose sum over dimensions is at most 1 per actor."""
        total = salience.sum(axis=-1, keepdims=True)
        if self.salience == "actor":
            return np.where(total > 1.0, salience / np.where(total > 1.0, total, 1.0), salience)
        top = np.maximum(total.max(axis=1, keepdims=True), 1.0)
        return np.where(top > 1.0, salience / top, salience)

    def _views(self, inputs: Inputs, play: np.ndarray) -> tuple[list[Inputs], np.ndarray]:
        """The truth, then each actor's beliefs where it has any; who decides in which."""
        views, view_of = [inputs], np.zeros(play.size, dtype=np.int64)
        for k, o in enumerate(play):
            if not inputs.knows_truth(int(o), play):
                view_of[k] = len(views)
                views.append(inputs.perceived_by(int(o)))
        return views, view_of

    @property
    def splittable(self) -> bool:
        """Deterministic runs split freely; stochastic ones draw by the sample's place."""
        return self.transitions != "stochastic"

    # -- the run -----------------------------------------------------------------------

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        n_s, n_a, n_i = inputs.position.shape
        present_all = np.asarray(inputs.present)
        play = np.flatnonzero(present_all.any(axis=1))  # actors in no issue sit out
        present = np.ascontiguousarray(present_all[play])
        views, view_of = self._views(inputs, play)
        n_v = len(views)
        x0 = np.ascontiguousarray(inputs.position[:, play])
        offset = np.stack([np.asarray(v.position)[:, play] - x0 for v in views])
        sal = np.stack([self._scaled_salience(np.asarray(v.salience))[:, play] for v in views])
        cap = np.stack([np.asarray(v.capability, dtype=float)[:, play] for v in views])
        game = _Games(self, present, view_of, offset, sal, cap)
        limit = self.max_rounds if rounds is None else rounds
        if game.plays_whole_run(n_v, n_s, play.size, n_i, limit):
            return self._run_whole(inputs, game, play, x0, rounds, limit)

        def per_actor(values: np.ndarray) -> np.ndarray:
            out = np.zeros((values.shape[0], n_a, n_i))
            out[:, play] = values[..., None]
            return out

        # samples are played in chunks that bound the scratch memory of a turn (distances
        # per view, offers and two estimates per pair of actors); a chunk keeps the
        # assessment of its current state (distances, risk, probabilities)
        size = max(1, CHUNK_DOUBLES // ((n_v + 3) * play.size**2))
        chunks = [np.arange(lo, min(n_s, lo + size)) for lo in range(0, n_s, size)]
        states = [game.assess(x0[c], c) for c in chunks]
        hist = History(
            {
                "position": np.asarray(inputs.position),
                "risk_attitude": per_actor(np.concatenate([st.risk for st in states])),
                "position_probability": per_actor(np.concatenate([st.prob for st in states])),
            },
            trace=self.trace,
        )
        x_last = x0.copy()
        risk_last = np.concatenate([st.risk for st in states])
        first_change = np.zeros(n_s)
        reason = np.full(n_s, Stop.FIXED_ROUNDS if rounds is not None else Stop.MAX_ROUNDS)
        stop_round = np.full(n_s, limit, dtype=np.int64)
        streams = SampleStreams(rng, n_s) if game.stochastic else None
        for t in range(1, limit + 1):
            if not chunks:
                break
            draws = None if streams is None else streams.uniform(play.size)
            moved = [game.turn(st, draws) for st in states]
            states = [game.assess(m, c) for m, c in zip(moved, chunks, strict=True)]
            active = np.concatenate(chunks)
            new = np.concatenate(moved)
            positions = np.array(inputs.position[active])
            positions[:, play] = new
            hist.record(
                (active[:, None] * n_i + np.arange(n_i)).ravel(),
                {
                    "position": _lanes(positions),
                    "risk_attitude": _lanes(per_actor(np.concatenate([st.risk for st in states]))),
                    "position_probability": _lanes(
                        per_actor(np.concatenate([st.prob for st in states]))
                    ),
                },
            )
            change = _state_change(new, x_last[active])
            if t == 1:
                first_change[active] = change + self.first_change_floor
            x_last[active] = new
            risk_last[active] = np.concatenate([st.risk for st in states])
            if rounds is not None:
                continue
            ratio = _ratio(change, first_change[active])
            quiet = (t >= self.min_rounds) & (ratio < self.stop_fraction)
            reason[active[quiet]], stop_round[active[quiet]] = Stop.CONVERGED, t
            keep = np.split(~quiet, np.cumsum([c.size for c in chunks])[:-1])
            states = [st.take(k) for st, k in zip(states, keep, strict=True)]
            chunks = [c[k] for c, k in zip(chunks, keep, strict=True)]
            states = [st for st, c in zip(states, chunks, strict=True) if c.size]
            chunks = [c for c in chunks if c.size]

        shape = (n_s, n_i)
        return Trajectory(
            model=self.name,
            inputs=inputs,
            position=Rounds(hist, "position"),
            outcome=self._outcome(*game.options(x_last, risk_last)),
            stop_reason=np.repeat(reason.astype(np.int8)[:, None], n_i, axis=1),
            stop_round=np.repeat(stop_round[:, None], n_i, axis=1),
            cycle_length=np.zeros(shape, dtype=np.int64),
            extras={
                "risk_attitude": Rounds(hist, "risk_attitude"),
                "position_probability": Rounds(hist, "position_probability"),
            },
        )

    def _run_whole(
        self,
        inputs: Inputs,
        game: _Games,
        play: np.ndarray,
        x0: np.ndarray,
        rounds: int | None,
        limit: int,
    ) -> Trajectory:
        """The run in one compiled call (:meth:`_Games.plays_whole_run` says when).

        The same turns and stopping rule as the loop in :meth:`_run`, the same numbers.
        """
        n_s, n_a, n_i = inputs.position.shape
        with COMPILED:
            pos, risk, prob, played, converged = game.kernel.play(
                x0, game.sal[0], game.cap[0], game.present, game.codes, game.grid,
                game.min_gain, game.tol, TIE_GAIN, TIE_PROB, game.symmetric,
                float(self.stop_fraction), float(self.first_change_floor),
                int(self.min_rounds), limit, rounds is not None,
            )  # fmt: skip
        last = (np.arange(n_s), played)
        x_last, risk_last = pos[last], risk[last]
        held = Stop.FIXED_ROUNDS if rounds is not None else Stop.MAX_ROUNDS
        reason = np.where(converged, Stop.CONVERGED, held).astype(np.int8)
        stop_round = np.where(converged, played, limit).astype(np.int64)

        def full(values: np.ndarray, fill: np.ndarray | None) -> np.ndarray:
            """``(S, T + 1, A', ...)`` of the actors in play -> ``(S, T + 1, A, I)``."""
            n_t = values.shape[1]
            if fill is None:
                out = np.zeros((n_s, n_t, n_a, n_i))
            else:
                out = np.repeat(np.asarray(fill, dtype=float)[:, None], n_t, axis=1)
            out[:, :, play] = values if values.ndim == 4 else values[..., None]
            return out

        position = np.asarray(inputs.position)
        shape = (n_s, n_i)
        return Trajectory(
            model=self.name,
            inputs=inputs,
            position=lambda: full(pos, position),
            outcome=self._outcome(*game.options(x_last, risk_last)),
            stop_reason=np.repeat(reason[:, None], n_i, axis=1),
            stop_round=np.repeat(stop_round[:, None], n_i, axis=1),
            cycle_length=np.zeros(shape, dtype=np.int64),
            extras={
                "risk_attitude": lambda: full(risk, None),
                "position_probability": lambda: full(prob, None),
            },
        )

    def _outcome(self, opt_pos: np.ndarray, opt_prob: np.ndarray) -> np.ndarray:
        """``(S, I)`` forecast from the PCE among the distinct final positions.

        ``opt_prob`` ``(S, A, I)`` is each option's probability where it takes part in
        the issue, -1 elsewhere and past the last option; ``opt_pos`` its position.
        """
        on = opt_prob >= 0.0
        if self.outcome == "modal":
            best = np.argmax(np.where(on, opt_prob, -np.inf), axis=1)  # the first likeliest
            return np.take_along_axis(opt_pos, best[:, None, :], axis=1)[:, 0, :]
        weight = np.where(on, opt_prob, 0.0)
        total = weight.sum(axis=1)
        mean = np.sum(weight * opt_pos, axis=1) / np.where(total > 0, total, 1.0)
        # every probability 0 (underflow): the plain mean of the options
        plain = np.sum(np.where(on, opt_pos, 0.0), axis=1) / np.maximum(on.sum(axis=1), 1)
        return np.where(total > 0, mean, plain)


def _lanes(x: np.ndarray) -> np.ndarray:
    """``(n, A, I)`` -> ``(n * I, A)``, lane number ``sample * I + issue``."""
    return np.ascontiguousarray(x.swapaxes(1, 2).reshape(-1, x.shape[1]))


def _ratio(change: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Change relative to the first turn's; no change at all (0 / 0) counts as 0."""
    safe = np.where(first > 0, first, 1.0)
    return np.where(first > 0, change / safe, np.where(change > 0, np.inf, 0.0))


def _state_change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """KTAB's ``stateDist``: the sum over actors of the Euclidean distance moved, ``(n,)``."""
    return np.sqrt(np.sum((new - old) ** 2, axis=-1)).sum(axis=-1)


class _State:
    """A chunk's current state as the games see it, and its assessment."""

    def __init__(self, n_views: int, samples: np.ndarray, **arrays: np.ndarray):
        self.n_views, self.samples = n_views, samples
        self.gx, self.gs, self.gc = arrays["gx"], arrays["gs"], arrays["gc"]
        self.d, self.game_risk = arrays["d"], arrays["game_risk"]
        self.prob = arrays["prob"]

    @property
    def risk(self) -> np.ndarray:
        """``(n, A)`` risk attitudes on the truth."""
        return self.game_risk[: self.samples.size]

    def take(self, keep: np.ndarray) -> _State:
        """The state of the samples where ``keep`` is true."""

        def games(a: np.ndarray) -> np.ndarray:
            split = a.reshape(self.n_views, -1, *a.shape[1:])[:, keep]
            return np.ascontiguousarray(split.reshape(-1, *a.shape[1:]))

        return _State(
            self.n_views,
            self.samples[keep],
            gx=games(self.gx),
            gs=games(self.gs),
            gc=games(self.gc),
            d=games(self.d),
            game_risk=games(self.game_risk),
            prob=self.prob[keep],
        )


class _Games:
    """The kernel calls of a run, with what stays fixed over its turns."""

    def __init__(
        self,
        model: SpatialModel,
        present: np.ndarray,
        view_of: np.ndarray,
        offset: np.ndarray,
        sal: np.ndarray,
        cap: np.ndarray,
    ):
        self.present, self.view_of = present, view_of
        self.kernel = kernels("smp", offset.shape[1], *present.shape)
        self.offset, self.sal, self.cap = offset, sal, cap
        self.codes = model._codes()
        self.grid = 0.0 if model.interpolation == "s2pmax" else float(model.bargain_rounding)
        self.min_gain = float(model.min_gain)
        self.tol = float(model.position_tol)
        self.symmetric = model.ties == "symmetric"
        self.stochastic = model.transitions == "stochastic"

    def plays_whole_run(self, n_views: int, n_s: int, n_a: int, n_i: int, limit: int) -> bool:
        """Whether the whole run goes to one compiled call (:meth:`SpatialModel._run_whole`).

        For runs without beliefs and with deterministic transitions whose turns are too
        small for the parallel builds (``PARALLEL_WORK``), and whose dense history stays
        small: calling the kernels from Python once per turn would cost more than the
        turns themselves.
        """
        blocks = self.kernel.PAIRWISE_BLOCK
        small = n_s * n_a**3 < self.kernel.PARALLEL_WORK and n_a <= blocks and n_i <= blocks
        dense = n_s * (limit + 1) * n_a * (n_i + 2) <= CHUNK_DOUBLES
        return n_views == 1 and not self.stochastic and small and dense

    def assess(self, x: np.ndarray, samples: np.ndarray) -> _State:
        """Assess the state ``x`` ``(n, A, D)`` of ``samples``."""
        n_v = self.offset.shape[0]
        seen = [x] + [np.clip(x + self.offset[v, samples], 0.0, 1.0) for v in range(1, n_v)]
        gx = np.ascontiguousarray(np.concatenate(seen))
        gs = np.ascontiguousarray(self.sal[:, samples].reshape(-1, *self.sal.shape[2:]))
        gc = np.ascontiguousarray(self.cap[:, samples].reshape(-1, self.cap.shape[2]))
        n = samples.size
        with COMPILED:
            d, risk = self.kernel.assess(gx, gs, gc, self.present, self.codes)
            prob = self.kernel.position_probability(
                x, gs[:n], gc[:n], self.present, risk[:n], self.codes, self.tol, False
            )[0]
        return _State(n_v, samples, gx=gx, gs=gs, gc=gc, d=d, game_risk=risk, prob=prob)

    def options(self, x: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct positions of the states ``x`` ``(S, A, D)``, with probabilities.

        Both are ``(S, A, D)``; the probabilities are -1 past the last option and where
        it takes no part.
        """
        # positions on the 1e-4 grid are often exactly position_tol apart, where rounding
        # noise would decide; here such positions are always distinct
        tol = max(0.0, self.tol - OPTION_MARGIN)
        with COMPILED:
            _, first, prob, pos = self.kernel.position_probability(
                x, self.sal[0], self.cap[0], self.present, risk, self.codes, tol, self.symmetric
            )
        on = (first[..., None] >= 0) & self.present[np.maximum(first, 0)]
        return pos, np.where(on, prob[..., None], -1.0)

    def turn(self, st: _State, draws: np.ndarray | None) -> np.ndarray:
        """Play one turn from ``st``: new positions ``(n, A, D)``.

        ``draws`` ``(S, A)`` are uniform numbers for every sample of the batch (stochastic
        transitions only).
        """
        n, n_a = st.samples.size, st.gx.shape[1]
        draws = draws[st.samples] if draws is not None else np.zeros((n, n_a))
        with COMPILED:
            offer, p_init, p_rcvr = self.kernel.propose(
                st.d, st.game_risk, st.gs, st.gc, self.view_of, n, self.codes, self.min_gain,
                TIE_GAIN, self.symmetric,
            )  # fmt: skip
            return self.kernel.resolve(
                st.gx, st.gs, st.gc, self.present, st.d, st.game_risk, offer, p_init, p_rcvr,
                self.view_of, self.codes, self.grid, TIE_PROB, self.symmetric, draws,
            )  # fmt: skip
