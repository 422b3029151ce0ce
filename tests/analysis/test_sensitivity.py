import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry
from summitry.analysis.sensitivity import DEAL, DEFAULT_N, INDICES, Drivers, drivers
from summitry.cli import app
from summitry.errors import ParameterError
from summitry.models import Compromise
from summitry.report import drivers_table
from summitry.report.drivers_table import drivers_json, drivers_view


def tiny(**changes) -> summitry.Scenario:
    """One actor dominates (capability x salience 50 against 0.5 each for the others).

    ``mute`` has no salience on x, stated as exact; ``ghost`` has no capability.
    """
    data = {
        "name": "tiny",
        "issues": [
            {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 50},
            {"id": "y", "scale": {"min": 0, "max": 10}},
        ],
        "actors": [
            {"id": "boss", "capability": 50},
            {"id": "a", "capability": 1},
            {"id": "b", "capability": 1},
            {"id": "mute", "capability": 1},
            {"id": "ghost", "capability": 0},
        ],
        "positions": {
            "boss": {"x": {"position": 80, "salience": 1.0}, "y": {"position": 2, "salience": 1}},
            "a": {"x": {"position": 20, "salience": 0.5}, "y": {"position": 8, "salience": 0.5}},
            "b": {"x": {"position": 40, "salience": 0.5}, "y": {"position": 5, "salience": 0.5}},
            "mute": {
                "x": {"position": 0, "salience": 0, "salience_sd": 0},
                "y": {"position": 9, "salience": 0.5},
            },
            "ghost": {"x": {"position": 100, "salience": 0.9}},
        },
    }
    data.update(changes)
    return summitry.Scenario.from_dict(data)


@pytest.fixture(scope="module")
def tiny_sobol() -> Drivers:
    return drivers(tiny(), "compromise", n=128, seed=1)


@pytest.fixture(scope="module")
def hanoi() -> summitry.Scenario:
    return summitry.load("korea-hanoi-2019")


def test_dominant_actor_position_is_the_top_driver(tiny_sobol):
    for issue in ("x", "y"):
        assert tiny_sobol.top_driver(issue) == "boss.position"
        first, second = tiny_sobol.ranked(issue, top=2)
        assert first["ST"] > 0.8 > second["ST"]


def test_dominant_actor_tops_morris_too():
    result = drivers(tiny(), Compromise(), method="morris", n=16, seed=1)
    assert result.top_driver("x") == "boss.position"
    assert set(result.indices) == set(INDICES["morris"])


def test_inputs_without_weight_have_no_effect(tiny_sobol):
    x = tiny_sobol.issues.index("x")
    for group in ("mute.position", "ghost.position", "ghost.salience"):
        g = tiny_sobol.groups.index(group)
        assert tiny_sobol.indices["ST"][x, g] == 0.0
        assert tiny_sobol.indices["S1"][x, g] == 0.0
    # Exact inputs and empty ranges are held fixed, not varied.
    assert {"mute.salience.x", "ghost.capability"} <= set(tiny_sobol.fixed)
    assert "ghost.capability" not in tiny_sobol.groups


def test_same_seed_same_numbers_and_another_seed_differs():
    one = drivers(tiny(), n=64, seed=5).to_dict()
    two = drivers(tiny(), n=64, seed=5).to_dict()
    other = drivers(tiny(), n=64, seed=6).to_dict()
    assert json.dumps(one) == json.dumps(two)
    assert one["issues"] != other["issues"]


def test_indices_are_finite_with_intervals(hanoi):
    result = drivers(hanoi, n=64, seed=0)
    for name in INDICES["sobol"]:
        assert np.isfinite(result.indices[name]).all(), name
    assert (result.indices["ST_conf"] >= 0).all()
    assert not result.notes


def test_groups_per_actor_and_input_kind_and_the_cost(hanoi):
    n_actors = len(hanoi.actors)
    result = drivers(hanoi, n=16)
    assert len(result.groups) == 3 * n_actors
    assert result.groups[:3] == ("us.position", "us.salience", "us.capability")
    assert result.evaluations == 16 * (3 * n_actors + 2)
    assert result.indices["ST"].shape == (len(hanoi.issues), 3 * n_actors)
    assert len(drivers(hanoi, n=16, groups="actor").groups) == n_actors
    assert drivers(hanoi, n=16, groups="input").groups == ("position", "salience", "capability")
    morris = drivers(hanoi, method="morris", n=8, groups="actor")
    assert morris.evaluations == 8 * (n_actors + 1)


