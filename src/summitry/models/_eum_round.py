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

_ROWS = 16  # actors per parallel task inside a lane

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
    d_max, d_min = -np.inf, np.inf
    for i in range(n):
        danger[i] = 0.0
        if not present[i]:
            continue
        for j in range(n):
            if j != i and present[j]:
                u_win, u_lose = _utilities(abs(x[j] - x[i]) / spread, 1.0)
                danger[i] += _challenge(p[j, i], s[i], u_win, u_lose, 0.0)  # j challenges i
        d_max, d_min = max(d_max, danger[i]), min(d_min, danger[i])
    span = d_max - d_min
    for i in range(n):
        big_r = 0.0
        if present[i] and span > 0:
            big_r = (2.0 * danger[i] - d_max - d_min) / span
        r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


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
            kind, key, to = 0, 0.0, 0.0
            if eu_ji > eu_ij and eu_ij > 0:
                kind, key, to = 1, abs(x[j] - x[i]), x[j]
            elif eu_ji > 0 and eu_ij < 0:
                if eu_ji > abs(eu_ij):
                    to = x[i] + (x[j] - x[i]) * abs(eu_ij / eu_ji)
                    if nearest:
                        key = abs(to - x[i])
                    else:
                        a, b = abs(eu_ij), abs(eu_ji)
                        key = (a * x[i] + b * x[j]) / (a + b)
                    kind = 2
                elif capitulate and eu_ji < abs(eu_ij):
                    kind, key, to = 3, abs(x[j] - x[i]), x[j]
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
# numbers, with three changes of layout. The prefix table is stored by position
# (``pre_t[a, t]`` is ``pre[t, a]``), so that each column is summed by one task in the
# order favour sums it. The losses ``d`` are computed where they are used. And the votes
# are not stored: each task reads one actor's votes for and against every other actor off
# the prefix table into two rows, walking the midpoint index as favour does, and weighs
# them in actor order. A lane then needs one (A, A + 1) table instead of four (A, A) ones.


@njit(cache=True)
def _loss(x_k: float, x_a: float, r_k: float, spread: float) -> float:
    """Voter k's loss at position a, as _distance computes ``d[k, a]``."""
    d = abs(x_k - x_a) / spread
    if r_k != 1.0:
        d = d**r_k
    return d


@njit(cache=True)
def _row_votes(
    i: int,
    x: np.ndarray,
    order: np.ndarray,
    rank: np.ndarray,
    xs: np.ndarray,
    pre_t: np.ndarray,
    f_out: np.ndarray,
    f_in: np.ndarray,
) -> None:
    """``f_out[j] = f[i, j]`` and ``f_in[j] = f[j, i]`` of :func:`favour`, for every j.

    The others are visited in sorted order, upwards and downwards from i, so that the
    midpoint index moves one way only, as in :func:`favour`'s pointer walk: it is the
    first sorted position not below the midpoint, and not below the lower actor's.
    """
    n = xs.shape[0]
    ti = rank[i]
    f_out[i], f_in[i] = 0.0, 0.0
    m = ti
    for tj in range(ti + 1, n):  # j above i: i is the lower actor
        j = order[tj]
        if x[j] == x[i]:
            f_out[j], f_in[j] = 0.0, 0.0
            continue
        mid = 0.5 * (x[i] + x[j])
        while m < n and xs[m] < mid:
            m += 1
        f_out[j] = max(0.0, pre_t[j, m] - pre_t[i, m])
        f_in[j] = max(0.0, (pre_t[i, n] - pre_t[i, m]) - (pre_t[j, n] - pre_t[j, m]))
    m = ti
    for tj in range(ti - 1, -1, -1):  # j below i: j is the lower actor
        j = order[tj]
        if x[j] == x[i]:
            f_out[j], f_in[j] = 0.0, 0.0
            continue
        mid = 0.5 * (x[j] + x[i])
        while m > 0 and xs[m - 1] >= mid:
            m -= 1
        k = max(m, tj)
        f_in[j] = max(0.0, pre_t[i, k] - pre_t[j, k])
        f_out[j] = max(0.0, (pre_t[j, n] - pre_t[j, k]) - (pre_t[i, n] - pre_t[i, k]))


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


