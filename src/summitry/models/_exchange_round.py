"""One round of the exchange model, compiled, for a batch of samples.

Unlike the one-issue models, the exchange model ties issues together: an exchange moves
one actor on one issue and its partner on another. A round is therefore played on a
whole sample (every actor on every issue); :func:`play_round` runs samples in parallel
and, inside a sample, everything is plain loops that numba compiles. The equations are
those of ``docs/models/exchange.md``; the switches mirror
:class:`~summitry.models.ExchangeModel`.

Within a sample, with ``A`` actors and ``I`` issues:

* candidates: every issue pair and every pair of actors on opposite sides of the
  expected outcome on both issues, ``E <= I (I - 1) / 2 * A^2 / 4``, found in O(I^2 A^2);
* each candidate is valued in O(1) from the running sums of the expected outcomes;
* the best exchange comes off a binary heap (O(log E)); executing it re-values the
  candidates that share one of its four (actor, issue) roles, O(I A) of them.

A round with ``K`` executed exchanges costs O(I^2 A^2 log E + K I A log E) time and
O(I^2 A^2) memory per sample.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["candidates", "evaluate", "play_round", "play_sample"]

CAP_NONE, CAP_CROSSING, CAP_STRICT = 0, 1, 2
"""The ``outcome_cap`` rules of :class:`~summitry.models.ExchangeModel`, as passed here."""

RANK_RTOL = 1e-9
"""Gains closer than this (relative) count as equal; the tie rule of :func:`_before` decides."""

# columns of the integer candidate table; the heap's entries add the two actors' ranks
_A1, _P1, _A2, _P2, _LO, _HI, _RLO, _RHI = 0, 1, 2, 3, 4, 5, 6, 7


@njit(cache=True)
def _outcome_sums(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per issue ``sum w x`` and ``sum w``.

    Summed in an order that does not depend on how the actors are numbered (``sum w x``
    by position, ``sum w`` by weight), so that renumbering the actors changes no bit,
    unless two actors stand at the same position with different weights.
    """
    n_a, n_i = x.shape
    num = np.zeros(n_i)
    den = np.zeros(n_i)
    key = np.empty(n_a)
    for i in range(n_i):
        for a in range(n_a):
            key[a] = x[a, i]
        order = np.argsort(key, kind="mergesort")
        for t in range(n_a):
            a = order[t]
            num[i] += w[a, i] * x[a, i]
        for a in range(n_a):
            key[a] = w[a, i]
        order = np.argsort(key, kind="mergesort")
        for t in range(n_a):
            den[i] += w[order[t], i]
    return num, den


@njit(cache=True)
def candidates(
    pref: np.ndarray, s: np.ndarray, w: np.ndarray, present: np.ndarray, tol: float
) -> np.ndarray:
    """The possible exchanges of one sample at the start of a round, as rows of ints.

    Each row is ``(a1, p1, a2, p2, lo, hi)``: actor ``a1`` moves on issue ``p1`` towards
    ``a2``, ``a2`` moves on ``p2`` towards ``a1``; ``lo < hi`` are the two actor numbers.
    ``a1`` supplies ``p1`` and demands ``p2``: it cares relatively more about ``p2``
    than ``a2`` does (``s[a1, p2] s[a2, p1] > s[a1, p1] s[a2, p2]``). Both actors take
    part in both issues, stand on opposite sides of the expected outcome (farther than
    ``tol``) on each, and each gives the outcome it moves a positive weight.
    """
    n_a, n_i = pref.shape
    num, den = _outcome_sums(pref, w)
    side = np.zeros((n_a, n_i), dtype=np.int8)
    for i in range(n_i):
        if den[i] <= 0.0:
            continue
        o = num[i] / den[i]
        for a in range(n_a):
            if present[a, i]:
                if pref[a, i] > o + tol:
                    side[a, i] = 1
                elif pref[a, i] < o - tol:
                    side[a, i] = -1
    count = 0
    for phase in range(2):  # count, then fill
        rows = np.empty((count, 6), dtype=np.int64)
        k = 0
        for p in range(n_i):
            for q in range(p + 1, n_i):
                for a in range(n_a):
                    if side[a, p] == 0 or side[a, q] == 0:
                        continue
                    for b in range(a + 1, n_a):
                        if side[a, p] + side[b, p] != 0 or side[a, q] + side[b, q] != 0:
                            continue
                        cross = s[a, q] * s[b, p] - s[a, p] * s[b, q]
                        if cross > 0.0:  # a cares relatively more about q: it supplies p
                            a1, p1, a2, p2 = a, p, b, q
                        elif cross < 0.0:
                            a1, p1, a2, p2 = a, q, b, p
                        else:
                            continue
                        if w[a1, p1] <= 0.0 or w[a2, p2] <= 0.0:
                            continue
                        if phase == 1:
                            rows[k, _A1], rows[k, _P1] = a1, p1
                            rows[k, _A2], rows[k, _P2] = a2, p2
                            rows[k, _LO], rows[k, _HI] = a, b
                        k += 1
        count = k
    return rows


