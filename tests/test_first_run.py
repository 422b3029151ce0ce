"""A first forecast on a fresh installation: nothing compiles for a small run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def test_a_first_small_forecast_compiles_nothing(tmp_path):
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "SUMMITRY_KERNELS": "auto"}
    args = [sys.executable, "-m", "summitry", "forecast", "korea-hanoi-2019", "--json"]
    done = subprocess.run(args + ["--no-store"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert set(record["models"]) >= {"eum", "smp", "exchange"}
    assert list(cache.rglob("*.nbi")) == []  # every kernel ran interpreted


@pytest.mark.slow
def test_a_larger_batch_compiles_and_keeps_the_numbers(tmp_path):
    env = {**os.environ, "SUMMITRY_KERNELS": "auto"}
    args = [sys.executable, "-m", "summitry", "forecast", "korea-hanoi-2019", "--json"]
    args += ["--no-store", "--model", "eum", "--samples", "2"]
    auto = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    env["SUMMITRY_KERNELS"] = "compiled"
    compiled = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    assert json.loads(auto.stdout)["models"] == json.loads(compiled.stdout)["models"]
