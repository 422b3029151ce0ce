"""Monte Carlo draws of a scenario's uncertain inputs.

Every position, salience and capability may carry a standard deviation (its own, or the
scenario's default in ``uncertainty``). Draws come from a normal law truncated to the
allowed range: positions to the issue's scale, saliences to [0, 1], capabilities to
[0, inf). Truncation keeps every draw valid without piling mass on the bounds, as
clipping would.

Draws are made in fixed blocks of :data:`BLOCK` samples, block *k* from the *k*-th child of
``SeedSequence(seed)``. A sample's values therefore depend only on the seed and its index,
never on how the work is split between processes or machines.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from summitry.bounds import MAX_CELLS, MAX_SAMPLES, check_count
from summitry.errors import ParameterError
from summitry.inputs import Inputs
from summitry.scenario import Scenario

__all__ = ["BLOCK", "Spread", "is_exact", "sample", "spread"]

BLOCK = 1024
"""Samples per independently seeded block."""


class Spread:
    """Standard deviations of a scenario's inputs, normalised like :class:`Inputs`.

    Attributes
    ----------
    position, salience
        ``(A, I)`` on [0, 1] units; zero where the actor is absent or the input is exact.
    capability
        ``(A,)`` in capability units.
    """

    def __init__(self, position: np.ndarray, salience: np.ndarray, capability: np.ndarray):
        self.position = position
        self.salience = salience
        self.capability = capability

    @property
    def exact(self) -> bool:
        """True when no input is uncertain."""
        return not (self.position.any() or self.salience.any() or self.capability.any())


def spread(scenario: Scenario) -> Spread:
    """Collect each input's standard deviation, falling back to the scenario's defaults."""
    default = scenario.uncertainty
    actor_ids, issue_ids = scenario.actor_ids, scenario.issue_ids
    width = np.array([i.scale.max - i.scale.min for i in scenario.issues])
    pos = np.zeros((len(actor_ids), len(issue_ids)))
    sal = np.zeros_like(pos)
    for a, actor_id in enumerate(actor_ids):
        for issue_id, stance in scenario.positions.get(actor_id, {}).items():
            i = issue_ids.index(issue_id)
            pos[a, i], sal[a, i] = _stance_sd(scenario, stance, width[i])
    cap = np.array(
        [
            default.capability * a.capability if a.capability_sd is None else a.capability_sd
            for a in scenario.actors
        ]
    )
    return Spread(pos, sal, cap)


def is_exact(scenario: Scenario) -> bool:
    """True when nothing in the scenario is uncertain, so every draw would be the same."""
    if not spread(scenario).exact:
        return False
    if any(i.status_quo_sd for i in scenario.issues):
        return False
    if any(a.walk_away_sd for a in scenario.actors):
        return False
    default = scenario.uncertainty
    for r in scenario.ratifiers:
        if r.walk_away_sd or (r.positions and (default.position or default.salience)):
            return False
        if any(st.position_sd or st.salience_sd for st in r.positions.values()):
            return False
    return True


def _stance_sd(scenario: Scenario, stance: Any, width: float) -> tuple[float, float]:
    """A stance's position and salience spreads on [0, 1], or the scenario's defaults."""
    default = scenario.uncertainty
    pos = default.position if stance.position_sd is None else stance.position_sd / width
    sal = (
        default.salience
        if stance.salience_sd is None
        else stance.salience_sd / scenario.salience_scale
    )
    return pos, sal


def _truncated_normal(
    rng: np.random.Generator, mean: np.ndarray, sd: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """Draw from N(mean, sd) truncated to [lo, hi] by inverting the CDF (sd may be 0)."""
    safe = np.where(sd > 0, sd, 1.0)
    a = ndtr((lo - mean) / safe)
    b = ndtr((hi - mean) / safe)
    u = rng.random(mean.shape)
    x = mean + safe * ndtri(a + u * (b - a))
    return np.where(sd > 0, np.clip(x, lo, hi), mean)


def sample(scenario: Scenario, n_samples: int, *, seed: int = 0) -> Inputs:
    """Draw ``n_samples`` versions of the scenario's inputs in one batch.

    With no uncertain input, every sample equals the scenario. ``n_samples=1`` returns
    the scenario's own values, undrawn.
    """
    check_count("samples", n_samples, 1, MAX_SAMPLES)
    base = scenario.to_arrays()
    if n_samples * base.n_actors * base.n_issues > MAX_CELLS:
        raise ParameterError(
            f"{n_samples:,} samples of {base.n_actors} actors x {base.n_issues} issues exceed "
            f"{MAX_CELLS:,} values in one batch; use fewer samples, or the Dask engine in chunks"
        )
    sd = spread(scenario)
    if n_samples == 1:
        return base
    drawn = _draw_terms(scenario, base, n_samples, seed)
    if sd.exact:
        return replace(base.repeat(n_samples), **drawn)
    blocks = -(-n_samples // BLOCK)
    children = np.random.SeedSequence(seed).spawn(blocks)
    pos, sal, cap = [], [], []
    for k, child in enumerate(children):  # one block of samples at a time, not one sample
        m = min(BLOCK, n_samples - k * BLOCK)
        rng = np.random.default_rng(child)
        shape = (m, *base.position.shape[1:])
        pos.append(_truncated_normal(rng, np.broadcast_to(base.position, shape), sd.position, 0, 1))
        sal.append(_truncated_normal(rng, np.broadcast_to(base.salience, shape), sd.salience, 0, 1))
        cap_shape = (m, base.n_actors)
        cap.append(
            _truncated_normal(
                rng, np.broadcast_to(base.capability, cap_shape), sd.capability, 0, np.inf
            )
        )
    present = base.present[None]
    return replace(
        base.repeat(n_samples),
        position=np.where(present, np.concatenate(pos), base.position),
        salience=np.where(present, np.concatenate(sal), 0.0),
        capability=np.concatenate(cap),
        meta={**base.meta, "seed": seed, "samples": n_samples},
        **drawn,
    )


TERMS_STREAM = 1 << 30
"""Spawn key of the draws of status quo and deal terms, apart from the stances' blocks."""