@njit(cache=True, inline="always")
def evaluate(
    row: np.ndarray,
    pref: np.ndarray,
    cur: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    seen: tuple[float, float, float, float],
    den: np.ndarray,
    direction: np.ndarray,
    rks: bool,
    cap: int,
    quirks: bool,
    tol: float,
) -> tuple[float, float, float, float, float]:
    """Value one exchange in the current state: ``(key, gain1, gain2, move1, move2)``.

    ``cur`` holds the voting positions so far this round, ``pref`` the positions at the
    start of the round, which each actor demands. ``seen`` is ``(o1, o2, c1, c2)``: the
    expected outcomes of the two issues as the actor demanding each sees them, and the
    ones the cap is measured from (the same unless ``quirks``; see :func:`_seen`).
    ``direction`` is ``(sign1, sign2)``, the way each actor moves, fixed at the start of
    the round. The key (the sum of both gains) is 0 for an exchange that is no longer
    possible.
    """
    a1, p1, a2, p2 = row[_A1], row[_P1], row[_A2], row[_P2]
    d1 = (pref[a2, p1] - cur[a1, p1]) * direction[0]  # how far a1 may still move on p1
    d2 = (pref[a1, p2] - cur[a2, p2]) * direction[1]
    if d1 <= tol or d2 <= tol:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    # shifts of the expected outcomes: o1 on p1 (a1 moves), o2 on p2 (a2 moves)
    full1 = w[a1, p1] * d1 / den[p1]
    full2 = w[a2, p2] * d2 / den[p2]
    # how far each outcome may move before it reaches the actor demanding the issue
    room1 = (pref[a2, p1] - seen[0]) * direction[0]
    room2 = (pref[a1, p2] - seen[1]) * direction[1]
    if cap == CAP_STRICT and (room1 <= tol or room2 <= tol):
        return 0.0, 0.0, 0.0, 0.0, 0.0
    s11, s12, s21, s22 = s[a1, p1], s[a1, p2], s[a2, p1], s[a2, p2]
    if rks:
        # Kalai-Smorodinsky: gains in proportion to the most each could get while the
        # other gains nothing, over the same moves (full moves, held by the cap)
        b1, b2 = full1, full2
        if cap != CAP_NONE:
            b1 = min(b1, room1) if room1 > tol else b1
            b2 = min(b2, room2) if room2 > tol else b2
        r_a, r_b = s22 / s21, s12 / s11  # a2 indifferent: o1 = r_a o2; a1: o1 = r_b o2
        top1 = (s12 - s11 * r_a) * min(b2, b1 / r_a)
        top2 = (s21 * r_b - s22) * min(b2, b1 / r_b)
        if not (top1 > 0.0 and top2 > 0.0):
            return 0.0, 0.0, 0.0, 0.0, 0.0
        k = top1 / top2
        rate = (s12 + k * s22) / (s11 + k * s21)
    else:
        rate = (s12 + s22) / (s11 + s21)  # equal gain
    if not rate > 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0
    # the largest exchange at this rate: one of the two moves all the way to its partner
    o2, whole = full2, 2
    if full1 / rate < o2:
        o2, whole = full1 / rate, 1
    o1 = rate * o2
    if cap == CAP_CROSSING or cap == CAP_STRICT:
        # scale down an exchange that would carry an outcome past its demander; decide
        # checks the side that moves on the later issue of the pair first
        for t in range(2):
            first = (p1 > p2) == (t == 0)
            room, shift = (room1, o1) if first else (room2, o2)
            if room > tol and shift > room:
                amount = seen[2] if first else seen[3]
                amount = (
                    (pref[a2, p1] - amount) * direction[0]
                    if first
                    else (pref[a1, p2] - amount) * direction[1]
                )
                if first:
                    o1, o2 = amount, amount / rate
                else:
                    o1, o2 = rate * amount, amount
                whole = 0
    gain1 = s12 * o2 - s11 * o1
    gain2 = s21 * o1 - s22 * o2
    move1 = d1 if whole == 1 else o1 * den[p1] / w[a1, p1]  # a full move lands exactly
    move2 = d2 if whole == 2 else o2 * den[p2] / w[a2, p2]
    if not quirks:
        move1, move2 = min(move1, d1), min(move2, d2)
    if move1 <= tol or move2 <= tol or not (gain1 > 0.0 and gain2 > 0.0):
        return 0.0, 0.0, 0.0, 0.0, 0.0
    if quirks and not (
        0.0 <= cur[a1, p1] + direction[0] * move1 <= 1.0
        and 0.0 <= cur[a2, p2] + direction[1] * move2 <= 1.0
    ):
        return 0.0, 0.0, 0.0, 0.0, 0.0
    return gain1 + gain2, gain1, gain2, move1, move2


