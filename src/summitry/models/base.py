"""The interface every bargaining model shares, and the round loop with its stopping rules.

A model object holds only its parameters; :meth:`Model.run` does the work and returns an
immutable :class:`~summitry.trajectory.Trajectory`. Iterative models write one round as a
function of the current positions and let :func:`iterate` apply the stopping rules, so
every model stops, detects cycles and reports the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from summitry.bounds import MAX_ROUNDS, check_count
from summitry.errors import ParameterError
from summitry.history import History
from summitry.inputs import Inputs
from summitry.trajectory import Stop, Trajectory

__all__ = [
    "STREAM_BLOCK",
    "TRACE",
    "Constraint",
    "Model",
    "RoundResult",
    "SampleStreams",
    "check_rng",
    "count",
    "iterate",
    "number",
    "one_of",
    "settle",
    "settle_positions",
]

Step = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, Mapping[str, np.ndarray]]]
"""One round on the lanes still moving: positions ``(n, A)`` and their lane numbers
``(n,)`` (``sample * I + issue``) -> new positions and per-actor extras, each ``(n, A)``."""


Constraint = tuple[Callable[[Any], bool], str]
"""A parameter's check and the words for its allowed values (``Model._constraints``)."""


def one_of(options: tuple[str, ...]) -> Constraint:
    """A parameter that takes one of ``options``."""
    return (lambda v: v in options, "one of " + ", ".join(repr(o) for o in options))


def number(lo: float, hi: float | None = None) -> Constraint:
    """A number (not a bool) of at least ``lo`` and, when given, at most ``hi``."""

    def ok(v: object) -> bool:
        good = isinstance(v, (int, float)) and not isinstance(v, bool) and v >= lo
        return good and (hi is None or v <= hi)

    return (ok, f"a number >= {lo}" if hi is None else f"a number in [{lo}, {hi}]")


def count(lo: int, hi: int = MAX_ROUNDS) -> Constraint:
    """An integer (not a bool) from ``lo`` to ``hi``."""
    return (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi,
        f"an integer from {lo} to {hi:,}",
    )


TRACE: Constraint = (
    lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 1),
    "None or an integer >= 1",
)
"""The ``trace`` parameter of iterative models: how many samples keep every round (at
least the first, which traces and charts read)."""


def check_rng(rng: Any) -> np.random.Generator:
    """Turn an int, a Generator or None into a Generator (once, where work starts)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    raise ParameterError(f"rng must be an int, a numpy Generator or None; got {type(rng).__name__}")


STREAM_BLOCK = 1024
"""Samples per random stream of :class:`SampleStreams`."""


class SampleStreams:
    """Uniform random numbers for each sample of a batch, the same in a batch of any size.

    Sample ``i`` draws from the stream of block ``i // STREAM_BLOCK``, the block's own
    child of a seed taken from ``rng``, at its row of the block; every block draws a full
    block of rows each time. So sample ``i`` gets the same numbers whether the batch holds
    10 samples or 10,000, and one stream per block (not per sample) keeps the draws
    vectorised.
    """

    def __init__(self, rng: np.random.Generator, n_samples: int):
        root = np.random.SeedSequence(rng.integers(0, 2**63, size=2).tolist())
        self._n = n_samples
        blocks = -(-n_samples // STREAM_BLOCK)
        self._streams = [np.random.default_rng(child) for child in root.spawn(blocks)]

    def uniform(self, width: int) -> np.ndarray:
        """The next ``width`` numbers on [0, 1) of every sample: ``(n_samples, width)``."""
        rows = [stream.random((STREAM_BLOCK, width)) for stream in self._streams]
        return np.concatenate(rows)[: self._n]


class Model(ABC):
    """A bargaining model: parameters in ``__init__``, work in :meth:`run`.

    Subclasses declare ``name`` (used on the command line), a one-line ``summary``, and
    ``_constraints``: for each parameter, a predicate and the words for its allowed values.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    iterative: ClassVar[bool] = False
    needs_status_quo: ClassVar[bool] = False
    """True for models that bargain from the status quo and cannot run without one."""

    @property
    def splittable(self) -> bool:
        """Whether a batch may be run in parts (the Dask engine's chunks), same numbers.

        False for a run that draws random numbers, whose streams follow the sample's place
        in the whole batch (:class:`SampleStreams`).
        """
        return True

    _constraints: ClassVar[dict[str, Constraint]] = {}

    def get_params(self) -> dict[str, Any]:
        """The model's parameters as passed to ``__init__``."""
        return {k: getattr(self, k) for k in self._constraints}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _validate_params(self) -> None:
        for key, (ok, allowed) in self._constraints.items():
            value = getattr(self, key)
            if not ok(value):
                raise ParameterError(
                    f"The '{key}' parameter of {type(self).__name__} must be {allowed}. "
                    f"Got {value!r} instead."
                )

    def run(self, inputs: Inputs, *, rng: Any = None, rounds: int | None = None) -> Trajectory:
        """Run the model on a batch.

        Parameters
        ----------
        inputs
            A batch of ``S`` samples.
        rng
            Seed or Generator for models that draw random numbers; deterministic models
            accept and ignore it.
        rounds
            Run exactly this many rounds, ignoring the stopping rules (iterative models).
        """
        self._validate_params()
        if rounds is not None:
            check_count("rounds", rounds, 0, MAX_ROUNDS)
        return self._run(inputs, check_rng(rng), rounds)

    @abstractmethod
    def _run(self, inputs: Inputs, rng: np.random.Generator, rounds: int | None) -> Trajectory:
        """Model-specific work; parameters and arguments are already checked."""


