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

from summitry.errors import ParameterError
from summitry.inputs import Inputs
from summitry.trajectory import Stop, Trajectory

__all__ = ["Model", "RoundResult", "check_rng", "iterate", "settle", "settle_positions"]

Step = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, Mapping[str, np.ndarray]]]
"""One round: positions ``(S, A, I)`` and the ``(S, I)`` mask of (sample, issue) pairs still
moving -> new positions and per-actor extras ``(S, A, I)``. Entries outside the mask are
ignored, so a step may skip them."""


def check_rng(rng: Any) -> np.random.Generator:
    """Turn an int, a Generator or None into a Generator (once, where work starts)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    raise ParameterError(f"rng must be an int, a numpy Generator or None; got {type(rng).__name__}")


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
    _constraints: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {}

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
        if rounds is not None and (not isinstance(rounds, int) or rounds < 0):
            raise ParameterError(f"rounds must be a non-negative integer; got {rounds!r}")
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
    """What :func:`iterate` returns."""

    position: np.ndarray  # (S, T + 1, A, I)
    extras: dict[str, np.ndarray]  # each (S, T + 1, A, I)
    stop_reason: np.ndarray  # (S, I)
    stop_round: np.ndarray  # (S, I)
    cycle_length: np.ndarray  # (S, I)


def iterate(
    step: Step,
    x0: np.ndarray,
    *,
    tol: float,
    max_rounds: int,
    rounds: int | None = None,
    extras0: Mapping[str, np.ndarray] | None = None,
) -> RoundResult:
    """Apply ``step`` round by round until every (sample, issue) has stopped.

    A (sample, issue) stops when no actor moved by more than ``tol`` (converged), when
    its positions come within ``tol`` of a state two or more rounds back (cycle), or at
    ``max_rounds``. A stopped (sample, issue) keeps its state while the others go on.
    With ``rounds`` set, exactly that many rounds run and no stopping rule applies.

    ``step`` maps ``(S, A, I)`` positions and the ``(S, I)`` mask of pairs still moving to
    new positions and a dict of ``(S, A, I)`` extras describing the round just played (e.g.
    the risk exponents used in it); it need only be right inside the mask.
    """
    s, n_a, n_i = x0.shape
    limit = max_rounds if rounds is None else rounds
    history = [np.array(x0, dtype=float)]
    extras_hist: dict[str, list[np.ndarray]] = {
        k: [np.asarray(v)] for k, v in (extras0 or {}).items()
    }
    active = np.ones((s, n_i), dtype=bool)
    reason = np.full(
        (s, n_i), Stop.FIXED_ROUNDS if rounds is not None else Stop.MAX_ROUNDS, np.int8
    )
    stop_round = np.full((s, n_i), limit, dtype=np.int64)
    cycle = np.zeros((s, n_i), dtype=np.int64)
    # The past states of the lanes (sample, issue pairs) still moving, kept compact as
    # (rounds, lanes, actors) so that a repeated state is found in one comparison.
    lanes = np.arange(s * n_i)
    trail = _lanes(history[0])[None]
    for t in range(1, limit + 1):
        x = history[-1]
        new, extras = step(x, active.copy())
        keep = active[:, None, :]
        new = np.where(keep, new, x)
        history.append(new)
        for k, v in extras.items():
            extras_hist.setdefault(k, [])
            extras_hist[k].append(np.where(keep, v, extras_hist[k][-1]))
        if rounds is not None:
            continue
        moved = np.max(np.abs(new - x), axis=1)  # (S, I)
        done = active & (moved <= tol)
        reason[done], stop_round[done] = Stop.CONVERGED, t
        active &= ~done
        still = active.reshape(-1)[lanes]
        lanes, trail = lanes[still], trail[:, still]
        now = _lanes(new)[lanes]
        if t >= 2 and lanes.size:
            gap = np.max(np.abs(trail[: t - 1] - now), axis=-1)  # rounds 0 .. t - 2
            seen = gap <= tol
            hit = seen.any(axis=0)
            last = (t - 2) - np.argmax(seen[::-1], axis=0)  # most recent matching round
            found = lanes[hit]
            reason.reshape(-1)[found] = Stop.CYCLE
            stop_round.reshape(-1)[found] = t
            cycle.reshape(-1)[found] = (t - last)[hit]
            active.reshape(-1)[found] = False
            lanes, trail, now = lanes[~hit], trail[:, ~hit], now[~hit]
        trail = np.concatenate([trail, now[None]])
        if not active.any():
            break
    return RoundResult(
        position=np.stack(history, axis=1),
        extras={k: np.stack(v, axis=1) for k, v in extras_hist.items()},
        stop_reason=reason,
        stop_round=stop_round,
        cycle_length=cycle,
    )


def _lanes(x: np.ndarray) -> np.ndarray:
    """``(S, A, I)`` -> ``(S * I, A)``: one row per (sample, issue) lane."""
    return x.swapaxes(1, 2).reshape(-1, x.shape[1])


def settle_positions(
    position: np.ndarray,
    stop_round: np.ndarray,
    cycle_length: np.ndarray,
    stat: Callable[[np.ndarray, int], np.ndarray],
) -> np.ndarray:
    """Outcome per (sample, issue) from the final state or the states of a cycle.

    Only those states are gathered: ``stat(states, repeats)`` receives ``(S * C, A, I)``
    positions (C states per sample, sample-major) and returns ``(S * C, I)``; the outcome
    is its value at the stopping round, or its mean over the cycle.
    """
    n_s, _, n_a, n_i = position.shape
    length = np.maximum(cycle_length, 1)
    c_max = int(length.max())
    back = np.arange(c_max)[None, :, None]
    used = back < length[:, None, :]  # (S, C, I)
    idx = np.where(used, stop_round[:, None, :] - back, stop_round[:, None, :])
    states = np.take_along_axis(position, idx[:, :, None, :], axis=1)  # (S, C, A, I)
    values = stat(states.reshape(n_s * c_max, n_a, n_i), c_max).reshape(n_s, c_max, n_i)
    return np.sum(np.where(used, values, 0.0), axis=1) / np.sum(used, axis=1)


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
