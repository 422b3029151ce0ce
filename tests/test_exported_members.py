import summitry


def test_public_api_is_pinned():
    assert summitry.__all__ == [
        "MODELS",
        "Compromise",
        "ExpectedUtility",
        "Forecast",
        "Inputs",
        "Model",
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
    assert set(outcomes) == set(summitry.MODELS)
    assert 4 <= outcomes["compromise"]["emissions"] <= 10
    assert round(outcomes["compromise"]["emissions"], 2) == 7.39
