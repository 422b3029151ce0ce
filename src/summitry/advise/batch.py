"""Run many variants of one scenario through the models as few large batches.

Every variant is drawn with the same seed, so variant ``k``'s draw ``s`` differs from
the baseline's draw ``s`` only by what the variant changed (common random numbers).
Variants that share the baseline's beliefs are stacked on the sample axis and run in
one call per model; the deal test then reads each variant's own deal terms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from summitry.analysis.deal import acceptable_set, deal_draws
from summitry.analysis.uncertainty import sample
from summitry.analysis.winners import utility
from summitry.inputs import Inputs
from summitry.models import Model
from summitry.scenario import Scenario

__all__ = ["BATCH", "VariantRuns", "run_variants"]

BATCH = 4096
"""Most draws in one model call: variants are stacked up to this many draws at a time."""


@dataclass(frozen=True, eq=False)
class VariantRuns:
    """What every model gave on the baseline (variant 0) and each variant.

    Attributes
    ----------
    base
        The baseline's drawn inputs (the preferences every utility is measured with).
    outcome
        ``{model: (V + 1, S, I)}`` forecasts on [0, 1].
    deal
        ``{model: (V + 1, S)}`` whether each draw is a deal, or None without a status quo
        on every issue.
    """

    base: Inputs
    outcome: dict[str, np.ndarray]
    deal: dict[str, np.ndarray | None]

    def settled(self, model: str) -> np.ndarray:
        """``(V + 1, S, I)`` the forecast where a deal is made, the status quo elsewhere."""
        x = self.outcome[model]
        deal = self.deal[model]
        if deal is None:
            return x
        sq = np.asarray(self.base.status_quo)
        return np.where(deal[..., None], x, sq[None])

    def utility(self, model: str, actor: int, costs: Sequence[float] | None = None) -> np.ndarray:
        """``(V + 1, S)`` the actor's utility of the settled outcome, less each variant's cost.

        Utilities are the winners table's (:func:`~summitry.analysis.winners.utility`),
        with the baseline's preferences in every variant: a concession changes what the
        actor asks for, not what it wants.
        """
        u = np.stack([utility(self.base, x)[:, actor] for x in self.settled(model)])
        if costs is not None:
            u = u - np.asarray([0.0, *costs])[:, None]
        return u


def _stack(batch: Sequence[Inputs]) -> Inputs:
    """One batch of every input of ``batch`` on the sample axis (beliefs of the first)."""
    first = batch[0]
    if len(batch) == 1:
        return first
    cat = {
        name: np.concatenate([getattr(b, name) for b in batch], axis=0)
        for name in ("position", "salience", "capability", "status_quo")
    }
    return Inputs(
        actors=first.actors,
        issues=first.issues,
        veto=first.veto,
        present=first.present,
        scale_min=first.scale_min,
        scale_max=first.scale_max,
        meta=first.meta,
        belief_position=first.belief_position,
        belief_salience=first.belief_salience,
        belief_capability=first.belief_capability,
        terms=None,
        **cat,
    )


def _belief_key(inputs: Inputs) -> bytes:
    parts = [inputs.veto.tobytes(), inputs.present.tobytes()]
    for b in (inputs.belief_position, inputs.belief_salience, inputs.belief_capability):
        parts.append(b"-" if b is None else np.nan_to_num(b, nan=-9.0).tobytes())
    return b"|".join(parts)


def _model_key(inputs: Inputs) -> bytes:
    """What the models read of ``inputs`` (never the deal terms), as bytes."""
    arrays = (inputs.position, inputs.salience, inputs.capability, inputs.status_quo)
    return b"|".join([*(np.ascontiguousarray(a).tobytes() for a in arrays), _belief_key(inputs)])


def run_variants(
    scenario: Scenario,
    variants: Sequence[Scenario],
    models: Sequence[Model],
    *,
    samples: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> VariantRuns:
    """Run ``models`` on the baseline and every variant, ``samples`` draws each.

    ``progress(model, done, total)`` is called after each batch.
    """
    inputs = [sample(s, samples, seed=seed) for s in (scenario, *variants)]
    # variants that change only deal terms (links, discounts) share their model runs
    runs_of: dict[bytes, int] = {}
    source = [runs_of.setdefault(_model_key(inp), k) for k, inp in enumerate(inputs)]
    groups: dict[bytes, list[int]] = {}
    for k in sorted(set(source)):
        groups.setdefault(_belief_key(inputs[k]), []).append(k)
    per_call = max(1, BATCH // samples)  # bounds memory and the time between progress calls
    batches = [
        members[j : j + per_call]
        for members in groups.values()
        for j in range(0, len(members), per_call)
    ]
    with_sq = not np.isnan(inputs[0].status_quo).any()
    solutions = [acceptable_set(inp) for inp in inputs] if with_sq else None
    outcome: dict[str, np.ndarray] = {}
    deal: dict[str, np.ndarray | None] = {}
    total = len(models) * len(batches)
    done = 0
    n_i = inputs[0].n_issues
    for model in models:
        x = np.empty((len(inputs), samples, n_i))
        for members in batches:
            run = model.run(_stack([inputs[k] for k in members]), rng=seed)
            x[members] = np.asarray(run.outcome).reshape(len(members), samples, n_i)
            done += 1
            if progress is not None:
                progress(model.name, done, total)
        x = x[source]
        outcome[model.name] = x
        if solutions is None:
            deal[model.name] = None
        else:
            deal[model.name] = np.stack(
                [deal_draws(inp, x[k], solution=solutions[k]) for k, inp in enumerate(inputs)]
            )
    return VariantRuns(inputs[0], outcome, deal)
