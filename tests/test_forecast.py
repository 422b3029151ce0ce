import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from summitry.errors import ParameterError
from summitry.forecast import Forecast, forecast
from summitry.models import MODELS, ExpectedUtility
from summitry.report import to_json, trace_csv
from summitry.scenario import Scenario
from summitry.trajectory import Stop

DATA = Path(__file__).parent / "data"
# The small fixtures leave an issue without a status quo, so by default the models that
# bargain from it (needs_status_quo) are left out.
RUNNABLE = [name for name, cls in MODELS.items() if not cls.needs_status_quo]


@pytest.fixture
def scenario() -> Scenario:
    text = (DATA / "cli-small.yaml").read_text()
    return Scenario.from_dict(yaml.safe_load(text), file="cli-small.yaml")


def test_default_runs_every_model_in_registry_order(scenario):
    fc = forecast(scenario)
    assert list(fc.trajectories) == RUNNABLE
    assert list(fc.models) == RUNNABLE
    assert fc.seed == 0
    assert fc.input_sha256 == scenario.digest()
    assert fc.n_samples == 1


def test_outcomes_are_on_each_issue_scale(scenario):
    outcomes = forecast(scenario).outcomes()
    for issue in scenario.issues:
        for per_model in outcomes.values():
            assert issue.scale.min <= per_model[issue.id] <= issue.scale.max
    # compromise: capability x salience weighted mean, on the 0-100 scale
    c = {"us": 100, "nk": 20, "cn": 60, "kr": 30}
    w = {a: c[a] * scenario.positions[a]["sanctions"].salience for a in c}
    mean = sum(w[a] * scenario.positions[a]["sanctions"].position for a in c) / sum(w.values())
    assert outcomes["compromise"]["sanctions"] == pytest.approx(mean)


def test_to_dict_has_the_documented_keys(scenario):
    data = forecast(scenario).to_dict()
    for key in ("scenario", "input_sha256", "seed", "summitry_version", "models", "issues"):
        assert key in data
    assert "created" not in data
    assert data["scenario"] == "cli-small"
    assert data["models"]["eum"]["params"]["max_rounds"] == 100
    first, second = data["issues"]
    assert first["id"] == "sanctions" and first["scale"] == [0.0, 100.0]
    assert first["status_quo"] == 10.0
    assert second["status_quo"] is None
    assert set(first["forecasts"]) == set(RUNNABLE)
    entry = first["forecasts"]["compromise"]
    assert set(entry) == {"outcome", "interval", "stop", "rounds", "cycle_length"}
    assert entry["stop"] == "closed form"
    assert {f["stop"] for f in first["forecasts"].values()} <= {s.label for s in Stop}


def test_json_is_identical_for_the_same_input_and_seed(scenario):
    one, two = to_json(forecast(scenario, seed=3)), to_json(forecast(scenario, seed=3))
    assert one == two
    assert json.loads(one)["seed"] == 3
    assert "created" in forecast(scenario).to_dict(created=True)


def test_model_objects_and_fixed_rounds(scenario):
    fc = forecast(scenario, [ExpectedUtility(max_rounds=7), "median"], rounds=3)
    assert list(fc.trajectories) == ["eum", "median"]
    assert fc.trajectory("eum").n_rounds == 3
    stop = fc.stops()["eum"]["sanctions"]
    assert (stop.stop, stop.rounds, stop.label) == (Stop.FIXED_ROUNDS, 3, "fixed rounds r3")
    assert fc.to_dict()["models"]["eum"]["params"]["max_rounds"] == 7


def test_a_summary_cycle_length_is_that_of_the_draws_that_cycled():
    from summitry import load

    fc = forecast(load("korea-hanoi-2019"), ["eum"], samples=100, seed=2)
    traj = fc.trajectory("eum")
    for k, issue in enumerate(traj.inputs.issues):
        lengths = traj.cycle_length[:, k]
        summary = fc.stops()["eum"][issue]
        if (lengths > 0).any():
            assert summary.cycle_length >= lengths[lengths > 0].min() > 0
        else:
            assert summary.cycle_length == 0
        if summary.stop is Stop.CYCLE:
            assert f"cycle({summary.cycle_length})" in summary.label
    some = traj.cycle_length[:, list(traj.inputs.issues).index("exercises")]
    assert (some == 0).sum() > (some > 0).sum()  # the median of all draws would be 0


