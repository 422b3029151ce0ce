"""Calibration over cases: leave-one-out, the rows by hand, and the bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from summitry.analysis import calibration, scoring
from summitry.analysis.calibration import CaseScore, leave_one_out, summarise
from summitry.io.yaml_format import read_yaml


def case(case_id: str, deal: bool, p: float, errors: tuple[float, ...] = (10.0,)) -> CaseScore:
    return CaseScore(
        case=case_id,
        deal=deal,
        step=0,
        issues=("x",) * len(errors),
        p_deal={"m": p, "nothing-changes": 0.0, "compromise-mean": p / 2},
        errors={"m": errors, "nothing-changes": (20.0,) * len(errors), "compromise-mean": errors},
    )


def test_leave_one_out_never_shows_a_case_its_own_outcome():
    seen: list[set[str]] = []

    def fit(data):
        seen.append(set(data))
        return len(data)

    data = {"a": True, "b": False, "c": True, "d": False}
    fitted = leave_one_out(data, fit)
    assert fitted == {k: 3 for k in data}
    for held, ids in zip(data, seen, strict=True):
        assert held not in ids and ids == set(data) - {held}


def test_the_base_rate_row_is_fitted_without_the_scored_case():
    seen: dict[str, set[str]] = {}

    def fit(data):
        rate = calibration.base_rate(data)
        seen[frozenset(data)] = rate
        return rate

    scores = [case("a", True, 0.9), case("b", False, 0.2), case("c", True, 0.6)]
    rows = {r.name: r for r in summarise(scores, bootstrap=100, fit=fit)}
    # a is scored with the rate of {b, c} = 1/2, b with {a, c} = 1, c with {a, b} = 1/2
    expected = ((0.5 - 1) ** 2 + (1 - 0) ** 2 + (0.5 - 1) ** 2) / 3
    assert rows["base-rate"].figures["brier"].value == pytest.approx(expected)
    assert {frozenset("bc"), frozenset("ac"), frozenset("ab")} <= set(seen)
    assert rows["base-rate"].figures["mae"].value is None


def test_the_bootstrap_refits_the_base_rate_without_any_copy_of_the_scored_case():
    seen: list[set[str]] = []

    def fit(data):
        seen.append(set(data))
        return calibration.base_rate(data)

    draws = np.array([[0, 0, 1, 2], [2, 2, 2, 2]])
    got = calibration.refit_replicates(["a", "b", "c"], [True, False, True], draws, fit)
    # replicate 0: a sees {b, c}; b sees both copies of a and c; c sees a, a#2, b
    assert seen[:3] == [{"b", "c"}, {"a", "a#2", "c"}, {"a", "a#2", "b"}]
    assert got[0].tolist() == [0.5, 0.5, 1.0, 2 / 3]
    # replicate 1: c alone, nothing to learn from: the fit's own default
    assert seen[3] == set() and got[1].tolist() == [0.5] * 4


def test_rows_by_hand():
    scores = [
        case("a", True, 0.9, (10.0, 30.0)),
        case("b", False, 0.2, (5.0,)),
        case("c", False, 0.6, ()),
        case("d", True, 0.1, (40.0,)),
    ]
    rows = summarise(scores, bootstrap=200, seed=1)
    assert [r.name for r in rows] == ["m", "base-rate", "nothing-changes", "compromise-mean"]
    m = rows[0]
    assert m.kind == "model" and rows[1].kind == "baseline"
    assert m.cases == 4 and m.issues == 4
    assert m.figures["brier"].value == pytest.approx(
        scoring.brier([0.9, 0.2, 0.6, 0.1], [1, 0, 0, 1])
    )
    assert m.figures["brier"].value == pytest.approx(0.305)
    assert m.figures["mae"].value == pytest.approx((10 + 30 + 5 + 40) / 4)  # pooled issues
    assert m.figures["uncertainty"].value == pytest.approx(0.25)
    nothing = rows[2]
    assert nothing.figures["brier"].value == pytest.approx(0.5)
    assert nothing.figures["log_score"].value == pytest.approx(-np.log(1e-6) / 2)
    assert nothing.figures["sharpness"].value == 0.0
    for row in rows:
        for name, figure in row.figures.items():
            if figure.value is None:
                continue
            lo, hi = figure.interval
            assert lo <= figure.value + 1e-12 and figure.value - 1e-12 <= hi, (row.name, name)
    assert sum(b.count for b in m.bins) == 4


def test_bootstrap_is_seeded_and_shared_by_every_row():
    scores = [case(str(k), k % 3 == 0, k / 10) for k in range(10)]
    one = summarise(scores, bootstrap=300, seed=7)
    two = summarise(scores, bootstrap=300, seed=7)
    three = summarise(scores, bootstrap=300, seed=8)
    assert one[0].figures["brier"].interval == two[0].figures["brier"].interval
    assert one[0].figures["brier"].interval != three[0].figures["brier"].interval


def test_murphy_replicates_match_the_decomposition():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=12)
    o = (rng.uniform(size=12) < p).astype(float)
    draws = np.vstack([np.arange(12), rng.integers(0, 12, 12)])
    reps = calibration._murphy_replicates(p[draws], o[draws], 5)
    m = scoring.murphy(p, o)
    assert reps["reliability"][0] == pytest.approx(m.reliability)
    assert reps["resolution"][0] == pytest.approx(m.resolution)
    assert reps["uncertainty"][0] == pytest.approx(m.uncertainty)
    again = scoring.murphy(p[draws[1]], o[draws[1]])
    assert reps["reliability"][1] == pytest.approx(again.reliability)
    assert reps["sharpness"][1] == pytest.approx(scoring.sharpness(p[draws[1]]))


SCENARIO = """\
name: veto
metadata: {as_of: "2020-01-01"}
issues:
  - {id: x, scale: {min: 0, max: 10}, status_quo: 0}
actors:
  - {id: a, capability: 1, veto: [x]}
  - {id: b, capability: 3}
positions:
  a: {x: {position: 0, salience: 1}}
  b: {x: {position: 10, salience: 1}}
outcome: {deal: false, date: "2020-02-01", source: test, issues: {x: {value: 0}}}
"""


def test_score_case_keeps_the_status_quo_where_a_veto_player_refuses():
    scored = calibration.score_case("veto", read_yaml(SCENARIO), ["compromise", "nash"])
    # a holds a veto and stands at the status quo: nothing that moves x is a deal
    assert scored.p_deal == {"compromise": 0.0, "nash": 0.0, "nothing-changes": 0.0,
                             "compromise-mean": 0.0}  # fmt: skip
    assert scored.errors["compromise"] == (0.0,) and scored.errors["nothing-changes"] == (0.0,)
    assert scored.deal is False and scored.issues == ("x",)


def test_compromise_runs_for_its_baseline_when_not_chosen():
    scored = calibration.score_case("veto", read_yaml(SCENARIO), ["median"])
    assert list(scored.p_deal) == ["median", "nothing-changes", "compromise-mean"]
