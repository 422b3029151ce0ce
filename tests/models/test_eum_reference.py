"""The EUM reproduces the public Scholz replication round by round (reference/eum)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from summitry.models import ExpectedUtility
from summitry.models._stats import weighted_mean, weighted_median
from summitry.scenario import Scenario

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "eum"
ROUNDS = 10
TOL = 1e-9


def _scenario(name: str) -> Scenario:
    with open(REFERENCE / f"{name}-input.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    xs = [float(r["Position"]) for r in rows]
    return Scenario.from_dict(
        {
            "name": name,
            "issues": [{"id": "issue", "scale": {"min": min(xs), "max": max(xs)}}],
            "actors": [{"id": r["Actor"], "capability": float(r["Capability"])} for r in rows],
            "positions": {
                r["Actor"]: {
                    "issue": {"position": float(r["Position"]), "salience": float(r["Salience"])}
                }
                for r in rows
            },
        }
    )


def _reference(name: str, variant: str) -> list[dict[str, str]]:
    with open(REFERENCE / f"{name}-{variant}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


CASES = [
    ("ExampleActors", "fixed", "fixed"),
    ("Sultan", "fixed", "fixed"),
    ("ExampleActors", "asis", "published"),
    ("Sultan", "asis", "published"),
]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside the repo")
@pytest.mark.parametrize(("name", "variant", "capitulation"), CASES)
@pytest.mark.parametrize("tol", [None, 0.0], ids=["default-tol", "exact"])
def test_eum_matches_replication_round_by_round(name, variant, capitulation, tol):
    scenario = _scenario(name)
    inputs = scenario.to_arrays()
    params = {} if variant == "fixed" else {"capitulation": capitulation}
    if tol is not None:
        params["tol"] = tol
    model = ExpectedUtility(**params)
    run = model.run(inputs, rounds=ROUNDS)
    assert run.n_rounds == ROUNDS
    position = run.position_on_scale()[0, :, :, 0]
    risk = run.extras["risk_exponent"][0, :, :, 0]
    median = inputs.to_scale(weighted_median(run.position[0], inputs.weight[[0] * (ROUNDS + 1)]))
    mean = inputs.to_scale(weighted_mean(run.position[0], inputs.weight[[0] * (ROUNDS + 1)]))
    checked = 0
    for row in _reference(name, variant):
        t = int(row["round"])
        expected = float(row["position"])
        if row["actor"] == "__median__":
            assert median[t, 0] == pytest.approx(expected, abs=TOL)
        elif row["actor"] == "__mean__":
            assert mean[t, 0] == pytest.approx(expected, abs=TOL)
        else:
            a = inputs.actors.index(row["actor"])
            assert position[t, a] == pytest.approx(expected, abs=TOL), (t, row["actor"])
            assert risk[t, a] == pytest.approx(float(row["risk_exponent"]), abs=TOL)
        checked += 1
    assert checked == (ROUNDS + 1) * (inputs.n_actors + 2)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside the repo")
def test_published_capitulation_test_changes_sultan():
    """The two capitulation variants differ on Sultan from round 1, as the README says."""
    inputs = _scenario("Sultan").to_arrays()
    fixed = ExpectedUtility().run(inputs, rounds=1).position
    published = ExpectedUtility(capitulation="published").run(inputs, rounds=1).position
    assert not np.allclose(fixed[:, 1], published[:, 1])
    assert np.array_equal(fixed[:, 0], published[:, 0])


def test_batch_of_reference_copies_matches_single_run():
    """Running S identical samples in one batch gives S identical trajectories."""
    if not REFERENCE.is_dir():
        pytest.skip("shared/reference is not beside the repo")
    inputs = _scenario("ExampleActors").to_arrays()
    single = ExpectedUtility().run(inputs, rounds=5).position
    batch = ExpectedUtility().run(inputs.repeat(4), rounds=5).position
    assert np.array_equal(batch, np.repeat(single, 4, axis=0))