def test_ranges_follow_the_stated_uncertainty_or_the_defaults(hanoi, tiny_sobol):
    factors = {f.name: f for f in drivers(hanoi, n=4).factors}
    us = factors["us.position.denuclearization"]  # 95 +/- 2 x 10, clipped to the scale
    assert (us.low, us.value, us.high) == pytest.approx((75, 95, 100))
    cap = factors["us.capability"]  # 1.0 +/- 2 x 20 %
    assert (cap.low, cap.high) == pytest.approx((0.6, 1.4))
    assert len(factors) == 2 * 30 + 6
    mine = {f.name: f for f in tiny_sobol.factors}
    assert (mine["boss.position.x"].low, mine["boss.position.x"].high) == pytest.approx((70, 90))
    assert (mine["boss.position.y"].low, mine["boss.position.y"].high) == pytest.approx((1, 3))
    assert (mine["boss.salience.x"].low, mine["boss.salience.x"].high) == pytest.approx((0.9, 1))
    assert (mine["boss.capability"].low, mine["boss.capability"].high) == pytest.approx((40, 60))


def test_an_outcome_that_cannot_move_gets_zero_and_a_note():
    stances = {"x": {"position": 30, "salience": 1, "position_sd": 0}}
    scenario = tiny(
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}}],
        actors=[{"id": "solo", "capability": 1}, {"id": "idle", "capability": 1}],
        positions={"solo": stances},
    )
    result = drivers(scenario, n=8)
    assert "does not move" in result.notes["x"]
    assert (result.indices["ST"] == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"method": "fast"}, "method must be one of sobol, morris"),
        ({"n": 100}, "power of 2 (e.g. 64 or 128)"),
        ({"n": 2}, "from 4 to 1,000,000"),
        ({"groups": "issue"}, "groups must be one of"),
        ({"seed": -1}, "seed"),
        ({"model": "nope"}, "unknown model 'nope'"),
        ({"n": 2**19}, "one batch takes at most 1,000,000 runs"),
        ({"method": "morris", "n": 10**6}, "use fewer samples"),
    ],
)
def test_bad_parameters_raise_parameter_error(kwargs, words):
    with pytest.raises(ParameterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        drivers(tiny(), **kwargs)


def test_a_single_group_cannot_be_ranked():
    scenario = tiny(
        actors=[{"id": "solo", "capability": 1, "capability_sd": 0}],
        positions={"solo": {"x": {"position": 30, "salience": 1, "salience_sd": 0}}},
        issues=[{"id": "x", "scale": {"min": 0, "max": 100}}],
    )
    with pytest.raises(ParameterError, match="nothing to rank"):
        drivers(scenario, n=8)


def test_renderers_name_every_issue_and_json_round_trips(tiny_sobol):
    text = drivers_json(tiny_sobol)
    data = json.loads(text)
    assert data["method"] == "sobol" and data["rank_by"] == "ST"
    assert [i["id"] for i in data["issues"]] == ["x", "y"]
    assert data["issues"][0]["drivers"][0]["group"] == "boss.position"
    view = drivers_view(tiny_sobol, top=2)
    assert len(view.renderables) >= 5


runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["drivers", *args], env={"COLUMNS": "120"})


def test_cli_prints_the_top_driver_per_issue():
    result = invoke("korea-hanoi-2019", "--model", "compromise", "-n", "64", "--top", "3")
    assert result.exit_code == 0, result.output
    assert "denuclearization · moved most by dprk.position" in result.stdout
    assert "Sobol'" in result.stdout and "ST" in result.stdout and "S1" in result.stdout
    assert "64 base samples · 1280 evaluations" in result.stdout