@njit(cache=True)
def _actor_ranks(
    pref: np.ndarray, s: np.ndarray, w: np.ndarray, present: np.ndarray, outcome: np.ndarray
) -> np.ndarray:
    """Rank actors by what they are, not by their numbers, for breaking exact ties.

    Actors are compared issue by issue on taking part, salience, weight and distance from
    the expected outcome (values within :data:`RANK_RTOL` are equal): none of these
    changes when the actors are renumbered or the scales turned round. Actors that agree
    on all of them share a rank.
    """
    n_a, n_i = pref.shape
    rank = np.zeros(n_a, dtype=np.int64)
    for a in range(n_a):
        for b in range(n_a):
            if _actor_less(b, a, pref, s, w, present, outcome):
                rank[a] += 1
    return rank


@njit(cache=True)
def _differ(u: float, v: float) -> int:
    """-1, 0 or 1 as ``u`` is below, within :data:`RANK_RTOL` of, or above ``v``."""
    if abs(u - v) <= RANK_RTOL * max(abs(u), abs(v), 1e-300):
        return 0
    return -1 if u < v else 1


@njit(cache=True)
def _actor_less(b, a, pref, s, w, present, outcome) -> bool:
    for i in range(pref.shape[1]):
        if present[b, i] != present[a, i]:
            return present[b, i] < present[a, i]
        for c in (
            _differ(s[b, i], s[a, i]),
            _differ(w[b, i], w[a, i]),
            _differ(abs(pref[b, i] - outcome[i]), abs(pref[a, i] - outcome[i])),
        ):
            if c != 0:
                return c < 0
    return False