@pytest.mark.parametrize(
    "models, words",
    [(["nope"], "unknown model 'nope'"), (["eum", "eum"], "more than once"), ([], "no model")],
)
def test_bad_model_choices(scenario, models, words):
    with pytest.raises(ParameterError, match=words):
        forecast(scenario, models)


def test_bad_seed(scenario):
    with pytest.raises(ParameterError, match="seed"):
        forecast(scenario, seed=-1)


def test_unknown_model_in_forecast_lists_what_it_has(scenario):
    fc = forecast(scenario, ["median"])
    with pytest.raises(ParameterError, match="median"):
        fc.trajectory("eum")


def test_trace_rows_skip_absent_actors_and_start_from_the_input(scenario):
    fc = forecast(scenario, ["eum"], rounds=2)
    rows = list(fc.trace_rows("eum"))
    present = 4 + 3  # kr takes no part in inspections
    assert len(rows) == 3 * present
    assert not any(r["actor"] == "kr" and r["issue"] == "inspections" for r in rows)
    assert list(rows[0]) == ["round", "actor", "issue", "position", "risk_exponent"]
    start = {(r["actor"], r["issue"]): r["position"] for r in rows if r["round"] == 0}
    for actor, stances in scenario.positions.items():
        for issue, stance in stances.items():
            assert start[actor, issue] == pytest.approx(stance.position)


def test_trace_csv_round_trips_floats(scenario):
    fc = forecast(scenario, ["eum"], rounds=4)
    text = trace_csv(fc, "eum")
    table = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == "round,actor,issue,position,risk_exponent"
    assert [float(r["position"]) for r in table] == [r["position"] for r in fc.trace_rows("eum")]


def test_forecast_keeps_the_sample_axis(scenario):
    # S > 1 identical samples summarise to the single-sample forecast.
    single = forecast(scenario)
    inputs = scenario.to_arrays().repeat(3)
    models = {name: MODELS[name]() for name in RUNNABLE}
    batch = Forecast(
        scenario=scenario,
        models=models,
        trajectories={n: m.run(inputs, rng=0) for n, m in models.items()},
        seed=0,
        input_sha256=scenario.digest(),
        summitry_version=single.summitry_version,
    )
    assert batch.n_samples == 3
    assert batch.stops() == single.stops()
    for name, per_issue in single.outcomes().items():
        assert batch.outcomes()[name] == pytest.approx(per_issue)
    assert list(batch.trace_rows("eum", sample=2)) == list(single.trace_rows("eum"))
    assert np.shape(batch.trajectory("eum").outcome) == (3, 2)


def test_a_large_batch_finds_reasons_and_miscalculation_on_a_subsample(monkeypatch):
    import importlib

    from summitry import load
    from summitry.analysis.deal import deal_draws

    fc = importlib.import_module("summitry.forecast")

    monkeypatch.setattr(fc, "ANALYSIS_DRAWS", 6)
    result = fc.forecast(load("korea-hanoi-2019"), ["compromise", "eum"], samples=15, seed=3)
    rows = result.analysis_rows
    assert rows is not None and list(rows) == list(range(6))
    misc = result.miscalculations["eum"]
    assert misc.own.shape[1] == 6 and misc.actual.shape == (6, 5)
    inputs = result.trajectory("eum").inputs
    for name, deal in result.deal_results.items():
        assert deal.deal.shape == (15,) and deal.reason.shape == (6,) and deal.n_analysed == 6
        every = deal_draws(inputs, result.trajectory(name).outcome)
        assert deal.p_deal == pytest.approx(every.mean())
        shares = sum(r["share"] for r in deal.reasons().values())
        assert shares == pytest.approx(1 - deal.deal[rows].mean())
    record = result.to_dict()
    assert record["analysis_draws"] == 6
    assert all(d["reasons_draws"] == 6 for d in record["p_deal"].values())
    small = fc.forecast(load("korea-hanoi-2019"), ["compromise"], samples=6, seed=3)
    assert small.analysis_rows is None and "analysis_draws" not in small.to_dict()