def test_cli_json_is_the_record():
    result = invoke("korea-hanoi-2019", "--method", "morris", "-n", "8", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "morris" and data["n"] == 8
    assert DEFAULT_N["morris"] != data["n"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--model", "nope"), "unknown model 'nope'"),
        (("--method", "fast"), "method must be one of"),
        (("-n", "1000"), "power of 2"),
    ],
)
def test_cli_user_mistakes_exit_2_with_one_line(args, words):
    result = invoke("korea-hanoi-2019", *args)
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_the_example_in_the_docs_is_what_the_command_prints():
    command = "summitry drivers korea-hanoi-2019 --model compromise --top 3"
    text = (Path(__file__).resolve().parents[2] / "docs" / "drivers.md").read_text()
    start = text.index(f"$ {command}\n") + len(command) + 3
    shown = text[start : text.index("```", start)].strip().splitlines()
    result = runner.invoke(app, command.split()[1:], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    printed = result.stdout.strip().splitlines()
    assert [line.rstrip() for line in printed] == [line.rstrip() for line in shown]


# -- P(deal) as an output ------------------------------------------------------------------


@pytest.fixture(scope="module")
def singapore_deal() -> Drivers:
    return drivers(summitry.load("korea-singapore-2018"), "compromise", n=64, seed=2, deal=True)


def test_deal_is_ranked_after_the_issues(singapore_deal):
    result = singapore_deal
    assert result.deal and result.outputs == (*result.issues, DEAL)
    assert result.indices["ST"].shape == (len(result.issues) + 1, len(result.groups))
    rows = result.ranked(DEAL)
    assert len(rows) == len(result.groups)
    assert rows[0]["ST"] >= rows[-1]["ST"] and rows[0]["ST"] > 0.1
    assert result.top_driver(DEAL) == rows[0]["group"]
    assert np.isfinite(result.indices["ST"][-1]).all()


def test_deal_indices_are_those_of_the_deal_of_each_evaluation(singapore_deal, monkeypatch):
    """The P(deal) row equals SALib's indices of the 0/1 deal output computed by hand."""
    from summitry.analysis import sensitivity

    seen = []
    real = sensitivity._indices

    def spy(method, problem, x, y, seed, width):
        seen.append((y, width))
        return real(method, problem, x, y, seed, width)

    monkeypatch.setattr(sensitivity, "_indices", spy)
    again = drivers(summitry.load("korea-singapore-2018"), "compromise", n=64, seed=2, deal=True)
    y, width = seen[-1]
    assert width == 1.0 and set(np.unique(y)) == {0.0, 1.0}
    assert json.dumps(again.to_dict()) == json.dumps(singapore_deal.to_dict())


def test_deal_json_and_view(singapore_deal):
    data = json.loads(drivers_json(singapore_deal))
    assert [i["id"] for i in data["issues"]] == list(singapore_deal.issues)
    assert data["deal"]["drivers"][0]["group"] == singapore_deal.top_driver(DEAL)
    out = [str(getattr(part, "plain", "")) for part in drivers_view(singapore_deal).renderables]
    share = f"{DEAL} · a deal in {singapore_deal.p_deal:.1%} of the evaluations · moved most by"
    assert any(line.strip().startswith(share) for line in out)
    assert 0 < data["deal"]["p_deal"] == singapore_deal.p_deal < 1
    assert drivers_table.DEAL == DEAL
    assert "P(deal): shares of the variance of deal or no deal" in out[-1]
    assert json.loads(drivers_json(drivers(tiny(), n=8)))["deal"] is None


def test_deal_needs_a_status_quo_on_every_issue():
    with pytest.raises(ParameterError, match="P\\(deal\\) needs a status quo .* none on y"):
        drivers(tiny(), n=8, deal=True)


def test_a_deal_that_never_varies_gets_a_note():
    from summitry.analysis.sensitivity import RARE, _deal_note

    assert "is not a deal" in _deal_note(np.zeros(64))
    assert "every evaluation is a deal" in _deal_note(np.ones(64))
    assert "3 of 1000 evaluations are deals" in _deal_note(np.r_[np.ones(3), np.zeros(997)])
    assert _deal_note(np.r_[np.ones(RARE), np.zeros(RARE)]) == ""


def test_cli_deal_option_adds_the_p_deal_table():
    result = invoke("korea-singapore-2018", "-n", "64", "--top", "3", "--deal")
    assert result.exit_code == 0, result.output
    assert "of the evaluations · moved most by" in result.stdout
    data = json.loads(invoke("korea-singapore-2018", "-n", "16", "--deal", "--json").stdout)
    assert len(data["deal"]["drivers"]) == len(data["issues"][0]["drivers"])
    plain = invoke("korea-singapore-2018", "-n", "16").stdout
    assert "P(deal)" not in plain
    missing = invoke("ec-example", "-n", "16", "--deal")
    assert missing.exit_code == 2 and "needs a status quo" in missing.output
