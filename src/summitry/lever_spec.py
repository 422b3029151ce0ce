"""Levers an analyst lists in a scenario: what one actor could do, as edits of the inputs.

A :class:`LeverSpec` belongs to one ``actor`` and changes the scenario by field paths:
``set`` gives new values, ``by`` adds to the current ones, ``drop`` removes a link or a
message. ``summitry advise`` (docs/advise.md) weighs it beside the levers it generates.

Paths that a lever may edit:

- ``positions.<actor>.<issue>.position`` and ``positions.<actor>.<issue>.salience``
- ``actors.<actor>.capability`` and ``actors.<actor>.walk_away``
- ``links.<id>.discount`` (a credibility link)

and ``drop`` takes ``links.<id>`` or ``messages.<id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from summitry._schema import Finite, Frozen, Id, NonNegative

__all__ = ["LeverSpec", "lever_path_problem"]


class LeverSpec(Frozen):
    """One lever of ``actor``, stated as edits of the scenario's inputs."""

    id: Id
    actor: Id
    label: str = ""
    set: dict[str, Finite] = Field(default_factory=dict)
    by: dict[str, Finite] = Field(default_factory=dict)
    drop: tuple[str, ...] = ()
    cost: NonNegative = 0.0
    """What pulling the lever costs the actor, in winners-table units: subtracted from
    its utility change in every draw."""


_FIELDS = {
    "positions": {"position", "salience"},
    "actors": {"capability", "walk_away"},
    "links": {"discount"},
}


def lever_path_problem(
    path: str,
    *,
    actors: Mapping[str, Any],
    issues: Mapping[str, Any],
    links: Mapping[str, str],
    messages: set[str],
    drop: bool = False,
) -> str | None:
    """Why ``path`` cannot be edited by a lever, or None when it can.

    ``links`` maps each link id to its kind.
    """
    parts = path.split(".")
    head = parts[0]
    if drop:
        if head == "links" and len(parts) == 2 and parts[1] in links:
            return None
        if head == "messages" and len(parts) == 2 and parts[1] in messages:
            return None
        return f"'{path}' must be links.<id> or messages.<id> with a known id"
    if head == "positions":
        if len(parts) != 4 or parts[3] not in _FIELDS[head]:
            return f"'{path}' must be positions.<actor>.<issue>.position or .salience"
        if parts[1] not in actors:
            return f"'{path}' names an unknown actor '{parts[1]}'"
        if parts[2] not in issues:
            return f"'{path}' names an unknown issue '{parts[2]}'"
        return None
    if head == "actors":
        if len(parts) != 3 or parts[2] not in _FIELDS[head]:
            return f"'{path}' must be actors.<actor>.capability or .walk_away"
        if parts[1] not in actors:
            return f"'{path}' names an unknown actor '{parts[1]}'"
        return None
    if head == "links":
        if len(parts) != 3 or parts[2] != "discount":
            return f"'{path}' must be links.<id>.discount"
        if links.get(parts[1]) != "credibility":
            return f"'{path}' must name a credibility link"
        return None
    return (
        f"'{path}' cannot be edited by a lever; use positions.<actor>.<issue>.position or "
        ".salience, actors.<actor>.capability or .walk_away, or links.<id>.discount"
    )
