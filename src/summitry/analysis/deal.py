"""Deal or no deal: whether a model's forecast wins the consent of every party, and why not.

A veto player (an actor holding a veto on any issue) accepts a package ``x`` only if it is
at least as well off as under the status quo, ``U_v(x) >= U_v(sq)``, with the utility of
the Nash model (:mod:`summitry.models.nash`). Deal terms add more parties and rules
(:mod:`summitry.analysis.zone`): walk-away values, credibility discounts, ratifiers and
linked issues. In each Monte Carlo draw:

- a deal is **possible** when Nash bargaining with the veto players strikes one and the
  zone of agreement under the deal terms holds a package that moves some issue;
- a model's forecast **is a deal** when a deal is possible, the forecast moves some issue,
  every party accepts it and it keeps every link.

P(deal) is the share of draws in which the forecast is a deal. Every other draw gets one
reason, the first that applies: no zone of agreement (even with every promise
credible), a commitment problem (a zone exists only if promises were credible), mutual
optimism (an actor's own forecast, made on what it was told, is a package another party
rejects), no move (the forecast stays at the status quo) or blocked (a party rejects the
forecast, or it breaks a link). docs/deal.md gives the definitions and their sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from summitry.analysis.winners import utility
from summitry.analysis.zone import MOVED as ZONE_MOVED
from summitry.analysis.zone import (
    SLACK_TOL,
    Parties,
    Zone,
    bargaining_direction,
    find_zone,
    gains,
    parties_of,
)
from summitry.inputs import Inputs
from summitry.models.nash import NashBargaining

__all__ = [
    "REASONS",
    "REASON_WORDS",
    "DealResult",
    "Zones",
    "deal_analysis",
    "deal_draws",
    "find_zones",
    "reason_text",
    "wilson",
]

MOVED = 1e-7
"""An outcome within this of the status quo on every issue (on [0, 1]) changes nothing."""
REJECT = 1e-9
"""A veto player rejects a package that loses it more than this share of its utility range."""
REASONS = ("no_zone", "commitment", "mutual_optimism", "no_move", "blocked")
"""Why a draw has no deal, in the order they are tested (docs/deal.md)."""
REASON_WORDS = {
    "no_zone": "no zone of agreement",
    "commitment": "commitment problem",
    "mutual_optimism": "mutual optimism",
    "no_move": "forecast stays at status quo",
    "blocked": "blocked",
}
"""How tables and reports name the reasons."""
LEVEL = 0.9
"""Coverage of the interval reported beside P(deal)."""


def reason_text(entry: Mapping[str, Any], names: int = 2) -> str:
    """``"no zone: us, dprk"`` or ``"blocked by us"``: a model's ``p_deal`` entry in words.

    Takes an entry of :meth:`summitry.forecast.Forecast.deal_dict` (or of a stored run,
    which may predate the reasons) and names at most ``names`` parties; empty where every
    draw is a deal.
    """
    reasons = entry.get("reasons")
    if not reasons:
        return f"blocked by {entry['top_blocker']}" if entry.get("top_blocker") else ""
    top = entry.get("top_reason")
    if top is None:
        return ""
    who = ", ".join(list(reasons[top]["who"])[:names])
    if top == "blocked":
        return f"blocked by {who}" if who else "blocked"
    short = {"no_zone": "no zone", "commitment": "commitment", "mutual_optimism": "optimism"}
    head = short.get(top, REASON_WORDS[top])
    return f"{head}: {who}" if who else head


def wilson(k: float, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` at the given coverage."""
    from scipy.special import ndtri

    if n <= 0:
        return (0.0, 1.0)
    z = float(ndtri(0.5 + level / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


@dataclass(frozen=True, eq=False)
class DealResult:
    """P(deal), blocking and the reason for every draw without a deal, for one forecast.

    Attributes
    ----------
    deal
        ``(S,)`` true where the forecast is a deal.
    possible
        ``(S,)`` true where some package other than the status quo satisfies every party
        and link.
    blocking
        ``(S, A)`` veto players that block the draw: they reject the forecast, or, where no
        package satisfies all veto players, the Nash model finds that their veto alone
        stands in the way.
    actors
        Actor labels.
    reason
        ``(S,)`` index into :data:`REASONS`, -1 where the forecast is a deal.
    named
        ``(S, N)`` who each draw's reason names (see ``names``).
    names
        Actor ids, ratifier ids, then link ids.
    rows
        Where the reasons were found on a subsample of the draws (a large batch, see
        :data:`summitry.forecast.ANALYSIS_DRAWS`): the indices of those draws, which
        ``possible``, ``blocking``, ``reason`` and ``named`` describe. ``deal`` always
        covers every draw. None: everything covers every draw.
    """

    deal: np.ndarray
    possible: np.ndarray
    blocking: np.ndarray
    actors: tuple[str, ...]
    reason: np.ndarray | None = None
    named: np.ndarray | None = None
    names: tuple[str, ...] = ()
    rows: np.ndarray | None = None

    @property
    def n_analysed(self) -> int:
        """How many draws the reasons, blocking and zone describe."""
        return int(self.possible.size)

    @property
    def p_deal(self) -> float:
        """Share of draws in which the forecast is a deal."""
        return float(np.mean(self.deal))

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        """Wilson interval of P(deal) over the draws (the Monte Carlo error only)."""
        return wilson(float(np.sum(self.deal)), int(self.deal.size), level)

    def blocking_share(self) -> dict[str, float]:
        """Share of draws each veto player blocks, for the actors that ever do."""
        share = np.mean(self.blocking, axis=0)
        return {a: float(v) for a, v in zip(self.actors, share, strict=True) if v > 0}

    def top_blocker(self) -> str | None:
        """The veto player that blocks most often, or None."""
        share = self.blocking_share()
        return max(share, key=lambda a: (share[a], a)) if share else None

    def reasons(self) -> dict[str, dict[str, object]]:
        """Per reason: its share of the draws analysed, that share's interval, who it names.

        The interval is Wilson's at :data:`LEVEL` (the Monte Carlo error of a subsample
        included); ``who`` gives each party's share of the draws naming it.
        """
        out: dict[str, dict[str, object]] = {}
        n = max(self.n_analysed, 1)
        for k, reason in enumerate(REASONS):
            rows = self.reason == k if self.reason is not None else np.zeros(0, dtype=bool)
            who: dict[str, float] = {}
            if self.named is not None and rows.any():
                counts = self.named[rows].sum(axis=0) / n
                who = {
                    name: float(c)
                    for name, c in sorted(
                        zip(self.names, counts, strict=True), key=lambda t: (-t[1], t[0])
                    )
                    if c > 0
                }
            k_rows = float(np.sum(rows))
            out[reason] = {"share": k_rows / n, "interval": list(wilson(k_rows, n)), "who": who}
        return out

    def top_reason(self) -> str | None:
        """The most frequent reason for no deal, or None where every draw is a deal."""
        shares = {r: v["share"] for r, v in self.reasons().items() if v["share"] > 0}
        return max(shares, key=lambda r: (shares[r], -REASONS.index(r))) if shares else None


@dataclass(frozen=True, eq=False)
class Zones:
    """The zone of agreement of a batch: as the terms stand, and with credible promises."""

    actual: Zone
    credible: Zone


def acceptable_set(inputs: Inputs, *, nash: NashBargaining | None = None):  # noqa: ANN201
    """Solve Nash bargaining once per draw: whether a deal is possible and who blocks."""
    return (nash or NashBargaining()).solve(inputs, blocking=True)


def find_zones(inputs: Inputs, *, solution=None) -> Zones | None:  # noqa: ANN001
    """Search the zone of agreement under the deal terms; None where the inputs have none.

    ``solution`` (the Nash solution of the veto players) seeds the search.
    """
    if inputs.terms is None or not inputs.terms.active or np.isnan(inputs.status_quo).any():
        return None
    start = None if solution is None else solution.outcome
    actual = find_zone(inputs, start=start)
    credible = actual
    if (inputs.terms.discount > 0).any() and not actual.possible.all():
        # promises taken as credible only widen the zone: search where it was empty
        rows = np.flatnonzero(~actual.possible)
        part = find_zone(
            inputs.take(rows), credible=True, start=None if start is None else start[rows]
        )
        credible = Zone(
            possible=_put(actual.possible, rows, part.possible),
            best=_put(actual.best, rows, part.best),
            conflict=_put(actual.conflict, rows, part.conflict),
            names=actual.names,
        )
    return Zones(actual=actual, credible=credible)


def _put(whole: np.ndarray, rows: np.ndarray, part: np.ndarray) -> np.ndarray:
    out = np.array(whole)
    out[rows] = part
    return out


def deal_analysis(
    inputs: Inputs,
    outcome: np.ndarray,
    *,
    nash: NashBargaining | None = None,
    solution=None,  # noqa: ANN001
    zones: Zones | None = None,
    own: np.ndarray | None = None,
) -> DealResult | None:
    """P(deal) and reasons for a forecast ``outcome`` ``(S, I)`` on [0, 1].

    None without a status quo. ``solution`` may pass a
    :class:`~summitry.models.nash.NashSolution` and ``zones`` a :class:`Zones` already
    computed for these inputs, so that several models share them. ``own`` ``(A, S, I)`` on
    [0, 1] gives each actor's own forecast made on its beliefs (miscalculation), for the
    mutual-optimism reason.
    """
    if np.isnan(inputs.status_quo).any():
        return None
    nash = nash or NashBargaining()
    sol = solution if solution is not None else acceptable_set(inputs, nash=nash)
    if zones is None:
        zones = find_zones(inputs, solution=sol)
    sq = np.asarray(inputs.status_quo)
    test = _deal_test(inputs, outcome, sol, nash)
    deal, rejects, moved = test.deal, test.rejects, test.moved
    parties, links, refused, broken = test.parties, test.links, test.refused, test.broken
    blocking = rejects & moved[:, None]
    if sol.blocking is not None:
        blocking = blocking | (sol.blocking & ~sol.deal[:, None])
    possible = np.array(sol.deal)
    credible = np.array(sol.deal)
    if zones is not None:
        possible &= zones.actual.possible | deal
        credible &= zones.credible.possible | possible

    n_a, n_p = inputs.n_actors, len(parties.names)
    names = parties.names + tuple(link.id for link in links)
    named = np.zeros((deal.size, len(names)), dtype=bool)
    reason = np.full(deal.size, -1, dtype=np.int8)
    open_ = ~deal

    # 1. no zone of agreement, even with credible promises
    stuck = np.zeros((deal.size, n_p), dtype=bool)
    stuck[:, :n_a] = (sol.binding | (sol.blocking if sol.blocking is not None else False)) & (
        ~sol.deal[:, None]
    )
    if zones is not None:
        stuck |= zones.credible.conflict
    rows = open_ & ~credible
    reason[rows], named[rows, :n_p] = 0, stuck[rows]
    open_ &= ~rows
    # 2. commitment problem: a zone only with credible promises
    rows = open_ & ~possible
    if rows.any() and zones is not None:
        doubt = (parties.discount > 0).any(axis=1)[None]
        who = zones.actual.conflict & doubt
        who = np.where(who.any(axis=1, keepdims=True), who, zones.actual.conflict)
        reason[rows], named[rows, :n_p] = 1, who[rows]
    open_ &= ~rows
    # 3. mutual optimism: an actor expects a package, on what it was told, that others refuse
    if own is not None and open_.any():
        optimist = _optimists(inputs, parties, links, sq, outcome, own, nash)
        rows = open_ & optimist.any(axis=1)
        reason[rows], named[rows, :n_a] = 2, optimist[rows]
        open_ &= ~rows
    # 4. the forecast changes nothing
    rows = open_ & ~moved
    reason[rows] = 3
    open_ &= ~rows
    # 5. blocked: a party refuses the forecast or it breaks a link
    reason[open_] = 4
    named[open_, :n_p] = refused[open_]
    named[open_, n_p:] = broken[open_]
    return DealResult(
        deal=deal,
        possible=possible,
        blocking=blocking,
        actors=inputs.actors,
        reason=reason,
        named=named,
        names=names,
    )


@dataclass(frozen=True, eq=False)
class _DealTest:
    """The exact deal test of a forecast, with what the reasons read off it."""

    deal: np.ndarray  # (S,)
    rejects: np.ndarray  # (S, A) veto players worse off than at the status quo
    moved: np.ndarray  # (S,) the forecast leaves the status quo
    parties: Parties
    links: tuple
    refused: np.ndarray  # (S, P)
    broken: np.ndarray  # (S, L)


def _deal_test(inputs: Inputs, outcome: np.ndarray, sol, nash: NashBargaining) -> _DealTest:  # noqa: ANN001
    """Whether each draw's forecast is a deal: every party accepts it, every link holds."""
    sq = np.asarray(inputs.status_quo)
    rejects = _veto_rejects(inputs, sq, outcome, nash)
    moved = np.max(np.abs(outcome - sq), axis=1) > MOVED
    parties = parties_of(inputs)
    links = inputs.terms.links if inputs.terms is not None else ()
    refused, broken = _refusals(parties, links, inputs, sq, outcome)
    refused[:, : inputs.n_actors] |= rejects
    # exact tests only: the forecast is its own witness that the zone is not empty
    deal = sol.deal & moved & ~refused.any(axis=1) & ~broken.any(axis=1)
    return _DealTest(deal, rejects, moved, parties, links, refused, broken)


def deal_draws(
    inputs: Inputs,
    outcome: np.ndarray,
    *,
    nash: NashBargaining | None = None,
    solution=None,  # noqa: ANN001
) -> np.ndarray:
    """``(S,)`` true where the forecast ``outcome`` ``(S, I)`` on [0, 1] is a deal.

    The test of :func:`deal_analysis` alone, without the zone search and the reasons.
    """
    nash = nash or NashBargaining()
    sol = solution if solution is not None else acceptable_set(inputs, nash=nash)
    return _deal_test(inputs, outcome, sol, nash).deal


def _veto_rejects(
    inputs: Inputs, sq: np.ndarray, x: np.ndarray, nash: NashBargaining
) -> np.ndarray:
    """``(S, A)`` veto players worse off at ``x`` than at the status quo (Nash utility).

    A loss below 1e-9 of the actor's utility range is rounding, not a rejection: the range
    is its summed salience, the most it can lose on the [0, 1] scale.
    """
    gain = utility(inputs, x, nash.utility) - utility(inputs, sq, nash.utility)
    scale = np.sum(np.where(inputs.present[None], inputs.salience, 0.0), axis=-1)
    return inputs.veto.any(axis=1)[None, :] & (gain < -REJECT * scale)


def _refusals(
    parties: Parties, links: tuple, inputs: Inputs, sq: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(S, N)`` parties whose threshold test refuses ``x``; ``(S, L)`` links it breaks."""
    _, lin = gains(parties, sq, x)
    scale = np.maximum(parties.salience.sum(axis=2), 1e-300)
    moved = np.abs(x - sq) > ZONE_MOVED
    needed = np.any(parties.trigger[None] & moved[:, None, :], axis=2)
    short = (lin - parties.threshold) / scale < -SLACK_TOL
    refused = parties.linear[None] & needed & short
    if not links:
        return refused, np.zeros((x.shape[0], 0), dtype=bool)
    direction = bargaining_direction(inputs)
    broken = np.zeros((x.shape[0], len(links)), dtype=bool)
    for k, link in enumerate(links):
        idx = list(link.issues)
        need = np.maximum(link.min_move[idx], 2 * ZONE_MOVED) - 1e-12
        delivered = direction[:, idx] * (x[:, idx] - sq[:, idx]) >= need
        untouched = ~moved[:, idx]
        if link.kind == "together":
            broken[:, k] = ~(delivered.all(axis=1) | untouched.all(axis=1))
        else:
            broken[:, k] = ~untouched[:, 1] & ~delivered[:, 0]
    return refused, broken


def _optimists(
    inputs: Inputs,
    parties: Parties,
    links: tuple,
    sq: np.ndarray,
    outcome: np.ndarray,
    own: np.ndarray,
    nash: NashBargaining,
) -> np.ndarray:
    """``(S, A)`` parties with beliefs who expect more than others will accept.

    Actor ``o`` is an optimist in a draw when its own forecast differs from the forecast,
    gains it more (winners utility), and some other party refuses it.
    """
    n_a = inputs.n_actors
    out = np.zeros((outcome.shape[0], n_a), dtype=bool)
    party = parties.quadratic[:n_a] | parties.linear[:n_a]
    for o in range(n_a):  # only the few actors with beliefs
        if not party[o] or inputs.knows_truth(o):
            continue
        x = own[o]
        differs = np.max(np.abs(x - outcome), axis=1) > MOVED
        mine = utility(inputs, x)[:, o] - utility(inputs, outcome)[:, o]
        refused, broken = _refusals(parties, links, inputs, sq, x)
        refused[:, :n_a] |= _veto_rejects(inputs, sq, x, nash)
        refused[:, o] = False
        out[:, o] = differs & (mine > 0) & (refused.any(axis=1) | broken.any(axis=1))
    return out
