"""Walk-away values, links, ratifiers and the reasons for no deal."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summitry
from summitry.analysis.deal import REASONS, deal_analysis
from summitry.analysis.uncertainty import sample
from summitry.analysis.zone import SLACK_TOL, find_zone, parties_of, slack
from summitry.models import get_model

FAST = ("compromise", "median", "nash")
unit = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1))
weight = st.floats(0.05, 1, allow_nan=False).map(lambda v: round(v, 2))


def base(**extra: Any) -> dict[str, Any]:
    data = {
        "name": "terms",
        "issues": [
            {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 20},
            {"id": "y", "scale": {"min": 0, "max": 100}, "status_quo": 20},
        ],
        "actors": [
            {"id": "a", "capability": 1, "veto": ["x", "y"]},
            {"id": "b", "capability": 1, "veto": ["x", "y"]},
            {"id": "c", "capability": 0.5},
        ],
        "positions": {
            "a": {"x": {"position": 90, "salience": 1}, "y": {"position": 10, "salience": 0.4}},
            "b": {"x": {"position": 40, "salience": 0.5}, "y": {"position": 90, "salience": 1}},
            "c": {"x": {"position": 60, "salience": 1}, "y": {"position": 60, "salience": 1}},
        },
        "uncertainty": {"position": 0.1, "salience": 0.1},
    }
    data.update(extra)
    return data


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = base()
    for actor in ("a", "b", "c"):
        for issue in ("x", "y"):
            data["positions"][actor][issue] = {"position": draw(unit), "salience": draw(weight)}
    for issue in data["issues"]:
        issue["status_quo"] = draw(unit)
    return data


def results(data: dict[str, Any], outcomes: dict[str, np.ndarray] | None = None, n: int = 12):
    inputs = sample(summitry.Scenario.from_dict(data), n, seed=3)
    if outcomes is None:
        outcomes = {m: get_model(m).run(inputs, rng=0).outcome for m in FAST}
    return outcomes, {m: deal_analysis(inputs, out) for m, out in outcomes.items()}


def never_more(before: dict, after: dict) -> None:
    for m in before:
        assert not (after[m].deal & ~before[m].deal).any(), m


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios(), st.sampled_from("abc"), weight, weight)
def test_raising_a_walk_away_never_raises_p_deal(data, actor, w1, w2):
    outcomes, none = results(data)
    low, high = sorted((w1 - 0.5, w2 - 0.5))
    for w in (low, high):
        changed = copy.deepcopy(data)
        next(a for a in changed["actors"] if a["id"] == actor)["walk_away"] = w
        _, after = results(changed, outcomes)
        never_more(none, after)
        none = after


@SETTINGS
@given(scenarios(), unit, weight, st.sampled_from([("x",), ("y",), ("x", "y")]))
def test_adding_a_ratifier_never_raises_p_deal(data, position, salience, issues):
    outcomes, before = results(data)
    changed = copy.deepcopy(data)
    changed["ratifiers"] = [
        {
            "id": "body",
            "of": "a",
            "issues": list(issues),
            "positions": {"x": {"position": position, "salience": salience}},
        }
    ]
    _, after = results(changed, outcomes)
    never_more(before, after)
    changed["ratifiers"].append({"id": "seat", "actor": "c", "issues": ["y"]})
    _, more = results(changed, outcomes)
    never_more(after, more)


links = st.one_of(
    st.builds(
        lambda m: {"id": "l", "kind": "together", "issues": ["x", "y"], "min_move": {"x": m}},
        unit,
    ),
    st.builds(
        lambda m: {"id": "l", "kind": "sequence", "first": "x", "then": "y", "min_move": {"x": m}},
        unit,
    ),
    st.builds(
        lambda a, d: {"id": "l", "kind": "credibility", "actor": a, "issue": "x", "discount": d},
        st.sampled_from("abc"),
        weight,
    ),
)


@SETTINGS
@given(scenarios(), links)
def test_adding_a_link_never_raises_p_deal(data, link):
    outcomes, before = results(data)
    _, after = results({**data, "links": [link]}, outcomes)
    never_more(before, after)


@SETTINGS
@given(scenarios(), links, st.sampled_from("abc"), weight)
def test_reasons_cover_every_draw_without_a_deal(data, link, actor, w):
    data = copy.deepcopy(data)
    data["links"] = [link]
    next(a for a in data["actors"] if a["id"] == actor)["walk_away"] = w - 0.5
    for r in results(data)[1].values():
        assert ((r.reason >= 0) == ~r.deal).all()
        shares = r.reasons()
        assert set(shares) == set(REASONS)
        assert sum(v["share"] for v in shares.values()) == pytest.approx(1 - r.p_deal)
        lo, hi = r.interval()
        assert lo <= r.p_deal <= hi


def test_a_walk_away_beyond_any_gain_means_no_zone_for_every_model():
    data = base()
    # a's largest possible gain: moving both issues to its ideal, 0.7 + 0.04 (linear units)
    data["actors"][0]["walk_away"] = 0.9
    sc = summitry.Scenario.from_dict(data)
    record = summitry.forecast(sc, samples=20, seed=1).to_dict()
    assert set(record["p_deal"]) == set(summitry.MODELS)
    for model, d in record["p_deal"].items():
        assert d["p_deal"] == 0.0, model
        assert d["top_reason"] == "no_zone"
        assert d["reasons"]["no_zone"]["share"] == 1.0
        assert d["reasons"]["no_zone"]["who"]["a"] == 1.0


def test_commitment_problem_when_only_credible_promises_leave_a_zone():
    data = base(uncertainty={})
    # a gains 0.7 at most (x from 20 to 90), all of it promised to it
    data["actors"][0]["walk_away"] = 0.3
    data["links"] = [
        {"id": "oral", "kind": "credibility", "actor": "a", "issue": "x", "discount": 0.8}
    ]
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    out = get_model("compromise").run(inputs, rng=0).outcome
    r = deal_analysis(inputs, out)
    assert r.p_deal == 0.0
    assert REASONS[r.reason[0]] == "commitment"
    assert r.reasons()["commitment"]["who"] == {"a": 1.0}
    data["links"][0]["discount"] = 0.0
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    assert deal_analysis(inputs, out).possible.all()


def test_a_ratifier_blocks_a_forecast_it_refuses():
    data = base(uncertainty={})
    data["ratifiers"] = [
        {
            "id": "congress",
            "of": "a",
            "issues": ["y"],
            "positions": {"y": {"position": 0, "salience": 1}},
        }
    ]
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    moved_y = np.array([[0.5, 0.5]])
    r = deal_analysis(inputs, moved_y)
    assert not r.deal.any()
    # the zone holds packages that leave y alone, so the forecast is blocked, not zoneless
    assert r.possible.all()
    assert REASONS[r.reason[0]] == "blocked"
    assert r.reasons()["blocked"]["who"] == {"congress": 1.0}


def test_a_forecast_breaking_a_together_link_is_blocked_by_the_link():
    data = base(uncertainty={})
    data["links"] = [
        {"id": "pair", "kind": "together", "issues": ["x", "y"], "min_move": {"x": 30}}
    ]
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    small = np.array([[0.3, 0.5]])  # x moves 10 points only
    r = deal_analysis(inputs, small)
    assert not r.deal.any() and r.reasons()["blocked"]["who"].get("pair") == 1.0


def test_relabelling_actors_keeps_p_deal_and_reasons():
    data = base(
        links=[{"id": "c1", "kind": "credibility", "actor": "a", "issue": "x", "discount": 0.5}],
        ratifiers=[{"id": "r", "actor": "c", "issues": ["y"]}],
    )
    data["actors"][1]["walk_away"] = 0.2
    inputs = sample(summitry.Scenario.from_dict(data), 40, seed=3)
    for order in ([2, 0, 1], [1, 2, 0]):
        moved = inputs.permute_actors(order)
        for m in FAST:
            first = deal_analysis(inputs, get_model(m).run(inputs, rng=0).outcome)
            second = deal_analysis(moved, get_model(m).run(moved, rng=0).outcome)
            assert first.p_deal == second.p_deal
            assert first.reasons() == second.reasons()


@settings(max_examples=30, deadline=None)
@given(scenarios(), st.sampled_from("ab"), weight, weight)
def test_zone_search_finds_what_a_grid_finds(data, actor, w, d):
    data = copy.deepcopy(data)
    data.pop("uncertainty")
    next(a for a in data["actors"] if a["id"] == actor)["walk_away"] = w / 3
    data["links"] = [{"id": "c", "kind": "credibility", "actor": "a", "issue": "y", "discount": d}]
    inputs = summitry.Scenario.from_dict(data).to_arrays()
    zone = find_zone(inputs)
    parties = parties_of(inputs)
    grid = np.linspace(0, 1, 81)
    xs = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
    rep = inputs.repeat(len(xs))
    values = slack(parties_of(rep), rep.status_quo, xs).min(axis=1)
    values = np.where(np.abs(xs - rep.status_quo).max(axis=1) > 1e-7, values, -np.inf)
    if values.max() >= 0.02:
        assert zone.possible.all()
    if zone.possible.all():
        assert slack(parties, inputs.status_quo, zone.best).min() >= -SLACK_TOL
