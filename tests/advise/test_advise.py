"""summitry.advise: levers, their effects, the flip concession and the replies."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.advise import (
    LeverOptions,
    advise,
    apply_lever,
    flip_concessions,
    generate_levers,
)
from summitry.advise.flip import accepts
from summitry.errors import ParameterError, ScenarioError
from summitry.lever_spec import LeverSpec
from summitry.models import get_model
from summitry.scenario import Scenario

DATA = {
    "name": "three",
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 20},
        {"id": "y", "scale": {"min": 0, "max": 10}, "status_quo": 5},
    ],
    "actors": [
        {"id": "a", "capability": 50, "veto": ["x"], "walk_away": 0.05},
        {"id": "b", "capability": 40, "walk_away": 0.02},
        {"id": "c", "capability": 30, "walk_away": 0.08},
    ],
    "positions": {
        "a": {"x": {"position": 30, "salience": 0.9}, "y": {"position": 8, "salience": 0.4}},
        "b": {"x": {"position": 90, "salience": 0.6}, "y": {"position": 8, "salience": 0.8}},
        "c": {"x": {"position": 60, "salience": 0.5}, "y": {"position": 6, "salience": 0.5}},
    },
    "links": [
        {"id": "a-doubts-y", "kind": "credibility", "actor": "a", "issue": "y", "discount": 0.4}
    ],
    "uncertainty": {"position": 0.05, "salience": 0.05},
}
FAST = ["compromise", "median", "nash"]


def scenario(data=None) -> Scenario:
    return Scenario.from_dict(copy.deepcopy(data or DATA))


def test_generated_levers_cover_every_kind_that_applies():
    kinds = {lv.kind for lv in generate_levers(scenario(), "b")}
    assert kinds == {"concession", "emphasis", "link", "commitment", "court"}
    with pytest.raises(ParameterError, match="unknown actor 'z'"):
        generate_levers(scenario(), "z")
    with pytest.raises(ParameterError, match="steps"):
        LeverOptions(steps=(1.5,))


def test_a_concession_moves_only_the_actor_part_of_the_way():
    s = scenario()
    lever = next(lv for lv in generate_levers(s, "a") if lv.id == "concede-x-50")
    moved = apply_lever(s, lever)
    # others' weighted mean on x: (40*0.6*90 + 30*0.5*60) / (40*0.6 + 30*0.5) = 78.46
    target = (40 * 0.6 * 90 + 30 * 0.5 * 60) / (40 * 0.6 + 30 * 0.5)
    assert moved.positions["a"]["x"].position == pytest.approx(30 + 0.5 * (target - 30))
    assert moved.positions["b"] == s.positions["b"] and moved.links == s.links


def test_apply_lever_clips_to_the_scale_and_drops_links():
    s = scenario()
    spec = LeverSpec(
        id="far", actor="a", by={"positions.a.x.position": 500, "positions.a.y.salience": -3},
        drop=("links.a-doubts-y",),
    )  # fmt: skip
    moved = apply_lever(s, spec)
    assert moved.positions["a"]["x"].position == 100
    assert moved.positions["a"]["y"].salience == 0
    assert moved.links == ()


def test_a_scenario_lever_with_a_bad_path_names_its_place():
    data = copy.deepcopy(DATA)
    data["levers"] = [{"id": "l1", "actor": "a", "set": {"positions.a.z.position": 3}}]
    with pytest.raises(ScenarioError, match=r"levers.*positions\.a\.z\.position.*unknown issue"):
        Scenario.from_dict(data)
    data["levers"] = [{"id": "l1", "actor": "a"}]
    with pytest.raises(ScenarioError, match="give set, by or drop"):
        Scenario.from_dict(data)


def test_a_lever_that_changes_nothing_has_zero_effect():
    data = copy.deepcopy(DATA)
    data["levers"] = [
        {"id": "same", "actor": "a", "set": {"positions.a.x.position": 30}},
        {"id": "costly-same", "actor": "a", "set": {"positions.a.x.position": 30}, "cost": 0.1},
    ]
    s = scenario(data)
    found = [lv for lv in generate_levers(s, "a") if lv.kind == "custom"]
    result = advise(s, "a", FAST + ["eum"], samples=40, levers=found, flips=False, responses=False)
    for m in result.models:
        same = result.effect("same", m)
        assert same.utility == 0 and same.helps == 0 and same.hurts == 0
        assert same.p_deal_change == 0
        assert result.effect("costly-same", m).utility == pytest.approx(-0.1)


def test_effects_are_paired_differences_of_the_settled_utility():
    s = scenario()
    result = advise(s, "b", ["compromise"], samples=30, flips=False, responses=False)
    best = result.ranked()[0]
    e = result.effect(best.id, "compromise")
    assert e.utility == pytest.approx(result.score(best.id))
    lo, hi = e.utility_interval
    assert lo <= e.utility <= hi
    assert 0 <= e.helps <= 1 and 0 <= e.hurts <= 1 and e.helps + e.hurts <= 1
    assert result.to_dict()["levers"][0]["id"] == best.id


def _relabel(data: dict, order: list[int], names: list[str]) -> dict:
    old = [a["id"] for a in data["actors"]]
    rename = dict(zip(old, names, strict=True))
    out = copy.deepcopy(data)
    out["actors"] = [dict(data["actors"][k], id=rename[old[k]]) for k in order]
    out["positions"] = {rename[a]: v for a, v in data["positions"].items()}
    out["links"] = [dict(link, actor=rename[link["actor"]]) for link in data["links"]]
    out.pop("uncertainty")
    return out


@settings(max_examples=6, deadline=None)
@given(st.permutations([0, 1, 2]))
def test_advice_does_not_change_when_actors_are_relabelled(order):
    names = ["p", "q", "r"]
    base = scenario({k: v for k, v in DATA.items() if k != "uncertainty"})
    other = scenario(_relabel(DATA, order, names))
    rename = dict(zip("abc", names, strict=True))
    first = advise(base, "b", FAST, samples=1, flips=True, responses=False)
    second = advise(other, "q", FAST, samples=1, flips=True, responses=False)

    def key(lever_id: str) -> str:
        for old, new in rename.items():
            if lever_id == f"court-{old}":
                return f"court-{new}"
        return lever_id

    for m in FAST:
        for lv in first.levers:
            a, b = first.effect(lv.id, m), second.effect(key(lv.id), m)
            assert a.utility == pytest.approx(b.utility, abs=1e-9)
            assert a.p_deal_change == pytest.approx(b.p_deal_change, abs=1e-9)
    flips = {(f.model, rename[f.blocker], f.issue, f.to) for f in first.flips}
    assert flips == {(f.model, f.blocker, f.issue, f.to) for f in second.flips}


@pytest.mark.parametrize("model", ["compromise", "nash"])
def test_the_flip_concession_makes_the_blocker_accept_and_a_smaller_one_does_not(model):
    s = scenario()
    rows = flip_concessions(s, "b", [get_model(model)])
    assert rows, "a must block the forecast in this scenario"
    for row in rows:
        assert row.method == "exact"
        assert row.issue is not None
        ok, _ = accepts(s, get_model(model), "b", row.issue, row.to, row.blocker)
        refused, _ = accepts(s, get_model(model), "b", row.issue, row.bracket, row.blocker)
        assert ok and not refused
        assert abs(row.to - row.start) > abs(row.bracket - row.start)
        width = s.issue(row.issue).scale.max - s.issue(row.issue).scale.min
        assert abs(row.to - row.bracket) <= 1e-6 * width


def test_replies_answer_the_best_lever_under_each_model():
    result = advise(scenario(), "b", ["compromise"], samples=20, flips=False, response_samples=10)
    assert result.response_samples == 10
    best = result.best()
    assert best is not None
    assert {r.responder for r in result.responses} == {"a", "c"}
    for r in result.responses:
        assert r.actor_before == pytest.approx(result.score(best.id), abs=0.05)
        assert r.lever is None or r.responder_gain > 0


def test_no_status_quo_means_no_deal_test_but_still_advice():
    data = copy.deepcopy(DATA)
    data.pop("links")
    data["issues"][1].pop("status_quo")
    result = advise(scenario(data), "a", ["compromise"], samples=10, responses=False)
    assert result.baseline["compromise"]["p_deal"] is None and result.flips == ()
    assert all(np.isfinite(e.utility) for e in result.effects)


def test_a_scenario_lever_may_not_take_a_generated_lever_id():
    data = copy.deepcopy(DATA)
    data["levers"] = [{"id": "concede-x-50", "actor": "a", "set": {"positions.a.x.position": 40}}]
    with pytest.raises(ParameterError, match="concede-x-50"):
        generate_levers(scenario(data), "a")


def test_levers_cite_the_evidence_of_what_they_edit():
    data = copy.deepcopy(DATA)
    data["levers"] = [{"id": "own", "actor": "a", "by": {"positions.a.y.salience": 0.1}}]
    data["evidence"] = [
        {"supports": "positions.a.x", "source": "memo", "paragraph": 4, "rationale": "r"},
        {"supports": "positions.a.y.salience", "source": "cable", "rationale": "r"},
        {"supports": "levers.own", "source": "memo", "paragraph": 9, "rationale": "r"},
        {"supports": "positions.a.x", "source": "assumption", "rationale": "r"},
    ]
    found = {lv.id: lv.sources for lv in generate_levers(scenario(data), "a")}
    assert found["concede-x-50"] == ("memo ¶4",)
    assert found["stress-y"] == ("cable",)
    assert found["own"] == ("memo ¶9",)
    assert found["court-b"] == ()
