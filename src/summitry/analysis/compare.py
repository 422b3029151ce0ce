"""What changed between two scenarios, what it did to the forecast, and which change did it.

:func:`diff_inputs` lists every difference between two validated scenarios, largest first:
actors and issues added or removed, positions, saliences, capabilities, status quo values,
walk-away values, vetoes, links, ratifiers, beliefs and uncertainty. :func:`compare`
forecasts both scenarios with the same models, seed and samples, sets each model's outcome,
settled value and P(deal) in A beside B's, and attributes the change with
:func:`attribute`.

The attribution is one at a time. The changed inputs fall into groups (one actor's
positions, one issue's status quo, the links, ...). For each group, B is forecast once
more with that group set back to its value in A; the group's effect is B's forecast minus
that variant's. Effects are exact when the groups act independently; what they do together
is left in ``rest`` (the total change less the sum of effects). docs/compare.md discusses
the method and its limits.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.errors import ParameterError, ScenarioError
from summitry.forecast import Forecast, chosen_models, forecast
from summitry.models import Model, get_model
from summitry.scenario import Actor, Issue, Scenario

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

TOLERANCE = 1e-9
"""Differences at or below this (on the issue's scale, or in P(deal)) count as none."""

# -- input changes -------------------------------------------------------------------------


@dataclass(frozen=True)
class InputChange:
    """One difference between the inputs of scenario A and scenario B.

    Attributes
    ----------
    kind
        ``position``, ``salience``, ``capability``, ``status quo``, ``walk-away``,
        ``veto``, ``present``, ``stance``, ``belief``, ``link``, ``ratifier``,
        ``uncertainty``, ``actor``, ``issue``, ``scale`` or ``salience scale``.
    subject
        What changed: ``"us · exercises"``, an issue id, a link id and field, ...
    a, b
        The value in A and in B: a number on the input's own scale, a short text, or None
        where the input is absent.
    unit
        The scale of the numbers: ``"[0, 100]"`` for an issue, ``"0-1"`` for salience,
        ``"utility"`` for walk-away values; empty for text.
    size
        How large the change is, for ordering: the difference as a share of its scale
        (1 for something added, removed or of another type).
    group
        The attribution group the change belongs to, such as ``"position us"``; None for
        a change that cannot be set back alone (an actor or issue added, a new scale).
    """

    kind: str
    subject: str
    a: float | str | None
    b: float | str | None
    unit: str
    size: float
    group: str | None

    @property
    def delta(self) -> float | None:
        """``b - a`` when both are numbers, else None."""
        if isinstance(self.a, (int, float)) and isinstance(self.b, (int, float)):
            return float(self.b) - float(self.a)
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with the difference."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "a": self.a,
            "b": self.b,
            "delta": self.delta,
            "unit": self.unit,
            "group": self.group,
        }


def _scale_text(lo: float, hi: float) -> str:
    return f"[{lo:g}, {hi:g}]"


