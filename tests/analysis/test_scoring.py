"""Scoring rules against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from summitry.analysis import scoring

P = [0.9, 0.2, 0.6, 0.1]
OUTCOMES = [1, 0, 0, 1]


def test_brier_by_hand():
    # (0.1)^2 + (0.2)^2 + (0.6)^2 + (0.9)^2 = 0.01 + 0.04 + 0.36 + 0.81 = 1.22; / 4
    assert scoring.brier(P, OUTCOMES) == pytest.approx(0.305)
    assert scoring.brier_each([0.5, 0.5], [0, 1]).tolist() == pytest.approx([0.25, 0.25])
    assert scoring.brier([1.0, 0.0], [0, 1]) == pytest.approx(1.0)


def test_log_score_by_hand():
    # -(ln 0.9 + ln 0.8 + ln 0.4 + ln 0.1) / 4
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.1)) / 4
    assert scoring.log_score(P, OUTCOMES) == pytest.approx(expected)
    assert expected == pytest.approx(0.8868, abs=1e-4)


def test_log_score_clips_certain_and_wrong_forecasts():
    each = scoring.log_score_each([0.0, 1.0, 1.0, 0.0], [1, 0, 1, 0])
    assert each.tolist() == pytest.approx([-math.log(1e-6)] * 2 + [-math.log(1 - 1e-6)] * 2)
    assert each[0] == pytest.approx(13.8155, abs=1e-4)


def test_murphy_by_hand():
    p, o = [0.9, 0.15, 0.6, 0.1], [1, 0, 0, 1]
    m = scoring.murphy(p, o)  # five bins of width 0.2
    # bin 0: {0.15, 0.1}, mean 0.125, events 1/2; bin 3: {0.6}, none; bin 4: {0.9}, all
    assert m.reliability == pytest.approx((2 * 0.375**2 + 0.6**2 + 0.1**2) / 4)  # 0.1628125
    assert m.resolution == pytest.approx((2 * 0 + 0.5**2 + 0.5**2) / 4)  # 0.125
    assert m.uncertainty == pytest.approx(0.25)
    assert m.brier == pytest.approx((0.1**2 + 0.15**2 + 0.6**2 + 0.9**2) / 4)  # 0.300625
    # the within-bin term: only bin 0 holds unequal forecasts
    assert m.within == pytest.approx(0.300625 - (0.1628125 - 0.125 + 0.25))
    assert m.brier == pytest.approx(m.reliability - m.resolution + m.uncertainty + m.within)


def test_murphy_is_exact_when_each_bin_holds_one_value():
    p = np.array([0.1, 0.1, 0.7, 0.7, 0.7])
    o = np.array([0, 1, 1, 1, 0])
    m = scoring.murphy(p, o)
    assert m.within == pytest.approx(0.0, abs=1e-12)
    # reliability: (2 * 0.4^2 + 3 * (0.7 - 2/3)^2) / 5; resolution: (2 * 0.1^2 + 3 * (1/15)^2) / 5
    assert m.reliability == pytest.approx((2 * 0.16 + 3 * (0.7 - 2 / 3) ** 2) / 5)
    assert m.resolution == pytest.approx((2 * (0.5 - 0.6) ** 2 + 3 * (2 / 3 - 0.6) ** 2) / 5)
    assert m.uncertainty == pytest.approx(0.24)


def test_reliability_bins_count_and_average():
    bins = scoring.reliability_bins([0.05, 0.15, 0.5, 1.0, 0.99], [0, 1, 1, 1, 0], bins=5)
    assert [b.count for b in bins] == [2, 0, 1, 0, 2]
    assert bins[0].predicted == pytest.approx(0.1) and bins[0].observed == pytest.approx(0.5)
    assert math.isnan(bins[1].predicted) and math.isnan(bins[1].observed)
    assert bins[4].predicted == pytest.approx(0.995) and bins[4].observed == pytest.approx(0.5)
    assert (bins[4].lo, bins[4].hi) == (0.8, 1.0)


def test_sharpness_is_the_variance_of_the_forecasts():
    assert scoring.sharpness([0.5, 0.5, 0.5]) == 0.0
    assert scoring.sharpness([0.0, 1.0]) == pytest.approx(0.25)


def test_absolute_error_on_a_0_100_scale():
    assert scoring.absolute_error(4, 7, (0, 10)) == pytest.approx(30.0)
    assert scoring.absolute_error(-1, 1, (-2, 2)) == pytest.approx(50.0)


def test_empty_and_bad_input():
    assert math.isnan(scoring.brier([], []))
    assert math.isnan(scoring.murphy([], []).brier)
    with pytest.raises(ValueError, match="probabilities"):
        scoring.brier([1.2], [1])
    with pytest.raises(ValueError, match="0 or 1"):
        scoring.brier([0.2], [0.5])
    with pytest.raises(ValueError, match="same length"):
        scoring.brier([0.2, 0.3], [1])
