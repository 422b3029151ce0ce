"""Unit tests of the shared statistics and the round loop (models/_stats.py, models/base.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from summitry.models._stats import TIE_RULES, weighted_mean, weighted_median
from summitry.models.base import iterate, settle
from summitry.trajectory import Stop

FAST = settings(max_examples=100, deadline=None)
DYADIC = st.integers(0, 64).map(lambda k: k / 64)  # distances between these are exact
WHOLE = st.integers(0, 5).map(float)  # sums of these are exact
FLOATS = st.just(0.0) | st.floats(1e-6, 1.0)  # no weights that underflow when multiplied


@st.composite
def votes(draw, weights=WHOLE):
    """Positions and weights ``(S, A, I)``; every (sample, issue) has some positive weight."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 8)), draw(st.integers(1, 3)))
    x = draw(arrays(float, shape, elements=DYADIC))
    w = draw(arrays(float, shape, elements=weights))
    assume(np.all(w.sum(axis=1) > 0))
    return x, w


def pairwise_votes(x, w):
    """Candidates (the positions of actors with votes) and ``v[a, b]``, the votes of the
    actors strictly nearer to candidate a than to candidate b; x and w are ``(A,)``."""
    cands = np.unique(x[w > 0])
    d = np.abs(x[None, :] - cands[:, None])  # [candidate, voter]
    return cands, np.sum(w * (d[:, None, :] < d[None, :, :]), axis=-1)


def condorcet_winners(x, w):
    """Candidates that no other candidate beats."""
    cands, v = pairwise_votes(x, w)
    return cands[~np.any(v.T > v, axis=1)]


def columns(x, w):
    """Every (sample, issue) as a pair of ``(A,)`` arrays, with its index."""
    for s in range(x.shape[0]):
        for i in range(x.shape[2]):
            yield (s, i), x[s, :, i], w[s, :, i]


# -- weighted median ---------------------------------------------------------------------


@FAST
@given(case=votes())
def test_weighted_median_is_the_condorcet_winner(case):
    x, w = case
    got = {tie: weighted_median(x, w, tie) for tie in TIE_RULES}
    for idx, xc, wc in columns(x, w):
        winners = condorcet_winners(xc, wc)
        if len(winners) == 1:  # a strict winner
            assert all(got[tie][idx] == winners[0] for tie in TIE_RULES)
        else:  # votes split exactly in half: two neighbours tie, both beat the rest
            assert len(winners) == 2
            assert (got["low"][idx], got["high"][idx]) == (winners[0], winners[1])
            assert got["midpoint"][idx] == 0.5 * (winners[0] + winners[1])


@FAST
@given(case=votes(weights=FLOATS))
def test_weighted_median_with_float_weights(case):
    x, w = case
    got = weighted_median(x, w)
    for idx, xc, wc in columns(x, w):
        cands, v = pairwise_votes(xc, wc)
        margin = v - v.T + np.diag(np.full(len(cands), np.inf))
        best = np.max(np.min(margin, axis=1))
        assume(best > 1e-9 * wc.sum())  # a clear winner, no near-tie
        assert got[idx] == cands[np.argmax(np.min(margin, axis=1))]


@FAST
@given(case=votes(), at=DYADIC, data=st.data())
def test_actors_without_votes_change_nothing(case, at, data):
    x, w = case
    k = data.draw(st.integers(0, x.shape[1]))
    x2 = np.insert(x, k, at, axis=1)
    w2 = np.insert(w, k, 0.0, axis=1)
    for tie in TIE_RULES:
        np.testing.assert_array_equal(weighted_median(x2, w2, tie), weighted_median(x, w, tie))
    np.testing.assert_allclose(weighted_mean(x2, w2), weighted_mean(x, w), rtol=1e-12)


@FAST
@given(case=votes(), data=st.data())
def test_weighted_median_ignores_order_and_mirrors_tie_rules(case, data):
    x, w = case
    order = np.array(data.draw(st.permutations(range(x.shape[1]))))
    for tie in TIE_RULES:
        np.testing.assert_array_equal(
            weighted_median(x[:, order], w[:, order], tie), weighted_median(x, w, tie)
        )
    mirror = {"low": "high", "high": "low", "midpoint": "midpoint"}
    for tie in TIE_RULES:
        np.testing.assert_array_equal(
            weighted_median(1 - x, w, tie), 1 - weighted_median(x, w, mirror[tie])
        )


@pytest.mark.parametrize(
    ("x", "w", "expected"),
    [
        ([0.0, 1.0], [1.0, 3.0], {"low": 1.0, "high": 1.0, "midpoint": 1.0}),
        ([0.0, 1.0], [1.0, 1.0], {"low": 0.0, "high": 1.0, "midpoint": 0.5}),
        ([0.0, 0.2, 0.6, 1.0], [1.0] * 4, {"low": 0.2, "high": 0.6, "midpoint": 0.4}),
        # an actor without votes between the two halves does not settle the tie
        ([0.0, 0.5, 1.0], [1.0, 0.0, 1.0], {"low": 0.0, "high": 1.0, "midpoint": 0.5}),
        # 0.1 + 0.2 != 0.3 in floating point; the tie is still recognised
        ([0.0, 0.5, 1.0], [0.1, 0.2, 0.3], {"low": 0.5, "high": 1.0, "midpoint": 0.75}),
        ([1.0, 0.0, 0.5], [1.0, 1.0, 1.0], {"low": 0.5, "high": 0.5, "midpoint": 0.5}),
    ],
)
def test_weighted_median_by_hand(x, w, expected):
    col = np.array(x)[None, :, None], np.array(w)[None, :, None]
    for tie, value in expected.items():
        assert weighted_median(*col, tie)[0, 0] == pytest.approx(value, abs=1e-15)


