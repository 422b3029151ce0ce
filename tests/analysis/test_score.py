import json

import pytest

import summitry
from summitry.analysis import COMPROMISE_MEAN, NOTHING_CHANGES, score_scenario
from summitry.analysis.score import Score, score_forecast, scored_step

# Two actors, two issues. With one sample the forecasts are, by hand:
#   compromise (capability x salience weighted mean):
#     tariff (60*1*20 + 40*0.5*70) / (60*1 + 40*0.5) = 2600 / 80 = 32.5
#     quota  (60*0.5*8 + 40*1*3)  / (60*0.5 + 40*1) = 360 / 70  = 5.142857...
#   median (weighted median): tariff 20 (weight 60 of 80), quota 3 (weight 40 of 70)
# No actor holds a veto, so every forecast that moves off the status quo is a deal.
RECORDED = {"tariff": 40.0, "quota": 4.0}


def tiny(*, deal=True, issues=None, quota_status_quo=2, events=(), date="2020-05-01", veto=()):
    data = {
        "name": "tiny",
        "issues": [
            {"id": "tariff", "scale": {"min": 0, "max": 100}, "status_quo": 10},
            {"id": "quota", "scale": {"min": 0, "max": 10}, "status_quo": quota_status_quo},
        ],
        "actors": [
            {"id": "a", "capability": 60},
            {"id": "b", "capability": 40, "veto": list(veto)},
        ],
        "positions": {
            "a": {
                "tariff": {"position": 20, "salience": 1.0},
                "quota": {"position": 8, "salience": 0.5},
            },
            "b": {
                "tariff": {"position": 70, "salience": 0.5},
                "quota": {"position": 3, "salience": 1.0},
            },
        },
        "events": list(events),
    }
    if deal is not None:
        recorded = RECORDED if issues is None else {k: RECORDED[k] for k in issues}
        data["outcome"] = {
            "deal": deal,
            "date": date,
            "source": "Test gazette",
            "issues": {k: {"value": v} for k, v in recorded.items()},
        }
    return summitry.Scenario.from_dict(data)


TWO_EVENTS = [
    {
        "id": "soften",
        "date": "2020-03",
        "label": "a softens",
        "changes": [{"kind": "position", "actor": "a", "issue": "tariff", "to": 30}],
    },
    {
        "id": "harden",
        "date": "2020-06-10",
        "label": "b hardens",
        "changes": [{"kind": "position", "actor": "b", "issue": "tariff", "to": 90}],
    },
]


def test_errors_mae_and_brier_by_hand():
    result = score_scenario(tiny(), ["compromise", "median"], samples=3, seed=1)
    assert [r.name for r in result.rows] == [
        "compromise",
        "median",
        NOTHING_CHANGES,
        COMPROMISE_MEAN,
    ]
    assert [r.kind for r in result.rows] == ["model", "model", "baseline", "baseline"]
    assert result.issues == ("tariff", "quota")

    compromise = result.row("compromise")
    assert compromise.forecast["tariff"] == pytest.approx(32.5)
    assert compromise.errors["tariff"] == pytest.approx(7.5)
    assert compromise.errors["quota"] == pytest.approx(8 / 7)  # |36/7 - 4|
    assert compromise.mae == pytest.approx((7.5 + 8 / 7) / 2)
    assert compromise.p_deal == 1.0 and compromise.brier == 0.0

    median = result.row("median")
    assert dict(median.errors) == pytest.approx({"tariff": 20.0, "quota": 1.0})
    assert median.mae == pytest.approx(10.5)
    assert median.brier == 0.0


def test_baselines_rows():
    result = score_scenario(tiny(), ["median"], samples=2, seed=0)
    nothing = result.row(NOTHING_CHANGES)
    assert dict(nothing.forecast) == {"tariff": 10.0, "quota": 2.0}
    assert dict(nothing.errors) == {"tariff": 30.0, "quota": 2.0}
    assert nothing.mae == 16.0
    assert nothing.p_deal == 0.0 and nothing.brier == 1.0  # a deal was made
    # the compromise model ran for its baseline although only median was chosen
    mean = result.row(COMPROMISE_MEAN)
    assert mean.forecast["tariff"] == pytest.approx(32.5)
    assert mean.mae == pytest.approx((7.5 + 8 / 7) / 2)
    assert mean.p_deal == 1.0
    assert [r.name for r in result.rows if r.kind == "model"] == ["median"]


def test_no_deal_turns_the_brier_scores_round():
    result = score_scenario(tiny(deal=False), ["compromise"], samples=1)
    assert result.row("compromise").brier == 1.0
    assert result.row(NOTHING_CHANGES).brier == 0.0
    assert result.row(COMPROMISE_MEAN).brier == 1.0


