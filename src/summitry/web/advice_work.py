"""What an advice job does, and the rows the ``/advise`` page shows of its result.

:func:`advice_order` checks a request for advice (the scenario's size, the models, the
actor, the samples and the work) against the server's limits; :func:`compute_advice`
runs :func:`summitry.advise.advise` as a job (:mod:`summitry.web.jobs`), reporting each
batch of draws as a stage, so that the job shows its progress and a cancel stops it.
The job's result is ``{"input_sha256", "advice"}``, ``advice`` being
:meth:`summitry.advise.Advice.to_dict`. :func:`lever_rows`, :func:`flip_rows` and
:func:`reply_rows` turn that record into the page's tables.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.errors import ParameterError
from summitry.models import MODELS
from summitry.scenario import Scenario
from summitry.web.bodies import check_size
from summitry.web.jobs import Stages
from summitry.web.limits import ENV, Limits
from summitry.web.problems import ApiError
from summitry.web.work import Order, work_of

__all__ = [
    "DEFAULT_MODELS",
    "DEFAULT_SAMPLES",
    "TOP",
    "AdviceOrder",
    "advice_order",
    "compute_advice",
    "flip_rows",
    "job_of_advice",
    "lever_rows",
    "reply_rows",
]

DEFAULT_MODELS = ("compromise", "nash")
"""Models weighed when a request names none (closed-form, so their flips are exact)."""

DEFAULT_SAMPLES = 200
"""Draws per lever when a request gives none."""

TOP = 8
"""Levers the page shows, the most helpful first."""


@dataclass(frozen=True)
class AdviceOrder:
    """Advice to compute: one actor of a validated scenario, its models, draws and seed."""

    scenario: Scenario
    actor: str
    models: tuple[str, ...]
    samples: int
    seed: int
    levers: int


def advice_order(
    scenario: Scenario,
    actor: str,
    models: Sequence[str] | None,
    samples: int,
    seed: int,
    limits: Limits,
) -> AdviceOrder:
    """The order a request asks for, or :class:`ApiError` (422) naming what is wrong.

    The work is the forecast's (actors x issues x samples x rounds, summed over the
    models) once for the baseline and once for every lever; it is bounded by
    ``limits.max_work`` as a forecast's is.
    """
    from summitry.advise import generate_levers

    if samples < 1 or samples > limits.max_samples:
        raise ApiError(
            422,
            f"samples: {samples} lies outside 1 to {limits.max_samples}, what this server "
            f"takes ({ENV['max_samples']})",
            path="samples",
        )
    check_size(scenario, limits)
    names = DEFAULT_MODELS if models is None else tuple(models)
    if not names:
        raise ApiError(
            422, f"models: no model chosen; choose from: {', '.join(MODELS)}", path="models"
        )
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        raise ApiError(
            422,
            f"unknown model '{unknown[0]}'; choose from: {', '.join(MODELS)}",
            path=f"models[{names.index(unknown[0])}]",
        )
    if actor not in scenario.actor_ids:
        raise ApiError(
            422,
            f"unknown actor '{actor}'; actors: {', '.join(scenario.actor_ids)}",
            path="actor",
        )
    try:
        levers = len(generate_levers(scenario, actor))
        work = work_of(Order(scenario, list(names), samples)) * (levers + 1)
    except ParameterError as exc:
        raise ApiError(422, str(exc)) from None
    if work > limits.max_work:
        raise ApiError(
            422,
            f"this advice's work, {work} (actors x issues x samples x rounds, summed over "
            f"the models, for the baseline and each of {levers} levers), is more than this "
            f"server takes ({limits.max_work}; {ENV['max_work']}); ask for fewer samples "
            "or models",
            path="samples",
        )
    return AdviceOrder(scenario, actor, names, samples, seed, levers)


def job_of_advice(order: AdviceOrder) -> Callable[[Stages], dict[str, Any]]:
    """The work of ``order`` as :meth:`summitry.web.jobs.JobQueue.submit` takes it (picklable)."""
    return functools.partial(compute_advice, order)


def compute_advice(order: AdviceOrder, stages: Stages) -> dict[str, Any]:
    """Run the advice stage by stage: ``{"input_sha256", "advice"}``.

    Each batch of draws (the levers, the flips, the replies, per model) begins a stage;
    when the job was cancelled or has run out of time, beginning one raises the job's
    :class:`~summitry.web.jobs.Stopped` from inside the advice (in a worker process the
    server stops the process itself).
    """
    from summitry.advise import advise

    stages.plan(3 * len(order.models) + 1)
    stages.begin(f"weighing {order.levers} levers")

    def progress(stage: str, done: int, total: int) -> None:
        stages.begin(f"{stage} ({done} of {total})")

    advice = advise(
        order.scenario, order.actor, list(order.models), samples=order.samples,
        seed=order.seed, progress=progress,
    )  # fmt: skip
    record = advice.to_dict()
    return {"input_sha256": record["input_sha256"], "advice": record}


# -- the page's tables ---------------------------------------------------------------------


def _signed(x: float | None, digits: int = 4) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.{digits}f}" if abs(x) >= 0.5 * 10**-digits else f"{0:.{digits}f}"


def _number(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def lever_rows(record: dict[str, Any], top: int = TOP) -> list[dict[str, Any]]:
    """The ``top`` most helpful levers, as the page shows them.

    Each row has the lever's label and kind, and per model the change in the actor's
    utility, the change in P(deal) in points, and whether the lever helps there.
    """
    effects = {(e["lever"], e["model"]): e for e in record["effects"]}
    rows = []
    for rank, lever in enumerate(record["levers"][:top], start=1):
        per_model = []
        helps = []
        for model in record["models"]:
            e = effects[(lever["id"], model)]
            change = e["p_deal_change"]
            per_model.append(
                {
                    "model": model,
                    "utility": _signed(e["utility"]),
                    "p_deal": "n/a" if change is None else f"{100 * change:+.1f}",
                }
            )
            if e["utility"] > 1e-9:
                helps.append(model)
        rows.append(
            {
                "rank": rank,
                "id": lever["id"],
                "label": lever["label"],
                "sources": ", ".join(lever.get("sources", [])),
                "kind": lever["kind"],
                "models": per_model,
                "helps": helps,
            }
        )
    return rows


def flip_rows(record: dict[str, Any]) -> list[dict[str, str]]:
    """One row per flip: model, blocker, issue, from, to, move, method, deal after."""
    return [
        {
            "model": f["model"],
            "blocker": f["blocker"],
            "issue": f["issue"] or "no single issue",
            "start": _number(f["start"]),
            "to": _number(f["to"]),
            "move": _number(f["move"]),
            "method": f["method"],
            "deal_after": "yes" if f["deal_after"] else "no",
        }
        for f in record["flips"]
    ]


def reply_rows(record: dict[str, Any]) -> list[dict[str, str]]:
    """One row per reply: model, responder, its reply and gain, the actor's gain before, after."""
    return [
        {
            "model": r["model"],
            "responder": r["responder"],
            "label": r["label"],
            "gain": _signed(r["responder_gain"]),
            "before": _signed(r["actor_before"]),
            "after": _signed(r["actor_after"]),
        }
        for r in record["responses"]
    ]