# -- weighted mean -----------------------------------------------------------------------


def test_weighted_mean_by_hand():
    x = np.array([[[0.0, 0.2], [1.0, 0.4]]])  # (S, A, I) = (1, 2, 2)
    w = np.array([[[1.0, 1.0], [3.0, 0.0]]])
    np.testing.assert_allclose(weighted_mean(x, w), [[0.75, 0.2]])


@FAST
@given(case=votes(weights=FLOATS), scale=st.floats(1e-3, 1e3))
def test_weighted_mean_matches_numpy_and_ignores_the_unit_of_weight(case, scale):
    x, w = case
    expected = np.array([[np.average(xc, weights=wc)] for _, xc, wc in columns(x, w)])
    got = weighted_mean(x, w)
    np.testing.assert_allclose(got.reshape(-1), expected.reshape(-1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(weighted_mean(x, w * scale), got, rtol=1e-12, atol=1e-15)


# -- settle ------------------------------------------------------------------------------


def test_settle_takes_the_stopping_round_or_the_mean_over_the_cycle():
    stat = np.arange(6.0)[None, :, None].repeat(3, axis=2)  # (S, T + 1, I) = (1, 6, 3)
    stat[0, :, 2] = [0.0, 0.2, 0.8, 0.2, 0.8, 0.8]
    stop_round = np.array([[3, 5, 4]])
    cycle_length = np.array([[0, 3, 2]])
    np.testing.assert_allclose(settle(stat, stop_round, cycle_length), [[3.0, 4.0, 0.5]])


@FAST
@given(data=st.data())
def test_settle_matches_a_loop(data):
    n_s, n_t, n_i = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 3)))
    stat = data.draw(arrays(float, (n_s, n_t, n_i), elements=DYADIC))
    stop = data.draw(arrays(np.int64, (n_s, n_i), elements=st.integers(0, n_t - 1)))
    cycle = np.array([[data.draw(st.integers(0, t)) for t in row] for row in stop])
    got = settle(stat, stop, cycle)
    for s in range(n_s):
        for i in range(n_i):
            t, c = stop[s, i], max(cycle[s, i], 1)
            assert got[s, i] == pytest.approx(np.mean(stat[s, t - c + 1 : t + 1, i]), abs=1e-15)


# -- iterate -----------------------------------------------------------------------------


def halve(x, active):
    return 0.5 * x, {"moved": 0.5 * x}


def test_iterate_stops_each_issue_when_it_converges():
    x0 = np.array([[[1.0, 0.25], [1.0, 0.25]]])  # (S, A, I) = (1, 2, 2)
    res = iterate(halve, x0, tol=1 / 16, max_rounds=50, extras0={"moved": np.zeros_like(x0)})
    np.testing.assert_array_equal(res.stop_reason, [[Stop.CONVERGED, Stop.CONVERGED]])
    np.testing.assert_array_equal(res.stop_round, [[4, 2]])
    np.testing.assert_array_equal(res.cycle_length, [[0, 0]])
    assert res.position.shape == res.extras["moved"].shape == (1, 5, 2, 2)
    np.testing.assert_array_equal(res.position[0, :, 0, 0], [1.0, 0.5, 0.25, 0.125, 0.0625])
    # issue 1 stopped at round 2 and keeps its state (and extras) from then on
    np.testing.assert_array_equal(res.position[0, :, 0, 1], [0.25, 0.125] + [0.0625] * 3)
    np.testing.assert_array_equal(res.extras["moved"][0, :, 0, 1], [0.0, 0.125] + [0.0625] * 3)


def test_iterate_detects_a_two_cycle_and_settle_averages_it():
    def flip(x, active):
        return 1.0 - x, {}

    x0 = np.array([[[0.25], [0.5]]])
    res = iterate(flip, x0, tol=1e-9, max_rounds=50)
    assert (res.stop_reason[0, 0], res.stop_round[0, 0], res.cycle_length[0, 0]) == (
        Stop.CYCLE,
        2,
        2,
    )
    np.testing.assert_array_equal(res.position[0, :, 0, 0], [0.25, 0.75, 0.25])
    stat = res.position[:, :, 0, :]  # actor 0's position as the statistic
    assert settle(stat, res.stop_round, res.cycle_length)[0, 0] == 0.5


def test_iterate_detects_a_three_cycle():
    def rotate(x, active):
        return np.roll(x, 1, axis=1), {}

    res = iterate(rotate, np.array([[[0.0], [0.5], [1.0]]]), tol=1e-9, max_rounds=50)
    assert (res.stop_reason[0, 0], res.stop_round[0, 0], res.cycle_length[0, 0]) == (
        Stop.CYCLE,
        3,
        3,
    )


def test_iterate_stops_at_max_rounds():
    def drift(x, active):
        return x + 1.0, {}

    res = iterate(drift, np.zeros((2, 3, 1)), tol=1e-9, max_rounds=7)
    assert res.position.shape == (2, 8, 3, 1)
    assert np.all(res.stop_reason == Stop.MAX_ROUNDS) and np.all(res.stop_round == 7)
    np.testing.assert_array_equal(res.position[0, :, 0, 0], np.arange(8.0))


@pytest.mark.parametrize("rounds", [0, 1, 5])
def test_iterate_runs_exactly_the_rounds_asked_for(rounds):
    calls = []

    def still(x, active):
        calls.append(1)
        return x, {}

    res = iterate(still, np.full((1, 2, 2), 0.5), tol=1e-9, max_rounds=2, rounds=rounds)
    assert len(calls) == rounds and res.position.shape == (1, rounds + 1, 2, 2)
    assert np.all(res.stop_reason == Stop.FIXED_ROUNDS) and np.all(res.stop_round == rounds)
    assert np.all(res.cycle_length == 0)
