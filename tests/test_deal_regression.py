"""A scenario without deal terms gives exactly the forecasts it gave before they existed."""

import json
from pathlib import Path

import pytest

from summitry.forecast import forecast
from summitry.io import load

DATA = Path(__file__).parent / "data" / "regression"
NAMES = ["ec-example", "korea-singapore-2018", "korea-hanoi-2019"]
OLD_DEAL_KEYS = ("p_deal", "possible", "blocking", "top_blocker")


@pytest.mark.parametrize("name", NAMES)
def test_forecast_without_terms_is_unchanged(name: str) -> None:
    expected = json.loads((DATA / f"{name}.forecast.json").read_text())
    record = forecast(load(DATA / f"{name}.yaml"), samples=40, seed=7).to_dict()
    assert record["input_sha256"] == expected["input_sha256"]
    assert record["issues"] == expected["issues"]
    assert record["winners"] == expected["winners"]
    assert record["miscalculation"] == expected["miscalculation"]
    if expected["p_deal"] is None:
        assert record["p_deal"] is None
        return
    for model, old in expected["p_deal"].items():
        new = record["p_deal"][model]
        assert {k: new[k] for k in OLD_DEAL_KEYS} == old
        shares = sum(r["share"] for r in new["reasons"].values())
        assert shares == pytest.approx(1 - new["p_deal"])