@njit(cache=True)
def _exponents(present: np.ndarray, danger: np.ndarray, r: np.ndarray) -> None:
    """Risk exponents from danger levels, as the end of _risk_exponents computes them."""
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


@njit(cache=True, parallel=True)
def _prefix_inside(
    x: np.ndarray,
    wk: np.ndarray,
    r: np.ndarray,
    spread: float,
    order: np.ndarray,
    pre_t: np.ndarray,
) -> None:
    """``pre_t[a, t] = pre[t, a]`` of :func:`favour`, one column a per task."""
    n = x.shape[0]
    xo, wo, ro = x[order], wk[order], r[order]
    for a in prange(n):
        x_a = x[a]
        run = 0.0
        pre_t[a, 0] = 0.0
        for t in range(n):
            run = run + wo[t] * _loss(xo[t], x_a, ro[t], spread)
            pre_t[a, t + 1] = run


@njit(cache=True, parallel=True)
def _spread_inside(
    x: np.ndarray,
    wk: np.ndarray,
    present: np.ndarray,
    r: np.ndarray,
    spread: float,
    order: np.ndarray,
    rank: np.ndarray,
    acc: np.ndarray,
) -> float:
    """:func:`pair_spread` with the losses computed inline, voters in parallel."""
    n = x.shape[0]
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    for b in prange(n_blocks):
        v = np.empty(n)
        for k in range(b * _BLOCK, min(n, (b + 1) * _BLOCK)):
            acc[k] = 0.0
            if wk[k] == 0.0:
                continue
            lo, hi, m = rank[k] - 1, rank[k] + 1, 0
            v[m], m = _loss(x[k], x[k], r[k], spread), 1
            while lo >= 0 or hi < n:
                if hi >= n or (lo >= 0 and x[k] - x[order[lo]] <= x[order[hi]] - x[k]):
                    a, lo = order[lo], lo - 1
                else:
                    a, hi = order[hi], hi + 1
                if present[a]:
                    v[m], m = _loss(x[k], x[a], r[k], spread), m + 1
            total = 0.0
            for t in range(m):
                total += v[t] * (2 * t - m + 1)
            acc[k] = total
    total = 0.0
    for k in range(n):
        if wk[k] != 0.0:
            total += wk[k] * acc[k]
    return total


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
    pre_t: np.ndarray,
    danger: np.ndarray,
) -> None:
    """The danger levels of _risk_exponents, one actor per task."""
    n = x.shape[0]
    n_blocks = (n + _ROWS - 1) // _ROWS
    for b in prange(n_blocks):
        f_out, f_in = np.empty(n), np.empty(n)
        for i in range(b * _ROWS, min(n, (b + 1) * _ROWS)):
            danger[i] = _danger_level(
                i, x, s, present, spread, pairwise, den, tol, order, rank, xs, pre_t, f_out, f_in
            )


@njit(cache=True)
def _danger_level(
    i: int,
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
    pre_t: np.ndarray,
    f_out: np.ndarray,
    f_in: np.ndarray,
) -> float:
    """Actor i's danger level, as _risk_exponents sums it."""
    n = x.shape[0]
    level = 0.0
    if present[i]:
        _row_votes(i, x, order, rank, xs, pre_t, f_out, f_in)
        for j in range(n):
            if j != i and present[j]:
                p_ji = _chance(f_in[j], f_out[j], abs(x[j] - x[i]), pairwise, den, tol)
                u_win, u_lose = _utilities(abs(x[j] - x[i]) / spread, 1.0)
                level += _challenge(p_ji, s[i], u_win, u_lose, 0.0)  # j challenges i
    return level


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
    pre_t: np.ndarray,
    new: np.ndarray,
    r: np.ndarray,
) -> None:
    """Each actor's choice of offer, as in _play_lane, one actor per task."""
    n = x.shape[0]
    n_blocks = (n + _ROWS - 1) // _ROWS
    for b in prange(n_blocks):
        f_out, f_in = np.empty(n), np.empty(n)
        for i in range(b * _ROWS, min(n, (b + 1) * _ROWS)):
            new[i] = _move(
                i, x, s, present, spread, q, pairwise, nearest, capitulate, den, tol, only,
                order, rank, xs, pre_t, r, f_out, f_in,
            )  # fmt: skip


