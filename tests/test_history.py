"""History: ragged storage of rounds, read back per lane or unrolled."""

from __future__ import annotations

import numpy as np
import pytest

from summitry.history import History, to_lanes


def _history() -> History:
    x0 = np.arange(12.0).reshape(2, 3, 2)  # (S, A, I): lanes 0..3
    hist = History({"position": x0})
    hist.record(np.array([0, 1, 2, 3]), {"position": to_lanes(x0) + 100})
    hist.record(np.array([1, 3]), {"position": to_lanes(x0)[[1, 3]] + 200})
    hist.record(np.array([3]), {"position": to_lanes(x0)[[3]] + 300})
    return hist


def test_to_lanes_puts_each_sample_issue_in_a_row():
    x = np.arange(12.0).reshape(2, 3, 2)
    np.testing.assert_array_equal(to_lanes(x)[1], x[0, :, 1])
    np.testing.assert_array_equal(to_lanes(x)[2], x[1, :, 0])


def test_unroll_holds_each_lane_at_its_last_state():
    hist = _history()
    full = hist.unroll("position")
    x0 = np.arange(12.0).reshape(2, 3, 2)
    assert full.shape == (2, 4, 3, 2)
    np.testing.assert_array_equal(full[0, :, :, 0], [x0[0, :, 0] + k for k in (0, 100, 100, 100)])
    np.testing.assert_array_equal(full[1, :, :, 1], [x0[1, :, 1] + k for k in (0, 100, 200, 300)])


def test_at_reads_a_round_or_the_last_state_after_it():
    hist = _history()
    lanes, rounds = np.array([0, 3, 3, 1]), np.array([3, 3, 0, 2])
    full = to_lanes(np.arange(12.0).reshape(2, 3, 2))
    expected = [full[0] + 100, full[3] + 300, full[3], full[1] + 200]
    np.testing.assert_array_equal(hist.at("position", lanes, rounds), expected)
    assert hist.n_rounds == 3


def test_a_lane_cannot_skip_a_round():
    hist = _history()
    with pytest.raises(ValueError, match="consecutive"):
        hist.record(np.array([0]), {"position": np.zeros((1, 3))})


def test_unroll_of_some_samples_matches_the_full_unroll():
    hist = _history()
    full = hist.unroll("position")
    np.testing.assert_array_equal(hist.unroll("position", np.array([1])), full[[1]])
    np.testing.assert_array_equal(hist.unroll("position", np.array([1, 0])), full[[1, 0]])


def test_trim_keeps_the_first_samples_rounds_and_every_latest_state():
    hist, full = _history(), _history().unroll("position")
    latest = hist.latest("position").copy()
    hist.trim(1)
    np.testing.assert_array_equal(hist.unroll("position", np.array([0])), full[[0]])
    lanes, played = np.array([2, 3]), np.array([1, 3])  # sample 1's lanes at their last round
    np.testing.assert_array_equal(hist.at("position", lanes, played), latest[lanes])
    with pytest.raises(ValueError, match="first 1 samples only, not for sample 1"):
        hist.unroll("position")
    with pytest.raises(ValueError, match="not for sample 1"):
        hist.at("position", np.array([3]), np.array([1]))


def test_trim_frees_the_rounds_of_later_samples():
    hist = _history()
    hist.trim(1)
    assert all(played.max(initial=-1) < 2 for played, _ in hist._rounds)


def test_a_traced_history_stores_the_first_samples_rounds_only():
    x0 = np.arange(12.0).reshape(2, 3, 2)
    hist = History({"position": x0}, trace=1)
    hist.record(np.array([0, 1, 2, 3]), {"position": to_lanes(x0) + 100})
    hist.record(np.array([1, 3]), {"position": to_lanes(x0)[[1, 3]] + 200})
    np.testing.assert_array_equal(hist.unroll("position", np.array([0])), _history_rounds(2)[[0]])
    np.testing.assert_array_equal(hist.latest("position")[3], to_lanes(x0)[3] + 200)
    assert [played.tolist() for played, _ in hist._rounds] == [[0, 1], [1]]


def _history_rounds(n_rounds: int) -> np.ndarray:
    x0 = np.arange(12.0).reshape(2, 3, 2)
    hist = History({"position": x0})
    hist.record(np.array([0, 1, 2, 3]), {"position": to_lanes(x0) + 100})
    hist.record(np.array([1, 3]), {"position": to_lanes(x0)[[1, 3]] + 200})
    return hist.unroll("position")[:, : n_rounds + 1]