def closed_form(model: str, inputs: Inputs, outcome: np.ndarray) -> Trajectory:
    """A trajectory for a model without rounds: round 0 only, outcome given."""
    s, i = outcome.shape
    return Trajectory(
        model=model,
        inputs=inputs,
        position=np.array(inputs.position)[:, None],
        outcome=outcome,
        stop_reason=np.full((s, i), Stop.CLOSED_FORM, dtype=np.int8),
        stop_round=np.zeros((s, i), dtype=np.int64),
        cycle_length=np.zeros((s, i), dtype=np.int64),
    )


@dataclass(frozen=True)
class RoundResult:
    """What :func:`iterate` returns: the history of the rounds and how each lane stopped."""

    history: History
    stop_reason: np.ndarray  # (S, I)
    stop_round: np.ndarray  # (S, I)
    cycle_length: np.ndarray  # (S, I)

    @property
    def position(self) -> np.ndarray:
        """``(S, T + 1, A, I)`` positions, each lane held at its state after it stopped."""
        return self.history.unroll("position")

    @property
    def extras(self) -> dict[str, np.ndarray]:
        """Each extra as ``(S, T + 1, A, I)``."""
        return {k: self.history.unroll(k) for k in self.history.names if k != "position"}


def iterate(
    step: Step,
    x0: np.ndarray,
    *,
    tol: float,
    max_rounds: int,
    rounds: int | None = None,
    extras0: Mapping[str, np.ndarray] | None = None,
    stop: str = "cycle",
    eps: np.ndarray | float = 0.0,
    patience: int = 1,
    watch: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    keep: tuple[str, ...] | None = None,
    trace: int | None = None,
) -> RoundResult:
    """Apply ``step`` round by round until every lane has stopped.

    A lane is one issue of one sample. With ``stop="cycle"`` (the default) it stops when
    no actor moved by more than ``tol`` (converged), when its positions come within
    ``tol`` of a state two or more rounds back (cycle), or at ``max_rounds``. With
    ``stop="eps"`` it stops (converged) in the first round in which no actor moved by
    more than ``eps``; with ``stop="median"``, once ``watch(positions, lanes)``, the
    model's forecast per lane, has moved by less than ``eps`` in each of the last
    ``patience`` rounds. Neither looks for cycles. ``eps`` is a number or one per lane
    ``(L,)``, on positions normalised to [0, 1]. A stopped lane keeps its state while
    the others go on. With ``rounds`` set, exactly that many rounds run and no stopping
    rule applies.

    ``x0`` and the ``extras0`` are ``(S, A, I)``; ``step`` sees only the lanes still
    moving, as ``(n, A)`` positions and their lane numbers ``sample * I + issue``.
    ``keep`` names the quantities whose every round is stored (default: all); the others
    keep their latest state only (see :class:`~summitry.history.History`).
    """
    n_s, n_a, n_i = x0.shape
    limit = max_rounds if rounds is None else rounds
    n_lanes = n_s * n_i
    by_eps = rounds is None and stop != "cycle"
    traced = trace if by_eps or rounds is not None else None
    hist = History({"position": x0, **(extras0 or {})}, keep=keep, trace=traced)
    if by_eps:
        eps_lane = np.broadcast_to(np.asarray(eps, dtype=float), (n_lanes,))
    if rounds is None and stop == "median":
        assert watch is not None
        forecast = np.array(watch(hist.latest("position"), np.arange(n_lanes)), dtype=float)
        calm = np.zeros(n_lanes, dtype=np.int64)
    reason = np.full(n_lanes, Stop.FIXED_ROUNDS if rounds is not None else Stop.MAX_ROUNDS, np.int8)
    stop_round = np.full(n_lanes, limit, dtype=np.int64)
    cycle = np.zeros(n_lanes, dtype=np.int64)
    lanes = np.arange(n_lanes)
    # A cheap key per state (the sum of its positions) finds the candidate repeats; only
    # those are compared actor by actor. States within tol have keys within A * tol. Row
    # k of ``key`` is lane ``lanes[k]``: the rows of stopped lanes are dropped with them.
    slack = n_a * tol + 8 * n_a * np.finfo(float).eps
    key = np.empty((n_lanes, min(limit, 15) + 1 if rounds is None else 1))
    key[:, 0] = hist.latest("position").sum(axis=-1)
    for t in range(1, limit + 1):
        x = hist.latest("position")[lanes]
        new, extras = step(x, lanes)
        hist.record(lanes, {"position": new, **extras})
        if rounds is not None:
            continue
        new = hist.latest("position")[lanes]
        if by_eps:
            if stop == "eps":
                done = np.max(np.abs(new - x), axis=-1) <= eps_lane[lanes]
            else:
                now = watch(new, lanes)  # type: ignore[misc]
                still = np.abs(now - forecast[lanes]) < eps_lane[lanes]
                forecast[lanes] = now
                calm[lanes] = np.where(still, calm[lanes] + 1, 0)
                done = calm[lanes] >= patience
            reason[lanes[done]], stop_round[lanes[done]] = Stop.CONVERGED, t
            lanes = lanes[~done]
            if not lanes.size:
                break
            continue
        if t >= key.shape[1]:  # room for more rounds: double the key buffer
            grown = np.empty((key.shape[0], 2 * key.shape[1]))
            grown[:, :t] = key[:, :t]
            key = grown
        key[:, t] = new.sum(axis=-1)
        done = np.max(np.abs(new - x), axis=-1) <= tol
        reason[lanes[done]], stop_round[lanes[done]] = Stop.CONVERGED, t
        if done.any():
            lanes, new, key = lanes[~done], new[~done], key[~done]
        if t >= 2 and lanes.size:  # compare with rounds 0 .. t - 2
            row, past = np.nonzero(np.abs(key[:, : t - 1] - key[:, t, None]) <= slack)
            seen = hist.at("position", lanes[row], past)
            same = np.max(np.abs(seen - new[row]), axis=-1) <= tol
            last = np.full(lanes.size, -1)
            np.maximum.at(last, row[same], past[same])  # the most recent matching round
            hit = last >= 0
            if hit.any():
                found = lanes[hit]
                reason[found], stop_round[found], cycle[found] = Stop.CYCLE, t, (t - last)[hit]
                lanes, key = lanes[~hit], key[~hit]
        if not lanes.size:
            break
    shape = (n_s, n_i)
    return RoundResult(
        history=hist,
        stop_reason=reason.reshape(shape),
        stop_round=stop_round.reshape(shape),
        cycle_length=cycle.reshape(shape),
    )