def _draw_terms(scenario: Scenario, base: Inputs, n_samples: int, seed: int) -> dict:
    """Draw the status quo and the deal terms where the scenario marks them uncertain.

    They come from streams of their own (``SeedSequence(seed, spawn_key=(TERMS_STREAM,
    k))`` for block ``k``), so a scenario without them draws exactly as before.
    """
    width = base.scale_max - base.scale_min
    sq_sd = np.array([i.status_quo_sd or 0.0 for i in scenario.issues]) / width
    terms = base.terms
    walk_sd = np.array([a.walk_away_sd or 0.0 for a in scenario.actors])
    r_pos_sd = r_sal_sd = r_walk_sd = None
    if terms is not None and terms.ratifiers:
        n_r, n_i = len(terms.ratifiers), base.n_issues
        r_pos_sd, r_sal_sd = np.zeros((n_r, n_i)), np.zeros((n_r, n_i))
        for r, rat in enumerate(scenario.ratifiers):
            for issue_id, st in rat.positions.items():
                i = base.issues.index(issue_id)
                r_pos_sd[r, i], r_sal_sd[r, i] = _stance_sd(scenario, st, width[i])
        r_walk_sd = np.array([r.walk_away_sd or 0.0 for r in scenario.ratifiers])
    uncertain = sq_sd.any() or (
        terms is not None
        and (
            walk_sd.any() or any(x is not None and x.any() for x in (r_pos_sd, r_sal_sd, r_walk_sd))
        )
    )
    if not uncertain:
        return {}
    sq, walk, r_pos, r_sal, r_walk = [], [], [], [], []
    for k in range(-(-n_samples // BLOCK)):
        m = min(BLOCK, n_samples - k * BLOCK)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TERMS_STREAM, k)))
        sq.append(
            _truncated_normal(
                rng, np.broadcast_to(base.status_quo, (m, base.n_issues)), sq_sd, 0, 1
            )
        )
        if terms is None:
            continue
        mean = np.nan_to_num(np.broadcast_to(terms.walk_away, (m, base.n_actors)))
        walk.append(mean + walk_sd * rng.standard_normal((m, base.n_actors)))
        if r_pos_sd is not None:  # each ratifier from a stream of its own
            pos_k, sal_k, walk_k = [], [], []
            for r in range(r_pos_sd.shape[0]):
                key = (TERMS_STREAM, k, 1 + r)
                r_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
                shape = (m, r_pos_sd.shape[1])
                mean = np.broadcast_to(terms.ratifier_position[0, r], shape)
                pos_k.append(_truncated_normal(r_rng, mean, r_pos_sd[r], 0, 1))
                mean = np.broadcast_to(terms.ratifier_salience[0, r], shape)
                sal_k.append(_truncated_normal(r_rng, mean, r_sal_sd[r], 0, 1))
                walk_k.append(
                    terms.ratifier_walk_away[0, r] + r_walk_sd[r] * r_rng.standard_normal(m)
                )
            r_pos.append(np.stack(pos_k, axis=1))
            r_sal.append(np.stack(sal_k, axis=1))
            r_walk.append(np.stack(walk_k, axis=1))
    out: dict = {"status_quo": np.concatenate(sq)}
    if terms is not None:
        terms = terms.take(np.zeros(n_samples, dtype=int))
        drawn = {"walk_away": np.where(np.isnan(terms.walk_away), np.nan, np.concatenate(walk))}
        if r_pos:
            drawn["ratifier_position"] = np.where(
                terms.ratifier_present[None], np.concatenate(r_pos), terms.ratifier_position
            )
            drawn["ratifier_salience"] = np.where(
                terms.ratifier_present[None], np.concatenate(r_sal), 0.0
            )
            drawn["ratifier_walk_away"] = np.concatenate(r_walk)
        out["terms"] = replace(terms, **drawn)
    return out
