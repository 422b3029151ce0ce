"""One round of the expected-utility model, compiled, for a batch of lanes.

A lane is one issue of one Monte Carlo sample: a row of actor positions bargained on its
own. :func:`play_round` runs blocks of lanes in parallel; inside a lane everything is
plain loops over the actors, which numba compiles. The equations are those of
``docs/models/eum.md``; the switches mirror :class:`~summitry.models.ExpectedUtility`.

Time per lane and round is O(A^2 log A) and memory O(A^2). Two sums that look cubic are
not, because every voter's loss grows with its distance to a position:

* the votes for i over j, ``sum_k w_k max(0, D_kj - D_ki)``, come from prefix sums over
  the voters sorted by position (:func:`_favour`);
* Scholz's normaliser, ``sum_k w_k sum_{a<b} |D_ka - D_kb|``, needs each voter's losses in
  order, which is the order of the positions by distance from the voter, read off the
  same sort in O(A) (:func:`_pair_spread`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from summitry.models._parallel import serial_and_parallel  # also sets how idle threads wait

__all__ = ["favour", "favour_direct", "pair_spread", "pair_spread_direct", "play_round"]

_BLOCK = 64  # lanes per parallel task

_ROWS = 16  # actors next to each other in sorted order whose votes a task reads at once

INSIDE_FROM = 256
"""Lanes of this many actors or more, when there are few, run parallel inside the lane."""


@njit(cache=True)
def _distance(x: np.ndarray, r: np.ndarray, spread: float, d: np.ndarray) -> None:
    """``d[k, a] = (|x_k - x_a| / spread) ** r_k``: voter k's loss at position a."""
    n = x.shape[0]
    for k in range(n):
        for a in range(n):
            d[k, a] = abs(x[k] - x[a]) / spread
            if r[k] != 1.0:  # x ** 1 is x: skip the power
                d[k, a] = d[k, a] ** r[k]


@njit(cache=True)
def favour(
    x: np.ndarray, wk: np.ndarray, d: np.ndarray, order: np.ndarray, pre: np.ndarray, f: np.ndarray
) -> None:
    """``f[i, j] = sum_k wk_k max(0, d[k, j] - d[k, i])``: the votes for i over j.

    Voter k prefers i to j exactly when it stands nearer to i (its loss grows with
    distance), that is on i's side of their midpoint. With ``order`` sorting the
    positions and ``pre[m, a]`` the weighted losses at a summed over the first m voters,
    the votes for i over j are ``pre[m, j] - pre[m, i]`` over the m voters below the
    midpoint when ``x_i < x_j``, and j's votes over i come from the voters above it. For
    a fixed i, m only grows with j, so one pointer walk finds every m. (A voter exactly at
    the midpoint is indifferent and counts on neither side.)
    """
    n = x.shape[0]
    pre[0] = 0.0
    for t in range(n):
        k = order[t]
        for a in range(n):
            pre[t + 1, a] = pre[t, a] + wk[k] * d[k, a]
    f[:] = 0.0
    for ti in range(n):
        i, m = order[ti], ti
        for tj in range(ti + 1, n):
            j = order[tj]
            if x[j] == x[i]:
                continue
            mid = 0.5 * (x[i] + x[j])
            while m < n and x[order[m]] < mid:
                m += 1
            f[i, j] = max(0.0, pre[m, j] - pre[m, i])
            f[j, i] = max(0.0, (pre[n, i] - pre[m, i]) - (pre[n, j] - pre[m, j]))


