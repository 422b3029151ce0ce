"""What a model run returns: positions per round, the outcome, and how the run stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from summitry.history import Rounds
from summitry.inputs import Inputs

__all__ = ["Stop", "Trajectory"]


class Stop(IntEnum):
    """Why a model stopped on one (sample, issue)."""

    CONVERGED = 0
    """Positions moved less than the tolerance in the last round."""
    CYCLE = 1
    """A state seen before came back; the outcome is the mean over the cycle."""
    MAX_ROUNDS = 2
    """The round limit was reached while positions still moved."""
    FIXED_ROUNDS = 3
    """Exactly the requested number of rounds was run, stopping rules ignored."""
    CLOSED_FORM = 4
    """The model has no rounds; the outcome is computed directly from the inputs."""

    @property
    def label(self) -> str:
        """Lower-case words for tables: ``"max rounds"``."""
        return self.name.lower().replace("_", " ")


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


class _OnDemand:
    """A field that holds an array, or a function building it on first read.

    Iterative models pass their history's unroll; a Monte Carlo forecast that only needs
    outcomes then never builds the full ``(S, T + 1, A, I)`` array.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: object, owner: type | None = None) -> np.ndarray:
        if obj is None:
            raise AttributeError(self.slot)  # no default value for the dataclass field
        value = obj.__dict__[self.slot]
        if callable(value):
            value = _readonly(value())
            obj.__dict__[self.slot] = value
        return value

    def __set__(self, obj: object, value: object) -> None:
        obj.__dict__[self.slot] = value if callable(value) else _readonly(value)


class _Extras(Mapping):
    """Read-only mapping of extras whose values may be built on first read."""

    def __init__(self, items: Mapping[str, object]):
        self._items = dict(items)

    def __getitem__(self, key: str) -> np.ndarray:
        value = self._items[key]
        if callable(value):
            value = self._items[key] = _readonly(value())
        return value

    def held(self, key: str) -> object:
        """What is held for ``key``: the array, or the function that builds it."""
        return self._items[key]

    def __iter__(self):  # noqa: ANN204
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The result of one model run over a batch.

    Attributes
    ----------
    model
        Name of the model that produced it.
    inputs
        The inputs it ran on (labels and scales travel with the result).
    position
        ``(S, T + 1, A, I)`` positions on ``[0, 1]``; round 0 is the input. After a
        (sample, issue) stops, its last state is repeated. May be given as a function
        that builds the array, called the first time it is read.
    outcome
        ``(S, I)`` the model's forecast on ``[0, 1]``.
    stop_reason
        ``(S, I)`` :class:`Stop` codes.
    stop_round
        ``(S, I)`` the round at which each (sample, issue) stopped.
    cycle_length
        ``(S, I)`` length of the detected cycle, 0 where none.
    extras
        Model-specific per-round arrays of shape ``(S, T + 1, A, I)``, for example
        ``risk_exponent`` for the expected-utility model (or functions building them).
    """

    model: str
    inputs: Inputs
    position: np.ndarray = _OnDemand()  # type: ignore[assignment]
    outcome: np.ndarray
    stop_reason: np.ndarray
    stop_round: np.ndarray
    cycle_length: np.ndarray
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("outcome", "stop_reason", "stop_round", "cycle_length"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        extras = {k: v if callable(v) else _readonly(v) for k, v in self.extras.items()}
        object.__setattr__(self, "extras", _Extras(extras))

    @property
    def n_rounds(self) -> int:
        """Number of rounds ``T`` recorded after round 0 (the last round any lane played)."""
        return int(self.stop_round.max(initial=0))

    def position_of(self, sample: int) -> np.ndarray:
        """``(T + 1, A, I)`` positions of one sample, without building every sample's."""
        return self._one(self.__dict__["_position"], "position", sample)

    def extra_of(self, name: str, sample: int) -> np.ndarray:
        """``(T + 1, A, I)`` values of one extra for one sample."""
        return self._one(self.extras.held(name), name, sample)

    def _one(self, held: object, name: str, sample: int) -> np.ndarray:
        n = self.inputs.n_samples
        if not -n <= sample < n:
            raise IndexError(f"sample {sample} is out of range for {n:,} samples")
        sample %= n
        if isinstance(held, Rounds):
            return _readonly(held(np.array([sample]))[0])
        return (self.position if name == "position" else self.extras[name])[sample]

    def trim(self, n_samples: int) -> None:
        """Keep every round for the first ``n_samples`` samples only, to free memory.

        Outcomes and how each sample stopped are untouched; :meth:`position_of` and
        :meth:`extra_of` still answer for those samples, while :attr:`position` of every
        sample, no longer available, raises ValueError. Arrays already built stay.
        """
        for held in (self.__dict__["_position"], *map(self.extras.held, self.extras)):
            if isinstance(held, Rounds):
                held.trim(n_samples)

    def position_on_scale(self, sample: int | None = None) -> np.ndarray:
        """``(S, T + 1, A, I)`` positions on each issue's own scale.

        With ``sample``, that sample's ``(T + 1, A, I)`` only (:meth:`position_of`).
        """
        return self.inputs.to_scale(self.position if sample is None else self.position_of(sample))

    def outcome_on_scale(self) -> np.ndarray:
        """``(S, I)`` outcomes on each issue's own scale."""
        return self.inputs.to_scale(self.outcome)