@njit(cache=True, inline="always")
def _before(e: int, f: int, key: np.ndarray, rows: np.ndarray, span: np.ndarray) -> bool:
    """True when heap entry ``e`` goes before entry ``f``.

    The larger gain goes first; gains within :data:`RANK_RTOL` tie, and then the lower
    issue pair, the shorter joint move, the lower actor ranks (see :func:`_actor_ranks`,
    in the rank columns) and last the lower actor numbers go first.
    """
    ke, kf = key[e], key[f]
    if abs(ke - kf) > RANK_RTOL * max(ke, kf):
        return ke > kf
    re, rf = rows[e], rows[f]
    pe, pf = min(re[_P1], re[_P2]), min(rf[_P1], rf[_P2])
    if pe != pf:
        return pe < pf
    pe, pf = max(re[_P1], re[_P2]), max(rf[_P1], rf[_P2])
    if pe != pf:
        return pe < pf
    if abs(span[e] - span[f]) > RANK_RTOL * max(span[e], span[f]):
        return span[e] < span[f]
    if re[_RLO] != rf[_RLO]:
        return re[_RLO] < rf[_RLO]
    if re[_RHI] != rf[_RHI]:
        return re[_RHI] < rf[_RHI]
    if re[_LO] != rf[_LO]:
        return re[_LO] < rf[_LO]
    return re[_HI] < rf[_HI]


@njit(cache=True, inline="always")
def _push(heap: np.ndarray, size: int, item: int, key, rows, span) -> np.ndarray:
    if size == heap.size:
        bigger = np.empty(2 * heap.size + 16, dtype=np.int64)
        bigger[:size] = heap[:size]
        heap = bigger
    heap[size] = item
    c = size
    while c > 0:
        parent = (c - 1) // 2
        if not _before(heap[c], heap[parent], key, rows, span):
            break
        heap[c], heap[parent] = heap[parent], heap[c]
        c = parent
    return heap


@njit(cache=True, inline="always")
def _pop(heap: np.ndarray, size: int, key, rows, span) -> int:
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    c = 0
    while True:
        left, right, best = 2 * c + 1, 2 * c + 2, c
        if left < size and _before(heap[left], heap[best], key, rows, span):
            best = left
        if right < size and _before(heap[right], heap[best], key, rows, span):
            best = right
        if best == c:
            break
        heap[c], heap[best] = heap[best], heap[c]
        c = best
    return top


@njit(cache=True)
def _role_lists(rows: np.ndarray, n_a: int, n_i: int) -> tuple[np.ndarray, np.ndarray]:
    """For each (actor, issue), the candidates in which that actor plays a role.

    That is, in which it moves on (supplies) or is followed on (demands) that issue; as
    offsets and ids (compressed rows).
    """
    n = rows.shape[0]
    count = np.zeros(n_a * n_i + 1, dtype=np.int64)
    for k in range(n):
        a1, p1, a2, p2 = rows[k, _A1], rows[k, _P1], rows[k, _A2], rows[k, _P2]
        for cell in (a1 * n_i + p1, a2 * n_i + p2, a1 * n_i + p2, a2 * n_i + p1):
            count[cell + 1] += 1
    offsets = np.cumsum(count)
    fill = offsets[:-1].copy()
    ids = np.empty(4 * n, dtype=np.int64)
    for k in range(n):
        a1, p1, a2, p2 = rows[k, _A1], rows[k, _P1], rows[k, _A2], rows[k, _P2]
        for cell in (a1 * n_i + p1, a2 * n_i + p2, a1 * n_i + p2, a2 * n_i + p1):
            ids[fill[cell]] = k
            fill[cell] += 1
    return offsets, ids