@njit(cache=True)
def favour_direct(x: np.ndarray, wk: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The votes of :func:`favour` summed voter by voter, in O(A^3)."""
    n = x.shape[0]
    f = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                f[i, j] += wk[k] * max(0.0, d[k, j] - d[k, i])
    return f


@njit(cache=True)
def pair_spread(
    x: np.ndarray,
    wk: np.ndarray,
    present: np.ndarray,
    d: np.ndarray,
    order: np.ndarray,
    rank: np.ndarray,
    v: np.ndarray,
) -> float:
    """``sum_k wk_k sum_{a<b} |d[k, a] - d[k, b]|`` over present a, b.

    Walking outwards from voter k through the sorted positions visits the others in
    order of distance, so ``v`` holds k's losses sorted, and for sorted values
    ``sum_{a<b} (v_b - v_a) = sum_m v_m (2m - n + 1)``.
    """
    n = x.shape[0]
    total = 0.0
    for k in range(n):
        if wk[k] == 0.0:
            continue
        lo, hi, m = rank[k] - 1, rank[k] + 1, 0
        v[m], m = d[k, k], 1
        while lo >= 0 or hi < n:
            if hi >= n or (lo >= 0 and x[k] - x[order[lo]] <= x[order[hi]] - x[k]):
                a, lo = order[lo], lo - 1
            else:
                a, hi = order[hi], hi + 1
            if present[a]:
                v[m], m = d[k, a], m + 1
        acc = 0.0
        for t in range(m):
            acc += v[t] * (2 * t - m + 1)
        total += wk[k] * acc
    return total


@njit(cache=True)
def pair_spread_direct(wk: np.ndarray, present: np.ndarray, d: np.ndarray) -> float:
    """The normaliser of :func:`pair_spread` summed pair by pair, in O(A^3)."""
    n = d.shape[0]
    total = 0.0
    for k in range(n):
        for a in range(n):
            for b in range(a + 1, n):
                if present[a] and present[b]:
                    total += wk[k] * abs(d[k, a] - d[k, b])
    return total


@njit(cache=True)
def _win_probability(
    x: np.ndarray,
    wk: np.ndarray,
    present: np.ndarray,
    r: np.ndarray,
    spread: float,
    pairwise: bool,
    tol: float,
    order: np.ndarray,
    rank: np.ndarray,
    work: tuple,
) -> np.ndarray:
    """``p[i, j]``: probability that a challenge by i against j succeeds (into work's p)."""
    n = x.shape[0]
    d, pre, f, p, v = work
    _distance(x, r, spread, d)
    favour(x, wk, d, order, pre, f)
    p[:] = 0.0
    if pairwise:
        for i in range(n):
            for j in range(n):
                den = f[i, j] + f[j, i]
                if den > 0 and abs(x[i] - x[j]) > tol:
                    p[i, j] = f[i, j] / den
    else:
        den = 2.0 * pair_spread(x, wk, present, d, order, rank, v)
        if den > 0:
            for i in range(n):
                for j in range(n):
                    if abs(x[i] - x[j]) > tol:
                        p[i, j] = f[i, j] / den
    return p


@njit(cache=True)
def _utilities(gap: float, r: float) -> tuple[float, float]:
    """Utilities of winning and of losing a challenge over ``gap``, with risk exponent r."""
    if r == 1.0:
        return 2.0 - 4.0 * (0.5 - 0.5 * gap), 2.0 - 4.0 * (0.5 + 0.5 * gap)
    return 2.0 - 4.0 * (0.5 - 0.5 * gap) ** r, 2.0 - 4.0 * (0.5 + 0.5 * gap) ** r


@njit(cache=True)
def _challenge(p: float, s_target: float, u_win: float, u_lose: float, q_sq: float) -> float:
    """Expected utility of a challenge; ``q_sq`` is q x the utility of the status quo."""
    return s_target * (p * u_win + (1.0 - p) * u_lose) + (1.0 - s_target) * u_win - q_sq


@njit(cache=True)
def _exponents(present: np.ndarray, danger: np.ndarray, r: np.ndarray) -> None:
    """Scholz's risk exponents from the actors' danger levels, into r."""
    n = danger.shape[0]
    d_max, d_min = -np.inf, np.inf
    for i in range(n):
        if present[i]:
            d_max, d_min = max(d_max, danger[i]), min(d_min, danger[i])
    span = d_max - d_min
    for i in range(n):
        big_r = 0.0
        if present[i] and span > 0:
            big_r = (2.0 * danger[i] - d_max - d_min) / span
        r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


@njit(cache=True)
def _offer(
    x_i: float, x_j: float, eu_ij: float, eu_ji: float, nearest: bool, capitulate: bool
) -> tuple[int, float, float]:
    """What i may do about j: ``(kind, key, position)``, kind 0 when nothing.

    1 confrontation (i gives in to j's stronger challenge), 2 compromise (i moves part of
    the way), 3 capitulation; the key orders offers of one kind.
    """
    kind, key, to = 0, 0.0, 0.0
    if eu_ji > eu_ij and eu_ij > 0:
        kind, key, to = 1, abs(x_j - x_i), x_j
    elif eu_ji > 0 and eu_ij < 0:
        if eu_ji > abs(eu_ij):
            to = x_i + (x_j - x_i) * abs(eu_ij / eu_ji)
            if nearest:
                key = abs(to - x_i)
            else:
                a, b = abs(eu_ij), abs(eu_ji)
                key = (a * x_i + b * x_j) / (a + b)
            kind = 2
        elif capitulate and eu_ji < abs(eu_ij):
            kind, key, to = 3, abs(x_j - x_i), x_j
    return kind, key, to


@njit(cache=True)
def _risk_exponents(
    x: np.ndarray,
    wk: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: float,
    pairwise: bool,
    tol: float,
    order: np.ndarray,
    rank: np.ndarray,
    work: tuple,
    r: np.ndarray,
) -> None:
    """Scholz's risk exponents from danger levels (computed with every r = 1), into r."""
    n = x.shape[0]
    r[:] = 1.0
    p = _win_probability(x, wk, present, r, spread, pairwise, tol, order, rank, work)
    danger = work[4]  # the row buffer is free again
    for i in range(n):
        danger[i] = 0.0
        if not present[i]:
            continue
        for j in range(n):
            if j != i and present[j]:
                u_win, u_lose = _utilities(abs(x[j] - x[i]) / spread, 1.0)
                danger[i] += _challenge(p[j, i], s[i], u_win, u_lose, 0.0)  # j challenges i
    _exponents(present, danger, r)


@njit(cache=True)
def _play_lane(
    x: np.ndarray,
    wk: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: float,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    risk: bool,
    tol: float,
    only: int,
    work: tuple,
    new: np.ndarray,
    r: np.ndarray,
) -> None:
    """One round on one lane: new positions and the risk exponents used, into new and r.

    With ``only`` >= 0, only that actor's move is wanted (a view of the game one observer
    decides in): the others keep their positions in ``new``.
    """
    n = x.shape[0]
    order = np.argsort(x, kind="mergesort")  # stable: ties in actor order
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    if risk:
        _risk_exponents(x, wk, s, present, spread, pairwise, tol, order, rank, work, r)
    else:
        r[:] = 1.0
    p = _win_probability(x, wk, present, r, spread, pairwise, tol, order, rank, work)
    for i in range(n):
        new[i] = x[i]
        if not present[i] or (only >= 0 and i != only):
            continue
        # 1 confrontation, 2 compromise, 3 capitulation: the lowest kind offered wins;
        # within it the smallest key, and among equal keys the lowest position.
        best_kind, best_key, best_to = 0, np.inf, np.inf
        q_sq = q * (2.0 - 4.0 * 0.5 ** r[i])
        for j in range(n):
            if not present[j] or abs(x[i] - x[j]) <= tol:
                continue
            u_win, u_lose = _utilities(abs(x[i] - x[j]) / spread, r[i])  # judged by i
            eu_ij = _challenge(p[i, j], s[j], u_win, u_lose, q_sq)  # i challenges j
            eu_ji = _challenge(p[j, i], s[i], u_win, u_lose, q_sq)  # j challenges i
            kind, key, to = _offer(x[i], x[j], eu_ij, eu_ji, nearest, capitulate)
            if kind == 0:
                continue
            if (
                best_kind == 0
                or kind < best_kind
                or (kind == best_kind and (key < best_key or (key == best_key and to < best_to)))
            ):
                best_kind, best_key, best_to = kind, key, to
        if best_kind:
            new[i] = best_to


def _play_blocks(
    x: np.ndarray,
    wk: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: np.ndarray,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    risk: bool,
    tol: float,
    only: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Play one round on every lane, block by block (compiled twice, below)."""
    n_lanes, n = x.shape
    new = np.empty((n_lanes, n))
    r = np.empty((n_lanes, n))
    n_blocks = (n_lanes + _BLOCK - 1) // _BLOCK
    for b in prange(n_blocks):  # scratch space is made once per block of lanes
        d, pre, f, p = np.empty((n, n)), np.empty((n + 1, n)), np.empty((n, n)), np.empty((n, n))
        work = (d, pre, f, p, np.empty(n))
        for lane in range(b * _BLOCK, min(n_lanes, (b + 1) * _BLOCK)):
            _play_lane(
                x[lane], wk[lane], s[lane], present[lane], spread[lane],
                q, pairwise, nearest, capitulate, risk, tol, only[lane], work, new[lane], r[lane],
            )  # fmt: skip
    return new, r


_blocks_serial, _blocks_parallel = serial_and_parallel(_play_blocks)


# -- one lane of many actors, played in parallel inside the lane -------------------------
#
# The same equations, operations and order of operations as _play_lane, so the same
# numbers, with changes of layout and of the order in which independent work is done.
# Positions are relabelled by rank: ``pre[t, u]`` is ``pre[t, order[u]]`` of favour, the
# weighted losses at the u-th lowest position summed over the t lowest voters. The table
# is first filled with each voter's losses, row by row (so that each voter's losses are
# computed once, and its term of Scholz's normaliser is summed while its row is fresh),
# then summed down the columns in place, each column in favour's order. The votes are not
# stored: each task takes a block of actors next to each other in sorted order and reads
# their votes for and against every other actor off the table into rows, tile by tile of
# columns, so that the table's reads stay in cache; then each actor weighs the others in
# actor order, as _play_lane does. A lane needs one (A + 1, A) table instead of four
# (A, A) ones.

_TILE = 256  # columns of the prefix table per tile of the vote walk

_COLS = 512  # columns of the prefix table per task of the column sums


@njit(cache=True)
def _loss(x_k: float, x_a: float, r_k: float, spread: float) -> float:
    """Voter k's loss at position a, as _distance computes ``d[k, a]``."""
    d = abs(x_k - x_a) / spread
    if r_k != 1.0:
        d = d**r_k
    return d


@njit(cache=True, parallel=True)
def _losses_inside(
    xs: np.ndarray,
    rs: np.ndarray,
    ps: np.ndarray,
    wk: np.ndarray,
    order: np.ndarray,
    spread: float,
    pre: np.ndarray,
    acc: np.ndarray,
) -> None:
    """``pre[t + 1, u]``: the t-th voter's loss at the u-th position (both sorted).

    ``acc[k]`` gets voter k's term of :func:`pair_spread` (before its weight): its losses
    at the present positions, walking outwards from it, summed in the same order.
    """
    n = xs.shape[0]
    count = 0
    for u in range(n):
        if ps[u]:
            count += 1
    for t in prange(n):
        x_k, r_k = xs[t], rs[t]
        at, loss = np.nan, 0.0
        for u in range(n):
            if xs[u] != at:  # positions held by several actors: one loss
                at = xs[u]
                loss = _loss(x_k, at, r_k, spread)
            pre[t + 1, u] = loss
        k = order[t]
        acc[k] = 0.0
        if wk[k] == 0.0:
            continue
        m = count + 1 - (1 if ps[t] else 0)  # k itself, then the others present
        total = 0.0
        total += pre[t + 1, t] * (2 * 0 - m + 1)
        lo, hi, c = t - 1, t + 1, 1
        while lo >= 0 and hi < n:  # the nearer side first, without a branch to mispredict
            left = x_k - xs[lo] <= xs[hi] - x_k
            a = lo if left else hi
            lo, hi = lo - left, hi + (not left)
            if ps[a]:
                total += pre[t + 1, a] * (2 * c - m + 1)
                c += 1
        while lo >= 0 or hi < n:  # one side is done
            if hi >= n:
                a, lo = lo, lo - 1
            else:
                a, hi = hi, hi + 1
            if ps[a]:
                total += pre[t + 1, a] * (2 * c - m + 1)
                c += 1
        acc[k] = total


@njit(cache=True, parallel=True)
def _prefix_inside(ws: np.ndarray, pre: np.ndarray) -> None:
    """The losses of :func:`_losses_inside` summed down each column, as favour sums them."""
    n = ws.shape[0]
    n_blocks = (n + _COLS - 1) // _COLS
    for b in prange(n_blocks):
        lo, hi = b * _COLS, min(n, (b + 1) * _COLS)
        for u in range(lo, hi):
            pre[0, u] = 0.0
        for t in range(n):
            w = ws[t]
            for u in range(lo, hi):
                pre[t + 1, u] = pre[t, u] + w * pre[t + 1, u]


@njit(cache=True)
def _normaliser(wk: np.ndarray, acc: np.ndarray) -> float:
    """:func:`pair_spread` from each voter's term, summed in actor order."""
    total = 0.0
    for k in range(wk.shape[0]):
        if wk[k] != 0.0:
            total += wk[k] * acc[k]
    return total


@njit(cache=True)
def _block_votes(
    t0: int,
    t1: int,
    xs: np.ndarray,
    pre: np.ndarray,
    f_out: np.ndarray,
    f_in: np.ndarray,
    walk: np.ndarray,
) -> None:
    """The votes of :func:`favour` for the actors t0 to t1 - 1 in sorted order.

    ``f_out[l, u] = f[i, j]`` and ``f_in[l, u] = f[j, i]``, where i is the (t0 + l)-th
    actor and j the u-th in sorted order.

    For each actor the others are visited upwards, then downwards from it, so that the
    midpoint index moves one way only, as in :func:`favour`'s pointer walk: it is the first
    sorted position not below the midpoint, and not below the lower actor's. The walks of
    the block advance together, one tile of columns at a time.
    """
    n = xs.shape[0]
    for el in range(t1 - t0):
        f_out[el, t0 + el], f_in[el, t0 + el] = 0.0, 0.0
        walk[el] = t0 + el
    for c0 in range(t0 + 1, n, _TILE):  # j above i: i is the lower actor
        c1 = min(n, c0 + _TILE)
        for el in range(t1 - t0):
            ti = t0 + el
            x_i, m = xs[ti], walk[el]
            for tj in range(max(c0, ti + 1), c1):
                x_j = xs[tj]
                if x_j == x_i:
                    f_out[el, tj], f_in[el, tj] = 0.0, 0.0
                    continue
                mid = 0.5 * (x_i + x_j)
                while m < n and xs[m] < mid:
                    m += 1
                f_out[el, tj] = max(0.0, pre[m, tj] - pre[m, ti])
                f_in[el, tj] = max(0.0, (pre[n, ti] - pre[m, ti]) - (pre[n, tj] - pre[m, tj]))
            walk[el] = m
    for el in range(t1 - t0):
        walk[el] = t0 + el
    c1 = t1 - 1
    while c1 > 0:  # j below i: j is the lower actor
        c0 = max(0, c1 - _TILE)
        for el in range(t1 - t0):
            ti = t0 + el
            x_i, m = xs[ti], walk[el]
            for tj in range(min(c1, ti) - 1, c0 - 1, -1):
                x_j = xs[tj]
                if x_j == x_i:
                    f_out[el, tj], f_in[el, tj] = 0.0, 0.0
                    continue
                mid = 0.5 * (x_j + x_i)
                while m > 0 and xs[m - 1] >= mid:
                    m -= 1
                k = max(m, tj)
                f_in[el, tj] = max(0.0, pre[k, ti] - pre[k, tj])
                f_out[el, tj] = max(0.0, (pre[n, tj] - pre[k, tj]) - (pre[n, ti] - pre[k, ti]))
            walk[el] = m
        c1 = c0


@njit(cache=True)
def _chance(f_ab: float, f_ba: float, gap: float, pairwise: bool, den: float, tol: float) -> float:
    """``p[a, b]`` of _win_probability from the votes; ``den`` is Scholz's normaliser."""
    if pairwise:
        both = f_ab + f_ba
        if both > 0 and gap > tol:
            return f_ab / both
        return 0.0
    if den > 0 and gap > tol:
        return f_ab / den
    return 0.0


@njit(cache=True, parallel=True)
def _danger_inside(
    x: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: float,
    pairwise: bool,
    den: float,
    tol: float,
    order: np.ndarray,
    rank: np.ndarray,
    xs: np.ndarray,
    pre: np.ndarray,
    n_tasks: int,
    danger: np.ndarray,
) -> None:
    """The danger levels of _risk_exponents, blocks of actors (in sorted order) per task."""
    n = x.shape[0]
    n_blocks = (n + _ROWS - 1) // _ROWS
    for task in prange(n_tasks):
        f_out, f_in = np.empty((_ROWS, n)), np.empty((_ROWS, n))
        walk = np.empty(_ROWS, dtype=np.int64)
        for b in range(task * n_blocks // n_tasks, (task + 1) * n_blocks // n_tasks):
            t0, t1 = b * _ROWS, min(n, (b + 1) * _ROWS)
            _block_votes(t0, t1, xs, pre, f_out, f_in, walk)
            for el in range(t1 - t0):
                i = order[t0 + el]
                level = 0.0
                if present[i]:
                    for j in range(n):
                        if j != i and present[j]:
                            tj = rank[j]
                            gap = abs(x[j] - x[i])
                            p_ji = _chance(f_in[el, tj], f_out[el, tj], gap, pairwise, den, tol)
                            u_win, u_lose = _utilities(gap / spread, 1.0)
                            level += _challenge(p_ji, s[i], u_win, u_lose, 0.0)  # j challenges i
                danger[i] = level


@njit(cache=True, parallel=True)
def _moves_inside(
    x: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: float,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    den: float,
    tol: float,
    only: int,
    order: np.ndarray,
    rank: np.ndarray,
    xs: np.ndarray,
    pre: np.ndarray,
    n_tasks: int,
    new: np.ndarray,
    r: np.ndarray,
) -> None:
    """Each actor's choice of offer, as in _play_lane, blocks of actors per task."""
    n = x.shape[0]
    ss, ps = s[order], present[order]
    new[:] = x
    lo, hi = 0, n
    if only >= 0:
        if not present[only]:
            return
        lo, hi = rank[only], rank[only] + 1
        n_tasks = 1
    n_blocks = (hi - lo + _ROWS - 1) // _ROWS
    n_tasks = min(n_tasks, n_blocks)
    for task in prange(n_tasks):
        f_out, f_in = np.empty((_ROWS, n)), np.empty((_ROWS, n))
        walk = np.empty(_ROWS, dtype=np.int64)
        for b in range(task * n_blocks // n_tasks, (task + 1) * n_blocks // n_tasks):
            t0, t1 = lo + b * _ROWS, min(hi, lo + (b + 1) * _ROWS)
            _block_votes(t0, t1, xs, pre, f_out, f_in, walk)
            for el in range(t1 - t0):
                i = order[t0 + el]
                if present[i]:
                    new[i] = _move(
                        t0 + el, order, xs, ss, ps, spread, q, pairwise, nearest, capitulate,
                        den, tol, r[i], f_out[el], f_in[el],
                    )  # fmt: skip


@njit(cache=True)
def _move(
    ti: int,
    order: np.ndarray,
    xs: np.ndarray,
    ss: np.ndarray,
    ps: np.ndarray,
    spread: float,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    den: float,
    tol: float,
    r_i: float,
    f_out: np.ndarray,
    f_in: np.ndarray,
) -> float:
    """The new position of the ti-th actor in sorted order, as _play_lane chooses it.

    The others are weighed in sorted order, not in actor order: the offer taken is the
    least by kind, key and position, and among equal ones the first in actor order, which
    is the one _play_lane's scan keeps. Others at one position share its utilities.
    """
    n = xs.shape[0]
    x_i, s_i = xs[ti], ss[ti]
    best_kind, best_key, best_to, best_j = 0, np.inf, np.inf, -1
    q_sq = q * (2.0 - 4.0 * 0.5**r_i)
    at, u_win, u_lose = np.nan, 0.0, 0.0
    for tj in range(n):
        x_j = xs[tj]
        if not ps[tj] or abs(x_i - x_j) <= tol:
            continue
        p_ij = _chance(f_out[tj], f_in[tj], abs(x_i - x_j), pairwise, den, tol)
        p_ji = _chance(f_in[tj], f_out[tj], abs(x_j - x_i), pairwise, den, tol)
        if x_j != at:  # the same position, the same utilities
            at = x_j
            u_win, u_lose = _utilities(abs(x_i - x_j) / spread, r_i)  # judged by i
        eu_ij = _challenge(p_ij, ss[tj], u_win, u_lose, q_sq)  # i challenges j
        eu_ji = _challenge(p_ji, s_i, u_win, u_lose, q_sq)  # j challenges i
        kind, key, to = _offer(x_i, x_j, eu_ij, eu_ji, nearest, capitulate)
        if kind == 0:
            continue
        j = order[tj]
        if (
            best_kind == 0
            or kind < best_kind
            or (
                kind == best_kind
                and (
                    key < best_key
                    or (key == best_key and (to < best_to or (to == best_to and j < best_j)))
                )
            )
        ):
            best_kind, best_key, best_to, best_j = kind, key, to, j
    if best_kind:
        return best_to
    return x_i


def _table_inside(
    x: np.ndarray,
    wk: np.ndarray,
    present: np.ndarray,
    r: np.ndarray,
    spread: float,
    order: np.ndarray,
    xs: np.ndarray,
    pre: np.ndarray,
    acc: np.ndarray,
) -> float:
    """Fill the prefix table for risk exponents r; return Scholz's normaliser."""
    _losses_inside(xs, r[order], present[order], wk, order, spread, pre, acc)
    _prefix_inside(wk[order], pre)
    return 2.0 * _normaliser(wk, acc)


def _play_lane_inside(
    x: np.ndarray,
    wk: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: float,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    risk: bool,
    tol: float,
    only: int,
    pre: np.ndarray,
    acc: np.ndarray,
    new: np.ndarray,
    r: np.ndarray,
) -> None:
    """One round on one lane of many actors, each step parallel over the actors."""
    n = x.shape[0]
    order = np.argsort(x, kind="mergesort")  # stable: ties in actor order
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    xs = x[order]
    n_tasks = _tasks()
    r[:] = 1.0
    if risk:
        den = _table_inside(x, wk, present, r, spread, order, xs, pre, acc)
        den = 0.0 if pairwise else den
        danger = acc  # free again
        _danger_inside(
            x, s, present, spread, pairwise, den, tol, order, rank, xs, pre, n_tasks, danger
        )
        _exponents(present, danger, r)
    den = _table_inside(x, wk, present, r, spread, order, xs, pre, acc)
    den = 0.0 if pairwise else den
    _moves_inside(
        x, s, present, spread, q, pairwise, nearest, capitulate, den, tol, only,
        order, rank, xs, pre, n_tasks, new, r,
    )  # fmt: skip


def _tasks() -> int:
    """Parallel tasks for a step of a lane: one per thread numba runs."""
    import numba

    return max(1, int(numba.get_num_threads()))


def play_round(
    x: np.ndarray,
    wk: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    spread: np.ndarray,
    q: float,
    pairwise: bool,
    nearest: bool,
    capitulate: bool,
    risk: bool,
    tol: float,
    only: np.ndarray | None = None,
    scratch: dict | None = None,
    inside: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Play one round on every lane: ``(L, A)`` positions -> new positions, risk exponents.

    ``only`` ``(L,)`` names, per lane, the one actor whose move is wanted (-1: every
    actor); the others keep their positions, which saves the cost of their offers.
    ``scratch``, a dict kept from round to round, lets lanes of many actors reuse their
    work space instead of allocating it every round.

    ``wk`` is capability x salience, zero for absent actors; ``spread`` is ``(L,)``; the
    flags are booleans for ``probability="pairwise"``, ``offer_choice="nearest"``,
    ``capitulation="fixed"`` and ``risk="scholz"``. Fewer than two blocks of lanes run
    on the calling thread: waking a thread pool for them costs more than it saves, and
    much more when other processes keep the cores busy.

    Fewer than two blocks of lanes of at least :data:`INSIDE_FROM` actors each are instead
    played one lane after the other, every step of a lane parallel over its actors
    (``inside`` forces one way or the other). That build compiles the first time such a
    lane runs, not before.
    """
    n_lanes, n = x.shape
    if only is None:
        only = np.full(n_lanes, -1, dtype=np.int64)
    if inside is None:
        inside = n >= INSIDE_FROM and n_lanes < 2 * _BLOCK
    if not inside:
        kernel = _blocks_parallel if n_lanes >= 2 * _BLOCK else _blocks_serial
        return kernel(x, wk, s, present, spread, q, pairwise, nearest, capitulate, risk, tol, only)
    scratch = {} if scratch is None else scratch
    if scratch.get("n") != n:
        scratch.clear()  # drop the old table before making the new one
        scratch.update(n=n, pre=np.empty((n + 1, n)), acc=np.empty(n))
    new, r = np.empty((n_lanes, n)), np.empty((n_lanes, n))
    for lane in range(n_lanes):
        _play_lane_inside(
            x[lane], wk[lane], s[lane], present[lane], float(spread[lane]),
            q, pairwise, nearest, capitulate, risk, tol, int(only[lane]),
            scratch["pre"], scratch["acc"], new[lane], r[lane],
        )  # fmt: skip
    return new, r
