"""``advise``: every lever of one actor, weighed by every model on the same draws.

For lever ``L`` and model ``m``, draw ``s`` gives the actor's utility of the settled
outcome (the forecast where it is a deal, the status quo where not; docs/deal.md) with
the lever, less its stated cost, minus the same without it. The effect is the mean of
that difference over the draws, with a 90 % interval of the mean (normal, paired), the
share of draws in which the lever helps (a difference above 1e-9) or hurts, and the
change in P(deal) with its own interval. Levers are ranked by the mean effect over the
models; ``robust`` counts the models in which the lever helps on average.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from summitry.advise.batch import VariantRuns, run_variants
from summitry.advise.flip import Flip, flip_concessions
from summitry.advise.levers import Lever, LeverOptions, apply_lever, generate_levers
from summitry.bounds import check_count
from summitry.errors import ParameterError
from summitry.forecast import chosen_models, summitry_version
from summitry.models import Model
from summitry.scenario import Scenario

__all__ = ["Advice", "Effect", "Response", "advise"]

Z90 = 1.6448536269514722
EPS = 1e-9
MAX_LEVERS = 200
"""Most levers weighed in one call (each costs a batch of draws)."""


@dataclass(frozen=True)
class Effect:
    """What one lever does for the actor under one model (winners-table units)."""

    lever: str
    model: str
    utility: float
    utility_interval: tuple[float, float]
    helps: float
    hurts: float
    p_deal: float | None
    p_deal_change: float | None
    p_deal_interval: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "lever": self.lever,
            "model": self.model,
            "utility": self.utility,
            "utility_interval": list(self.utility_interval),
            "helps": self.helps,
            "hurts": self.hurts,
            "p_deal": self.p_deal,
            "p_deal_change": self.p_deal_change,
            "p_deal_interval": None if self.p_deal_interval is None else list(self.p_deal_interval),
        }


@dataclass(frozen=True)
class Response:
    """Another actor's best reply to the actor's best lever, under one model."""

    model: str
    responder: str
    lever: str | None
    label: str
    responder_gain: float
    actor_before: float
    actor_after: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Advice:
    """The levers of one actor, their effects under every model, flips and replies."""

    scenario: str
    actor: str
    models: tuple[str, ...]
    samples: int
    seed: int
    input_sha256: str
    summitry_version: str
    levers: tuple[Lever, ...]
    baseline: dict[str, dict[str, float | None]]
    effects: tuple[Effect, ...]
    flips: tuple[Flip, ...] = ()
    responses: tuple[Response, ...] = ()
    response_samples: int | None = None
    notes: tuple[str, ...] = field(default=())

    def effect(self, lever: str, model: str) -> Effect:
        """The effect of ``lever`` under ``model``."""
        return next(e for e in self.effects if e.lever == lever and e.model == model)

    def score(self, lever: str) -> float:
        """Mean utility effect of ``lever`` over the models."""
        return float(np.mean([self.effect(lever, m).utility for m in self.models]))

    def robust(self, lever: str) -> int:
        """Number of models under which ``lever`` helps on average."""
        return sum(self.effect(lever, m).utility > EPS for m in self.models)

    def ranked(self) -> list[Lever]:
        """Levers from the most to the least helpful (mean effect over models; ties by id)."""
        return sorted(self.levers, key=lambda lv: (-round(self.score(lv.id), 12), lv.id))

    def best(self) -> Lever | None:
        """The top lever when it helps on average, else None."""
        ranked = self.ranked()
        return ranked[0] if ranked and self.score(ranked[0].id) > EPS else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record, with the seed and the input's hash."""
        return {
            "summitry_version": self.summitry_version,
            "scenario": self.scenario,
            "input_sha256": self.input_sha256,
            "seed": self.seed,
            "samples": self.samples,
            "actor": self.actor,
            "models": list(self.models),
            "baseline": self.baseline,
            "levers": [
                {
                    "id": lv.id,
                    "kind": lv.kind,
                    "label": lv.label,
                    "cost": lv.cost,
                    "sources": list(lv.sources),
                    "score": self.score(lv.id),
                    "robust": self.robust(lv.id),
                }
                for lv in self.ranked()
            ],
            "effects": [e.to_dict() for e in self.effects],
            "flips": [f.to_dict() for f in self.flips],
            "response_samples": self.response_samples,
            "responses": [r.to_dict() for r in self.responses],
            "notes": list(self.notes),
        }


def _mean_interval(d: np.ndarray) -> tuple[float, tuple[float, float]]:
    mean = float(np.mean(d))
    half = Z90 * float(np.std(d, ddof=1)) / math.sqrt(d.size) if d.size > 1 else 0.0
    return mean, (mean - half, mean + half)


def _effects(
    runs: VariantRuns, levers: Sequence[Lever], actor: int, models: Sequence[str]
) -> list[Effect]:
    costs = [lv.cost for lv in levers]
    out = []
    for m in models:
        u = runs.utility(m, actor, costs)
        deal = runs.deal[m]
        for k, lever in enumerate(levers, start=1):
            d = u[k] - u[0]
            mean, interval = _mean_interval(d)
            p = dp = di = None
            if deal is not None:
                p = float(deal[k].mean())
                dp, di = _mean_interval(deal[k].astype(float) - deal[0].astype(float))
            out.append(
                Effect(
                    lever.id,
                    m,
                    mean,
                    interval,
                    float(np.mean(d > EPS)),
                    float(np.mean(d < -EPS)),
                    p,
                    dp,
                    di,
                )  # fmt: skip
            )
    return out


