"""Hypothesis strategies and small builders for model inputs.

Inputs are built straight from arrays, without a scenario file: ``S`` samples, ``A``
actors, ``I`` issues. Absent actors get zero salience and the placeholder position 0.5,
as :meth:`summitry.scenario.Scenario.to_arrays` gives them; every issue keeps at least
one present actor with positive ``capability * salience``, and has a status quo.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from summitry.inputs import Inputs

GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
"""A coarse grid: exact ties between actors are common."""

DYADIC = 2**16
"""Dyadic values k / 2**16 are exact under ``1 - x`` and under differences."""

VALUES = ("mixed", "grid", "float", "dyadic")


def make_inputs(position, salience=None, capability=None, present=None, status_quo=None) -> Inputs:
    """Inputs from plain nested lists; ``(A, I)`` arrays get a sample axis of one.

    Salience and capability default to one, ``present`` to everywhere, the status quo to
    0.5. Absent actors get zero salience and position 0.5.
    """
    position = np.asarray(position, dtype=float)
    if position.ndim == 2:
        position = position[None]
    n_s, n_a, n_i = position.shape
    present = np.ones((n_a, n_i), bool) if present is None else np.asarray(present, bool)
    salience = np.ones_like(position) if salience is None else np.asarray(salience, float)
    salience = np.broadcast_to(salience, position.shape)
    capability = np.ones((n_s, n_a)) if capability is None else np.asarray(capability, float)
    capability = np.broadcast_to(capability, (n_s, n_a))
    status_quo = 0.5 if status_quo is None else np.asarray(status_quo, float)
    return Inputs(
        actors=tuple(f"a{k}" for k in range(n_a)),
        issues=tuple(f"i{k}" for k in range(n_i)),
        position=np.where(present, position, 0.5),
        salience=np.where(present, salience, 0.0),
        capability=capability,
        status_quo=np.broadcast_to(status_quo, (n_s, n_i)),
        veto=np.zeros((n_a, n_i), bool),
        present=present,
        scale_min=np.zeros(n_i),
        scale_max=np.ones(n_i),
    )


def with_position(inputs: Inputs, position: np.ndarray) -> Inputs:
    """The same inputs with other positions (absent actors keep the placeholder)."""
    return replace(inputs, position=np.where(inputs.present, position, 0.5))


def mirrored(inputs: Inputs) -> Inputs:
    """The same inputs with every issue's scale turned round: ``x -> 1 - x``."""
    flipped = with_position(inputs, 1.0 - inputs.position)
    return replace(flipped, status_quo=1.0 - inputs.status_quo)


def unit_values(kind: str, *, floor: float = 0.0) -> st.SearchStrategy[float]:
    """Numbers on ``[0, 1]``: a coarse grid, any float, dyadic floats, or a mix.

    With ``floor``, non-zero floats stay at or above it (weights of 1e-320 underflow).
    """
    grid = st.sampled_from(GRID)
    floats = st.floats(0.0, 1.0) if floor == 0 else st.just(0.0) | st.floats(floor, 1.0)
    dyadic = st.integers(0, DYADIC).map(lambda k: k / DYADIC)
    return {"grid": grid, "float": floats, "dyadic": dyadic, "mixed": grid | floats}[kind]


@st.composite
def inputs(
    draw,
    *,
    samples: tuple[int, int] = (1, 3),
    actors: tuple[int, int] = (2, 8),
    issues: tuple[int, int] = (1, 3),
    values: str = "mixed",
    distinct: bool = False,
) -> Inputs:
    """A batch of valid model inputs.

    Parameters
    ----------
    samples, actors, issues
        Inclusive size ranges of the ``S``, ``A`` and ``I`` axes.
    values
        One of :data:`VALUES`, for positions and saliences.
    distinct
        Every position in the batch differs from every other (needs non-grid values).
    """
    if values not in VALUES or (distinct and values == "grid"):
        raise ValueError(f"no such value kind: {values!r} (distinct={distinct})")
    n_s = draw(st.integers(*samples))
    n_a = draw(st.integers(*actors))
    n_i = draw(st.integers(*issues))
    shape = (n_s, n_a, n_i)
    position = draw(arrays(float, shape, elements=unit_values(values), unique=distinct))
    salience = draw(arrays(float, shape, elements=unit_values(values, floor=1e-6)))
    cap = st.sampled_from((1.0, 2.0, 3.0, 5.0)) | st.floats(0.01, 100.0)
    capability = draw(arrays(float, (n_s, n_a), elements=cap))
    present = draw(arrays(bool, (n_a, n_i)))
    for i in range(n_i):  # one anchor per issue: present, with positive salience
        a = draw(st.integers(0, n_a - 1))
        present[a, i] = True
        least = draw(st.sampled_from(GRID[1:]) | st.floats(0.01, 1.0))
        salience[:, a, i] = np.maximum(salience[:, a, i], least)
    sq = draw(arrays(float, (n_s, n_i), elements=unit_values(values)))  # some models need one
    veto = draw(arrays(bool, (n_a, n_i))) & present
    lo = draw(arrays(float, n_i, elements=st.integers(-10, 0).map(float)))
    width = draw(arrays(float, n_i, elements=st.integers(1, 20).map(float)))
    return Inputs(
        actors=tuple(f"a{k}" for k in range(n_a)),
        issues=tuple(f"i{k}" for k in range(n_i)),
        position=np.where(present, position, 0.5),
        salience=np.where(present, salience, 0.0),
        capability=capability,
        status_quo=sq,
        veto=veto,
        present=present,
        scale_min=lo,
        scale_max=lo + width,
    )


@st.composite
def unanimous_inputs(draw, **kwargs) -> tuple[Inputs, np.ndarray]:
    """Inputs where, on some issues, every present actor holds the same position.

    Returns the inputs and an ``(I,)`` mask of those issues (at least one).
    """
    base = draw(inputs(**kwargs))
    n_s, n_a, n_i = base.position.shape
    mask = draw(arrays(bool, n_i))
    mask[draw(st.integers(0, n_i - 1))] = True
    common = draw(arrays(float, (n_s, 1, n_i), elements=unit_values("mixed")))
    return with_position(base, np.where(mask, common, base.position)), mask


def actor_orders(n_actors: int) -> st.SearchStrategy[np.ndarray]:
    """Permutations of ``range(n_actors)``."""
    return st.permutations(range(n_actors)).map(np.array)
