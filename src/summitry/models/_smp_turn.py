"""The compiled parts of the spatial model of politics (:mod:`summitry.models.smp`).

A *game* is one sample as one actor sees it: positions ``(A, D)`` in a joint space of D
dimensions, saliences ``(A, D)`` and capabilities ``(A,)``. Game ``g = v * S + s`` is
sample s in view v; view 0 is the truth, the others are what one actor believes. Every
function here runs games (or (sample, actor) pairs) in parallel and plain loops inside,
which numba compiles. The equations are those of ``docs/models/smp.md``; the integer codes
below mirror the string parameters of :class:`~summitry.models.SpatialModel`.

One turn is three calls:

1. :func:`assess` - for every game, the distance of each actor's position from each
   actor's ideal (here the same point) and the risk attitudes from a probabilistic
   Condorcet election (PCE) among the actors' positions;
2. :func:`propose` - each actor, in its own view, finds the target whose challenge gains
   it most and offers it a bargain;
3. :func:`resolve` - for each actor, a PCE among the bargains it made or received and
   its status quo, on the truth, picks the bargain it adopts.

:func:`position_probability` gives the probability of each actor's position winning a
PCE among the distinct positions, which the model reports and reads its forecast from.

Per sample and turn, time is O(A^3 + A^2 D) and memory O(A^2) (A^2 per view).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numba import njit, prange

from summitry.models._parallel import serial_and_parallel  # also sets how idle threads wait

__all__ = ["assess", "play", "position_probability", "propose", "resolve"]

# voting rules (KTAB's VotingRule, in its order)
V_BINARY, V_PROPBIN, V_PROP, V_PROPCBC, V_CUBIC, V_ASYM = range(6)
# victory-probability models (VPModel)
P_LINEAR, P_SQUARE, P_QUARTIC, P_OCTIC, P_BINARY = range(5)
# PCE models (PCEModel)
PCE_CONDITIONAL, PCE_MARKOV_INCENTIVE, PCE_MARKOV_UNIFORM = range(3)
# perceived risk (BigRAdjust)
RA_NONE, RA_ONE_THIRD, RA_HALF, RA_TWO_THIRDS, RA_FULL = range(5)
# range of risk attitudes (BigRRange)
RR_MIN, RR_MID, RR_MAX = range(3)
# third-party commitment (ThirdPartyCommit)
TP_NONE, TP_SEMI, TP_FULL = range(3)
# bargain interpolation (InterVecBrgn)
IB_S1P1, IB_S2P2, IB_S2PMAX = range(3)
# bargain model (SMPBargnModel)
BM_INIT_ONLY, BM_INIT_RCVR, BM_PW_COMP = range(3)

MIN_COALITION = 1e-8  # every coalition in an election starts with this much support
MIN_CHALLENGE_COALITION = 1e-10  # ... and in the contest of a challenge
MIN_WEIGHT = 1e-6  # added to the initiator's weight when interpolating a bargain
MARKOV_LIMIT = 1000  # iterations of a Markov PCE
FLAT_SPAN = 1e-10  # probabilities closer than this give no risk attitudes
SAME_POINT = 1e-12  # bargains moving an actor this close count as the same move


# -- small pieces ------------------------------------------------------------------------


@njit(cache=True)
def _utility(sd: float, r: float) -> float:
    """Utility of a position at salience-weighted distance sd, risk attitude r."""
    if sd <= 1.0:
        return (1.0 - sd) * (1.0 + sd * r)
    return (1.0 - sd) * (1.0 + r)


@njit(cache=True)
def _vote(rule: int, w: float, ua: float, ub: float) -> float:
    """Vote of weight w for option a over option b, given their utilities to the voter."""
    du = ua - ub
    if rule == V_PROP:
        return w * du
    if rule == V_CUBIC:
        return w * (du * du * du)
    if rule == V_PROPCBC:
        return w * ((1.0 - 0.5) * du + 0.5 * (du * du * du))
    if rule == V_ASYM:
        if du < 0.0:
            return w * du
        if du > 0.0:
            return (2.0 * w * du) / 3.0
        return 0.0
    binary = min(1.0, max(-1.0, du / 1e-8))
    if rule == V_BINARY:
        return w * binary
    return w * ((1.0 - 0.2) * du + 0.2 * binary)  # V_PROPBIN


@njit(cache=True)
def _victory(model: int, s1: float, s2: float) -> tuple[float, float]:
    """Probabilities that coalitions of strength s1 and s2 win against each other."""
    if model == P_LINEAR:
        x1, x2 = s1, s2
    elif model == P_SQUARE:
        x1, x2 = s1 * s1, s2 * s2
    elif model == P_QUARTIC:
        x1, x2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
    elif model == P_OCTIC:
        q1, q2 = s1 * s1 * s1 * s1, s2 * s2 * s2 * s2
        x1, x2 = q1 * q1, q2 * q2
    else:  # P_BINARY: certain above a 1.1 : 1 ratio, linear in between
        if s1 >= 1.1 * s2:
            x1, x2 = 1.0, 1e-6
        elif s2 >= 1.1 * s1:
            x1, x2 = 1e-6, 1.0
        else:
            r12 = s1 / (s1 + s2)
            x1 = (r12 * (1.1 + 1.0) - 1.0) / (1.1 - 1.0)
            x2 = 1.0 - x1
    return x1 / (x1 + x2), x2 / (x1 + x2)


@njit(cache=True)
def _perceived_risk(rule: int, rh: float, ri: float) -> float:
    """What an actor with risk attitude rh takes to be the attitude of one with ri."""
    if rule == RA_ONE_THIRD:
        return ((2.0 * rh) + ri) / 3.0
    if rule == RA_HALF:
        return (rh + ri) / 2.0
    if rule == RA_TWO_THIRDS:
        return (rh + (2.0 * ri)) / 3.0
    if rule == RA_FULL:
        return ri
    return rh  # RA_NONE


@njit(cache=True)
def _round_to(x: float, grid: float) -> float:
    """Round half up to a multiple of ``grid`` (KTAB: 4 decimals on [0, 1])."""
    if grid <= 0.0:
        return x
    steps = 1.0 / grid
    return float(int(0.5 + x * steps)) / steps


# -- elections ---------------------------------------------------------------------------


@njit(cache=True)
def _election(
    rule: int,
    vpm: int,
    pcem: int,
    w: np.ndarray,
    u: np.ndarray,
    n_opt: int,
    c: np.ndarray,
    pv: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
) -> None:
    """PCE among ``n_opt`` options: ``u[k, m]`` is option m's utility to voter k.

    Fills ``c`` (coalition strengths), ``pv`` (pairwise victory) and ``p`` (the result);
    ``q`` is scratch. ``c``, ``pv`` and ``q`` may be larger than needed.
    """
    n_voters = u.shape[0]
    for i in range(n_opt):
        for j in range(i):
            cij, cji = MIN_COALITION, MIN_COALITION
            for k in range(n_voters):
                v = _vote(rule, w[k], u[k, i], u[k, j])
                if v > 0.0:
                    cij += v
                if v < 0.0:
                    cji -= v
            c[i, j], c[j, i] = cij, cji
        c[i, i] = MIN_COALITION
    _pce(vpm, pcem, n_opt, c, pv, p, q)


@njit(cache=True)
def _pce(
    vpm: int,
    pcem: int,
    n: int,
    c: np.ndarray,
    pv: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
) -> None:
    """The PCE of ``n`` options from their coalition strengths ``c``, into ``p``."""
    for i in range(n):
        for j in range(i):
            pv[i, j], pv[j, i] = _victory(vpm, c[i, j], c[j, i])
        pv[i, i] = 0.5
    if pcem == PCE_CONDITIONAL:  # the chance that each beats all others, renormalised
        total = 0.0
        for i in range(n):
            pi = 1.0
            for j in range(n):
                pi = pi * pv[i, j]
            p[i] = pi
            total += pi
        for i in range(n):
            p[i] = p[i] / total
        return
    for i in range(n):
        p[i] = 1.0 / n
    if pcem == PCE_MARKOV_UNIFORM:
        change, it = 1.0, 0
        while change > 1e-6 and it < MARKOV_LIMIT:
            change = 0.0
            for i in range(n):
                pi = 0.0
                for j in range(n):
                    pi = pi + pv[i, j] * (p[i] + p[j])
                q[i] = pi / n
                change = max(change, abs(q[i] - p[i]))
            for i in range(n):
                p[i] = (p[i] + q[i]) / 2.0
            it += 1
        return
    # PCE_MARKOV_INCENTIVE: challenges come in proportion to support times victory
    incentive = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            incentive[i, j] = c[i, j] * pv[i, j] + (1e-10 if i == j else 0.0)
    for j in range(n):
        col = 0.0
        for k in range(n):
            col = col + incentive[k, j]
        for i in range(n):
            incentive[i, j] = incentive[i, j] / col  # now the challenge probabilities
    ct = np.empty((n, n))
    change, it = 1.0, 0
    while change > 1e-8 and it < MARKOV_LIMIT:
        for i in range(n):
            for j in range(n):
                ct[i, j] = p[i] * incentive[j, i]
        change = 0.0
        for i in range(n):
            qi = 0.0
            for j in range(n):
                qi = qi + pv[i, j] * (ct[i, j] + ct[j, i])
            q[i] = qi
            change = max(change, abs(qi - p[i]))
        for i in range(n):
            p[i] = (p[i] + q[i]) / 2.0
        it += 1


@njit(cache=True)
def _risk_from_probability(p: np.ndarray, n: int, rng_rule: int, r: np.ndarray) -> None:
    """Risk attitudes R in [-1, 1] from the probabilities of the actors' positions.

    The likeliest position gets the top of the range and the least likely the bottom
    (risk-averse actors have a lot to lose). With all probabilities equal to within
    ``FLAT_SPAN``, everyone is risk neutral: KTAB divides by zero there, or by rounding
    noise, which it would blow up to attitudes of -1/2 and 1.
    """
    p_min, p_max = 1.0, 0.0
    for i in range(n):
        p_min = min(p_min, p[i])
        p_max = max(p_max, p[i])
    span = p_max - p_min
    for i in range(n):
        if span <= FLAT_SPAN:
            r[i] = 0.0
        elif rng_rule == RR_MIN:
            r[i] = (p[i] - p_min) / span
        elif rng_rule == RR_MID:
            r[i] = (3.0 * p[i] - (p_max + 2.0 * p_min)) / (2.0 * span)
        else:
            r[i] = (2.0 * p[i] - (p_max + p_min)) / span


# -- assessing a state -------------------------------------------------------------------


@njit(cache=True)
def _distances(x: np.ndarray, s: np.ndarray, present: np.ndarray, d: np.ndarray) -> None:
    """``d[i, j]``: distance of j's position from i's ideal, weighted by i's saliences.

    A dimension where j takes no part adds nothing (adopting j's position leaves it as
    it is); an actor with no salience anywhere is indifferent (distance 0).
    """
    n, n_dim = x.shape
    for i in range(n):
        ss = 0.0
        for k in range(n_dim):
            ss += s[i, k] * s[i, k]
        for j in range(n):
            acc = 0.0
            for k in range(n_dim):
                if present[j, k]:
                    dk = (x[i, k] - x[j, k]) * s[i, k]
                    acc += dk * dk
            d[i, j] = math.sqrt(acc / ss) if ss > 0.0 else 0.0


def _assess(
    x: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    present: np.ndarray,
    codes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances ``(G, A, A)`` and risk attitudes ``(G, A)`` of every game.

    ``x``, ``s`` are ``(G, A, D)``, ``cap`` ``(G, A)``, ``present`` ``(A, D)``; ``codes``
    as built by the model. Risk comes from a PCE among the actors' positions with
    risk-neutral utilities and capabilities as votes.
    """
    n_games, n, _ = x.shape
    vr, vpm, pcem, rr = codes[0], codes[1], codes[2], codes[5]
    d = np.empty((n_games, n, n))
    risk = np.empty((n_games, n))
    for g in prange(n_games):
        _distances(x[g], s[g], present, d[g])
        u = np.empty((n, n))
        for k in range(n):
            for i in range(n):
                u[k, i] = _utility(d[g, k, i], 0.0)
        c, pv = np.empty((n, n)), np.empty((n, n))
        p, q = np.empty(n), np.empty(n)
        _election(vr, vpm, pcem, cap[g], u, n, c, pv, p, q)
        _risk_from_probability(p, n, rr, risk[g])
    return d, risk