@njit(cache=True)
def _move(
    i: int,
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
    pre_t: np.ndarray,
    r: np.ndarray,
    f_out: np.ndarray,
    f_in: np.ndarray,
) -> float:
    """Actor i's new position, as _play_lane chooses it."""
    n = x.shape[0]
    if not present[i] or (only >= 0 and i != only):
        return x[i]
    _row_votes(i, x, order, rank, xs, pre_t, f_out, f_in)
    best_kind, best_key, best_to = 0, np.inf, np.inf
    q_sq = q * (2.0 - 4.0 * 0.5 ** r[i])
    for j in range(n):
        if not present[j] or abs(x[i] - x[j]) <= tol:
            continue
        p_ij = _chance(f_out[j], f_in[j], abs(x[i] - x[j]), pairwise, den, tol)
        p_ji = _chance(f_in[j], f_out[j], abs(x[j] - x[i]), pairwise, den, tol)
        u_win, u_lose = _utilities(abs(x[i] - x[j]) / spread, r[i])  # judged by i
        eu_ij = _challenge(p_ij, s[j], u_win, u_lose, q_sq)  # i challenges j
        eu_ji = _challenge(p_ji, s[i], u_win, u_lose, q_sq)  # j challenges i
        kind, key, to = 0, 0.0, 0.0
        if eu_ji > eu_ij and eu_ij > 0:
            kind, key, to = 1, abs(x[j] - x[i]), x[j]
        elif eu_ji > 0 and eu_ij < 0:
            if eu_ji > abs(eu_ij):
                to = x[i] + (x[j] - x[i]) * abs(eu_ij / eu_ji)
                if nearest:
                    key = abs(to - x[i])
                else:
                    a, b = abs(eu_ij), abs(eu_ji)
                    key = (a * x[i] + b * x[j]) / (a + b)
                kind = 2
            elif capitulate and eu_ji < abs(eu_ij):
                kind, key, to = 3, abs(x[j] - x[i]), x[j]
        if kind == 0:
            continue
        if (
            best_kind == 0
            or kind < best_kind
            or (kind == best_kind and (key < best_key or (key == best_key and to < best_to)))
        ):
            best_kind, best_key, best_to = kind, key, to
    if best_kind:
        return best_to
    return x[i]


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
    pre_t: np.ndarray,
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
    r[:] = 1.0
    if risk:
        _prefix_inside(x, wk, r, spread, order, pre_t)
        den = 0.0 if pairwise else 2.0 * _spread_inside(x, wk, present, r, spread, order, rank, acc)
        danger = acc  # free again
        _danger_inside(x, s, present, spread, pairwise, den, tol, order, rank, xs, pre_t, danger)
        _exponents(present, danger, r)
    _prefix_inside(x, wk, r, spread, order, pre_t)
    den = 0.0 if pairwise else 2.0 * _spread_inside(x, wk, present, r, spread, order, rank, acc)
    _moves_inside(
        x, s, present, spread, q, pairwise, nearest, capitulate, den, tol, only,
        order, rank, xs, pre_t, new, r,
    )  # fmt: skip


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
        scratch.update(n=n, pre_t=np.empty((n, n + 1)), acc=np.empty(n))
    new, r = np.empty((n_lanes, n)), np.empty((n_lanes, n))
    for lane in range(n_lanes):
        _play_lane_inside(
            x[lane], wk[lane], s[lane], present[lane], float(spread[lane]),
            q, pairwise, nearest, capitulate, risk, tol, int(only[lane]),
            scratch["pre_t"], scratch["acc"], new[lane], r[lane],
        )  # fmt: skip
    return new, r
