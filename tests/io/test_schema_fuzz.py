"""Fuzzing the scenario schema: any data, however odd, gives a ScenarioError or a scenario."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry.errors import ScenarioError
from summitry.io.yaml_format import read_yaml, to_yaml
from summitry.scenario import Scenario

GOOD: dict[str, Any] = {
    "name": "fuzz",
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 10},
        {"id": "y", "scale": {"min": 0, "max": 1}, "status_quo": 0.5},
    ],
    "actors": [
        {"id": "a", "capability": 1, "veto": ["x"], "walk_away": 0.1},
        {"id": "b", "capability": 2},
    ],
    "positions": {
        "a": {"x": {"position": 20, "salience": 0.8}, "y": {"position": 0.4, "salience": 0.5}},
        "b": {"x": {"position": 80, "salience": 0.5}, "y": {"position": 0.7, "salience": 0.5}},
    },
    "links": [{"id": "l", "kind": "together", "issues": ["x", "y"]}],
    "events": [
        {
            "id": "e",
            "date": "2020",
            "label": "e",
            "changes": [{"kind": "capability", "actor": "b", "by": 1}],
        }
    ],
}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += paths(v, (*prefix, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            out += paths(v, (*prefix, k))
    return out


PATHS = paths(GOOD)[1:]


def replaced(path: tuple, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), values)
def test_any_value_anywhere_gives_a_scenario_or_one_clear_error(path, value):
    try:
        sc = Scenario.from_dict(replaced(path, value), file="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.file == "fuzz.yaml"
        assert "\n" not in str(exc)
        return
    # a scenario that passes keeps every number finite and reads back from its YAML
    again = read_yaml(to_yaml(sc))
    assert again.digest() == sc.digest()
    arrays = sc.to_arrays()
    for name in ("position", "salience", "capability"):
        assert all(math.isfinite(v) for v in getattr(arrays, name).ravel())


@settings(max_examples=150, deadline=None)
@given(values)
def test_any_document_gives_a_scenario_or_one_clear_error(value):
    try:
        Scenario.from_dict(value, file="fuzz.yaml")
    except ScenarioError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_read_as_yaml_gives_a_scenario_or_one_clear_error(text):
    try:
        read_yaml(text, file="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.file == "fuzz.yaml"


def test_the_base_document_is_valid():
    assert Scenario.from_dict(json.loads(json.dumps(GOOD))).name == "fuzz"