@njit(cache=True)
def _held_utility(
    a: int, b: np.ndarray, owner: int, x: np.ndarray, s: np.ndarray, present: np.ndarray, r: float
) -> float:
    """Utility to a (risk attitude r) of ``owner`` holding position b."""
    acc, ss = 0.0, 0.0
    for k in range(x.shape[1]):
        ss += s[a, k] * s[a, k]
        if present[owner, k]:
            dk = (x[a, k] - b[k]) * s[a, k]
            acc += dk * dk
    return _utility(math.sqrt(acc / ss) if ss > 0.0 else 0.0, r)


@njit(cache=True)
def _same_position(x: np.ndarray, present: np.ndarray, a: int, b: int, tol: float) -> bool:
    """Whether a and b hold the same position: same dimensions, within tol (Euclidean)."""
    acc = 0.0
    for k in range(x.shape[1]):
        if present[a, k] != present[b, k]:
            return False
        if present[a, k]:
            acc += (x[a, k] - x[b, k]) ** 2
    return math.sqrt(acc) < tol


@njit(cache=True)
def _scan_order(x: np.ndarray, cap: np.ndarray, present: np.ndarray, r: np.ndarray) -> np.ndarray:
    """The actors from the most risk-averse (the likeliest position) down.

    Equals go from the nearest to the capability-weighted centre out. Both keys are
    rounded, so that noise does not reorder equals, and neither depends on the order of
    the actors or on the direction of the scales.
    """
    n, n_dim = x.shape
    centre = np.zeros(n_dim)
    for k in range(n_dim):
        tot, wsum = 0.0, 0.0
        for i in range(n):
            if present[i, k]:
                tot += cap[i] * x[i, k]
                wsum += cap[i]
        centre[k] = tot / wsum if wsum > 0.0 else 0.0
    near = np.empty(n)
    likely = np.empty(n)
    for i in range(n):
        acc = 0.0
        for k in range(n_dim):
            if present[i, k]:
                acc += (x[i, k] - centre[k]) ** 2
        near[i] = math.floor(math.sqrt(acc) * 1e12 + 0.5)
        likely[i] = -math.floor(r[i] * 1e9 + 0.5)
    by_near = np.argsort(near, kind="mergesort")
    return by_near[np.argsort(likely[by_near], kind="mergesort")]