def settle_positions(
    result: RoundResult, stat: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """Outcome per (sample, issue) from the final state or the states of a cycle.

    Only those states are gathered, as rows: ``stat(states, sample, issue)`` receives
    ``(N, A)`` positions with the sample and issue of each row and returns ``(N,)``; the
    outcome is its value at the stopping round, or its mean over the cycle.
    """
    n_s, n_i = result.stop_round.shape
    length = np.maximum(result.cycle_length, 1).reshape(-1)
    lane = np.repeat(np.arange(n_s * n_i), length)
    back = np.arange(lane.size) - np.repeat(np.cumsum(length) - length, length)
    states = result.history.at("position", lane, result.stop_round.reshape(-1)[lane] - back)
    values = stat(states, lane // n_i, lane % n_i)
    total = np.bincount(lane, weights=values, minlength=n_s * n_i)
    return (total / length).reshape(n_s, n_i)


def settle(stat: np.ndarray, stop_round: np.ndarray, cycle_length: np.ndarray) -> np.ndarray:
    """Outcome per (sample, issue) from a per-round statistic.

    ``stat`` is ``(S, T + 1, I)``. The outcome is ``stat`` at the stopping round, or its
    mean over the states of the cycle where one was found.
    """
    t = np.arange(stat.shape[1])[None, :, None]
    last = stop_round[:, None, :]
    first = last - np.maximum(cycle_length, 1)[:, None, :] + 1
    window = (t >= first) & (t <= last)
    return np.sum(np.where(window, stat, 0.0), axis=1) / np.sum(window, axis=1)
