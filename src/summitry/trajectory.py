"""What a model run returns: positions per round, the outcome, and how the run stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType

import numpy as np

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
        (sample, issue) stops, its last state is repeated.
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
        ``risk_exponent`` for the expected-utility model.
    """

    model: str
    inputs: Inputs
    position: np.ndarray
    outcome: np.ndarray
    stop_reason: np.ndarray
    stop_round: np.ndarray
    cycle_length: np.ndarray
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("position", "outcome", "stop_reason", "stop_round", "cycle_length"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        extras = {k: _readonly(v) for k, v in self.extras.items()}
        object.__setattr__(self, "extras", MappingProxyType(extras))

    @property
    def n_rounds(self) -> int:
        """Number of rounds ``T`` recorded after round 0."""
        return int(self.position.shape[1]) - 1

    def position_on_scale(self) -> np.ndarray:
        """``(S, T + 1, A, I)`` positions on each issue's own scale."""
        return self.inputs.to_scale(self.position)

    def outcome_on_scale(self) -> np.ndarray:
        """``(S, I)`` outcomes on each issue's own scale."""
        return self.inputs.to_scale(self.outcome)
