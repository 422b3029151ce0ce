"""Who must consent to a deal, and whether any package wins everyone's consent.

The **parties** of a deal are the actors and bodies whose consent it needs:

- every veto player, which accepts a package that leaves it no worse off under the Nash
  model's utility (quadratic loss by default), as before deal terms existed;
- every actor with a ``walk_away`` value, or a veto player that discounts promises
  (a credibility link), which accepts a package whose discounted gain in the winners
  table's units (linear loss) reaches its walk-away (0 when it states none);
- every ratifier, tested like an actor with a walk-away on its own stances, but only when
  the package moves one of the issues it ratifies.

Links restrict the packages: issues of a ``together`` link all deliver (move towards the
bargaining direction by at least their ``min_move``) or all stay at the status quo; the
``then`` issue of a ``sequence`` link moves only when ``first`` delivers. The bargaining
direction of an issue is from the status quo towards the compromise (the capability- and
salience-weighted mean of the positions).

The **zone of agreement** holds the packages that satisfy every party and every link and
move some issue. :func:`find_zone` searches it in each draw by maximising the smallest
share of its utility range by which a party clears its threshold, on every way of holding
the linked and ratified issues at the status quo; the problems are concave, and the
search is projected gradient ascent on a smoothed minimum, vectorised over draws.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from summitry.inputs import Inputs

__all__ = [
    "Parties",
    "Zone",
    "bargaining_direction",
    "compromise",
    "find_zone",
    "parties_of",
]

MOVED = 1e-7
"""An issue within this of the status quo (on [0, 1]) has not moved."""
SLACK_TOL = 1e-6
"""A party short of its threshold by less than this share of its utility range consents."""
_STAGES = ((0.05, 24), (0.01, 24), (0.002, 16), (0.0005, 16))
"""Smoothing (of the minimum and of the linear loss) and gradient steps per stage."""


@dataclass(frozen=True, eq=False)
class Parties:
    """Everyone whose consent a deal may need: ``N`` parties, actors first, then ratifiers.

    Attributes
    ----------
    names
        Actor ids, then ratifier ids.
    position, salience
        ``(S, N, I)`` ideal points on ``[0, 1]`` and saliences (zero where absent).
    threshold
        ``(S, N)`` the least gain each needs (0 where it states none).
    discount
        ``(N, I)`` share of a promised gain each does not count.
    quadratic
        ``(N,)`` parties tested on the Nash model's quadratic utility (veto players).
    linear
        ``(N,)`` parties tested on the winners table's linear utility with a threshold.
    trigger
        ``(N, I)`` issues whose move needs the party's consent (every issue for actors).
    """

    names: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    threshold: np.ndarray
    discount: np.ndarray
    quadratic: np.ndarray
    linear: np.ndarray
    trigger: np.ndarray


def parties_of(inputs: Inputs, *, credible: bool = False) -> Parties:
    """The parties of ``inputs``; ``credible`` drops every credibility discount."""
    s_n, n_a, n_i = inputs.position.shape
    veto = inputs.veto.any(axis=1)
    salience = np.where(inputs.present[None], inputs.salience, 0.0)
    terms = inputs.terms
    if terms is None:
        return Parties(
            names=inputs.actors,
            position=np.asarray(inputs.position),
            salience=salience,
            threshold=np.zeros((s_n, n_a)),
            discount=np.zeros((n_a, n_i)),
            quadratic=veto,
            linear=np.zeros(n_a, dtype=bool),
            trigger=np.ones((n_a, n_i), dtype=bool),
        )
    walk = np.asarray(terms.walk_away)
    discount = np.zeros_like(terms.discount) if credible else np.asarray(terms.discount)
    has_walk = np.isfinite(walk).any(axis=0)
    linear = has_walk | (veto & (terms.discount > 0).any(axis=1))
    n_r = len(terms.ratifiers)
    position, sal = np.asarray(inputs.position), salience
    r_pos = np.asarray(terms.ratifier_position) if n_r else np.zeros((s_n, 0, n_i))
    r_sal = np.asarray(terms.ratifier_salience) if n_r else np.zeros((s_n, 0, n_i))
    if n_r:
        who = terms.ratifier_actor
        own = who >= 0
        idx = np.maximum(who, 0)
        r_pos = np.where(own[None, :, None], position[:, idx], r_pos)
        r_sal = np.where(own[None, :, None], sal[:, idx], r_sal)
        r_walk = np.asarray(terms.ratifier_walk_away)
        r_disc = np.where(own[:, None], discount[idx], 0.0)
    else:
        r_walk, r_disc = np.zeros((s_n, 0)), np.zeros((0, n_i))
    return Parties(
        names=inputs.actors + terms.ratifiers,
        position=np.concatenate([position, r_pos], axis=1),
        salience=np.concatenate([sal, r_sal], axis=1),
        threshold=np.concatenate([np.nan_to_num(walk, nan=0.0), r_walk], axis=1),
        discount=np.concatenate([discount, r_disc], axis=0),
        quadratic=np.concatenate([veto, np.zeros(n_r, dtype=bool)]),
        linear=np.concatenate([linear, np.ones(n_r, dtype=bool)]),
        trigger=np.concatenate([np.ones((n_a, n_i), dtype=bool), terms.ratifier_trigger]),
    )


def compromise(inputs: Inputs) -> np.ndarray:
    """``(S, I)`` the capability- and salience-weighted mean of the positions.

    The status quo where no actor has weight on an issue.
    """
    w = inputs.weight
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * inputs.position).sum(axis=1) / total, inputs.status_quo)


def bargaining_direction(inputs: Inputs) -> np.ndarray:
    """``(S, I)`` +1 or -1: from the status quo towards the compromise (+1 on a tie)."""
    return np.where(compromise(inputs) < inputs.status_quo, -1.0, 1.0)


def gains(parties: Parties, sq: np.ndarray, x: np.ndarray, e: float = 0.0) -> np.ndarray:
    """``(S, N)`` each party's gain from ``sq`` to ``x``: quadratic or discounted linear.

    Parties tested on both utilities get the smaller of the two shares of their ranges;
    ``e`` smooths the linear loss (``sqrt(d**2 + e**2)``).
    """
    p, s = parties.position, parties.salience
    a, b = x[:, None, :] - p, sq[:, None, :] - p
    quad = -np.sum(s * (x - sq)[:, None, :] * (a + b), axis=2)
    if e > 0:
        term = s * (np.sqrt(b * b + e * e) - np.sqrt(a * a + e * e))
    else:
        term = s * (np.abs(b) - np.abs(a))
    term = np.where(term > 0, (1.0 - parties.discount[None]) * term, term)
    return np.stack([quad, np.sum(term, axis=2)])


def slack(parties: Parties, sq: np.ndarray, x: np.ndarray, e: float = 0.0) -> np.ndarray:
    """``(S, N)`` how far each party clears its threshold, in shares of its utility range.

    ``+inf`` for a party whose consent the package does not need.
    """
    quad, lin = gains(parties, sq, x, e)
    scale = np.maximum(parties.salience.sum(axis=2), 1e-300)
    out = np.full(quad.shape, np.inf)
    out = np.where(parties.quadratic[None], quad / scale, out)
    lin_slack = (lin - parties.threshold) / scale
    out = np.where(parties.linear[None], np.minimum(out, lin_slack), out)
    moved = np.abs(x - sq) > MOVED
    needed = np.any(parties.trigger[None] & moved[:, None, :], axis=2)
    return np.where(needed, out, np.inf)


@dataclass(frozen=True, eq=False)
class Zone:
    """Whether a zone of agreement exists in each draw, and who stands in its way.

    Attributes
    ----------
    possible
        ``(S,)`` some package satisfies every party and link and moves an issue.
    best
        ``(S, I)`` the package that came closest (on ``[0, 1]``).
    conflict
        ``(S, N)`` parties short of their threshold at ``best`` where there is no zone.
    names
        Party names.
    """

    possible: np.ndarray
    best: np.ndarray
    conflict: np.ndarray
    names: tuple[str, ...]


def _branches(inputs: Inputs) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every consistent way of holding linked and ratified issues at the status quo.

    Returns ``(frozen, deliver, min_move)`` per branch: ``(I,)`` issues held, ``(I,)``
    issues that must deliver, and ``(I,)`` the least move of those.
    """
    n_i = inputs.n_issues
    terms = inputs.terms
    links = terms.links if terms is not None else ()
    trigger = terms.ratifier_trigger if terms is not None and terms.ratifiers else None
    named = set()
    for link in links:
        named.update(link.issues)
    if trigger is not None:
        named.update(np.flatnonzero(trigger.any(axis=0)).tolist())
    named_list = sorted(named)
    out = []
    for held in itertools.product((False, True), repeat=len(named_list)):
        frozen = np.zeros(n_i, dtype=bool)
        frozen[named_list] = held
        deliver = np.zeros(n_i, dtype=bool)
        move = np.zeros(n_i)
        ok = True
        for link in links:
            idx = list(link.issues)
            if link.kind == "together":
                if frozen[idx].all():
                    continue
                if frozen[idx].any():
                    ok = False
                    break
                deliver[idx] = True
                move[idx] = np.maximum(move[idx], link.min_move[idx])
            else:
                first, then = idx
                if frozen[then]:
                    continue
                if frozen[first]:
                    ok = False
                    break
                deliver[first] = True
                move[first] = max(move[first], link.min_move[first])
        if ok and not frozen.all():
            out.append((frozen, deliver, move))
    return out


