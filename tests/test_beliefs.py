"""Beliefs and messages: validation, arrays, models deciding on beliefs, miscalculation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import summitry
import summitry.analysis.uncertainty
from summitry.analysis.miscalculation import miscalculation
from summitry.cli import app
from summitry.errors import ScenarioError
from summitry.io import load
from summitry.scenario import Scenario

BASE = """\
name: t
issues:
  - {id: x, scale: {min: 0, max: 100}, status_quo: 10}
  - {id: y, scale: {min: 0, max: 10}, status_quo: 5}
actors:
  - {id: a, capability: 1, veto: [x]}
  - {id: b, capability: 2}
  - {id: c, capability: 1.5}
positions:
  a: {x: {position: 20, salience: 0.8}, y: {position: 4, salience: 0.5}}
  b: {x: {position: 80, salience: 0.5}, y: {position: 7, salience: 0.9}}
  c: {x: {position: 60, salience: 0.6}, y: {position: 2, salience: 0.3}}
"""

TOLD = """\
messages:
  - {id: m1, sender: b, audience: [a, c], issue: x, position: 30}
beliefs:
  - {observer: a, about: c, capability: 4}
  - {observer: c, about: b, issue: x, position: 50, salience: 0.9}
"""


def _load(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load(path)


def test_beliefs_and_messages_become_arrays(tmp_path):
    inputs = _load(tmp_path, BASE + TOLD).to_arrays()
    bp = inputs.belief_position
    assert bp.shape == (3, 3, 2)
    assert bp[0, 1, 0] == pytest.approx(0.3)  # a was told b stands at 30
    assert bp[2, 1, 0] == pytest.approx(0.5)  # c's stated belief replaces the message
    assert inputs.belief_salience[2, 1, 0] == pytest.approx(0.9)
    assert inputs.belief_capability[0, 2] == 4
    assert np.isnan(bp[1]).all()  # b believes the truth
    seen = inputs.perceived_by(0)
    assert seen.position[0, 1, 0] == pytest.approx(0.3) and seen.capability[0, 2] == 4
    assert seen.position[0, 2, 0] == inputs.position[0, 2, 0]
    assert not seen.has_beliefs and inputs.has_beliefs


def test_a_scenario_without_beliefs_has_none():
    inputs = summitry.load("ec-example").to_arrays()
    assert inputs.belief_position is None and not inputs.has_beliefs


@pytest.mark.parametrize(
    ("text", "where", "rule"),
    [
        (
            "beliefs:\n  - {observer: zz, about: a, capability: 1}\n",
            "beliefs[0].observer",
            "unknown actor",
        ),
        (
            "beliefs:\n  - {observer: a, about: a, capability: 1}\n",
            "beliefs[0].about",
            "its own stance",
        ),
        (
            "beliefs:\n  - {observer: a, about: b, issue: zz, position: 1}\n",
            "beliefs[0].issue",
            "unknown issue",
        ),
        (
            "beliefs:\n  - {observer: a, about: b, issue: x, position: 120}\n",
            "beliefs[0].position",
            "outside",
        ),
        ("beliefs:\n  - {observer: a, about: b, position: 20}\n", "beliefs[0]", "names its issue"),
        ("beliefs:\n  - {observer: a, about: b}\n", "beliefs[0]", "at least one"),
        (
            "messages:\n  - {id: m, sender: a, audience: [zz], issue: x, position: 1}\n",
            "messages[0].audience[0]",
            "unknown actor",
        ),
        (
            "messages:\n  - {id: m, sender: a, audience: [a], issue: x, position: 1}\n",
            "messages[0].audience[0]",
            "itself",
        ),
        (
            "messages:\n  - {id: m, sender: a, audience: [b], issue: y, position: 11}\n",
            "messages[0].position",
            "outside",
        ),
    ],
)
def test_bad_beliefs_are_refused_with_their_place(tmp_path, text, where, rule):
    with pytest.raises(ScenarioError) as err:
        _load(tmp_path, BASE + text)
    assert where in str(err.value) and rule in str(err.value), str(err.value)


def _truthful(sc: Scenario) -> Scenario:
    """The scenario with every actor told the truth about every other actor, explicitly."""
    told = [
        {"observer": o, "about": a, "issue": i, "position": st.position, "salience": st.salience}
        for o in sc.actor_ids
        for a, stances in sc.positions.items()
        if a != o
        for i, st in stances.items()
    ]
    data = sc.model_dump(mode="json")
    data["beliefs"] = told  # stated beliefs win over any message
    return Scenario.model_validate(data)


@pytest.mark.parametrize("name", ["korea-hanoi-2019", "ec-example"])
def test_believing_the_truth_gives_zero_miscalculation(name):
    sc = _truthful(summitry.load(name))
    assert sc.to_arrays().has_beliefs
    result = summitry.forecast(sc, seed=3)  # the scenario's own values: beliefs are the truth
    plain = summitry.forecast(sc.model_copy(update={"beliefs": (), "messages": ()}), seed=3)
    for model, m in result.miscalculations.items():
        assert np.all(m.score == 0), model
        np.testing.assert_array_equal(
            result.trajectory(model).outcome, plain.trajectory(model).outcome
        )


def test_a_wrong_belief_gives_a_miscalculation(tmp_path):
    sc = _load(tmp_path, BASE + TOLD)
    result = summitry.forecast(sc, seed=0)
    rows = {r["actor"]: r for r in result.to_dict()["miscalculation"]["compromise"]}
    assert rows["b"]["score"] == 0  # b knows the truth, and the compromise has no choices
    assert rows["a"]["score"] > 0  # a thinks c is strong and b moderate
    assert rows["a"]["issues"]["x"]["own"] < result.outcomes()["compromise"]["x"]
    median = {r["actor"]: r["score"] for r in result.to_dict()["miscalculation"]["median"]}
    assert median["a"] == 0  # a's misreading does not move the weighted median here


def test_beliefs_stay_as_stated_in_every_draw(tmp_path):
    # Beliefs are statements (what a was told), not draws: with uncertain inputs even a
    # belief that matches the written value differs from the drawn truth.
    sc = _load(tmp_path, BASE + "uncertainty: {position: 0.1}\n" + TOLD)
    inputs = summitry.analysis.uncertainty.sample(sc, 20, seed=1)
    assert np.all(inputs.perceived_by(0).position[:, 1, 0] == pytest.approx(0.3))
    assert np.ptp(inputs.position[:, 1, 0]) > 0


def test_eum_actors_decide_on_their_beliefs_but_the_outcome_uses_the_truth(tmp_path):
    sc = _load(tmp_path, BASE + TOLD)
    eum = summitry.ExpectedUtility()
    inputs = sc.to_arrays()
    informed = eum.run(inputs.without_beliefs(), rounds=1).position[0, 1]
    told = eum.run(inputs, rounds=1).position[0, 1]
    assert not np.allclose(told, informed)  # someone moved differently
    np.testing.assert_array_equal(told[1], informed[1])  # b believes the truth: same move
    m = miscalculation(eum, inputs, eum.run(inputs).outcome)
    assert m.score.shape == (3, 1)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.permutations(range(3)))
def test_relabelling_actors_with_beliefs_changes_nothing(order):
    sc = Scenario.model_validate({**_yaml(BASE + TOLD)})
    inputs = sc.to_arrays()
    eum = summitry.ExpectedUtility()
    out = eum.run(inputs)
    other = eum.run(inputs.permute_actors(list(order)))
    np.testing.assert_allclose(other.outcome, out.outcome, atol=1e-9)
    m = miscalculation(eum, inputs, out.outcome)
    m2 = miscalculation(eum, inputs.permute_actors(list(order)), other.outcome)
    np.testing.assert_allclose(m2.score, m.score[list(order)], atol=1e-6)


def _yaml(text):
    import yaml

    return yaml.safe_load(text)


def test_forecast_command_shows_the_miscalculation_table(tmp_path):
    path = tmp_path / "told.yaml"
    path.write_text(BASE + TOLD)
    result = CliRunner().invoke(app, ["forecast", str(path), "--no-store"], env={"COLUMNS": "150"})
    assert result.exit_code == 0, result.output
    assert "miscalculation" in result.output


def test_inputs_with_beliefs_survive_take_and_replace(tmp_path):
    inputs = _load(tmp_path, BASE + TOLD).to_arrays().repeat(4)
    assert inputs.belief_position.shape == (3, 3, 2)
    assert dataclasses.replace(inputs).has_beliefs