@njit(cache=True, inline="always")
def _seen(
    q: int,
    demander: int,
    supplier: int,
    pref: np.ndarray,
    cur: np.ndarray,
    w: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    bought: np.ndarray,
    shift: np.ndarray,
    local: bool,
    quirks: bool,
) -> tuple[float, float]:
    """The expected outcome of issue ``q`` as ``demander`` sees it, and the cap's.

    Both for the exchange in which ``supplier`` moves on ``q``.

    ``local`` (decide): the outcome of the positions at the start of the round, moved by
    the votes the demander has itself obtained on ``q`` this round (``shift``; ``bought``
    holds each seller's vote as the demander counts it, see :func:`_record_sale`) and by
    the supplier's current voting position. Otherwise the outcome of every voting position
    so far (``num``). With ``quirks``, decide's cap counts a supplier that has sold to this
    demander before at that earlier vote instead of its current one.
    """
    if not local:
        return num[q] / den[q], num[q] / den[q]
    base = num[q] + shift[demander, q]
    earlier = bought[demander, q, supplier]
    if not np.isnan(earlier):
        base -= w[supplier, q] * (earlier - pref[supplier, q])
    now = (base + w[supplier, q] * (cur[supplier, q] - pref[supplier, q])) / den[q]
    if quirks and not np.isnan(earlier):
        return now, (base + w[supplier, q] * (earlier - pref[supplier, q])) / den[q]
    return now, now


@njit(cache=True, inline="always")
def _record_sale(q, buyer, seller, pref, cur, w, bought, shift, quirks) -> None:
    """``buyer`` obtained a move of ``seller`` on issue ``q``: update its view.

    A seller that sells to the same buyer on the same issue again has moved its vote
    further. The buyer counts it at its new vote; with ``quirks``, at the vote that lies
    nearer its position at the start of the round, as decide's code does (it goes on
    counting the first sale).
    """
    start, now = pref[seller, q], cur[seller, q]
    before = bought[buyer, q, seller]
    if np.isnan(before):
        keep, before = now, start
    elif not quirks:
        keep = now
    elif start <= before:
        keep = min(before, now)
    else:
        keep = max(before, now)
    shift[buyer, q] += w[seller, q] * (keep - before)
    bought[buyer, q, seller] = keep


@njit(cache=True)
def _value(k, rows, pref, cur, s, w, num, den, bought, shift, direction, flags, tol):
    """:func:`evaluate` with each demander's view of the outcomes.

    ``flags`` is ``(rks, cap, local, quirks)``.
    """
    a1, p1, a2, p2 = rows[k, _A1], rows[k, _P1], rows[k, _A2], rows[k, _P2]
    local, quirks = flags[2], flags[3]
    o1, c1 = _seen(p1, a2, a1, pref, cur, w, num, den, bought, shift, local, quirks)
    o2, c2 = _seen(p2, a1, a2, pref, cur, w, num, den, bought, shift, local, quirks)
    return evaluate(
        rows[k], pref, cur, s, w, (o1, o2, c1, c2), den, direction[k], flags[0], flags[1],
        quirks, tol,
    )  # fmt: skip


