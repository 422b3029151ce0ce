"""The input diff, forecast differences and attribution of summitry.analysis.compare."""

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry import load
from summitry.analysis.compare import attribute, compare, diff_inputs
from summitry.errors import ParameterError
from summitry.scenario import Scenario

SMALL = Path(__file__).parents[1] / "data" / "cli-small.yaml"
FAST = ["compromise", "median"]


def small_data() -> dict:
    data = yaml.safe_load(SMALL.read_text())
    data["issues"][1]["status_quo"] = 5  # every issue with a status quo: settled and P(deal)
    return data


def scenario(data: dict) -> Scenario:
    return Scenario.from_dict(data)


def by_subject(changes) -> dict:
    return {(c.kind, c.subject): c for c in changes}


# -- the input diff ------------------------------------------------------------------------


def test_singapore_to_hanoi_lists_what_the_hanoi_file_says_changed():
    changes = by_subject(diff_inputs(load("korea-singapore-2018"), load("korea-hanoi-2019")))
    expected = {
        ("status quo", "exercises"): (25, 50),
        ("status quo", "peace"): (15, 25),
        ("status quo", "sanctions"): (10, 20),
        ("status quo", "economic"): (5, 25),
        ("position", "us · exercises"): (25, 50),
        ("position", "us · peace"): (40, 50),
        ("walk-away", "us"): (0.05, 0.485),
        ("walk-away", "dprk"): (0.08, 0.19),
        # the messages: each audience believed the truth in Singapore
        ("belief", "us on dprk · denuclearization"): (20, 40),
        ("belief", "us on dprk · peace"): (85, 100),
        ("belief", "china on dprk · denuclearization"): (20, 15),
        ("belief", "china on dprk · peace"): (85, 75),
    }
    assert {key: (c.a, c.b) for key, c in changes.items()} == expected
    assert changes[("status quo", "exercises")].unit == "[0, 100]"
    assert changes[("walk-away", "us")].group == "walk-away us"


def test_changes_come_largest_first_as_a_share_of_their_scale():
    data = small_data()
    other = copy.deepcopy(data)
    other["positions"]["us"]["sanctions"]["position"] = 30  # 10 of 100
    other["positions"]["us"]["inspections"]["position"] = 6  # 3 of 10
    changes = diff_inputs(scenario(data), scenario(other))
    assert [c.subject for c in changes] == ["us · inspections", "us · sanctions"]
    assert [c.delta for c in changes] == [-3, 10]
    assert [c.unit for c in changes] == ["[0, 10]", "[0, 100]"]


def test_actors_added_and_removed_and_structure():
    data = small_data()
    other = copy.deepcopy(data)
    other["actors"] = [a for a in other["actors"] if a["id"] != "kr"]
    del other["positions"]["kr"]
    other["actors"][0]["veto"] = ["sanctions", "inspections"]
    other["links"] = [{"kind": "together", "id": "both", "issues": ["sanctions", "inspections"]}]
    changes = by_subject(diff_inputs(scenario(data), scenario(other)))
    assert changes[("actor", "kr")].a == "South Korea" and changes[("actor", "kr")].b is None
    assert (changes[("veto", "us · inspections")].a, changes[("veto", "us · inspections")].b) == (
        "no",
        "yes",
    )
    assert changes[("link", "both")].b == "in place" and changes[("link", "both")].group == "links"
    first = diff_inputs(scenario(data), scenario(other))[0]
    assert first.kind == "actor"  # something added or removed ranks first


def test_saliences_are_compared_on_one_scale():
    data = small_data()
    other = copy.deepcopy(data)
    other["salience_scale"] = 100
    for stances in other["positions"].values():
        for stance in stances.values():
            stance["salience"] = round(stance["salience"] * 100)
    changes = diff_inputs(scenario(data), scenario(other))
    assert [c.kind for c in changes] == ["salience scale"]


# -- comparison and attribution ------------------------------------------------------------


