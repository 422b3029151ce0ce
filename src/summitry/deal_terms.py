"""A scenario's deal terms as arrays: walk-away values, credibility, ratifiers and links.

:class:`DealTerms` travels inside :class:`~summitry.inputs.Inputs` (``inputs.terms``) with
the same leading sample axis ``S`` for what Monte Carlo draws (walk-away values, the
ratifiers' stances). The acceptance test in :mod:`summitry.analysis.deal` reads it; no
bargaining model does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from summitry.scenario import Scenario

__all__ = ["DealTerms", "LinkArrays", "terms_arrays"]


@dataclass(frozen=True)
class LinkArrays:
    """One together or sequence link, by issue number.

    Attributes
    ----------
    id, kind
        The link's id and ``"together"`` or ``"sequence"``.
    issues
        Issue numbers; for a sequence, ``(first, then)``.
    min_move
        ``(I,)`` the least move that counts as delivering, on ``[0, 1]``.
    """

    id: str
    kind: str
    issues: tuple[int, ...]
    min_move: np.ndarray


@dataclass(frozen=True, eq=False)
class DealTerms:
    """Walk-away values, credibility discounts, ratifiers and links of one batch.

    Attributes
    ----------
    walk_away
        ``(S, A)`` least gain each actor needs (winners-table units); NaN where none.
    discount
        ``(A, I)`` share of a promised gain the actor does not count.
    ratifiers
        Ratifier ids, ``R`` of them.
    ratifier_actor
        ``(R,)`` the actor number whose stances a ratifier uses, or -1 for a body with
        stances of its own.
    ratifier_position, ratifier_salience
        ``(S, R, I)`` a body's stances on ``[0, 1]`` (unused where it is an actor).
    ratifier_present
        ``(R, I)`` where a body has a stance.
    ratifier_walk_away
        ``(S, R)`` least gain each ratifier needs.
    ratifier_trigger
        ``(R, I)`` the issues whose move needs its consent.
    links
        Together and sequence links.
    """

    walk_away: np.ndarray
    discount: np.ndarray
    ratifiers: tuple[str, ...] = ()
    ratifier_actor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    ratifier_position: np.ndarray | None = None
    ratifier_salience: np.ndarray | None = None
    ratifier_present: np.ndarray | None = None
    ratifier_walk_away: np.ndarray | None = None
    ratifier_trigger: np.ndarray | None = None
    links: tuple[LinkArrays, ...] = ()

    @property
    def active(self) -> bool:
        """True when any term restricts which packages are deals."""
        return bool(
            np.isfinite(self.walk_away).any()
            or (self.discount > 0).any()
            or self.ratifiers
            or self.links
        )

    def take(self, idx: np.ndarray) -> DealTerms:
        """The terms of the given sample indices."""
        drawn = {"walk_away": self.walk_away[idx]}
        for name in ("ratifier_position", "ratifier_salience", "ratifier_walk_away"):
            value = getattr(self, name)
            if value is not None:
                drawn[name] = value[idx]
        return replace(self, **drawn)

    def permute_actors(self, order: np.ndarray) -> DealTerms:
        """The same terms with the actor axis reordered by ``order``."""
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        who = np.where(self.ratifier_actor >= 0, inverse[np.maximum(self.ratifier_actor, 0)], -1)
        return replace(
            self,
            walk_away=self.walk_away[:, order],
            discount=self.discount[order],
            ratifier_actor=who,
        )


def terms_arrays(scenario: Scenario) -> DealTerms | None:
    """The scenario's deal terms as a one-sample batch, or None when it states none."""
    from summitry.scenario import ratifier_issues

    has_walk = any(a.walk_away is not None for a in scenario.actors)
    if not (has_walk or scenario.links or scenario.ratifiers):
        return None
    actor_ids, issue_ids = scenario.actor_ids, scenario.issue_ids
    n_a, n_i = len(actor_ids), len(issue_ids)
    lo = np.array([i.scale.min for i in scenario.issues])
    width = np.array([i.scale.max - i.scale.min for i in scenario.issues])
    walk = np.array(
        [np.nan if a.walk_away is None else a.walk_away for a in scenario.actors], dtype=float
    )
    discount = np.zeros((n_a, n_i))
    links = []
    for link in scenario.links:
        if link.kind == "credibility":
            a, i = actor_ids.index(link.actor), issue_ids.index(link.issue)
            discount[a, i] = max(discount[a, i], link.discount)
            continue
        move = np.zeros(n_i)
        for issue_id, m in link.min_move.items():
            move[issue_ids.index(issue_id)] = m / width[issue_ids.index(issue_id)]
        links.append(
            LinkArrays(link.id, link.kind, tuple(issue_ids.index(i) for i in link.issues), move)
        )
    n_r = len(scenario.ratifiers)
    r_actor = np.full(n_r, -1, dtype=int)
    r_pos = np.full((n_r, n_i), 0.5)
    r_sal = np.zeros((n_r, n_i))
    r_present = np.zeros((n_r, n_i), dtype=bool)
    r_trigger = np.zeros((n_r, n_i), dtype=bool)
    r_walk = np.zeros(n_r)
    for r, rat in enumerate(scenario.ratifiers):
        if rat.actor is not None:
            r_actor[r] = actor_ids.index(rat.actor)
        for issue_id, stance in rat.positions.items():
            i = issue_ids.index(issue_id)
            r_pos[r, i] = (stance.position - lo[i]) / width[i]
            r_sal[r, i] = stance.salience / scenario.salience_scale
            r_present[r, i] = True
        for issue_id in ratifier_issues(scenario, rat):
            r_trigger[r, issue_ids.index(issue_id)] = True
        r_walk[r] = rat.walk_away
    return DealTerms(
        walk_away=walk[None],
        discount=discount,
        ratifiers=tuple(r.id for r in scenario.ratifiers),
        ratifier_actor=r_actor,
        ratifier_position=r_pos[None],
        ratifier_salience=r_sal[None],
        ratifier_present=r_present,
        ratifier_walk_away=r_walk[None],
        ratifier_trigger=r_trigger,
        links=tuple(links),
    )