@njit(cache=True)
def _options(
    x: np.ndarray, present: np.ndarray, tol: float, order: np.ndarray, member: np.ndarray
) -> np.ndarray:
    """KTAB's distinct positions, scanning the actors in ``order``.

    An actor that holds no position already seen (within tol of its representative)
    starts a new option and represents it. Returns the representatives, by option;
    ``member[i]`` is the option actor i was put in.
    """
    n = x.shape[0]
    first = np.empty(n, dtype=np.int64)
    n_u = 0
    for t in range(n):
        i = order[t]
        member[i] = -1
        for m in range(n_u):
            if _same_position(x, present, i, first[m], tol):
                member[i] = m
                break
        if member[i] < 0:
            first[n_u], member[i] = i, n_u
            n_u += 1
    return first[:n_u]


def _position_probability(
    x: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    present: np.ndarray,
    risk: np.ndarray,
    codes: np.ndarray,
    tol: float,
    symmetric: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PCE among the distinct positions of each sample (KTAB's ``pDist(-1)``).

    KTAB scans the actors in order and places each option at its representative. With
    ``symmetric``, the actors are scanned from the most risk-averse (the likeliest
    position) down and each option sits at the mean of its members, so that a compact
    cluster gives the same option in any order. Returns the probability of each actor's
    position as ``smpc`` prints it (that of the last option within ``tol`` of it)
    ``(S, A)``, and by option: its representative ``(S, A)`` (-1 past the last option),
    its probability ``(S, A)`` and its position ``(S, A, D)``.
    """
    n_s, n, n_dim = x.shape
    vr, vpm, pcem, ra = codes[0], codes[1], codes[2], codes[4]
    prob = np.zeros((n_s, n))
    opt_first = np.full((n_s, n), -1, dtype=np.int64)
    opt_prob = np.full((n_s, n), -1.0)
    opt_pos = np.zeros((n_s, n, n_dim))
    for smp in prange(n_s):
        xs = x[smp]
        member = np.empty(n, dtype=np.int64)
        order = _scan_order(xs, cap[smp], present, risk[smp]) if symmetric else np.arange(n)
        first = _options(xs, present, tol, order, member)
        n_u = first.size
        count = np.zeros(n_u)
        for i in range(n):
            m = member[i]
            if symmetric or i == first[m]:
                count[m] += 1.0
                for k in range(n_dim):
                    opt_pos[smp, m, k] += xs[i, k]
        for m in range(n_u):
            for k in range(n_dim):
                opt_pos[smp, m, k] = opt_pos[smp, m, k] / count[m]
        u = np.empty((n, n_u))
        for a in range(n):
            r_seen = _perceived_risk(ra, risk[smp, a], risk[smp, a])
            for m in range(n_u):
                u[a, m] = _held_utility(a, opt_pos[smp, m], first[m], xs, s[smp], present, r_seen)
        c, pv = np.empty((n_u, n_u)), np.empty((n_u, n_u))
        p, q = np.empty(n_u), np.empty(n_u)
        _election(vr, vpm, pcem, cap[smp], u, n_u, c, pv, p, q)
        for m in range(n_u):
            opt_prob[smp, m], opt_first[smp, m] = p[m], first[m]
        for i in range(n):  # smpc prints the probability of the last option that matches
            last = member[i]
            for m in range(n_u):
                if _same_position(xs, present, i, first[m], tol):
                    last = m
            prob[smp, i] = p[last]
    return prob, opt_first, opt_prob, opt_pos


# -- challenges and bargains -------------------------------------------------------------


@njit(cache=True)
def _challenge(
    h: int,
    k: int,
    i: int,
    j: int,
    d: np.ndarray,
    risk: np.ndarray,
    w: np.ndarray,
    s_sum: np.ndarray,
    codes: np.ndarray,
) -> tuple[float, float]:
    """Actor h's estimate of the chance that i beats j, and of k's gain from i -> j.

    ``w`` is capability x total salience, ``s_sum`` the total salience. The principals
    vote for themselves; each third party n joins the side it expects to do best by,
    judged from the little contest of the principals and n alone.
    """
    vr, ra, tpc = codes[0], codes[4], codes[6]
    n = d.shape[0]
    rh = risk[h]

    uii = _utility(d[i, i], _perceived_risk(ra, rh, risk[i]))
    uij = _utility(d[i, j], _perceived_risk(ra, rh, risk[i]))
    uji = _utility(d[j, i], _perceived_risk(ra, rh, risk[j]))
    ujj = _utility(d[j, j], _perceived_risk(ra, rh, risk[j]))
    rk = _perceived_risk(ra, rh, risk[k])
    uki = _utility(d[k, i], rk)
    ukj = _utility(d[k, j], rk)
    eu_sq = uki + ukj
    u_win = uki + uki
    u_lose = ukj + ukj

    ci = _vote(vr, w[i], uii, uij)
    cj = _vote(vr, w[j], uji, ujj)
    chij, chji = MIN_CHALLENGE_COALITION, MIN_CHALLENGE_COALITION
    if ci > 0.0:
        chij = chij + ci
    if ci < 0.0:
        chji = chji - ci
    if cj > 0.0:
        chij = chij + cj
    if cj < 0.0:
        chji = chji - cj
    base_i, base_j = chij, chji
    for m in range(n):
        if m == i or m == j:
            continue
        rm = _perceived_risk(ra, rh, risk[m])
        umi = _utility(d[m, i], rm)
        umj = _utility(d[m, j], rm)
        umm = _utility(d[m, m], rm)
        cm = _vote(vr, w[m], umi, umj)
        cni = base_i + cm if cm > 0.0 else base_i
        cnj = base_j - cm if cm < 0.0 else base_j
        pin = cni / (cni + cnj)
        pjn = 1.0 - pin
        if tpc == TP_FULL:
            u_mi_j, u_j_mi = umi + umi + umi, umj + umj + umj
            u_i_mj, u_mj_i = umi + umi + umi, umj + umj + umj
        elif tpc == TP_SEMI:
            u_mi_j, u_j_mi = umi + umi + umm, umj + umj + umj
            u_i_mj, u_mj_i = umi + umi + umi, umj + umj + umm
        else:
            u_mi_j, u_j_mi = umi + umi + umm, umj + umj + umm
            u_i_mj, u_mj_i = umi + umi + umm, umj + umj + umm
        with_i = (pin * u_mi_j) + (pjn * u_j_mi)  # m joins i
        with_j = (pin * u_i_mj) + (pjn * u_mj_i)  # m joins j
        v = _vote(vr, w[m], with_i, with_j)
        if v > 0.0:
            chij = chij + v
        if v < 0.0:
            chji = chji - v
    phij = chij / (chij + chji)
    phji = chji / (chij + chji)
    sj = s_sum[j]
    eu_contest = phij * u_win + phji * u_lose
    eu_challenge = (1.0 - sj) * u_win + sj * eu_contest
    return phij, eu_challenge - eu_sq


def _propose(
    d: np.ndarray,
    risk: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    view_of: np.ndarray,
    n_samples: int,
    codes: np.ndarray,
    min_gain: float,
    tie: float,
    symmetric: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's offers: ``offer[s, i, j]`` true where i offers j a bargain.

    Actor i judges in game ``view_of[i] * S + s`` and challenges the target with the
    largest expected gain above ``min_gain``. Gains within ``tie`` of the largest count
    as equal: the first of them in actor order is challenged (KTAB), or with
    ``symmetric`` every one of them. ``p_init[s, i, j]`` is i's estimate of the chance
    that i beats j; ``p_rcvr[s, i, j]`` the number KTAB passes as j's estimate (j's view
    of i's expected gain, used by the ``init_rcvr`` and ``pw_compromise`` models).
    """
    n = d.shape[1]
    bmod = codes[8]
    offer = np.zeros((n_samples, n, n), dtype=np.bool_)
    p_init = np.zeros((n_samples, n, n))
    p_rcvr = np.zeros((n_samples, n, n))
    for item in prange(n_samples * n):
        smp, i = item // n, item % n
        g = view_of[i] * n_samples + smp
        s_sum = np.empty(n)
        w = np.empty(n)
        for a in range(n):
            tot = 0.0
            for k in range(s.shape[2]):
                tot += s[g, a, k]
            s_sum[a] = tot
            w[a] = tot * cap[g, a]
        gain = np.empty(n)
        best = -1.0
        for j in range(n):
            if j == i:
                gain[j] = -np.inf
                continue
            p, du = _challenge(i, i, i, j, d[g], risk[g], w, s_sum, codes)
            p_init[smp, i, j] = p
            gain[j] = du
            if du > min_gain and du > best:
                best = du
        if best <= min_gain:
            continue
        for j in range(n):
            if gain[j] > min_gain and gain[j] >= best - tie:
                offer[smp, i, j] = True
                if bmod != BM_INIT_ONLY:
                    p_rcvr[smp, i, j] = _challenge(j, i, i, j, d[g], risk[g], w, s_sum, codes)[1]
                if not symmetric:
                    break
    return offer, p_init, p_rcvr


@njit(cache=True)
def _interpolate(
    ivb: int,
    grid: float,
    xi: np.ndarray,
    si: np.ndarray,
    xj: np.ndarray,
    sj: np.ndarray,
    pi: float,
    pj: float,
    both: np.ndarray,
    bi: np.ndarray,
    bj: np.ndarray,
) -> None:
    """Bargain positions of i and j on the dimensions where both take part (``both``).

    Each dimension is a weighted mean of the two positions: weights (salience x
    probability)^2 for S2P2, to the first power for S1P1, rounded to ``grid``. S2PMax
    moves the weaker party towards the stronger by how much less likely it is to win.
    A rounded value is kept between the two positions; equal positions stay as they are.
    """
    for k in range(xi.shape[0]):
        if not both[k]:
            continue
        tik, tjk = xi[k], xj[k]
        if tik == tjk:
            bi[k], bj[k] = tik, tjk
            continue
        if ivb == IB_S2PMAX:
            di = pj - pi if pj > pi else 0.0
            dj = pi - pj if pi > pj else 0.0
            si2, sj2 = si[k] * si[k], sj[k] * sj[k]
            dik = (di * sj2) / ((di * sj2) + MIN_WEIGHT + ((1.0 - di) * si2))
            djk = (dj * si2) / ((dj * si2) + MIN_WEIGHT + ((1.0 - dj) * sj2))
            bik = tik + dik * (tjk - tik)
            bjk = tjk + djk * (tik - tjk)
        else:
            if ivb == IB_S2P2:
                wik = (si[k] * si[k]) * (pi * pi)
                wjk = (sj[k] * sj[k]) * (pj * pj)
            else:
                wik = si[k] * pi
                wjk = sj[k] * pj
            bik = _round_to(((wik + MIN_WEIGHT) * tik + wjk * tjk) / (wik + MIN_WEIGHT + wjk), grid)
            bjk = _round_to((wik * tik + (MIN_WEIGHT + wjk) * tjk) / (wik + MIN_WEIGHT + wjk), grid)
        lo, hi = min(tik, tjk), max(tik, tjk)
        bi[k] = min(hi, max(lo, bik))
        bj[k] = min(hi, max(lo, bjk))


@njit(cache=True)
def _bargain(
    i: int,
    j: int,
    variant: int,
    prob: float,
    gx: np.ndarray,
    gs: np.ndarray,
    gcap: np.ndarray,
    x: np.ndarray,
    present: np.ndarray,
    codes: np.ndarray,
    grid: float,
    p_rcvr: float,
    bi: np.ndarray,
    bj: np.ndarray,
) -> None:
    """The positions i and j would take in i's bargain with j, into bi and bj.

    ``gx``, ``gs``, ``gcap`` are the game i judges in; ``x`` the true positions. A
    dimension where either takes no part keeps both where they are. ``variant`` 1 is
    the bargain interpolated from j's estimate (``init_rcvr``).
    """
    ivb, bmod = codes[7], codes[8]
    n_dim = x.shape[1]
    both = np.empty(n_dim, dtype=np.bool_)
    for k in range(n_dim):
        both[k] = present[i, k] and present[j, k]
        bi[k], bj[k] = x[i, k], x[j, k]
    if bmod == BM_INIT_ONLY or (bmod == BM_INIT_RCVR and variant == 0):
        _interpolate(ivb, grid, gx[i], gs[i], gx[j], gs[j], prob, 1.0 - prob, both, bi, bj)
        return
    if bmod == BM_INIT_RCVR:
        _interpolate(ivb, grid, gx[i], gs[i], gx[j], gs[j], p_rcvr, 1.0 - p_rcvr, both, bi, bj)
        return
    # BM_PW_COMP: a weighted mean of both, weights capability x total salience, where
    # KTAB takes the initiator's capability for both parties
    ii, ij = bi.copy(), bj.copy()
    ji, jj = bi.copy(), bj.copy()
    _interpolate(ivb, grid, gx[i], gs[i], gx[j], gs[j], prob, 1.0 - prob, both, ii, ij)
    _interpolate(ivb, grid, gx[i], gs[i], gx[j], gs[j], p_rcvr, 1.0 - p_rcvr, both, ji, jj)
    si, sj = 0.0, 0.0
    for k in range(n_dim):
        si += gs[i, k]
        sj += gs[j, k]
    wi, wj = gcap[i] * si, gcap[i] * sj
    if wi + wj <= 0.0:
        wi, wj = 1.0, 1.0
    for k in range(n_dim):
        if both[k]:
            bi[k] = (wi * ii[k] + wj * ji[k]) / (wi + wj)
            bj[k] = (wi * ij[k] + wj * jj[k]) / (wi + wj)


def _resolve(
    gx: np.ndarray,
    gs: np.ndarray,
    gcap: np.ndarray,
    present: np.ndarray,
    d: np.ndarray,
    risk: np.ndarray,
    offer: np.ndarray,
    p_init: np.ndarray,
    p_rcvr: np.ndarray,
    view_of: np.ndarray,
    codes: np.ndarray,
    grid: float,
    tie: float,
    symmetric: bool,
    draws: np.ndarray,
) -> np.ndarray:
    """New positions ``(S, A, D)``: each actor adopts one bargain from its queue.

    Actor k's queue holds its status quo, then the bargains it made or received, by
    initiator. The value of a bargain to each actor is the mean utility of all positions
    once the two parties have moved (less that of the status quo, which changes no
    vote); a PCE among the queue (capabilities as votes, on the truth: games 0 .. S - 1)
    gives each bargain a probability. Deterministic: the first bargain within ``tie`` of
    the likeliest; with ``symmetric``, k stays where it is if another such bargain would
    move it elsewhere (by more than ``SAME_POINT``). Stochastic: a draw (``draws[s, k]``).
    """
    n_s = offer.shape[0]
    n, n_dim = gx.shape[1], gx.shape[2]
    vr, vpm, pcem, ra, stm, bmod = codes[0], codes[1], codes[2], codes[4], codes[3], codes[8]
    n_var = 2 if bmod == BM_INIT_RCVR else 1
    new = np.empty((n_s, n, n_dim))
    for item in prange(n_s * n):
        smp, k = item // n, item % n
        x, s = gx[smp], gs[smp]
        # the queue: (initiator, receiver, variant); the status quo is (k, k, 0)
        size = 1
        for i in range(n):
            if offer[smp, i, k]:
                size += n_var
            if i == k:
                for j in range(n):
                    if offer[smp, k, j]:
                        size += n_var
        init = np.empty(size, dtype=np.int64)
        rcvr = np.empty(size, dtype=np.int64)
        var = np.empty(size, dtype=np.int64)
        init[0], rcvr[0], var[0] = k, k, 0
        m = 1
        for i in range(n):
            if offer[smp, i, k]:
                for v in range(n_var):
                    init[m], rcvr[m], var[m] = i, k, v
                    m += 1
            if i == k:
                for j in range(n):
                    if offer[smp, k, j]:
                        for v in range(n_var):
                            init[m], rcvr[m], var[m] = k, j, v
                            m += 1
        bi = np.empty((size, n_dim))
        bj = np.empty((size, n_dim))
        for m in range(1, size):
            i, j = init[m], rcvr[m]
            g = view_of[i] * n_s + smp
            _bargain(
                i, j, var[m], p_init[smp, i, j], gx[g], gs[g], gcap[g], x, present,
                codes, grid, p_rcvr[smp, i, j], bi[m], bj[m],
            )  # fmt: skip
        # value of each bargain to each actor, less the value of the status quo: the mean
        # utility of all positions changes only where the two parties move (KTAB sums
        # all of them, which drowns differences between bargains in rounding noise)
        u = np.empty((n, size))
        for a in range(n):
            r_own = risk[smp, a]
            r_seen = _perceived_risk(ra, r_own, r_own)
            u[a, 0] = 0.0
            for m in range(1, size):
                i, j = init[m], rcvr[m]
                gain = _held_utility(a, bi[m], i, x, s, present, r_own)
                gain += _held_utility(a, bj[m], j, x, s, present, r_own)
                gain -= _utility(d[smp, a, i], r_seen) + _utility(d[smp, a, j], r_seen)
                u[a, m] = gain / n
        c, pv = np.empty((size, size)), np.empty((size, size))
        p, q = np.empty(size), np.empty(size)
        _election(vr, vpm, pcem, gcap[smp], u, size, c, pv, p, q)
        if stm == 1:  # stochastic: the first bargain whose cumulative probability passes
            pick, acc = size - 1, 0.0
            for m in range(size):
                acc = acc + p[m]
                if draws[smp, k] <= acc:
                    pick = m
                    break
        else:  # the first of the likeliest (within tie)
            top = 0
            for m in range(1, size):
                if p[m] > p[top]:
                    top = m
            pick = 0
            while p[pick] < p[top] - tie:
                pick += 1
            if symmetric:  # likeliest bargains that would move k differently: k stays
                for m in range(size):
                    if m != pick and p[m] >= p[top] - tie:
                        for dim in range(n_dim):
                            a_pos = (
                                x[k, dim]
                                if pick == 0
                                else (bi[pick, dim] if init[pick] == k else bj[pick, dim])
                            )
                            b_pos = (
                                x[k, dim]
                                if m == 0
                                else (bi[m, dim] if init[m] == k else bj[m, dim])
                            )
                            if abs(a_pos - b_pos) > SAME_POINT:
                                pick = 0
        for dim in range(n_dim):
            if pick == 0:
                new[smp, k, dim] = x[k, dim]
            elif init[pick] == k:
                new[smp, k, dim] = bi[pick, dim]
            else:
                new[smp, k, dim] = bj[pick, dim]
    return new


# -- serial and parallel builds ------------------------------------------------------------

PARALLEL_WORK = 2**17
"""Turns with less work than this (samples x actors^3) run on the calling thread: waking
the thread pool costs more than it saves, and much more when other processes keep the
cores busy (docs/performance.md)."""


def _builds(fn: Callable, size: Callable) -> tuple[Callable, Callable]:
    """``fn`` compiled serially and in parallel: a function calling one of them, and the serial.

    :func:`play` calls the serial build. The parallel build runs when ``size(*args)``,
    (items, actors), says there is enough work (see
    :func:`~summitry.models._parallel.serial_and_parallel`).
    """
    serial, parallel = serial_and_parallel(fn)

    @functools.wraps(fn)
    def run(*args: object) -> object:
        items, actors = size(*args)
        return (parallel if items * actors**3 >= PARALLEL_WORK else serial)(*args)

    return run, serial


assess, _assess_serial = _builds(_assess, lambda x, *rest: x.shape[:2])
position_probability, _position_probability_serial = _builds(
    _position_probability, lambda x, *rest: x.shape[:2]
)
propose, _propose_serial = _builds(_propose, lambda d, *rest: (rest[4], d.shape[1]))
resolve, _resolve_serial = _builds(_resolve, lambda gx, *rest: rest[5].shape[:2])


# -- a whole run on the calling thread ---------------------------------------------------


PAIRWISE_BLOCK = 128
"""numpy adds up to this many terms in one block of eight running sums."""


@njit(cache=True)
def _pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """The pairwise summation numpy uses, of ``a[lo:lo + n]``, ``n <= PAIRWISE_BLOCK``."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = np.empty(8)
    for j in range(8):
        r[j] = a[lo + j]
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def _numpy_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a 1-D array of at most ``PAIRWISE_BLOCK`` terms, added up as numpy does.

    The compiled stopping rule then agrees with the model's to the last bit.
    """
    return _pairwise_sum(a, 0, a.size)


def _play(
    x0: np.ndarray,
    s: np.ndarray,
    cap: np.ndarray,
    present: np.ndarray,
    codes: np.ndarray,
    grid: float,
    min_gain: float,
    tol: float,
    tie_gain: float,
    tie_prob: float,
    symmetric: bool,
    stop_fraction: float,
    floor: float,
    min_rounds: int,
    limit: int,
    fixed: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every turn of every sample, each sample to its stop, on the calling thread.

    The same turn as :func:`assess`, :func:`propose` and :func:`resolve` called from the
    model's loop, for runs without beliefs and with deterministic transitions, without
    returning to Python between turns. The stopping rule is the model's: the summed
    distance moved, relative to the first turn's (plus ``floor``), below
    ``stop_fraction`` from turn ``min_rounds`` on (never with ``fixed``). Returns the
    positions ``(S, T + 1, A, D)``, risk attitudes and position probabilities
    ``(S, T + 1, A)`` after each turn (a sample that stopped held at its last state; T
    the most turns played), the turns played ``(S,)`` and whether each converged.
    """
    n_s, n, n_dim = x0.shape
    pos = np.empty((n_s, limit + 1, n, n_dim))
    risk_h = np.empty((n_s, limit + 1, n))
    prob_h = np.empty((n_s, limit + 1, n))
    played = np.full(n_s, limit, dtype=np.int64)
    converged = np.zeros(n_s, dtype=np.bool_)
    view_of = np.zeros(n, dtype=np.int64)
    draws = np.zeros((1, n))
    moved = np.empty(n)
    for smp in range(n_s):
        x = x0[smp : smp + 1].copy()
        gs = s[smp : smp + 1].copy()
        gc = cap[smp : smp + 1].copy()
        d, r = _assess_serial(x, gs, gc, present, codes)
        p = _position_probability_serial(x, gs, gc, present, r, codes, tol, False)[0]
        pos[smp, 0] = x[0]
        risk_h[smp, 0] = r[0]
        prob_h[smp, 0] = p[0]
        first = 0.0
        for t in range(1, limit + 1):
            offer, p_init, p_rcvr = _propose_serial(
                d, r, gs, gc, view_of, 1, codes, min_gain, tie_gain, symmetric
            )
            new = _resolve_serial(
                x, gs, gc, present, d, r, offer, p_init, p_rcvr, view_of, codes, grid,
                tie_prob, symmetric, draws,
            )  # fmt: skip
            d, r = _assess_serial(new, gs, gc, present, codes)
            p = _position_probability_serial(new, gs, gc, present, r, codes, tol, False)[0]
            pos[smp, t] = new[0]
            risk_h[smp, t] = r[0]
            prob_h[smp, t] = p[0]
            sq = np.empty(n_dim)
            for k in range(n):
                for dim in range(n_dim):
                    delta = new[0, k, dim] - x[0, k, dim]
                    sq[dim] = delta**2
                moved[k] = math.sqrt(_numpy_sum(sq))
            change = _numpy_sum(moved)
            x = new
            if t == 1:
                first = change + floor
            if fixed:
                continue
            if first > 0:
                ratio = change / first
            else:
                ratio = math.inf if change > 0 else 0.0
            if t >= min_rounds and ratio < stop_fraction:
                played[smp] = t
                converged[smp] = True
                break
    n_t = 0
    for smp in range(n_s):
        n_t = max(n_t, played[smp])
    for smp in range(n_s):
        for t in range(played[smp] + 1, n_t + 1):
            pos[smp, t] = pos[smp, played[smp]]
            risk_h[smp, t] = risk_h[smp, played[smp]]
            prob_h[smp, t] = prob_h[smp, played[smp]]
    return pos[:, : n_t + 1], risk_h[:, : n_t + 1], prob_h[:, : n_t + 1], played, converged


play = njit(cache=True)(_play)