def test_one_changed_group_explains_the_whole_change():
    data = small_data()
    other = copy.deepcopy(data)
    other["positions"]["cn"]["sanctions"]["position"] = 20
    found = compare(scenario(data), scenario(other), FAST)
    result = found.attribution
    assert result is not None and result.model == "compromise"
    [effect] = result.effects
    assert effect.group == "position cn"
    assert effect.outcome["sanctions"] == pytest.approx(result.total.outcome["sanctions"])
    assert effect.outcome["sanctions"] < 0
    assert result.rest().outcome["sanctions"] == pytest.approx(0, abs=1e-9)
    assert [e.group for e in result.leading("sanctions")] == ["position cn"]
    assert result.leading("inspections") == []
    outcome = {(c.model, c.issue): c for c in found.outcomes}
    assert outcome[("compromise", "sanctions")].outcome_delta == pytest.approx(
        result.total.outcome["sanctions"]
    )


def test_status_quo_change_moves_the_settled_value():
    data = small_data()
    other = copy.deepcopy(data)
    other["issues"][0]["status_quo"] = 40
    found = attribute(scenario(data), scenario(other), "compromise")
    [effect] = found.effects
    assert effect.group == "status quo sanctions"
    assert effect.outcome["sanctions"] == 0  # the compromise ignores the status quo
    assert found.total.settled is not None


def test_no_attribution_when_the_actors_differ():
    data = small_data()
    other = copy.deepcopy(data)
    other["actors"] = [a for a in other["actors"] if a["id"] != "kr"]
    del other["positions"]["kr"]
    found = compare(scenario(data), scenario(other), FAST)
    assert found.attribution is None and "actors or issues differ" in found.attribution_note
    with pytest.raises(ParameterError, match="actors or issues differ"):
        attribute(scenario(data), scenario(other))
    assert {(c.model, c.issue) for c in found.outcomes} == {
        (m, i) for m in FAST for i in ("sanctions", "inspections")
    }


def test_comparison_record_is_plain_data_and_reproducible():
    a, b = load("korea-singapore-2018"), load("korea-hanoi-2019")
    one = compare(a, b, FAST).to_dict()
    assert one == compare(a, b, FAST).to_dict()
    assert one["a"]["as_of"] == "2018-06-11" and one["b"]["as_of"] == "2019-02-26"
    assert one["models"] == FAST and one["attribution"]["model"] == "compromise"
    assert compare(a, b, FAST, attribute_model=None).to_dict()["attribution"] is None


# -- properties ----------------------------------------------------------------------------


@st.composite
def variants(draw) -> Scenario:
    """The small scenario with other positions, saliences, capabilities and status quo."""
    data = small_data()
    scale = {"sanctions": 100, "inspections": 10}
    for stances in data["positions"].values():
        for issue, stance in stances.items():
            stance["position"] = draw(st.integers(0, scale[issue])) * 1.0
            stance["salience"] = draw(st.sampled_from((0.0, 0.25, 0.5, 1.0)))
    for actor in data["actors"]:
        actor["capability"] = draw(st.sampled_from((10.0, 30.0, 100.0)))
        actor["walk_away"] = draw(st.none() | st.sampled_from((0.0, 0.2)))
    data["issues"][0]["status_quo"] = draw(st.integers(0, 100)) * 1.0
    data["positions"]["us"]["sanctions"]["salience"] = 1.0  # every issue keeps a party
    data["positions"]["us"]["inspections"]["salience"] = 1.0
    return scenario(data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_a_scenario_compared_with_itself_changes_nothing(sc):
    found = compare(sc, sc, FAST)
    assert found.changes == ()
    assert all(c.outcome_delta == 0 and c.settled_delta == 0 for c in found.outcomes)
    assert all(d.delta == 0 for d in found.deals)
    assert found.attribution is not None and found.attribution.effects == ()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants(), variants())
def test_swapping_a_and_b_negates_every_difference(one, two):
    ab = compare(one, two, FAST, attribute_model=None)
    ba = compare(two, one, FAST, attribute_model=None)
    forward = {(c.kind, c.subject): c for c in ab.changes}
    back = {(c.kind, c.subject): c for c in ba.changes}
    assert forward.keys() == back.keys()
    for key, c in forward.items():
        assert (c.a, c.b) == (back[key].b, back[key].a)
        assert c.size == pytest.approx(back[key].size)
    outcomes = {(c.model, c.issue): c for c in ba.outcomes}
    for c in ab.outcomes:
        assert c.outcome_delta == -outcomes[(c.model, c.issue)].outcome_delta
        assert c.settled_delta == -outcomes[(c.model, c.issue)].settled_delta
    deals = {d.model: d.delta for d in ba.deals}
    assert all(d.delta == -deals[d.model] for d in ab.deals)
