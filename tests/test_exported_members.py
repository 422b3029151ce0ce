import summitry


def test_public_api_is_pinned():
    assert summitry.__all__ == [
        "MODELS",
        "Compromise",
        "ExpectedUtility",
        "Forecast",
        "Inputs",
        "Model",
        "NashBargaining",
        "ParameterError",
        "Scenario",
        "ScenarioError",
        "Stop",
        "SummitryError",
        "Trajectory",
        "WeightedMedian",
        "forecast",
        "load",
    ]
    for name in summitry.__all__:
        assert getattr(summitry, name) is not None


def test_quickstart_from_the_docstring_runs():
    scenario = summitry.load("ec-example")
    result = summitry.forecast(scenario, seed=0)
    outcomes = result.outcomes()
    # ec-example has no status quo, so the models that bargain from one are left out
    expected = {n for n, m in summitry.MODELS.items() if not m.needs_status_quo}
    assert set(outcomes) == expected
    assert 4 <= outcomes["compromise"]["emissions"] <= 10
    assert round(outcomes["compromise"]["emissions"], 2) == 7.39
