"""Deal terms in a scenario file: clear errors naming the place and the rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from summitry.errors import ScenarioError
from summitry.io.yaml_format import to_yaml
from summitry.scenario import Scenario

GOOD: dict[str, Any] = {
    "name": "t",
    "issues": [
        {"id": "a", "scale": {"min": 0, "max": 100}, "status_quo": 10, "status_quo_sd": 5},
        {"id": "b", "scale": {"min": 0, "max": 100}, "status_quo": 10},
    ],
    "actors": [
        {"id": "x", "capability": 1, "veto": ["a"], "walk_away": 0.2, "walk_away_sd": 0.05},
        {"id": "y", "capability": 1, "veto": ["b"]},
    ],
    "positions": {
        "x": {"a": {"position": 90, "salience": 1}, "b": {"position": 0, "salience": 0.5}},
        "y": {"a": {"position": 0, "salience": 0.5}, "b": {"position": 90, "salience": 1}},
    },
    "links": [
        {"id": "l1", "kind": "together", "issues": ["a", "b"], "min_move": {"a": 20}},
        {"id": "c1", "kind": "credibility", "actor": "x", "issue": "a", "discount": 0.5},
    ],
    "ratifiers": [
        {
            "id": "congress",
            "of": "x",
            "issues": ["b"],
            "positions": {"b": {"position": 0, "salience": 1}},
        },
        {"id": "unsc", "actor": "y"},
    ],
    "outcome": {
        "deal": False,
        "date": "2020-01",
        "source": "a named source",
        "issues": {"a": {"value": 10}},
    },
    "evidence": [
        {"supports": "links.l1", "source": "assumption", "rationale": "r"},
        {"supports": "ratifiers.congress", "source": "assumption", "rationale": "r"},
        {
            "supports": "actors.x.walk_away",
            "source": "s.txt",
            "paragraph": 2,
            "rationale": "r",
            "fact_date": "2019-05-01",
        },
        {"supports": "outcome", "source": "assumption", "rationale": "r"},
    ],
}


def test_the_good_file_loads_and_round_trips_through_yaml():
    sc = Scenario.from_dict(GOOD)
    again = Scenario.from_dict(yaml.safe_load(to_yaml(sc)))
    assert again.digest() == sc.digest()
    terms = sc.to_arrays().terms
    assert terms.ratifiers == ("congress", "unsc") and terms.discount[0, 0] == 0.5


def test_a_scenario_without_terms_keeps_its_hash_and_has_no_terms():
    plain = copy.deepcopy(GOOD)
    for key in ("links", "ratifiers", "outcome", "evidence"):
        plain.pop(key)
    plain["actors"][0].pop("walk_away")
    plain["actors"][0].pop("walk_away_sd")
    plain["issues"][0].pop("status_quo_sd")
    assert Scenario.from_dict(plain).to_arrays().terms is None


CASES = [
    (
        lambda d: d["links"].append({"id": "l2", "kind": "together", "issues": ["a", "zz"]}),
        "links[2].issues[1]",
        "unknown issue 'zz'",
    ),
    (
        lambda d: d["links"].append({"id": "l1", "kind": "together", "issues": ["a", "b"]}),
        "links[2].id",
        "already used by links[0]",
    ),
    (
        lambda d: d["links"].append({"id": "s", "kind": "sequence", "first": "a", "then": "a"}),
        "links[2].then",
        "named twice",
    ),
    (
        lambda d: d["links"].append(
            {"id": "s", "kind": "sequence", "first": "a", "then": "b", "min_move": {"b": 5}}
        ),
        "links[2].min_move",
        "its 'first' issue",
    ),
    (
        lambda d: d["links"].append(
            {"id": "c2", "kind": "credibility", "actor": "x", "issue": "a", "discount": 1.5}
        ),
        "links[2].discount",
        "1 or less",
    ),
    (lambda d: d["links"].append({"id": "c2", "kind": "nope"}), "links[2]", "'nope'"),
    (lambda d: d["links"][0]["min_move"].update(a=500), "links[0].min_move.a", "wider"),
    (
        lambda d: d["ratifiers"].append({"id": "x", "actor": "y"}),
        "ratifiers[2].id",
        "already an actor's id",
    ),
    (lambda d: d["ratifiers"].append({"id": "r3"}), "ratifiers[2]", "exactly one of"),
    (
        lambda d: d["ratifiers"].append(
            {"id": "r3", "positions": {"a": {"position": 200, "salience": 1}}}
        ),
        "ratifiers[2].positions.a.position",
        "outside the issue's scale",
    ),
    (
        lambda d: d["outcome"]["issues"].update(zz={"value": 1}),
        "outcome.issues.zz",
        "unknown issue",
    ),
    (lambda d: d["outcome"].update(date="2019-13"), "outcome.date", "is not a date"),
    (lambda d: d["outcome"].pop("source"), "outcome.source", "missing"),
    (lambda d: d["actors"][0].update(walk_away="lots"), "actors[0].walk_away", "a number"),
    (lambda d: d["issues"][0].update(status_quo_sd=-1), "issues[0].status_quo_sd", "0 or more"),
    (lambda d: d["issues"][1].pop("status_quo"), "links", "status quo on every issue"),
    (
        lambda d: d["evidence"].append({"supports": "links.zz", "source": "s", "rationale": "r"}),
        "evidence[4].supports",
        "known id",
    ),
    (
        lambda d: d["evidence"][2].update(fact_date="May 2019"),
        "evidence[2].fact_date",
        "is not a date",
    ),
]


@pytest.mark.parametrize(("mutate", "where", "rule"), CASES)
def test_bad_terms_name_the_place_and_the_rule(mutate, where, rule):
    data = copy.deepcopy(GOOD)
    mutate(data)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data, file="t.yaml")
    assert caught.value.location == where
    assert rule in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_walk_away_event_shifting_nothing_is_an_error():
    data = copy.deepcopy(GOOD)
    data["events"] = [
        {
            "id": "e",
            "date": "2020",
            "label": "y hardens",
            "changes": [{"kind": "walk_away", "actor": "y", "by": 0.1}],
        }
    ]
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data, file="t.yaml")
    assert caught.value.location == "events[0].changes[0].by"
    assert "no walk_away to shift" in str(caught.value)
    data["events"][0]["changes"][0] = {"kind": "walk_away", "actor": "y", "to": 0.1}
    assert Scenario.from_dict(data).events[0].changes[0].to == 0.1
