"""What changed in the inputs from one scenario to another, largest first.

:func:`diff_inputs` compares two validated scenarios: actors and issues added or removed,
positions, saliences, capabilities, status quo values, walk-away values, vetoes, links,
ratifiers, beliefs (stated or told in messages) and uncertainty. Each
:class:`InputChange` carries its values on the input's own scale and the group it
belongs to for :func:`summitry.analysis.compare.attribute`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.scenario import Actor, Issue, Scenario

__all__ = ["TOLERANCE", "InputChange", "diff_inputs"]

TOLERANCE = 1e-9
"""Differences at or below this (on the issue's scale, or in P(deal)) count as none."""


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
    and are not compared (``as_of`` is shown by
    :class:`~summitry.analysis.compare.Comparison`). Saliences are
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
