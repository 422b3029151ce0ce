import numpy as np

import summitry
from summitry.analysis.deal import deal_analysis


def scenario(veto_position: float, status_quo: float | None = 0):
    return summitry.Scenario.from_dict(
        {
            "name": "d",
            "issues": [{"id": "x", "scale": {"min": 0, "max": 10}, "status_quo": status_quo}],
            "actors": [
                {"id": "a", "capability": 1},
                {"id": "b", "capability": 1},
                {"id": "v", "capability": 1, "veto": ["x"]},
            ],
            "positions": {
                "a": {"x": {"position": 8, "salience": 1}},
                "b": {"x": {"position": 6, "salience": 1}},
                "v": {"x": {"position": veto_position, "salience": 1}},
            },
        }
    ).to_arrays()


def test_veto_player_at_the_status_quo_blocks_every_change():
    inputs = scenario(veto_position=0)
    result = deal_analysis(inputs, np.array([[0.5]]))
    assert result.p_deal == 0.0
    assert not result.possible.any()
    assert result.top_blocker() == "v"


def test_veto_player_that_gains_accepts():
    inputs = scenario(veto_position=7)
    result = deal_analysis(inputs, np.array([[0.7]]))
    assert result.p_deal == 1.0 and result.blocking_share() == {}


def test_forecast_the_veto_player_rejects_is_no_deal_even_when_a_deal_exists():
    inputs = scenario(veto_position=2)  # v gains only from outcomes below 4
    result = deal_analysis(inputs, np.array([[0.6]]))
    assert result.possible.all()
    assert result.p_deal == 0.0 and result.top_blocker() == "v"
    assert deal_analysis(inputs, np.array([[0.3]])).p_deal == 1.0


def test_status_quo_forecast_is_no_deal():
    inputs = scenario(veto_position=7)
    assert deal_analysis(inputs, inputs.status_quo.copy()).p_deal == 0.0


def test_no_status_quo_gives_none():
    assert deal_analysis(scenario(7, status_quo=None), np.array([[0.5]])) is None


def test_forecast_json_carries_p_deal():
    sc = summitry.load("korea-singapore-2018")
    record = summitry.forecast(sc, ["compromise", "nash"], seed=0).to_dict()
    assert set(record["p_deal"]) == {"compromise", "nash"}
    assert 0.0 <= record["p_deal"]["nash"]["p_deal"] <= 1.0
    assert summitry.forecast(summitry.load("ec-example"), seed=0).to_dict()["p_deal"] is None
