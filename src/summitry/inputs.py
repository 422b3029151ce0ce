"""Model inputs as labelled numpy arrays with a leading sample axis.

Shapes use ``S`` samples, ``A`` actors and ``I`` issues. Positions and status quo are
normalised to ``[0, 1]`` on each issue's scale; salience is on ``[0, 1]``; capability is
relative and non-negative. An actor that takes no part in an issue has ``present`` false,
zero salience and a placeholder position of 0.5 on that issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from summitry.deal_terms import DealTerms

__all__ = ["Inputs"]


def _frozen(array: Any, dtype: Any = float) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Inputs:
    """A batch of model inputs.

    Attributes
    ----------
    actors, issues
        Labels of the actor and issue axes.
    position
        ``(S, A, I)`` ideal points on ``[0, 1]``.
    salience
        ``(S, A, I)`` on ``[0, 1]``; zero where the actor is absent.
    capability
        ``(S, A)`` relative clout, non-negative.
    status_quo
        ``(S, I)`` on ``[0, 1]``; NaN where the scenario gives none.
    veto
        ``(A, I)`` true where the actor must accept any change on the issue.
    present
        ``(A, I)`` true where the actor takes part in the issue.
    scale_min, scale_max
        ``(I,)`` each issue's scale, to map results back from ``[0, 1]``.
    belief_position, belief_salience
        ``(A, A, I)`` or None: what observer ``o`` believes about actor ``a`` on issue
        ``i`` (same units as ``position`` and ``salience``), NaN where it knows the truth.
        Beliefs are stated values, the same in every sample.
    belief_capability
        ``(A, A)`` or None, likewise.
    terms
        Walk-away values, credibility, ratifiers and links
        (:class:`~summitry.deal_terms.DealTerms`), or None when the scenario states none.
        Only the acceptance test of a deal reads them.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    status_quo: np.ndarray
    veto: np.ndarray
    present: np.ndarray
    scale_min: np.ndarray
    scale_max: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    belief_position: np.ndarray | None = None
    belief_salience: np.ndarray | None = None
    belief_capability: np.ndarray | None = None
    terms: DealTerms | None = None

    def __post_init__(self) -> None:
        freeze = object.__setattr__
        for name in ("position", "salience", "capability", "status_quo", "scale_min", "scale_max"):
            freeze(self, name, _frozen(getattr(self, name)))
        for name in ("veto", "present"):
            freeze(self, name, _frozen(getattr(self, name), bool))
        for name in _BELIEFS:
            if getattr(self, name) is not None:
                freeze(self, name, _frozen(getattr(self, name)))
        freeze(self, "actors", tuple(self.actors))
        freeze(self, "issues", tuple(self.issues))
        s, a, i = self.position.shape
        expected = {
            "salience": (s, a, i),
            "capability": (s, a),
            "status_quo": (s, i),
            "veto": (a, i),
            "present": (a, i),
            "scale_min": (i,),
            "scale_max": (i,),
            "belief_position": (a, a, i),
            "belief_salience": (a, a, i),
            "belief_capability": (a, a),
        }
        for name, shape in expected.items():
            value = getattr(self, name)
            if value is not None and value.shape != shape:
                raise ValueError(
                    f"Inputs.{name} has shape {getattr(self, name).shape}, not {shape}"
                )
        if (len(self.actors), len(self.issues)) != (a, i):
            raise ValueError("Inputs labels do not match the actor and issue axes")

    @property
    def n_samples(self) -> int:
        """Number of samples ``S``."""
        return int(self.position.shape[0])

    @property
    def n_actors(self) -> int:
        """Number of actors ``A``."""
        return int(self.position.shape[1])

    @property
    def n_issues(self) -> int:
        """Number of issues ``I``."""
        return int(self.position.shape[2])

    @property
    def weight(self) -> np.ndarray:
        """``(S, A, I)`` capability times salience, the votes of each actor on each issue."""
        return self.capability[:, :, None] * self.salience

    @property
    def has_beliefs(self) -> bool:
        """True when some actor believes something other than the truth."""
        return not all(self.knows_truth(o) for o in range(self.n_actors))

    def knows_truth(self, observer: int, about: np.ndarray | None = None) -> bool:
        """True when actor number ``observer`` believes the truth about every actor.

        ``about``, a boolean ``(A,)`` mask, limits the question to those actors.
        """
        for name in _BELIEFS:
            belief = getattr(self, name)
            if belief is None:
                continue
            seen = belief[observer] if about is None else belief[observer][about]
            if not np.all(np.isnan(seen)):
                return False
        return True

    def perceived_by(self, observer: int) -> Inputs:
        """The inputs as actor number ``observer`` believes them to be, without beliefs."""

        def seen(true: np.ndarray, belief: np.ndarray | None) -> np.ndarray:
            if belief is None:
                return true
            return np.where(np.isnan(belief[observer]), true, belief[observer])

        return replace(
            self,
            position=seen(self.position, self.belief_position),
            salience=seen(self.salience, self.belief_salience),
            capability=seen(self.capability, self.belief_capability),
            belief_position=None,
            belief_salience=None,
            belief_capability=None,
        )

    def without_beliefs(self) -> Inputs:
        """The same inputs with every actor knowing the truth."""
        return replace(self, belief_position=None, belief_salience=None, belief_capability=None)

    def to_scale(self, x: np.ndarray) -> np.ndarray:
        """Map values on ``[0, 1]`` (issues on the last axis) back to each issue's scale."""
        return self.scale_min + np.asarray(x) * (self.scale_max - self.scale_min)

    def from_scale(self, x: np.ndarray) -> np.ndarray:
        """Map values on each issue's scale (issues on the last axis) to ``[0, 1]``."""
        return (np.asarray(x) - self.scale_min) / (self.scale_max - self.scale_min)

    def take(self, samples: Any) -> Inputs:
        """Return the inputs of the given sample indices (an int keeps the axis)."""
        idx = np.atleast_1d(np.asarray(samples))
        return replace(
            self,
            position=self.position[idx],
            salience=self.salience[idx],
            capability=self.capability[idx],
            status_quo=self.status_quo[idx],
            terms=None if self.terms is None else self.terms.take(idx),
        )

    def repeat(self, n_samples: int) -> Inputs:
        """Return ``n_samples`` copies of a single-sample batch."""
        if self.n_samples != 1:
            raise ValueError("repeat() needs a batch of exactly one sample")
        return self.take(np.zeros(n_samples, dtype=int))

    def permute_actors(self, order: Any) -> Inputs:
        """Return the same inputs with the actor axis reordered by ``order``."""
        order = np.asarray(order)
        return replace(
            self,
            actors=tuple(self.actors[k] for k in order),
            position=self.position[:, order],
            salience=self.salience[:, order],
            capability=self.capability[:, order],
            veto=self.veto[order],
            present=self.present[order],
            belief_position=_both(self.belief_position, order),
            belief_salience=_both(self.belief_salience, order),
            belief_capability=_both(self.belief_capability, order),
            terms=None if self.terms is None else self.terms.permute_actors(order),
        )


_BELIEFS = ("belief_position", "belief_salience", "belief_capability")


def _both(belief: np.ndarray | None, order: np.ndarray) -> np.ndarray | None:
    """Reorder the observer and the observed axes of a belief array."""
    return None if belief is None else belief[order][:, order]
