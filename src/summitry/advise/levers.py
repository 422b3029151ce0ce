"""Levers: what one actor can do, generated from a scenario or listed in it.

Every lever is an edit of the scenario (:class:`~summitry.lever_spec.LeverSpec`), so a
lever changes exactly what it says and the models see an ordinary scenario. The kinds:

``concession``
    move the actor's own position on one issue part of the way towards the others'
    capability x salience weighted mean position (``steps``);
``emphasis``
    raise or lower the actor's own salience on one issue by ``emphasis``;
``link``
    drop a together or sequence link, or offer a new together link between two issues;
``commitment``
    make a promise credible: halve another actor's credibility discount on an issue;
``message``
    stop telling an audience a story of one's own (drop one of the actor's messages);
``court``
    court a third actor: move its positions towards the actor's by ``court_shift`` of each
    scale, at a stated ``court_cost``;
``custom``
    a lever the scenario lists under ``levers`` for this actor.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from summitry.errors import ParameterError
from summitry.lever_spec import LeverSpec
from summitry.scenario import Scenario

__all__ = ["KINDS", "Lever", "LeverOptions", "apply_lever", "generate_levers"]

KINDS = ("concession", "emphasis", "link", "commitment", "message", "court", "custom")


@dataclass(frozen=True)
class LeverOptions:
    """How levers are generated.

    Attributes
    ----------
    steps
        Concession steps, as shares of the way to the others' weighted mean position.
    emphasis
        Salience change of an emphasis lever, on the 0-1 salience scale (each way).
    court_shift
        How far a courted actor moves towards the actor, as a share of each scale.
    court_cost
        The stated cost of courting, in winners-table units.
    offer_links
        Whether to offer a new together link between every pair of issues.
    kinds
        The kinds to generate (custom levers come from the scenario).
    """

    steps: tuple[float, ...] = (0.25, 0.5)
    emphasis: float = 0.2
    court_shift: float = 0.1
    court_cost: float = 0.0
    offer_links: bool = True
    kinds: tuple[str, ...] = KINDS

    def __post_init__(self) -> None:
        if not self.steps or any(not 0 < s <= 1 for s in self.steps):
            raise ParameterError(f"concession steps must lie in (0, 1]; got {self.steps}")
        if not 0 < self.emphasis <= 1:
            raise ParameterError(f"emphasis must lie in (0, 1]; got {self.emphasis}")
        if not 0 < self.court_shift <= 1:
            raise ParameterError(f"court shift must lie in (0, 1]; got {self.court_shift}")
        if not 0 <= self.court_cost <= 100:
            raise ParameterError(f"court cost must lie in [0, 100]; got {self.court_cost}")
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ParameterError(f"unknown lever kinds {sorted(unknown)}; known: {KINDS}")


@dataclass(frozen=True)
class Lever:
    """One lever: its kind, a readable label and the edit it makes.

    ``add_links`` are links the lever adds (an offered link), as scenario data.
    """

    id: str
    actor: str
    kind: str
    label: str
    spec: LeverSpec
    add_links: tuple[dict[str, Any], ...] = field(default=())
    sources: tuple[str, ...] = field(default=())
    """Where the lever comes from: ``source ¶ paragraph`` of the scenario's evidence for
    the lever itself (a listed lever) or for the inputs it edits (a generated one)."""

    @property
    def cost(self) -> float:
        """The stated cost, in winners-table units."""
        return float(self.spec.cost)


def _others_mean(scenario: Scenario, actor: str, issue: str) -> float | None:
    """The others' capability x salience weighted mean position on ``issue``."""
    num = den = 0.0
    for other in scenario.actors:
        stance = scenario.positions.get(other.id, {}).get(issue)
        if other.id == actor or stance is None or not other.present:
            continue
        w = other.capability * stance.salience
        num, den = num + w * stance.position, den + w
    return num / den if den > 0 else None


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def generate_levers(
    scenario: Scenario, actor: str, options: LeverOptions | None = None
) -> list[Lever]:
    """Every lever of ``actor`` that the scenario suggests, then the scenario's own.

    Raises
    ------
    ParameterError
        When ``actor`` is not an actor of the scenario.
    """
    opts = options or LeverOptions()
    if actor not in scenario.actor_ids:
        raise ParameterError(f"unknown actor '{actor}'; actors: {', '.join(scenario.actor_ids)}")
    levers: list[Lever] = []
    own = scenario.positions.get(actor, {})
    top = float(scenario.salience_scale)

    def add(kind: str, lever_id: str, label: str, **spec: Any) -> None:
        links = spec.pop("add_links", ())
        levers.append(
            Lever(lever_id, actor, kind, label, LeverSpec(id=lever_id, actor=actor, **spec), links)
        )

    if "concession" in opts.kinds:
        for issue_id, stance in own.items():
            target = _others_mean(scenario, actor, issue_id)
            if target is None:
                continue
            width = scenario.issue(issue_id).scale.max - scenario.issue(issue_id).scale.min
            gap = target - stance.position
            if abs(gap) < 0.01 * width:
                continue
            for step in opts.steps:
                to = stance.position + step * gap
                add(
                    "concession",
                    f"concede-{issue_id}-{round(100 * step)}",
                    f"move {issue_id} from {_fmt(stance.position)} to {_fmt(to)} "
                    f"({round(100 * step)}% of the way to the others)",
                    set={f"positions.{actor}.{issue_id}.position": to},
                )
    if "emphasis" in opts.kinds:
        for issue_id, stance in own.items():
            for sign, word in ((1, "stress"), (-1, "play down")):
                to = min(top, max(0.0, stance.salience + sign * opts.emphasis * top))
                if abs(to - stance.salience) < 1e-12:
                    continue
                add(
                    "emphasis",
                    f"{'stress' if sign > 0 else 'downplay'}-{issue_id}",
                    f"{word} {issue_id} (salience {_fmt(stance.salience)} to {_fmt(to)})",
                    set={f"positions.{actor}.{issue_id}.salience": to},
                )
    if "link" in opts.kinds:
        linked = set()
        for link in scenario.links:
            if link.kind == "credibility":
                continue
            linked.add(frozenset(link.issues))
            add(
                "link",
                f"drop-{link.id}",
                f"drop the link {link.id} ({' + '.join(link.issues)})",
                drop=(f"links.{link.id}",),
            )
        if opts.offer_links and (scenario.links or scenario.ratifiers or _all_have_sq(scenario)):
            ids = {link.id for link in scenario.links}
            for a, b in itertools.combinations(own, 2):
                if frozenset((a, b)) in linked or f"offer-{a}-{b}" in ids:
                    continue
                add(
                    "link",
                    f"offer-{a}-{b}",
                    f"offer to settle {a} and {b} together",
                    drop=(),
                    set={},
                    by={},
                    add_links=({"kind": "together", "id": f"offer-{a}-{b}", "issues": [a, b]},),
                )
    if "commitment" in opts.kinds:
        for link in scenario.links:
            if link.kind != "credibility" or link.actor == actor or link.discount <= 0:
                continue
            if link.issue not in own:
                continue
            to = link.discount / 2
            add(
                "commitment",
                f"commit-{link.id}",
                f"make a credible commitment on {link.issue}: {link.actor}'s discount "
                f"{_fmt(link.discount)} to {_fmt(to)}",
                set={f"links.{link.id}.discount": to},
            )
    if "message" in opts.kinds:
        for message in scenario.messages:
            if message.sender != actor:
                continue
            add(
                "message",
                f"retract-{message.id}",
                f"stop telling {', '.join(message.audience)} a story on {message.issue} "
                f"(message {message.id})",
                drop=(f"messages.{message.id}",),
            )
    if "court" in opts.kinds:
        for other in scenario.actors:
            if other.id == actor or not other.present:
                continue
            theirs = scenario.positions.get(other.id, {})
            moves = {}
            for issue_id, stance in theirs.items():
                if issue_id not in own:
                    continue
                width = scenario.issue(issue_id).scale.max - scenario.issue(issue_id).scale.min
                gap = own[issue_id].position - stance.position
                step = float(np.sign(gap)) * min(abs(gap), opts.court_shift * width)
                if abs(step) > 1e-12:
                    moves[f"positions.{other.id}.{issue_id}.position"] = step
            if moves:
                add(
                    "court",
                    f"court-{other.id}",
                    f"court {other.id}: its positions move {round(100 * opts.court_shift)}% "
                    f"of each scale towards {actor}'s",
                    by=moves,
                    cost=opts.court_cost,
                )
    if "custom" in opts.kinds:
        taken = {lv.id for lv in levers}
        for spec in scenario.levers:
            if spec.actor == actor and spec.id in taken:
                raise ParameterError(
                    f"scenario lever '{spec.id}' has the id of a generated lever; rename it"
                )
            if spec.actor == actor:
                levers.append(Lever(spec.id, actor, "custom", spec.label or spec.id, spec))
    return [replace(lv, sources=_sources(scenario, lv)) for lv in levers]


