"""The EUM's stopping rules (``stop``) and ``keep``: when each rule stops, and that keeping
less gives the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import summitry
from summitry.errors import ParameterError
from summitry.forecast import forecast
from summitry.models import ExpectedUtility, get_model
from summitry.models.base import iterate
from summitry.trajectory import Stop


def _halving(x: np.ndarray, lanes: np.ndarray) -> tuple[np.ndarray, dict]:
    """Every actor moves half way to 0.5 each round: moves of 0.25, 0.125, ..."""
    return 0.5 + (x - 0.5) / 2, {}


def test_eps_stops_in_the_first_round_no_move_exceeds_eps() -> None:
    x0 = np.array([[[0.0], [1.0]]])  # one sample, two actors, one issue
    # moves: 0.25 (round 1), 0.125, 0.0625, 0.03125 (round 4)
    res = iterate(_halving, x0, tol=1e-9, max_rounds=20, stop="eps", eps=0.0625)
    assert res.stop_reason[0, 0] == Stop.CONVERGED and res.stop_round[0, 0] == 3
    res = iterate(_halving, x0, tol=1e-9, max_rounds=20, stop="eps", eps=0.05)
    assert res.stop_round[0, 0] == 4


def test_eps_stops_at_max_rounds() -> None:
    x0 = np.array([[[0.0], [1.0]]])
    res = iterate(_halving, x0, tol=1e-9, max_rounds=2, stop="eps", eps=1e-6)
    assert res.stop_reason[0, 0] == Stop.MAX_ROUNDS and res.stop_round[0, 0] == 2


def test_median_rule_waits_for_patience_calm_rounds() -> None:
    x0 = np.array([[[0.0], [1.0]]])

    # the watched value is actor 0's position: moves 0.25, 0.125, 0.0625, 0.03125, ...
    def watch(x: np.ndarray, lanes: np.ndarray) -> np.ndarray:
        return x[:, 0]

    kw = dict(tol=1e-9, max_rounds=20, stop="median", watch=watch)
    assert iterate(_halving, x0, eps=0.1, patience=1, **kw).stop_round[0, 0] == 3
    assert iterate(_halving, x0, eps=0.1, patience=2, **kw).stop_round[0, 0] == 4


def test_eum_eps_is_on_the_scale_and_no_move_exceeds_it() -> None:
    scenario = summitry.load("ec-example")
    eps = 0.5  # years, on the 4-10 scale
    model = ExpectedUtility(stop="eps", eps=eps, max_rounds=20)
    traj = forecast(scenario, [model]).trajectory("eum")
    t = int(traj.stop_round[0, 0])
    pos = traj.position_on_scale()[0]  # (T + 1, A, I)
    moves = np.abs(np.diff(pos, axis=0)).max(axis=(1, 2))
    if traj.stop_reason[0, 0] == Stop.CONVERGED:
        assert moves[t - 1] <= eps and np.all(moves[: t - 1] > eps)
    else:
        assert t == 20 and np.all(moves > eps)


def test_eum_median_rule_from_the_command_line_spec() -> None:
    model = get_model("eum:stop=median,eps=0.5,max_rounds=20")
    assert (model.stop, model.eps, model.max_rounds, model.patience) == ("median", 0.5, 20, 2)
    traj = forecast(summitry.load("ec-example"), [model]).trajectory("eum")
    assert traj.stop_round.max() <= 20
    with pytest.raises(ParameterError):
        get_model("eum:stop=never")
    with pytest.raises(ParameterError):
        get_model("eum:nothing=1")


def test_default_rule_is_unchanged_by_the_new_parameters() -> None:
    scenario = summitry.load("korea-hanoi-2019")
    a = forecast(scenario, [ExpectedUtility()], samples=50).trajectory("eum")
    b = forecast(scenario, [ExpectedUtility(eps=3.0, patience=5)], samples=50).trajectory("eum")
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_array_equal(a.stop_round, b.stop_round)


@pytest.mark.parametrize("stop", ["cycle", "median"])
def test_keep_final_gives_the_same_numbers(stop: str) -> None:
    scenario = summitry.load("korea-hanoi-2019")
    full = forecast(scenario, [ExpectedUtility(stop=stop)], samples=60).trajectory("eum")
    lean = forecast(scenario, [ExpectedUtility(stop=stop, keep="final")], samples=60)
    lean_t = lean.trajectory("eum")
    for name in ("outcome", "stop_reason", "stop_round", "cycle_length"):
        np.testing.assert_array_equal(getattr(full, name), getattr(lean_t, name))
    np.testing.assert_array_equal(full.position, lean_t.position)
    assert "risk_exponent" in full.extras and "risk_exponent" not in lean_t.extras