def find_zone(inputs: Inputs, *, credible: bool = False, start: np.ndarray | None = None) -> Zone:
    """Search every draw for a package that satisfies every party and link.

    Parameters
    ----------
    inputs
        A batch with a status quo on every issue.
    credible
        Treat every promise as credible (no credibility discount).
    start
        ``(S, I)`` a package to start from in every branch (the Nash solution), projected
        into each branch's bounds; default the compromise.
    """
    parties = parties_of(inputs, credible=credible)
    sq = np.asarray(inputs.status_quo)
    s_n = sq.shape[0]
    direction = bargaining_direction(inputs)
    x0 = compromise(inputs) if start is None else start
    best_val = np.full(s_n, -np.inf)
    best_x = np.array(sq, dtype=float)
    for frozen, deliver, move in _branches(inputs):
        todo = np.flatnonzero(best_val < -SLACK_TOL)
        if todo.size == 0:
            break
        need = np.maximum(move, 2 * MOVED)
        lo = np.where(frozen, sq[todo], 0.0)
        hi = np.where(frozen, sq[todo], 1.0)
        d = direction[todo]
        edge = sq[todo] + d * need
        lo = np.where(deliver & (d > 0), np.maximum(lo, edge), lo)
        hi = np.where(deliver & (d < 0), np.minimum(hi, edge), hi)
        if np.any(lo > hi + 1e-12):
            fits = np.all(lo <= hi + 1e-12, axis=1)
            todo, lo, hi = todo[fits], lo[fits], hi[fits]
            if todo.size == 0:
                continue
        x, val = _ascend(_take(parties, todo), sq[todo], np.clip(x0[todo], lo, hi), lo, hi)
        better = val > best_val[todo]
        best_val[todo[better]] = val[better]
        best_x[todo[better]] = x[better]
    moved = np.max(np.abs(best_x - sq), axis=1) > MOVED
    possible = (best_val >= -SLACK_TOL) & moved
    final = slack(parties, sq, best_x)
    conflict = (final < -SLACK_TOL) & ~possible[:, None]
    return Zone(possible=possible, best=best_x, conflict=conflict, names=parties.names)