@njit(cache=True)
def play_sample(
    pref: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    present: np.ndarray,
    rks: bool,
    cap: int,
    local: bool,
    quirks: bool,
    tol: float,
) -> tuple[np.ndarray, int]:
    """One round on one sample: the voting positions, and how many exchanges were made.

    ``pref``, ``s``, ``w`` and ``present`` are ``(A, I)``.
    """
    n_a, n_i = pref.shape
    cur = pref.copy()
    rows = candidates(pref, s, w, present, tol)
    n = rows.shape[0]
    if n == 0:
        return cur, 0
    flags = (rks, cap, local, quirks)
    num0, den = _outcome_sums(pref, w)
    # ``num`` follows every voting position; with ``local`` each demander's own view is
    # the start of the round plus the moves it obtained: ``shift`` and ``bought``
    num = num0.copy()  # stays at the start of the round when ``local``
    rank = _actor_ranks(pref, s, w, present, num0 / np.maximum(den, 1e-300))
    bought = np.full((n_a, n_i, n_a) if local else (1, 1, 1), np.nan)
    shift = np.zeros((n_a, n_i) if local else (1, 1))
    direction = np.empty((n, 2))
    for k in range(n):
        a1, p1, a2, p2 = rows[k, _A1], rows[k, _P1], rows[k, _A2], rows[k, _P2]
        direction[k, 0] = 1.0 if pref[a2, p1] > pref[a1, p1] else -1.0
        direction[k, 1] = 1.0 if pref[a1, p2] > pref[a2, p2] else -1.0
    key = np.zeros(n)
    alive = np.ones(n, dtype=np.bool_)
    # the heap holds entry numbers; entry e is candidate owner[e] valued at entry_key[e]
    cap_entries = 2 * n + 16
    owner = np.empty(cap_entries, dtype=np.int64)
    entry_key = np.empty(cap_entries)
    entry_span = np.empty(cap_entries)
    entry_rows = np.empty((cap_entries, 8), dtype=np.int64)
    heap = np.empty(cap_entries, dtype=np.int64)
    size = 0
    n_entries = 0
    spent = np.zeros((n, 2))  # decide's running sum of the moves asked (quirks)
    seen = np.full(n, -1, dtype=np.int64)  # the last execution that re-valued each
    for k in range(n):
        g, _, _, m1, m2 = _value(
            k, rows, pref, cur, s, w, num, den, bought, shift, direction, flags, tol
        )
        key[k] = g
        spent[k, 0], spent[k, 1] = direction[k, 0] * m1, direction[k, 1] * m2
        if g <= 0.0:
            alive[k] = False
            continue
        owner[n_entries], entry_key[n_entries], entry_span[n_entries] = k, g, m1 + m2
        _entry_row(entry_rows, n_entries, rows, k, rank)
        heap = _push(heap, size, n_entries, entry_key, entry_rows, entry_span)
        size += 1
        n_entries += 1
    offsets, ids = _role_lists(rows, n_a, n_i)
    made = 0
    while size > 0:
        e = _pop(heap, size, entry_key, entry_rows, entry_span)
        size -= 1
        k = owner[e]
        if not alive[k] or entry_key[e] != key[k]:
            continue  # a stale entry: the candidate was re-valued or dropped since
        g, _, _, m1, m2 = _value(
            k, rows, pref, cur, s, w, num, den, bought, shift, direction, flags, tol
        )
        if g <= 0.0:
            alive[k] = False
            continue
        if g < key[k] * (1.0 - RANK_RTOL):  # worth less now (an outcome moved): requeue
            key[k] = g
            owner, entry_key, entry_span, entry_rows = _grow(
                owner, entry_key, entry_span, entry_rows, n_entries
            )
            owner[n_entries], entry_key[n_entries], entry_span[n_entries] = k, g, m1 + m2
            _entry_row(entry_rows, n_entries, rows, k, rank)
            heap = _push(heap, size, n_entries, entry_key, entry_rows, entry_span)
            size += 1
            n_entries += 1
            continue
        # execute: both actors move their voting positions, the outcomes follow
        a1, p1, a2, p2 = rows[k, _A1], rows[k, _P1], rows[k, _A2], rows[k, _P2]
        step1, step2 = direction[k, 0] * m1, direction[k, 1] * m2
        cur[a1, p1] += step1
        cur[a2, p2] += step2
        if local:  # each demander now knows where its seller stands
            for q, buyer, seller in ((p1, a2, a1), (p2, a1, a2)):
                _record_sale(q, buyer, seller, pref, cur, w, bought, shift, quirks)
        else:
            num[p1] += w[a1, p1] * step1
            num[p2] += w[a2, p2] * step2
        alive[k] = False
        made += 1
        # re-value the candidates that share a role with it: those in which one of the
        # two movers supplies the same issue, and those in which one of the two
        # demanders asks for the same issue (its view of the outcome moved)
        for cell in (a1 * n_i + p1, a2 * n_i + p2, a2 * n_i + p1, a1 * n_i + p2):
            for t in range(offsets[cell], offsets[cell + 1]):
                j = ids[t]
                if not alive[j] or seen[j] == made:
                    continue
                seen[j] = made
                b1, q1, b2, q2 = rows[j, _A1], rows[j, _P1], rows[j, _A2], rows[j, _P2]
                moved1 = (b1 == a1 and q1 == p1) or (b1 == a2 and q1 == p2)
                moved2 = (b2 == a1 and q2 == p1) or (b2 == a2 and q2 == p2)
                asked = (b2 == a2 and q1 == p1) or (b2 == a1 and q1 == p2)
                asked = asked or (b1 == a2 and q2 == p1) or (b1 == a1 and q2 == p2)
                if not (moved1 or moved2 or asked):
                    continue  # the same actor and issue, in another role: unchanged
                g, _, _, m1, m2 = _value(
                    j, rows, pref, cur, s, w, num, den, bought, shift, direction, flags, tol
                )
                if g <= 0.0:
                    alive[j] = False
                    continue
                if quirks:
                    # decide's running sum: a mover keeps the moves asked of it before its
                    # position changed; a fresh valuation replaces the other's
                    spent[j, 0] = (spent[j, 0] if moved1 else 0.0) + direction[j, 0] * m1
                    spent[j, 1] = (spent[j, 1] if moved2 else 0.0) + direction[j, 1] * m2
                    if spent[j, 0] > 1.0 or spent[j, 1] > 1.0:
                        alive[j] = False
                        continue
                if g == key[j]:
                    continue
                key[j] = g
                owner, entry_key, entry_span, entry_rows = _grow(
                    owner, entry_key, entry_span, entry_rows, n_entries
                )
                owner[n_entries], entry_key[n_entries], entry_span[n_entries] = j, g, m1 + m2
                _entry_row(entry_rows, n_entries, rows, j, rank)
                heap = _push(heap, size, n_entries, entry_key, entry_rows, entry_span)
                size += 1
                n_entries += 1
    return cur, made


