"""Warnings about a valid scenario: things that are allowed but are probably mistakes.

:func:`warnings` never raises; ``summitry validate`` prints what it finds after the
summary. Each warning names the field path it concerns.
"""

from __future__ import annotations

from summitry.scenario import Scenario

SUGGESTED = "Suggested by summitry draft"
"""How a suggested evidence entry's rationale starts (:mod:`summitry.draft.skeleton`)."""

__all__ = ["warnings"]


def warnings(scenario: Scenario) -> list[str]:
    """Field path and words for each likely mistake, in file order."""
    out: list[str] = []
    for k, actor in enumerate(scenario.actors):
        stances = scenario.positions.get(actor.id, {})
        for issue_id in actor.veto:
            if issue_id not in stances:
                out.append(
                    f"actors[{k}].veto: '{actor.id}' holds a veto on '{issue_id}' but has no "
                    "stance on it, so it has no reason to accept or refuse a change there"
                )
    for k, ev in enumerate(scenario.evidence):
        problem = _points_at_nothing(scenario, ev.supports)
        if problem:
            out.append(f"evidence[{k}].supports: '{ev.supports}' {problem}")
    if "draft" in scenario.metadata:
        out.append(
            "metadata.draft: a draft from `summitry draft`: its capabilities, positions and "
            "saliences are placeholders until you set them (then delete metadata.draft)"
        )
    suggested = [k for k, ev in enumerate(scenario.evidence) if ev.rationale.startswith(SUGGESTED)]
    if suggested:
        out.append(
            f"evidence[{suggested[0]}].rationale: {len(suggested)} evidence entries are still "
            "suggestions of `summitry draft`; confirm each (rewrite its rationale) or delete it"
        )
    return out


def _points_at_nothing(sc: Scenario, supports: str) -> str | None:
    """Why an evidence path names an input the scenario does not have, or None."""
    parts = supports.split(".")
    if parts[0] == "positions" and len(parts) >= 3:
        if parts[2] not in sc.positions.get(parts[1], {}):
            return f"points at a stance '{parts[1]}' does not take on '{parts[2]}'"
        field = parts[3] if len(parts) > 3 else None
        stance = sc.positions[parts[1]][parts[2]]
        if field in ("position_sd", "salience_sd") and getattr(stance, field) is None:
            return f"points at a {field} the stance does not give"
    elif parts[0] == "actors" and len(parts) == 3:
        actor = sc.actor(parts[1])
        if (
            parts[2] in ("walk_away", "walk_away_sd", "capability_sd")
            and getattr(actor, parts[2]) is None
        ):
            return f"points at a {parts[2]} '{parts[1]}' does not give"
        if parts[2] == "veto" and not actor.veto:
            return f"points at a veto '{parts[1]}' does not hold"
    elif parts[0] == "issues" and len(parts) == 3:
        issue = sc.issue(parts[1])
        if parts[2] in ("status_quo", "status_quo_sd") and getattr(issue, parts[2]) is None:
            return f"points at a {parts[2]} issue '{parts[1]}' does not give"
    elif parts[0] == "outcome" and sc.outcome is None:
        return "points at an outcome the scenario does not record"
    return None
