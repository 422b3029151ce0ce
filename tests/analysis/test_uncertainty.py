import numpy as np
import pytest

import summitry
from summitry.analysis.uncertainty import BLOCK, sample, spread
from summitry.errors import ParameterError

BASE = {
    "name": "u",
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 10}},
        {"id": "y", "scale": {"min": -5, "max": 5}},
    ],
    "actors": [
        {"id": "a", "capability": 1.0, "capability_sd": 0.5},
        {"id": "b", "capability": 2.0},
        {"id": "c", "capability": 1.0},
    ],
    "positions": {
        "a": {
            "x": {"position": 2, "salience": 0.5, "position_sd": 1.0},
            "y": {"position": 0, "salience": 1},
        },
        "b": {"x": {"position": 8, "salience": 1.0, "salience_sd": 0.2}},
        "c": {"x": {"position": 5, "salience": 0.3}, "y": {"position": 4, "salience": 0.4}},
    },
    "uncertainty": {"position": 0.1, "salience": 0.05, "capability": 0.1},
}


def scenario(**changes):
    return summitry.Scenario.from_dict({**BASE, **changes})


def test_spread_uses_own_values_then_defaults_in_normalised_units():
    sd = spread(scenario())
    assert sd.position[0, 0] == pytest.approx(0.1)  # 1.0 on a 0-10 scale
    assert sd.position[2, 1] == pytest.approx(0.1)  # default: 10 % of the width
    assert sd.position[1, 1] == 0.0  # b takes no part in y
    assert sd.salience[1, 0] == pytest.approx(0.2)
    assert sd.salience[0, 0] == pytest.approx(0.05)
    assert sd.capability.tolist() == pytest.approx([0.5, 0.2, 0.1])


def test_draws_stay_in_range_and_spread_as_asked():
    inputs = sample(scenario(), 20000, seed=3)
    assert inputs.n_samples == 20000
    assert np.all((inputs.position >= 0) & (inputs.position <= 1))
    assert np.all((inputs.salience >= 0) & (inputs.salience <= 1))
    assert np.all(inputs.capability >= 0)
    # far from the bounds, the truncated normal is the normal
    assert inputs.position[:, 2, 0].std() == pytest.approx(0.1, rel=0.05)
    assert inputs.position[:, 2, 0].mean() == pytest.approx(0.5, abs=0.01)
    # an absent actor is never drawn
    assert np.all(inputs.salience[:, 1, 1] == 0)


def test_same_seed_same_draws_and_blocks_are_independent_of_batch_size():
    a = sample(scenario(), 2 * BLOCK + 5, seed=11)
    b = sample(scenario(), 2 * BLOCK + 5, seed=11)
    c = sample(scenario(), BLOCK + 1, seed=11)
    assert np.array_equal(a.position, b.position)
    assert np.array_equal(a.position[: BLOCK + 1], c.position)
    assert not np.array_equal(sample(scenario(), 10, seed=12).position, a.position[:10])


def test_exact_scenario_and_single_sample_are_not_drawn():
    exact = scenario(uncertainty={}, actors=[{**a, "capability_sd": None} for a in BASE["actors"]])
    positions = {
        k: {i: {"position": v["position"], "salience": v["salience"]} for i, v in st.items()}
        for k, st in BASE["positions"].items()
    }
    exact = summitry.Scenario.from_dict({**exact.model_dump(), "positions": positions})
    assert np.array_equal(sample(exact, 50, seed=1).position[7], exact.to_arrays().position[0])
    one = sample(scenario(), 1, seed=1)
    assert np.array_equal(one.position, scenario().to_arrays().position)


def test_bad_sample_count_is_a_parameter_error():
    with pytest.raises(ParameterError, match="samples"):
        sample(scenario(), 0)


def test_forecast_with_samples_reports_medians_and_intervals_reproducibly():
    sc = scenario()
    first = summitry.forecast(sc, ["compromise", "median"], seed=5, samples=400)
    again = summitry.forecast(sc, ["compromise", "median"], seed=5, samples=400)
    assert first.to_dict() == again.to_dict()
    cell = first.to_dict()["issues"][0]["forecasts"]["compromise"]
    lo, hi = cell["interval"]
    assert lo < cell["outcome"] < hi
    assert first.n_samples == 400
    other = summitry.forecast(sc, ["compromise"], seed=6, samples=400)
    assert other.to_dict()["issues"][0]["forecasts"]["compromise"]["outcome"] != cell["outcome"]


def test_uncertainty_fields_are_validated():
    bad = {**BASE, "uncertainty": {"position": -0.1}}
    with pytest.raises(summitry.ScenarioError, match="uncertainty.position"):
        summitry.Scenario.from_dict(bad)