def _responses(
    scenario: Scenario,
    best: Lever,
    actor: str,
    chosen: Sequence[Model],
    samples: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None,
) -> list[Response]:
    """Each other actor's best concession or emphasis after ``best``, per model."""
    moved = apply_lever(scenario, best)
    options = LeverOptions(steps=(0.5,), kinds=("concession", "emphasis"))
    replies: list[tuple[str, Lever]] = []
    for other in moved.actor_ids:
        if other != actor and moved.actor(other).present:
            replies += [(other, lv) for lv in generate_levers(moved, other, options)]
    variants = [moved, *(apply_lever(moved, lv) for _, lv in replies)]
    runs = run_variants(scenario, variants, chosen, samples=samples, seed=seed, progress=progress)
    ids = scenario.actor_ids
    a = ids.index(actor)
    out = []
    for model in chosen:
        mine = runs.utility(model.name, a).mean(axis=1)  # (V + 1,): 0 base, 1 after best
        before = float(mine[1] - mine[0] - best.cost)
        for other in ids:
            if other == actor or not scenario.actor(other).present:
                continue
            theirs = runs.utility(model.name, ids.index(other)).mean(axis=1)
            options_k = [k + 2 for k, (who, _) in enumerate(replies) if who == other]
            gains = [theirs[k] - theirs[1] for k in options_k]
            if not gains or max(gains) <= EPS:
                out.append(
                    Response(model.name, other, None, "no reply helps it", 0.0, before, before)
                )
                continue
            j = int(np.argmax(gains))
            k = options_k[j]
            lever = replies[k - 2][1]
            after = float(mine[k] - mine[0] - best.cost)
            out.append(
                Response(model.name, other, lever.id, lever.label, float(gains[j]), before, after)
            )
    return out


def advise(
    scenario: Scenario,
    actor: str,
    models: Sequence[str | Model] | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    options: LeverOptions | None = None,
    levers: Sequence[Lever] | None = None,
    flips: bool = True,
    responses: bool = True,
    response_samples: int = 200,
    progress: Callable[[str, int, int], None] | None = None,
) -> Advice:
    """Weigh every lever of ``actor`` under every model on ``samples`` common draws.

    Parameters
    ----------
    scenario
        A validated scenario.
    actor
        The actor to advise.
    models
        Model names or objects; default every model that can run on the scenario.
    samples, seed
        Monte Carlo draws (the same for the baseline and every lever) and their seed.
    options
        How levers are generated (:class:`~summitry.advise.levers.LeverOptions`).
    levers
        Weigh these levers instead of generating them.
    flips
        Also find the smallest concession that makes each blocker accept
        (:func:`~summitry.advise.flip.flip_concessions`).
    responses
        Also find every other actor's best reply to the best lever (concessions and
        emphasis), on ``min(samples, response_samples)`` draws.
    progress
        Called with ``(stage, done, total)`` as batches finish.

    Raises
    ------
    ParameterError
        For an unknown actor or model, or a count out of range.
    """
    check_count("samples", samples, 1, 100_000)
    check_count("response samples", response_samples, 1, 100_000)
    chosen = chosen_models(scenario, models)
    if actor not in scenario.actor_ids:
        raise ParameterError(f"unknown actor '{actor}'; actors: {', '.join(scenario.actor_ids)}")
    found = list(levers) if levers is not None else generate_levers(scenario, actor, options)
    if len(found) > MAX_LEVERS:
        raise ParameterError(f"{len(found)} levers exceed {MAX_LEVERS}; generate fewer kinds")
    variants = [apply_lever(scenario, lv) for lv in found]

    def stage(name: str) -> Callable[[str, int, int], None] | None:
        if progress is None:
            return None
        return lambda model, done, total: progress(f"{name}: {model}", done, total)

    runs = run_variants(
        scenario, variants, chosen, samples=samples, seed=seed, progress=stage("levers")
    )
    a = scenario.actor_ids.index(actor)
    names = tuple(m.name for m in chosen)
    baseline: dict[str, dict[str, float | None]] = {}
    for m in names:
        deal = runs.deal[m]
        baseline[m] = {
            "utility": float(runs.utility(m, a)[0].mean()),
            "p_deal": None if deal is None else float(deal[0].mean()),
        }
    effects = _effects(runs, found, a, names)
    notes = []
    if runs.deal[names[0]] is None:
        notes.append("no status quo on every issue: no deal test, utilities of the forecast")
    result = Advice(
        scenario=scenario.name,
        actor=actor,
        models=names,
        samples=samples,
        seed=seed,
        input_sha256=scenario.digest(),
        summitry_version=summitry_version(),
        levers=tuple(found),
        baseline=baseline,
        effects=tuple(effects),
        notes=tuple(notes),
    )
    flip_rows: list[Flip] = []
    if flips:
        flip_rows = flip_concessions(scenario, actor, chosen, progress=stage("flips"), notes=notes)
    reply_rows: list[Response] = []
    best = result.best()
    n_reply = min(samples, response_samples)
    if responses and best is not None:
        reply_rows = _responses(scenario, best, actor, chosen, n_reply, seed, stage("responses"))
    return Advice(
        **{
            **result.__dict__,
            "flips": tuple(flip_rows),
            "responses": tuple(reply_rows),
            "response_samples": n_reply if responses else None,
            "notes": tuple(notes),
        }
    )
