"""The compiled EUM round: the O(A^2 log A) vote sums equal the direct O(A^3) formulas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from summitry.models._eum_round import (
    favour,
    favour_direct,
    pair_spread,
    pair_spread_direct,
    play_round,
)

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
unit = st.floats(0, 1, allow_nan=False)


@st.composite
def lanes(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Positions (with ties), weights (some zero), presence and risk exponents of one lane."""
    n = draw(st.integers(1, 9))
    grid = draw(st.booleans())  # positions on a coarse grid give many exact ties
    elements = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) if grid else unit
    x = draw(arrays(float, n, elements=elements))
    w = draw(arrays(float, n, elements=st.one_of(st.just(0.0), st.floats(0.01, 10))))
    present = draw(arrays(bool, n))
    r = draw(arrays(float, n, elements=st.sampled_from([0.5, 0.8, 1.0, 1.5, 2.0])))
    return x, np.where(present, w, 0.0), present, r


def _losses(x: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.abs(x[:, None] - x[None, :]) ** r[:, None]


def _sorted(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(x, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(x.size)
    return order, rank


@SETTINGS
@given(lanes())
def test_votes_from_prefix_sums_equal_the_direct_sum(lane):
    x, wk, _, r = lane
    d = _losses(x, r)
    order, _ = _sorted(x)
    n = x.size
    pre, f = np.empty((n + 1, n)), np.empty((n, n))
    favour(x, wk, d, order, pre, f)
    np.testing.assert_allclose(f, favour_direct(x, wk, d), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(lanes())
def test_normaliser_from_one_sort_equals_the_sum_over_pairs(lane):
    x, wk, present, r = lane
    d = _losses(x, r)
    order, rank = _sorted(x)
    got = pair_spread(x, wk, present, d, order, rank, np.empty(x.size))
    assert got == pytest.approx(pair_spread_direct(wk, present, d), rel=1e-12, abs=1e-12)


def test_direct_votes_by_hand():
    # Three voters at 0, 0.5, 1 with weights 1, 2, 4 and linear losses: i=0 beats j=2 with
    # the voters nearer 0 (the one at 0 gains 1; the one at 0.5 is indifferent).
    x = np.array([0.0, 0.5, 1.0])
    wk = np.array([1.0, 2.0, 4.0])
    f = favour_direct(x, wk, _losses(x, np.ones(3)))
    assert f[0, 2] == pytest.approx(1.0)
    assert f[2, 0] == pytest.approx(4.0)
    assert f[1, 0] == pytest.approx(2 * 0.5 + 4 * 0.5)  # voters at 0.5 and 1 prefer 0.5


@pytest.mark.slow
def test_runs_from_several_threads_agree():
    # The compiled round is entered under a lock (numba's workqueue layer is not
    # re-entrant); threads then get the numbers a single run gets.
    import threading

    import summitry
    from summitry.analysis.uncertainty import sample

    inputs = sample(summitry.load("korea-hanoi-2019"), 300, seed=0)
    expected = summitry.ExpectedUtility().run(inputs).outcome
    results = []

    def run() -> None:
        results.append(summitry.ExpectedUtility().run(inputs).outcome)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for got in results:
        np.testing.assert_array_equal(got, expected)


def _big_lane(seed: int, grid: bool) -> tuple[np.ndarray, ...]:
    """One lane of 300 to 600 actors, about a tenth absent (at the lowest position)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(300, 601))
    x = rng.choice(np.linspace(0.0, 1.0, 11), n) if grid else rng.uniform(0.0, 1.0, n)
    present = rng.uniform(size=n) > 0.1
    x = np.where(present, x, x[present].min())
    wk = np.where(present, rng.uniform(1.0, 100.0, n) * rng.uniform(0.1, 1.0, n), 0.0)
    s = rng.uniform(0.1, 1.0, n)
    spread = np.array([np.ptp(x[present])])
    return x[None], wk[None], s[None], present[None], spread


@pytest.mark.parametrize("risk", [True, False])
@pytest.mark.parametrize("pairwise", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_lane_of_many_actors_played_inside_gives_the_same_numbers(seed, pairwise, risk):
    x, wk, s, present, spread = _big_lane(seed, grid=seed == 1)
    nearest = seed == 1
    for _ in range(3):  # a few rounds, so that positions meet and tie
        args = (x, wk, s, present, spread, 1.0, pairwise, nearest, True, risk, 1e-9, None)
        lanes = play_round(*args, None, False)
        inside = play_round(*args, {}, True)
        assert np.array_equal(lanes[0], inside[0])
        assert np.array_equal(lanes[1], inside[1])
        x = np.where(present, lanes[0], x)