def _short(value: Any) -> str | float | None:
    """A field value as a number or a compact text (lists joined, mappings as JSON)."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _change(
    kind: str,
    subject: str,
    a: Any,
    b: Any,
    unit: str,
    span: float | None,
    group: str | None,
) -> InputChange:
    """An :class:`InputChange` whose size is ``|b - a| / span`` (1 without a span or a number)."""
    size = 1.0
    numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
    if span is not None and span > 0 and numbers:
        size = abs(float(b) - float(a)) / span
    return InputChange(kind, subject, a, b, unit, size, group)


def diff_inputs(a: Scenario, b: Scenario) -> tuple[InputChange, ...]:
    """Every difference between the inputs of A and B, largest first.

    Events, evidence, metadata and the recorded outcome are not inputs of a forecast
    and are not compared (``as_of`` is shown by :class:`Comparison`). Saliences are
    compared on B's salience scale, A's converted where the scales differ.
    """
    out: list[InputChange] = []
    add = out.append
    to_b = b.salience_scale / a.salience_scale
    issues_a = {i.id: i for i in a.issues}
    issues_b = {i.id: i for i in b.issues}
    actors_a = {x.id: x for x in a.actors}
    actors_b = {x.id: x for x in b.actors}
    if a.salience_scale != b.salience_scale:
        sal = (float(a.salience_scale), float(b.salience_scale))
        add(InputChange("salience scale", "scenario", *sal, "", 0.0, None))
    for actor_id in sorted(actors_a.keys() - actors_b.keys()):
        add(_change("actor", actor_id, actors_a[actor_id].label, None, "", None, None))
    for actor_id in sorted(actors_b.keys() - actors_a.keys()):
        add(_change("actor", actor_id, None, actors_b[actor_id].label, "", None, None))
    for issue_id in sorted(issues_a.keys() - issues_b.keys()):
        add(_change("issue", issue_id, "on the table", None, "", None, None))
    for issue_id in sorted(issues_b.keys() - issues_a.keys()):
        add(_change("issue", issue_id, None, "on the table", "", None, None))
    for issue_id in (i for i in b.issue_ids if i in issues_a):
        out.extend(_issue_changes(issues_a[issue_id], issues_b[issue_id]))
    cap_span = max(x.capability for x in (*a.actors, *b.actors))
    for actor_id in (x for x in b.actor_ids if x in actors_a):
        xa, xb = actors_a[actor_id], actors_b[actor_id]
        out.extend(_actor_changes(xa, xb, (a, b), cap_span))
        for issue_id in sorted(set(xa.veto) ^ set(xb.veto)):
            if issue_id in issues_a and issue_id in issues_b:
                was, now = _short(issue_id in xa.veto), _short(issue_id in xb.veto)
                subject = f"{actor_id} · {issue_id}"
                add(_change("veto", subject, was, now, "", None, f"veto {actor_id}"))
        out.extend(_stance_changes(a, b, actor_id, to_b))
    out.extend(_belief_changes(a, b, to_b))
    for head, kind in (("links", "link"), ("ratifiers", "ratifier")):
        out.extend(_item_changes(getattr(a, head), getattr(b, head), kind, head))
    for field in ("position", "salience", "capability"):
        va, vb = getattr(a.uncertainty, field), getattr(b.uncertainty, field)
        if va != vb:
            subject = f"default {field} sd"
            add(_change("uncertainty", subject, va, vb, "fraction", 1.0, "uncertainty"))
    order = {kind: k for k, kind in enumerate(_KIND_ORDER)}
    out.sort(key=lambda c: (-c.size, order.get(c.kind, len(order)), c.subject))
    return tuple(out)


_KIND_ORDER = (
    "actor", "issue", "scale", "salience scale", "status quo", "position", "salience",
    "stance", "capability", "walk-away", "veto", "present", "link", "ratifier", "belief",
    "uncertainty",
)  # fmt: skip


def _issue_changes(ia: Issue, ib: Issue) -> Iterable[InputChange]:
    """Scale, status quo and its standard deviation of one issue in both scenarios."""
    span = ib.scale.max - ib.scale.min
    unit = _scale_text(ib.scale.min, ib.scale.max)
    if (ia.scale.min, ia.scale.max) != (ib.scale.min, ib.scale.max):
        was = _scale_text(ia.scale.min, ia.scale.max)
        yield _change("scale", ia.id, was, unit, "", None, None)
    if ia.status_quo != ib.status_quo:
        group = f"status quo {ia.id}"
        yield _change("status quo", ia.id, ia.status_quo, ib.status_quo, unit, span, group)
    if ia.status_quo_sd != ib.status_quo_sd:
        subject = f"status quo sd · {ia.id}"
        was, now = ia.status_quo_sd, ib.status_quo_sd
        yield _change("uncertainty", subject, was, now, unit, span, "uncertainty")


def _actor_changes(
    xa: Actor, xb: Actor, both: tuple[Scenario, Scenario], cap_span: float
) -> Iterable[InputChange]:
    """Capability, walk-away, presence and their standard deviations of one actor."""
    actor_id = xb.id
    if xa.capability != xb.capability:
        was, now, group = xa.capability, xb.capability, f"capability {actor_id}"
        yield _change("capability", actor_id, was, now, "relative", cap_span, group)
    if xa.capability_sd != xb.capability_sd:
        was, now, subject = xa.capability_sd, xb.capability_sd, f"capability sd · {actor_id}"
        yield _change("uncertainty", subject, was, now, "relative", cap_span, "uncertainty")
    # walk-away values are gains in utility: at most the actor's summed salience (0-1)
    most = max(
        sum(s.salience for s in sc.positions.get(actor_id, {}).values()) / sc.salience_scale
        for sc in both
    )
    if xa.walk_away != xb.walk_away:
        was, now, group = xa.walk_away, xb.walk_away, f"walk-away {actor_id}"
        yield _change("walk-away", actor_id, was, now, "utility", most or 1.0, group)
    if xa.walk_away_sd != xb.walk_away_sd:
        was, now, subject = xa.walk_away_sd, xb.walk_away_sd, f"walk-away sd · {actor_id}"
        yield _change("uncertainty", subject, was, now, "utility", most or 1.0, "uncertainty")
    if xa.present != xb.present:
        was, now = _short(xa.present), _short(xb.present)
        yield _change("present", actor_id, was, now, "", None, f"present {actor_id}")


def _stance_changes(a: Scenario, b: Scenario, actor_id: str, to_b: float) -> Iterable[InputChange]:
    """Position, salience and stance changes of one actor present in both scenarios."""
    sa, sb = a.positions.get(actor_id, {}), b.positions.get(actor_id, {})
    issues_a = set(a.issue_ids)
    sal_unit, sal_span = f"0-{b.salience_scale:g}", float(b.salience_scale)
    for issue_id in (i for i in b.issue_ids if i in issues_a):
        one, two = sa.get(issue_id), sb.get(issue_id)
        if one is None and two is None:
            continue
        issue = b.issue(issue_id)
        span = issue.scale.max - issue.scale.min
        unit = _scale_text(issue.scale.min, issue.scale.max)
        subject = f"{actor_id} · {issue_id}"
        if one is None or two is None:
            was, now = (None if s is None else f"at {s.position:g}" for s in (one, two))
            yield _change("stance", subject, was, now, unit, None, f"stances {actor_id}")
            continue
        if one.position != two.position:
            group = f"position {actor_id}"
            yield _change("position", subject, one.position, two.position, unit, span, group)
        sal_a = one.salience * to_b
        if not math.isclose(sal_a, two.salience, rel_tol=0, abs_tol=TOLERANCE):
            group = f"salience {actor_id}"
            yield _change("salience", subject, sal_a, two.salience, sal_unit, sal_span, group)
        pos_a, pos_b = one.position_sd, two.position_sd
        if pos_a != pos_b:
            where = f"position sd · {subject}"
            yield _change("uncertainty", where, pos_a, pos_b, unit, span, "uncertainty")
        sd_a = None if one.salience_sd is None else one.salience_sd * to_b
        if sd_a != two.salience_sd:
            where, now = f"salience sd · {subject}", two.salience_sd
            yield _change("uncertainty", where, sd_a, now, sal_unit, sal_span, "uncertainty")


def _beliefs(sc: Scenario, to_b: float) -> dict[tuple[str, str, str, str], float]:
    """Effective beliefs ``(observer, about, issue, field) -> value`` (later ones win)."""
    out = {}
    for belief in sc.all_beliefs():
        for field in ("position", "salience", "capability"):
            value = getattr(belief, field)
            if value is not None:
                value = value * to_b if field == "salience" else value
                out[(belief.observer, belief.about, belief.issue or "", field)] = value
    return out


def _truth(sc: Scenario, key: tuple[str, str, str, str], to_b: float) -> float | None:
    """What an observer believes where nothing is stated: the truth (None if there is none)."""
    _, about, issue_id, field = key
    if about not in sc.actor_ids:
        return None
    if field == "capability":
        return sc.actor(about).capability
    stance = sc.positions.get(about, {}).get(issue_id)
    if stance is None:
        return None
    return stance.position if field == "position" else stance.salience * to_b


def _belief_changes(a: Scenario, b: Scenario, to_b: float) -> Iterable[InputChange]:
    """What each observer believes (stated or told in a message) in A and in B.

    Where one scenario states no belief, the observer believes the truth of that scenario.
    """
    ba, bb = _beliefs(a, to_b), _beliefs(b, 1.0)
    issues = {i.id: i for i in b.issues}
    for key in sorted(ba.keys() | bb.keys()):
        va = ba[key] if key in ba else _truth(a, key, to_b)
        vb = bb[key] if key in bb else _truth(b, key, 1.0)
        if va == vb:
            continue
        observer, about, issue_id, field = key
        if field == "position" and issue_id in issues:
            scale = issues[issue_id].scale
            unit, span = _scale_text(scale.min, scale.max), scale.max - scale.min
        elif field == "salience":
            unit, span = f"0-{b.salience_scale:g}", float(b.salience_scale)
        else:
            unit, span = "relative", max(x.capability for x in b.actors)
        subject = f"{observer} on {about}" + (f" · {issue_id}" if issue_id else "")
        subject += f" {field}" if field != "position" else ""
        yield _change("belief", subject, va, vb, unit, span, "beliefs")


def _item_changes(
    items_a: Sequence[Any], items_b: Sequence[Any], kind: str, group: str
) -> Iterable[InputChange]:
    """Links or ratifiers by id: added, removed, or each field that differs."""
    one = {x.id: x.model_dump(mode="json") for x in items_a}
    two = {x.id: x.model_dump(mode="json") for x in items_b}
    for item_id in sorted(one.keys() | two.keys()):
        da, db = one.get(item_id), two.get(item_id)
        if da is None or db is None:
            was, now = (None if d is None else "in place" for d in (da, db))
            yield _change(kind, item_id, was, now, "", None, group)
            continue
        for field in sorted(da.keys() | db.keys()):
            if da.get(field) != db.get(field):
                was, now = _short(da.get(field)), _short(db.get(field))
                yield _change(kind, f"{item_id} · {field}", was, now, "", 1.0, group)


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
    return sc.model_dump(mode="json", exclude={"events", "evidence", "outcome"})


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
                    stance["position_sd"], stance["salience_sd"] = (
                        was["position_sd"],
                        was["salience_sd"],
                    )
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
        try:
            variant = Scenario.from_dict(_set_back(data, old, group))
        except ScenarioError as exc:
            skipped.append((group, str(exc)))
            if progress is not None:
                progress(k, total_steps)
            continue
        effects.append(_minus(group, base_b, run(variant, k)))
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
        dates = (self.a.scenario.metadata.get("as_of"), self.b.scenario.metadata.get("as_of"))
        return tuple(None if d is None else str(d) for d in dates)  # type: ignore[return-value]

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