@njit(cache=True, inline="always")
def _entry_row(entry_rows, e, rows, k, rank) -> None:
    """Fill heap entry ``e`` with candidate ``k`` and its actors' ranks, lower first."""
    entry_rows[e, :6] = rows[k]
    r1, r2 = rank[rows[k, _A1]], rank[rows[k, _A2]]
    entry_rows[e, _RLO], entry_rows[e, _RHI] = min(r1, r2), max(r1, r2)


@njit(cache=True)
def _grow(owner, entry_key, entry_span, entry_rows, n_entries):
    """Make room for one more heap entry."""
    if n_entries < owner.size:
        return owner, entry_key, entry_span, entry_rows
    m = 2 * owner.size
    o2 = np.empty(m, dtype=np.int64)
    o2[:n_entries] = owner[:n_entries]
    k2 = np.empty(m)
    k2[:n_entries] = entry_key[:n_entries]
    s2 = np.empty(m)
    s2[:n_entries] = entry_span[:n_entries]
    r2 = np.empty((m, 8), dtype=np.int64)
    r2[:n_entries] = entry_rows[:n_entries]
    return o2, k2, s2, r2


@njit(cache=True, parallel=True)
def play_round(
    pref: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    present: np.ndarray,
    rks: bool,
    cap: int,
    local: bool,
    quirks: bool,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Play one round on every sample: positions -> voting positions, exchanges made.

    Positions and votes are ``(n, A, I)``, the number of exchanges ``(n,)``.

    ``w`` is capability x salience, zero where an actor is absent; ``present`` is
    ``(n, A, I)``.
    """
    n = pref.shape[0]
    out = np.empty_like(pref)
    made = np.zeros(n, dtype=np.int64)
    for k in prange(n):
        out[k], made[k] = play_sample(pref[k], s[k], w[k], present[k], rks, cap, local, quirks, tol)
    return out, made
