"""A forecast of many samples keeps every round for the first samples only."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from summitry.analysis.uncertainty import sample
from summitry.errors import ParameterError
from summitry.io import load
from summitry.models import ExchangeModel, ExpectedUtility, SpatialModel
from summitry.scenarios import example_path as scenario_path

forecast_module = importlib.import_module("summitry.forecast")


@pytest.fixture(scope="module")
def inputs():
    return sample(load(scenario_path("korea-hanoi-2019")), 12, seed=5)


@pytest.mark.parametrize("model", [ExpectedUtility(), SpatialModel(), ExchangeModel()])
def test_position_of_one_sample_equals_the_full_array(inputs, model):
    traj = model.run(inputs)
    again = model.run(inputs)
    full = again.position
    for s in (0, 7, -1):
        np.testing.assert_array_equal(traj.position_of(s), full[s])
    for name in traj.extras:
        np.testing.assert_array_equal(traj.extra_of(name, 3), again.extras[name][3])
    with pytest.raises(IndexError, match="out of range for 12 samples"):
        traj.position_of(12)


@pytest.mark.parametrize("model", [ExpectedUtility(), SpatialModel(), ExchangeModel()])
def test_trim_keeps_outcomes_and_the_first_samples(inputs, model):
    full = model.run(inputs)
    traj = model.run(inputs)
    traj.trim(4)
    np.testing.assert_array_equal(traj.outcome, full.outcome)
    np.testing.assert_array_equal(traj.stop_round, full.stop_round)
    np.testing.assert_array_equal(traj.position_of(3), full.position[3])
    with pytest.raises(ValueError, match="first 4 samples only"):
        traj.position_of(4)
    with pytest.raises(ValueError, match="first 4 samples only"):
        _ = traj.position


def test_a_large_forecast_traces_its_analysis_draws(monkeypatch):
    monkeypatch.setattr(forecast_module, "KEEP_FINAL_FROM", 10)
    monkeypatch.setattr(forecast_module, "ANALYSIS_DRAWS", 6)
    scenario = load(scenario_path("korea-hanoi-2019"))
    fc = forecast_module.forecast(scenario, ["eum"], samples=12, seed=5)
    rows = list(fc.trace_rows("eum", sample=5))
    assert rows and rows[0]["round"] == 0
    with pytest.raises(ValueError, match="first 6 samples only"):
        list(fc.trace_rows("eum", sample=6))


@pytest.mark.parametrize("stop", ["eps", "median"])
def test_eum_traces_some_samples_where_no_cycle_is_looked_for(inputs, stop):
    full = ExpectedUtility(stop=stop, max_rounds=20).run(inputs)
    lean = ExpectedUtility(stop=stop, max_rounds=20, trace=4, keep="final").run(inputs)
    np.testing.assert_array_equal(lean.outcome, full.outcome)
    np.testing.assert_array_equal(lean.stop_round, full.stop_round)
    np.testing.assert_array_equal(lean.position_of(3), full.position[3])
    with pytest.raises(ValueError, match="first 4 samples only"):
        lean.position_of(4)


def test_eum_trace_has_no_effect_under_the_cycle_rule(inputs):
    traj = ExpectedUtility(trace=2).run(inputs)
    np.testing.assert_array_equal(traj.position_of(9), ExpectedUtility().run(inputs).position[9])


def test_smp_traces_some_samples(inputs):
    full = SpatialModel().run(inputs)
    lean = SpatialModel(trace=4).run(inputs)
    np.testing.assert_array_equal(lean.outcome, full.outcome)
    np.testing.assert_array_equal(lean.stop_round, full.stop_round)
    np.testing.assert_array_equal(lean.position_of(3), full.position[3])
    np.testing.assert_array_equal(
        lean.extra_of("risk_attitude", 3), full.extras["risk_attitude"][3]
    )
    with pytest.raises(ValueError, match="first 4 samples only"):
        lean.position_of(4)


@pytest.mark.parametrize("model", [ExpectedUtility, SpatialModel])
@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_trace_keeps_at_least_the_first_sample(inputs, model, bad):
    with pytest.raises(ParameterError, match="'trace' parameter .* None or an integer >= 1"):
        model(trace=bad).run(inputs)
