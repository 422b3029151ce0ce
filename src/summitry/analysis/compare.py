"""What changed between two scenarios, what it did to the forecast, and which change did it.

:func:`diff_inputs` (from :mod:`summitry.analysis.input_diff`) lists every difference
between two validated scenarios, largest first. :func:`compare` forecasts both scenarios
with the same models, seed and samples, sets each model's outcome, settled value and
P(deal) in A beside B's, and attributes the change with :func:`attribute`.

The attribution is one at a time. The changed inputs fall into groups (one actor's
positions, one issue's status quo, the links, ...). For each group, B is forecast once
more with that group set back to its value in A; the group's effect is B's forecast minus
that variant's. Effects are exact when the groups act independently; what they do together
is left in ``rest`` (the total change less the sum of effects). docs/compare.md discusses
the method and its limits.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.analysis.input_diff import TOLERANCE, InputChange, diff_inputs
from summitry.errors import ParameterError, SummitryError
from summitry.forecast import Forecast, chosen_models, forecast
from summitry.models import Model, get_model
from summitry.scenario import Scenario

__all__ = [
    "Attribution",
    "Comparison",
    "DealChange",
    "Effect",
    "InputChange",
    "OutcomeChange",
    "attribute",
    "compare",
    "diff_inputs",
]

# -- forecast changes ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeChange:
    """One model's forecast of one issue in A and in B, on the issue's scale (B's).

    ``outcome`` is where the model says the issue settles if the parties agree (median
    over draws); ``settled`` keeps the status quo in draws without a deal (None without a
    status quo).
    """

    model: str
    issue: str
    outcome_a: float
    outcome_b: float
    settled_a: float | None
    settled_b: float | None

    @property
    def outcome_delta(self) -> float:
        """``outcome_b - outcome_a``."""
        return self.outcome_b - self.outcome_a

    @property
    def settled_delta(self) -> float | None:
        """``settled_b - settled_a``; None where either has no status quo."""
        if self.settled_a is None or self.settled_b is None:
            return None
        return self.settled_b - self.settled_a


@dataclass(frozen=True)
class DealChange:
    """One model's P(deal) in A and in B (None without a status quo)."""

    model: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """``b - a``; None where either is missing."""
        return None if self.a is None or self.b is None else self.b - self.a


def _settled(result: Forecast) -> dict[str, dict[str, float]] | None:
    return result.settled_outcomes()


def _p_deal(result: Forecast) -> dict[str, float] | None:
    deals = result.deal_results
    return None if deals is None else {name: d.p_deal for name, d in deals.items()}


def _forecast_changes(
    fa: Forecast, fb: Forecast
) -> tuple[tuple[OutcomeChange, ...], tuple[DealChange, ...]]:
    """Outcome, settled value and P(deal) per model and issue present in both forecasts."""
    oa, ob = fa.outcomes(), fb.outcomes()
    sa, sb = _settled(fa), _settled(fb)
    pa, pb = _p_deal(fa), _p_deal(fb)
    models = [m for m in fb.models if m in fa.models]
    issues = [i for i in fb.scenario.issue_ids if i in fa.scenario.issue_ids]
    outcomes = tuple(
        OutcomeChange(
            model=m,
            issue=i,
            outcome_a=oa[m][i],
            outcome_b=ob[m][i],
            settled_a=None if sa is None else sa[m][i],
            settled_b=None if sb is None else sb[m][i],
        )
        for i in issues
        for m in models
    )
    deals = tuple(
        DealChange(m, None if pa is None else pa[m], None if pb is None else pb[m]) for m in models
    )
    return outcomes, deals


# -- attribution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What setting one group of inputs back to A's values takes off B's forecast.

    ``outcome`` and ``settled`` are per issue, on its scale; ``p_deal`` is a probability
    difference. Each is B's forecast minus the forecast of B with the group set back.
    """

    group: str
    outcome: Mapping[str, float]
    settled: Mapping[str, float] | None
    p_deal: float | None

    def value(self, issue: str | None, what: str = "outcome") -> float | None:
        """The effect on one issue (``what``: outcome or settled), or on P(deal).

        ``issue`` None asks for P(deal); None comes back where the value is not defined
        (a scenario without a status quo).
        """
        if issue is None:
            return self.p_deal
        values = self.outcome if what == "outcome" else self.settled
        return None if values is None else values.get(issue)


@dataclass(frozen=True)
class Attribution:
    """One model's forecast change from A to B, split over the groups of changed inputs.

    Attributes
    ----------
    model
        The model whose forecast is attributed.
    total
        ``Effect("total", ...)``: B's forecast minus A's.
    effects
        One :class:`Effect` per group that could be set back alone.
    not_swapped
        ``(group, reason)`` for each group whose variant is not a valid scenario (its
        effect then stays in :meth:`rest`).
    """

    model: str
    total: Effect
    effects: tuple[Effect, ...]
    not_swapped: tuple[tuple[str, str], ...] = ()

    def rest(self) -> Effect:
        """The total change less the sum of the effects.

        What is left: the groups' interactions, and changes no group sets back alone.
        """

        def left(total: Mapping[str, float] | None, part: str) -> dict[str, float] | None:
            if total is None:
                return None
            return {
                i: v - sum(getattr(e, part)[i] for e in self.effects if getattr(e, part))
                for i, v in total.items()
            }

        p = self.total.p_deal
        if p is not None:
            p -= sum(e.p_deal for e in self.effects if e.p_deal is not None)
        outcome = left(self.total.outcome, "outcome")
        assert outcome is not None
        return Effect("rest", outcome, left(self.total.settled, "settled"), p)

    def leading(self, issue: str | None, what: str = "outcome", *, n: int = 2) -> list[Effect]:
        """The ``n`` largest effects on one issue, or on P(deal) when ``issue`` is None.

        ``what`` is ``"outcome"`` or ``"settled"``; effects of zero are left out.
        """

        def size(e: Effect) -> float:
            return abs(e.value(issue, what) or 0.0)

        found = [e for e in self.effects if size(e) > TOLERANCE]
        return sorted(found, key=size, reverse=True)[:n]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the model, the total, each group's effect and the rest."""

        def one(e: Effect) -> dict[str, Any]:
            return {
                "group": e.group,
                "outcome": dict(e.outcome),
                "settled": None if e.settled is None else dict(e.settled),
                "p_deal": e.p_deal,
            }

        return {
            "model": self.model,
            "total": one(self.total),
            "effects": [one(e) for e in self.effects],
            "rest": one(self.rest()),
            "not_swapped": [{"group": g, "reason": r} for g, r in self.not_swapped],
        }


def _summary(result: Forecast, model: str) -> Effect:
    """A one-model forecast as an Effect of absolute values (subtracted later)."""
    settled = _settled(result)
    deal = _p_deal(result)
    return Effect(
        group="",
        outcome=result.outcomes()[model],
        settled=None if settled is None else settled[model],
        p_deal=None if deal is None else deal[model],
    )


def _minus(group: str, x: Effect, y: Effect) -> Effect:
    settled = None
    if x.settled is not None and y.settled is not None:
        settled = {i: x.settled[i] - y.settled[i] for i in x.settled}
    p = None if x.p_deal is None or y.p_deal is None else x.p_deal - y.p_deal
    return Effect(group, {i: x.outcome[i] - y.outcome[i] for i in x.outcome}, settled, p)


def _inputs_only(sc: Scenario) -> dict[str, Any]:
    """The scenario as plain data without what a forecast does not read."""
    return sc.model_dump(mode="json", exclude={"events", "evidence", "levers", "outcome"})


def _rescaled(data: dict[str, Any], scale: int) -> dict[str, Any]:
    """A's plain data with its saliences put on the salience scale ``scale`` (B's)."""
    factor = scale / data["salience_scale"]
    if factor == 1:
        return data
    data = copy.deepcopy(data)
    stances = [s for by in data["positions"].values() for s in by.values()]
    stances += [s for r in data["ratifiers"] for s in r["positions"].values()]
    for item in [*stances, *data["beliefs"], *data["messages"]]:
        for field in ("salience", "salience_sd"):
            if item.get(field) is not None:
                item[field] *= factor
    data["salience_scale"] = scale
    return data


def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    return next(x for x in items if x["id"] == item_id)


def _set_back(data: dict[str, Any], old: dict[str, Any], group: str) -> dict[str, Any]:
    """B's plain data with one group of inputs set back to A's (``old``)."""
    new = copy.deepcopy(data)
    head, _, key = group.partition(" ")
    if group.startswith("status quo "):
        key = group[len("status quo ") :]
        _by_id(new["issues"], key)["status_quo"] = _by_id(old["issues"], key)["status_quo"]
    elif head in ("position", "salience"):
        for issue_id, stance in new["positions"].get(key, {}).items():
            was = old["positions"].get(key, {}).get(issue_id)
            if was is not None:
                stance[head] = was[head]
    elif head == "stances":
        mine, was = new["positions"].setdefault(key, {}), old["positions"].get(key, {})
        for issue_id in set(mine) - set(was):
            del mine[issue_id]
        for issue_id in set(was) - set(mine):
            mine[issue_id] = copy.deepcopy(was[issue_id])
    elif head in ("capability", "walk-away", "veto", "present"):
        field = {"walk-away": "walk_away"}.get(head, head)
        _by_id(new["actors"], key)[field] = copy.deepcopy(_by_id(old["actors"], key)[field])
    elif group in ("links", "ratifiers"):
        new[group] = copy.deepcopy(old[group])
    elif group == "beliefs":
        new["beliefs"], new["messages"] = copy.deepcopy((old["beliefs"], old["messages"]))
    elif group == "uncertainty":
        new["uncertainty"] = old["uncertainty"]
        sds = (("issues", ("status_quo_sd",)), ("actors", ("capability_sd", "walk_away_sd")))
        for heads, fields in sds:
            ids = {x["id"] for x in old[heads]}
            for item in new[heads]:
                if item["id"] in ids:
                    for field in fields:
                        item[field] = _by_id(old[heads], item["id"])[field]
        for actor_id, by in new["positions"].items():
            for issue_id, stance in by.items():
                was = old["positions"].get(actor_id, {}).get(issue_id)
                if was is not None:
                    stance.update(position_sd=was["position_sd"], salience_sd=was["salience_sd"])
    else:  # pragma: no cover - every group diff_inputs makes is handled above
        raise ParameterError(f"no way to set back the group '{group}'")
    return new


_NOT_SAME = (
    "no attribution: actors or issues differ between the scenarios, and an actor or issue "
    "cannot be set back alone"
)


def _same_parties(a: Scenario, b: Scenario) -> bool:
    return set(a.actor_ids) == set(b.actor_ids) and set(a.issue_ids) == set(b.issue_ids)


def attribute(
    a: Scenario,
    b: Scenario,
    model: str | Model = "compromise",
    *,
    changes: Sequence[InputChange] | None = None,
    seed: int = 0,
    samples: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Attribution:
    """Split one model's forecast change from A to B over the groups of changed inputs.

    For each group of :func:`diff_inputs` (one actor's positions, one issue's status
    quo, the links, ...), B is forecast with that group set back to A's values; the
    group's effect is B's forecast minus that one. Cost: two forecasts plus one per group,
    of one model.

    Raises
    ------
    ParameterError
        When A and B do not have the same actors and issues (nothing to set back then).
    """
    if not _same_parties(a, b):
        raise ParameterError(_NOT_SAME)
    chosen = get_model(model) if isinstance(model, str) else model
    changes = diff_inputs(a, b) if changes is None else changes
    groups = list(dict.fromkeys(c.group for c in changes if c.group is not None))
    old = _rescaled(_inputs_only(a), b.salience_scale)
    data = _inputs_only(b)
    total_steps = len(groups) + 2

    def run(sc: Scenario, done: int) -> Effect:
        result = forecast(sc, [chosen], seed=seed, samples=samples)
        if progress is not None:
            progress(done, total_steps)
        return _summary(result, chosen.name)

    base_b = run(Scenario.from_dict(data), 1)
    total = _minus("total", base_b, run(Scenario.from_dict(old), 2))
    effects, skipped = [], []
    for k, group in enumerate(groups, start=3):
        try:  # a group set back alone may break a rule, or leave the model unable to run
            variant = Scenario.from_dict(_set_back(data, old, group))
            effects.append(_minus(group, base_b, run(variant, k)))
        except SummitryError as exc:
            skipped.append((group, str(exc)))
            if progress is not None:
                progress(k, total_steps)
    return Attribution(chosen.name, total, tuple(effects), tuple(skipped))


# -- the comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two scenarios side by side: their input changes, forecast changes and attribution.

    Attributes
    ----------
    a, b
        The two forecasts (each holds its scenario).
    changes
        :func:`diff_inputs`, largest first.
    outcomes
        One :class:`OutcomeChange` per issue and model, issue by issue in B's order.
    deals
        One :class:`DealChange` per model.
    attribution
        :func:`attribute` for one model, or None (not asked for, or not possible).
    attribution_note
        Why there is no attribution, when one was asked for.
    """

    a: Forecast
    b: Forecast
    changes: tuple[InputChange, ...]
    outcomes: tuple[OutcomeChange, ...]
    deals: tuple[DealChange, ...]
    attribution: Attribution | None = None
    attribution_note: str | None = None

    @property
    def as_of(self) -> tuple[str | None, str | None]:
        """The ``metadata.as_of`` dates of A and B (None where not given)."""
        one, two = (f.scenario.metadata.get("as_of") for f in (self.a, self.b))
        return (None if one is None else str(one), None if two is None else str(two))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, in a fixed key order (same inputs and seed give the same)."""
        fa, fb = self.a, self.b
        return {
            "a": {
                "scenario": fa.scenario.name,
                "input_sha256": fa.input_sha256,
                "as_of": self.as_of[0],
            },
            "b": {
                "scenario": fb.scenario.name,
                "input_sha256": fb.input_sha256,
                "as_of": self.as_of[1],
            },
            "seed": fb.seed,
            "samples": fb.n_samples,
            "summitry_version": fb.summitry_version,
            "models": list(dict.fromkeys(c.model for c in self.deals)),
            "input_changes": [c.to_dict() for c in self.changes],
            "forecast_changes": [
                {
                    "model": c.model,
                    "issue": c.issue,
                    "outcome": [c.outcome_a, c.outcome_b],
                    "outcome_delta": c.outcome_delta,
                    "settled": [c.settled_a, c.settled_b],
                    "settled_delta": c.settled_delta,
                }
                for c in self.outcomes
            ],
            "p_deal": [
                {"model": d.model, "a": d.a, "b": d.b, "delta": d.delta} for d in self.deals
            ],
            "attribution": None if self.attribution is None else self.attribution.to_dict(),
            "attribution_note": self.attribution_note,
        }


def compare(
    a: Scenario,
    b: Scenario,
    models: Sequence[str | Model] | None = None,
    *,
    seed: int = 0,
    samples: int = 1,
    attribute_model: str | Model | None = "compromise",
    progress: Callable[[str], None] | None = None,
    attribution_progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Forecast A and B with the same models, seed and samples, and compare them.

    Parameters
    ----------
    a, b
        Validated scenarios; differences are read as "from A to B".
    models
        As for :func:`~summitry.forecast.forecast`; by default every model that can run on
        both scenarios.
    seed, samples
        Given to every forecast, so that the comparison reproduces.
    attribute_model
        The model whose change is attributed (:func:`attribute`); None for none.
    progress, attribution_progress
        Called after each model run of the two forecasts, and after each attribution run.
    """
    if models is None:
        names_b = [m.name for m in chosen_models(b)]
        chosen: list[str | Model] = [m.name for m in chosen_models(a) if m.name in names_b]
    else:
        chosen = list(models)
    fa = forecast(a, chosen, seed=seed, samples=samples, progress=progress)
    fb = forecast(b, chosen, seed=seed, samples=samples, progress=progress)
    changes = diff_inputs(a, b)
    outcomes, deals = _forecast_changes(fa, fb)
    found, note = None, None
    if attribute_model is not None:
        model = get_model(attribute_model) if isinstance(attribute_model, str) else attribute_model
        if _same_parties(a, b):
            found = attribute(
                a,
                b,
                model,
                changes=changes,
                seed=seed,
                samples=samples,
                progress=attribution_progress,
            )
        else:
            note = _NOT_SAME
    return Comparison(fa, fb, changes, outcomes, deals, found, note)
