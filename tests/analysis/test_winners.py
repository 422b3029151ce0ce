import numpy as np
import pytest

import summitry
from summitry.analysis.winners import utility, winners
from summitry.errors import ParameterError

SCENARIO = {
    "name": "w",
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 10}, "status_quo": 0},
        {"id": "y", "scale": {"min": 0, "max": 10}},
    ],
    "actors": [{"id": "a", "capability": 1}, {"id": "b", "capability": 1}],
    "positions": {
        "a": {"x": {"position": 0, "salience": 1}, "y": {"position": 0, "salience": 1}},
        "b": {"x": {"position": 10, "salience": 0.5}, "y": {"position": 10, "salience": 1}},
    },
}


def test_utility_is_minus_salience_weighted_distance():
    inputs = summitry.Scenario.from_dict(SCENARIO).to_arrays()
    u = utility(inputs, np.array([[0.5, 0.5]]))
    assert u.tolist() == [[-1.0, -0.75]]
    assert utility(inputs, np.array([[0.5, 0.5]]), "quadratic").tolist() == [[-0.5, -0.375]]
    with pytest.raises(ParameterError):
        utility(inputs, np.zeros((1, 2)), "cubic")


def test_winner_gains_loser_loses_and_issue_without_status_quo_is_left_out():
    inputs = summitry.Scenario.from_dict(SCENARIO).to_arrays()
    w = winners(inputs, np.array([[0.4, 0.9]]))
    assert w.issues == ("x",)
    assert w.change[0].tolist() == pytest.approx([-0.4, 0.5 * 0.4])
    ranked = w.summary()
    assert [r[0] for r in ranked] == ["b", "a"]
    assert w.share_winning() == {"a": 0.0, "b": 1.0}


def test_no_status_quo_anywhere_scores_nothing():
    data = {**SCENARIO, "issues": [{**i, "status_quo": None} for i in SCENARIO["issues"]]}
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    w = winners(inputs, np.array([[0.4, 0.9]]))
    assert w.issues == () and np.all(w.change == 0)


def test_status_quo_forecast_has_no_winner():
    inputs = summitry.Scenario.from_dict(SCENARIO).to_arrays()
    w = winners(inputs, inputs.status_quo.copy())
    assert np.all(w.change == 0)