def test_veto_player_hurt_by_every_move_gives_p_deal_zero():
    # b at the status quo of both issues, with a veto on the tariff: nothing is a deal
    scenario = tiny(veto=["tariff"]).model_dump(mode="json")
    scenario["positions"]["b"] = {
        "tariff": {"position": 10, "salience": 0.5},
        "quota": {"position": 2, "salience": 1.0},
    }
    result = score_scenario(summitry.Scenario.model_validate(scenario), ["median"])
    assert result.row("median").p_deal == 0.0
    assert result.row("median").brier == 1.0
    assert result.row(COMPROMISE_MEAN).brier == 1.0
    # with no deal in any draw the settled forecast is the status quo
    nothing = result.row(NOTHING_CHANGES).mae
    assert result.row("median").mae_settled == pytest.approx(nothing)
    assert result.row("median").mae != pytest.approx(nothing)


def test_brier_of_a_fractional_p_deal():
    data = tiny(veto=["tariff"]).model_dump(mode="json")
    data["positions"]["b"]["tariff"]["position"] = 14
    data["uncertainty"] = {"position": 0.1}
    scenario = summitry.Scenario.model_validate(data)
    result = score_scenario(scenario, ["median"], samples=40, seed=3)
    p = summitry.forecast(scenario, ["median"], samples=40, seed=3).deal_dict()["median"]["p_deal"]
    assert 0 < p < 1
    assert result.row("median").p_deal == p
    assert result.row("median").brier == pytest.approx((p - 1) ** 2)


def test_only_recorded_issues_are_scored():
    result = score_scenario(tiny(issues=["quota"]), ["median"])
    assert result.issues == ("quota",)
    assert dict(result.row("median").errors) == {"quota": 1.0}
    assert result.row("median").mae == 1.0


def test_score_forecast_uses_the_chosen_compromise_run():
    run = summitry.forecast(tiny(), ["compromise", "median"], seed=2, samples=2)
    result = score_forecast(run)
    assert result.input_sha256 == run.input_sha256 and result.seed == 2 and result.samples == 2
    assert result.row(COMPROMISE_MEAN).errors == result.row("compromise").errors
    assert result.step is None


def test_no_outcome_is_a_scenario_error_at_outcome():
    with pytest.raises(summitry.ScenarioError) as info:
        score_scenario(tiny(deal=None), ["median"])
    assert info.value.location == "outcome"
    assert "no outcome" in str(info.value)


def test_missing_status_quo_is_a_scenario_error():
    with pytest.raises(summitry.ScenarioError) as info:
        score_scenario(tiny(quota_status_quo=None), ["median"])
    assert info.value.location == "issues[1].status_quo"
    assert "'quota' has no status quo" in str(info.value)


def test_record_is_json_ready_and_complete():
    result = score_scenario(tiny(), ["compromise", "median"], seed=5)
    assert isinstance(result, Score)
    record = result.to_dict()
    assert list(record) == [
        "scenario", "input_sha256", "seed", "samples", "summitry_version", "step", "outcome",
        "issues", "rows",
    ]  # fmt: skip
    assert record["step"] is None and record["seed"] == 5
    assert record["input_sha256"] == tiny().digest()
    assert record["outcome"]["deal"] is True and record["outcome"]["source"] == "Test gazette"
    assert record["issues"][0] == {"id": "tariff", "scale": [0.0, 100.0], "recorded": 40.0}
    assert json.loads(json.dumps(record)) == record
    row = record["rows"][0]
    assert list(row) == [
        "name",
        "kind",
        "forecast",
        "errors",
        "mae",
        "mae_settled",
        "p_deal",
        "brier",
    ]


# -- timeline step ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "index"),
    [
        ("2020-02-28", 0),  # before both events: the scenario as written
        ("2020-03", 0),  # the first event's month may end after the outcome's first day
        ("2020-04", 1),  # after the first event, before the second
        ("2020-05-01", 1),
        ("2020-06", 1),  # the second event (June 10) may come after the outcome
        ("2020-06-10", 2),  # on the day of the second event: counted
        ("2021", 2),
    ],
)
def test_scored_step_is_the_last_event_on_or_before_the_outcome(date, index):
    step = scored_step(tiny(events=TWO_EVENTS, date=date))
    assert step.index == index and step.count == 3
    assert step.date == ["", "2020-03", "2020-06-10"][index]


def test_a_day_the_calendar_lacks_is_a_scenario_error():
    with pytest.raises(summitry.ScenarioError) as info:
        scored_step(tiny(events=TWO_EVENTS, date="2020-02-30"))
    assert info.value.location == "outcome.date"


def test_timeline_scenario_is_scored_after_the_chosen_event():
    scenario = tiny(events=TWO_EVENTS)
    result = score_scenario(scenario, ["compromise"])
    assert result.step.index == 1 and result.step.label == "a softens"
    # after "a softens": (60*1*30 + 40*0.5*70) / 80 = 40, the recorded value
    assert result.row("compromise").errors["tariff"] == pytest.approx(0.0)
    assert result.input_sha256 == scenario.digest()
    step = result.to_dict()["step"]
    assert step["events"] == ["soften"] and step["date"] == "2020-03"
    assert step["input_sha256"] != scenario.digest()


def test_scenario_without_events_has_no_step():
    assert scored_step(tiny()) is None
