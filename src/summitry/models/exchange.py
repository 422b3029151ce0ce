"""The exchange model: actors trade voting positions across pairs of issues.

Source: Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented
model of policy networks", in Bueno de Mesquita & Stokman (eds.), *European Community
Decision Making*, 105-127; the equal-gain exchange as implemented by the
``decide-exchange-model`` package (Draaijer; Dijkstra, Van Assen, Stokman & Draaijer
2018). See ``docs/models/exchange.md``.

One round, on each sample:

1. the expected outcome of every issue is the capability x salience weighted mean of
   the positions;
2. two actors can exchange on issues p and q when they stand on opposite sides of the
   expected outcome on both and care about them in different proportions: the one that
   cares relatively more about q moves its vote on p towards the other, and the other
   moves on q in return, by amounts that give both the same gain in expected utility;
3. exchanges are made best first; each one changes the voting positions, and the
   exchanges that share an actor and an issue with it are valued again;
4. when none is left, every actor moves its own position part of the way towards its
   voting position (decide's rule; the less salient the issue, the further).

Rounds repeat until no actor moves, a state comes back, or ``max_rounds``. The issues
are coupled, so a whole sample stops at once.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from summitry.errors import ParameterError
from summitry.history import Rounds
from summitry.inputs import Inputs
from summitry.models._kernels import kernels
from summitry.models.base import Model, RoundResult, count, iterate, number
from summitry.trajectory import Trajectory

__all__ = ["ExchangeModel"]

GAIN_RULES = ("equal", "kalai-smorodinsky")
OUTCOMES = ("voting", "position")
VIEWS = ("demander", "all")
QUIRKS = ("none", "decide")
CAPS = ("none", "crossing", "strict")  # in the order of _exchange_round's CAP_* codes


class ExchangeModel(Model):
    """The exchange model (Stokman & Van Oosten 1994), decide's equal-gain form by default.

    Parameters
    ----------
    gain
        How the two partners share the gain of an exchange. ``"equal"``: both gain the
        same expected utility (decide's Equal Gain model, the default). ``"kalai-smorodinsky"``:
        gains in proportion to the most each partner could get while the other gains
        nothing (the Raiffa-Kalai-Smorodinsky solution of Van Assen, Stokman & Van Oosten
        2003). Exchanges are ranked by the sum of the two gains.
    outcome_cap
        Whether an exchange may carry the expected outcome of an issue past the position
        of the actor that asked for the move there. ``"crossing"`` (decide): an exchange
        that would carry it across is scaled down until the outcome stops at that
        position; one that starts with the outcome already there or beyond is not
        limited. ``"strict"``: as crossing, and an exchange that starts with the outcome
        there or beyond is dropped (it could only move the outcome away from the actor
        that asked for it). ``"none"``: only the partners' positions bound an exchange.
    outcome_view
        The expected outcome that ``outcome_cap`` checks, during a round. ``"demander"``
        (decide): the outcome of the positions at the start of the round, moved only by
        the votes the demanding actor has itself obtained this round and by the
        supplier's current vote. ``"all"``: the outcome of every vote cast so far.
    quirks
        ``"none"`` (default) or ``"decide"``: three details of decide's code that follow
        from no rule of the model, reproduced to compare with it. (1) An exchange is
        dropped once the moves it has asked of one actor, counted again each time that
        actor's vote moved elsewhere and the exchange was valued anew, add up to more than
        the whole scale upwards (downward moves sum below zero and are never stopped, so
        the model prefers one end of the scale). (2) A demander that obtains a second move
        from the same seller on the same issue goes on counting the seller where it first
        sold. (3) The cap is measured with such a seller at that first vote, so the seller
        can be asked to move past its partner.
    fixed_weight, salience_weight
        After each round an actor's position moves towards its voting position by the
        fraction ``fixed_weight + salience_weight * (1 - salience)`` (decide: 0.1 and 0.4).
        With both 0 positions never change, so the run stops after one round of
        exchanges: the static exchange of voting positions.
    outcome
        The forecast: ``"voting"``, the expected outcome of the voting positions of the
        last round (decide's "voting MDS"), or ``"position"``, that of the actors' own
        positions after the last round.
    tol
        Positions (on [0, 1]) moving less than this count as settled; also the tolerance
        for a repeated state, the smallest move an exchange may ask for, and how far from
        the expected outcome an actor must stand to be on one side of it.
    max_rounds
        Round limit (decide runs 10 rounds by default).
    """

    name: ClassVar[str] = "exchange"
    summary: ClassVar[str] = (
        "exchange of voting positions across issue pairs (Stokman & Van Oosten 1994; decide)"
    )
    iterative: ClassVar[bool] = True
    _constraints = {
        "gain": (lambda v: v in GAIN_RULES, f"one of {GAIN_RULES}"),
        "outcome_cap": (lambda v: v in CAPS, f"one of {CAPS}"),
        "outcome_view": (lambda v: v in VIEWS, f"one of {VIEWS}"),
        "quirks": (lambda v: v in QUIRKS, f"one of {QUIRKS}"),
        "fixed_weight": number(0, 1),
        "salience_weight": number(0, 1),
        "outcome": (lambda v: v in OUTCOMES, f"one of {OUTCOMES}"),
        "tol": (lambda v: isinstance(v, (int, float)) and v >= 0, "a number >= 0"),
        "max_rounds": count(1),
    }

    def __init__(
        self,
        *,
        gain: str = "equal",
        outcome_cap: str = "crossing",
        outcome_view: str = "demander",
        quirks: str = "none",
        fixed_weight: float = 0.1,
        salience_weight: float = 0.4,
        outcome: str = "voting",
        tol: float = 1e-9,
        max_rounds: int = 10,
    ):
        self.gain = gain
        self.outcome_cap = outcome_cap
        self.outcome_view = outcome_view
        self.quirks = quirks
        self.fixed_weight = fixed_weight
        self.salience_weight = salience_weight
        self.outcome = outcome
        self.tol = tol
        self.max_rounds = max_rounds

    def _validate_params(self) -> None:
        super()._validate_params()
        if self.fixed_weight + self.salience_weight > 1:
            raise ParameterError(
                "fixed_weight + salience_weight must be at most 1 (an actor moves at most "
                f"all the way to its voting position); got {self.fixed_weight} + "
                f"{self.salience_weight}"
            )

    # -- the run -----------------------------------------------------------------------

    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        # A lane is a whole sample: the issues are played together. iterate() sees the
        # (A, I) state of a sample flattened to one row of A * I "actors" on one "issue".
        n_s, n_a, n_i = inputs.position.shape
        s = np.ascontiguousarray(inputs.salience, dtype=float)
        present = np.broadcast_to(inputs.present, (n_s, n_a, n_i))
        w = np.ascontiguousarray(np.where(present, inputs.weight, 0.0))
        present = np.ascontiguousarray(present)
        play_round = kernels("exchange", n_s, n_a, n_i).play_round
        pull = np.where(present, self.fixed_weight + self.salience_weight * (1.0 - s), 0.0)
        switches = (
            self.gain == "kalai-smorodinsky",
            CAPS.index(self.outcome_cap),
            self.outcome_view == "demander",
            self.quirks == "decide",
            float(self.tol),
        )

        def step(x: np.ndarray, lanes: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
            pref = np.ascontiguousarray(x.reshape(-1, n_a, n_i))
            voting, _ = play_round(pref, s[lanes], w[lanes], present[lanes], *switches)
            new = pref + pull[lanes] * (voting - pref)
            # the voting position of an actor that made no exchange is its own position
            return new.reshape(x.shape), {"voting_position": voting.reshape(x.shape)}

        x0 = np.asarray(inputs.position, dtype=float).reshape(n_s, n_a * n_i, 1)
        res = iterate(
            step,
            x0,
            tol=self.tol,
            max_rounds=self.max_rounds,
            rounds=rounds,
            extras0={"voting_position": x0},
        )
        key = "voting_position" if self.outcome == "voting" else "position"
        outcome = _settle(res, key, w, (n_a, n_i))

        def per_issue(a: np.ndarray) -> np.ndarray:
            return np.repeat(a, n_i, axis=1)

        return Trajectory(
            model=self.name,
            inputs=inputs,
            position=Rounds(res.history, "position", (n_a, n_i)),
            outcome=outcome,
            stop_reason=per_issue(res.stop_reason),
            stop_round=per_issue(res.stop_round),
            cycle_length=per_issue(res.cycle_length),
            extras={"voting_position": Rounds(res.history, "voting_position", (n_a, n_i))},
        )


def _settle(res: RoundResult, name: str, w: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``(S, I)`` expected outcomes of ``name`` at each sample's last round.

    Where a cycle was found, their mean over the states of the cycle.
    """
    n_s = res.stop_round.shape[0]
    length = np.maximum(res.cycle_length[:, 0], 1)
    lane = np.repeat(np.arange(n_s), length)
    back = np.arange(lane.size) - np.repeat(np.cumsum(length) - length, length)
    states = res.history.at(name, lane, res.stop_round[lane, 0] - back).reshape(-1, *shape)
    weight = w[lane]
    value = np.sum(weight * states, axis=1) / np.sum(weight, axis=1)  # (N, I)
    total = np.zeros((n_s, shape[1]))
    np.add.at(total, lane, value)
    return total / length[:, None]