def _take(parties: Parties, rows: np.ndarray) -> Parties:
    return Parties(
        names=parties.names,
        position=parties.position[rows],
        salience=parties.salience[rows],
        threshold=parties.threshold[rows],
        discount=parties.discount,
        quadratic=parties.quadratic,
        linear=parties.linear,
        trigger=parties.trigger,
    )


def _ascend(
    parties: Parties, sq: np.ndarray, x: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Projected gradient ascent on a smoothed minimum slack; the best exact point seen.

    Consent needed only when an issue moves is taken as always needed here (a branch that
    holds a ratifier's issues drops it beforehand), so the objective stays concave.
    """
    held = lo >= hi
    moved_any = ~held
    needed = np.any(parties.trigger[None] & moved_any[:, None, :], axis=2)
    cared = parties.quadratic | parties.linear
    active = needed & cared[None]
    scale = np.maximum(parties.salience.sum(axis=2), 1e-300)
    p, s = parties.position, parties.salience
    keep = (1.0 - parties.discount)[None]

    def exact_rows(z: np.ndarray, rows: np.ndarray) -> np.ndarray:
        val = np.min(
            np.where(active[rows], slack(_take(parties, rows), sq[rows], z), np.inf), axis=1
        )
        return np.where(np.max(np.abs(z - sq[rows]), axis=1) > MOVED, val, -np.inf)

    x = np.array(x)
    every = np.arange(x.shape[0])

    def exact(z: np.ndarray) -> np.ndarray:
        return exact_rows(z, every)

    best = np.array(x)
    best_val = exact(x)
    rows = np.flatnonzero(best_val < -SLACK_TOL)  # a draw stops once a package fits
    for tau, steps in _STAGES:
        e = tau
        for step in range(steps):
            if step % 8 == 0:
                rows = rows[best_val[rows] < -SLACK_TOL]
                if rows.size == 0:
                    return best, best_val
            xs, ps, ss, sqs = x[rows], p[rows], s[rows], sq[rows]
            a, b = xs[:, None, :] - ps, sqs[:, None, :] - ps
            r_a = np.sqrt(a * a + e * e)
            term = ss * (np.sqrt(b * b + e * e) - r_a)
            pos = term > 0
            lin = np.sum(np.where(pos, keep * term, term), axis=2)
            dlin = -np.where(pos, keep, 1.0) * ss * a / r_a  # (S, N, I)
            quad = -np.sum(ss * (xs - sqs)[:, None, :] * (a + b), axis=2)
            v_q = np.where(parties.quadratic[None], quad / scale[rows], np.inf)
            v_l = np.where(
                parties.linear[None], (lin - parties.threshold[rows]) / scale[rows], np.inf
            )
            use_l = v_l < v_q
            val = np.where(active[rows], np.where(use_l, v_l, v_q), np.inf)
            grad = np.where(use_l[:, :, None], dlin, -2.0 * ss * a) / scale[rows][:, :, None]
            low = np.min(val, axis=1, keepdims=True)
            wgt = np.where(active[rows], np.exp(-(val - low) / tau), 0.0)
            wgt /= np.maximum(wgt.sum(axis=1, keepdims=True), 1e-300)
            g = np.where(held[rows], 0.0, np.einsum("sn,sni->si", wgt, grad))
            norm = np.maximum(np.max(np.abs(g), axis=1, keepdims=True), 1e-12)
            xs = np.clip(xs + 2.0 * tau * g / norm, lo[rows], hi[rows])
            x[rows] = xs
            if step % 4 == 3 or step == steps - 1:
                now = exact_rows(xs, rows)
                better = now > best_val[rows]
                best[rows[better]] = xs[better]
                best_val[rows[better]] = now[better]
    return best, best_val