def _cites(ev: Any) -> str:
    return ev.source if ev.paragraph is None else f"{ev.source} ¶{ev.paragraph}"


def _sources(scenario: Scenario, lever: Lever) -> tuple[str, ...]:
    """The evidence behind ``lever``, each ``source ¶ paragraph`` once, in file order.

    A listed lever cites the evidence that supports ``levers.<id>``; a generated one the
    evidence of each input it edits (``positions.a.i.position`` is supported by evidence
    for that path or for ``positions.a.i``), of each link or message it drops, and of the
    links its offered links join.
    """
    if lever.kind == "custom":
        wanted = {f"levers.{lever.id}"}
    else:
        wanted = set(lever.spec.drop)
        for path in (*lever.spec.set, *lever.spec.by):
            parts = path.split(".")
            wanted |= {path, ".".join(parts[:-1])}
    found: list[str] = []
    for ev in scenario.evidence:
        if ev.supports in wanted and ev.source != "assumption" and _cites(ev) not in found:
            found.append(_cites(ev))
    return tuple(found)


def _all_have_sq(scenario: Scenario) -> bool:
    return all(issue.status_quo is not None for issue in scenario.issues)


def _clip(scenario: Scenario, path: str, value: float) -> float:
    parts = path.split(".")
    if parts[-1] == "position":
        scale = scenario.issue(parts[2]).scale
        return min(scale.max, max(scale.min, value))
    if parts[-1] == "salience":
        return min(float(scenario.salience_scale), max(0.0, value))
    if parts[-1] == "capability":
        return max(0.0, value)
    if parts[-1] == "discount":
        return min(1.0, max(0.0, value))
    return value


