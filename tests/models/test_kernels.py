"""The interpreted and the compiled build of each model's kernels give the same numbers.

The same operations in the same order, but not always the same machine instructions
(LLVM may fuse or reorder floating-point steps that the interpreter runs one by one), so
the two agree to rounding: exactly on the examples here, and well within the 1e-9 (on
[0, 1]) that the model tests allow over many draws of a scenario.
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies as sts
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.errors import ParameterError
from summitry.models import MODELS
from summitry.models import _kernels as kernels

BUILDS = settings(max_examples=15, deadline=None, derandomize=True)

VARIANTS = [
    ("eum", {}),
    ("eum", {"probability": "pairwise", "offer_choice": "nearest", "risk": "neutral"}),
    ("eum", {"capitulation": "published", "outcome": "mean", "tol": 0.0}),
    ("smp", {}),
    ("smp", {"ties": "symmetric", "transitions": "stochastic", "interpolation": "s2pmax"}),
    ("smp", {"voting": "binary", "pce": "markov_uniform", "bargain_model": "pw_compromise"}),
    ("exchange", {}),
    ("exchange", {"gain": "kalai-smorodinsky", "quirks": "decide", "outcome_cap": "strict"}),
]


def run_with(build: str, name: str, params: dict, inputs, seed: int):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SUMMITRY_KERNELS", build)
        return MODELS[name](**params).run(inputs, rng=seed)


@pytest.mark.parametrize(("name", "params"), VARIANTS)
@BUILDS
@given(inputs=sts.inputs(samples=(1, 2), actors=(2, 5), issues=(1, 3)), seed=st.integers(0, 99))
def test_both_builds_give_the_same_run(name, params, inputs, seed):
    compiled = run_with("compiled", name, params, inputs, seed)
    interpreted = run_with("interpreted", name, params, inputs, seed)
    np.testing.assert_array_equal(interpreted.outcome, compiled.outcome)
    np.testing.assert_array_equal(interpreted.position, compiled.position)
    np.testing.assert_array_equal(interpreted.stop_reason, compiled.stop_reason)
    np.testing.assert_array_equal(interpreted.stop_round, compiled.stop_round)
    for key, values in compiled.extras.items():
        np.testing.assert_array_equal(interpreted.extras[key], values)


def test_auto_interprets_small_batches_only(monkeypatch):
    monkeypatch.setenv("SUMMITRY_KERNELS", "auto")
    for name, module in kernels.KERNEL_MODULES.items():
        assert kernels.kernels(name, 1, 6, 5) is kernels.interpreted(name)
        assert kernels.kernels(name, 100, 6, 5).__name__ == module
        assert kernels.kernels(name, 1, 60, 5).__name__ == module
    monkeypatch.setenv("SUMMITRY_KERNELS", "compiled")
    assert kernels.compiles("eum", 1, 2, 1)
    monkeypatch.setenv("SUMMITRY_KERNELS", "interpreted")
    assert not kernels.compiles("smp", 10**6, 100, 10)


def test_the_interpreted_build_is_plain_python():
    for name in kernels.KERNEL_MODULES:
        module = kernels.interpreted(name)
        compiled = __import__(kernels.KERNEL_MODULES[name], fromlist=["_"])
        assert module is not compiled
        plain = [f for f in vars(module).values() if callable(f) and hasattr(f, "__code__")]
        assert plain and not any(hasattr(f, "py_func") for f in plain)
        assert any(hasattr(f, "py_func") for f in vars(compiled).values())


def test_an_unknown_choice_is_refused(monkeypatch):
    monkeypatch.setenv("SUMMITRY_KERNELS", "fast")
    with pytest.raises(ParameterError, match="SUMMITRY_KERNELS must be one of auto"):
        MODELS["eum"]().run(sts.make_inputs([[0.1], [0.9]]))


def test_interpreted_runs_of_a_bundled_scenario_match_and_stay_quiet(monkeypatch):
    from summitry import load
    from summitry.analysis.uncertainty import sample

    inputs = sample(load("korea-hanoi-2019"), 10, seed=1)  # draws where numpy scalars warn
    for name in kernels.KERNEL_MODULES:
        compiled = run_with("compiled", name, {}, inputs, 0)
        interpreted = run_with("interpreted", name, {}, inputs, 0)  # warnings are errors here
        np.testing.assert_allclose(interpreted.outcome, compiled.outcome, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(interpreted.stop_round, compiled.stop_round)