def _get(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The mapping that holds ``path``'s value in scenario data, and the key."""
    parts = path.split(".")
    head = parts[0]
    if head == "positions":
        return data["positions"][parts[1]][parts[2]], parts[3]
    if head == "actors":
        return next(a for a in data["actors"] if a["id"] == parts[1]), parts[2]
    return next(x for x in data["links"] if x["id"] == parts[1]), parts[2]


def apply_lever(scenario: Scenario, lever: Lever | LeverSpec) -> Scenario:
    """The scenario after ``lever``: drops first, then ``set``, then ``by`` (clipped).

    Positions stay on their issue's scale, saliences on the salience scale, discounts in
    [0, 1] and capabilities non-negative. The result is validated again.
    """
    spec = lever.spec if isinstance(lever, Lever) else lever
    added = lever.add_links if isinstance(lever, Lever) else ()
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data.pop("levers", None)
    data.pop("evidence", None)
    for path in spec.drop:
        head, item = path.split(".")
        data[head] = [x for x in data.get(head, []) if x["id"] != item]
    for path, value in spec.set.items():
        holder, key = _get(data, path)
        holder[key] = _clip(scenario, path, float(value))
    for path, delta in spec.by.items():
        holder, key = _get(data, path)
        current = holder.get(key)
        if current is None:
            current = 0.0
        holder[key] = _clip(scenario, path, float(current) + float(delta))
    if added:
        data["links"] = [*data.get("links", []), *added]
    for key in ("beliefs", "messages", "links"):
        if key in data and not data[key]:
            del data[key]
    return Scenario.from_dict(data, file=f"lever {spec.id}")


def lever_table_rows(levers: Sequence[Lever]) -> list[dict[str, str]]:
    """``id``, ``kind`` and ``label`` of each lever, for listings."""
    return [{"id": lv.id, "kind": lv.kind, "label": lv.label} for lv in levers]
