"""The Dask engine gives the same numbers as the local one, and explains itself when absent."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry
from summitry.analysis.uncertainty import sample
from summitry.cli import app
from summitry.engine import Engine, run_models
from summitry.errors import ParameterError
from summitry.sweep import Vary, sweep


def test_engine_checks_its_arguments():
    with pytest.raises(ParameterError, match="one of local, dask"):
        Engine("spark")
    with pytest.raises(ParameterError, match="needs --engine dask"):
        Engine("local", "tcp://host:8786")


def test_without_dask_the_option_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    inputs = sample(summitry.load("ec-example"), 10, seed=0)
    with pytest.raises(ParameterError, match=r'pip install "summitry\[dask\]"'):
        run_models([summitry.WeightedMedian()], inputs, seed=0, engine=Engine("dask"))
    result = CliRunner().invoke(app, ["forecast", "ec-example", "--engine", "dask", "--no-store"])
    assert result.exit_code == 2 and "summitry[dask]" in result.stderr


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


@pytest.mark.slow
def test_dask_chunks_give_the_local_numbers(cluster):
    sc = summitry.load("korea-hanoi-2019")
    inputs = sample(sc, 700, seed=4)
    models = [summitry.MODELS[name]() for name in summitry.MODELS]
    models.append(summitry.MODELS["smp"](transitions="stochastic", max_rounds=8))
    models[-1].name = "smp-stochastic"  # a second SMP, one task for the whole batch
    local = run_models(models, inputs, seed=4)
    seen = []
    remote = run_models(
        models, inputs, seed=4, engine=Engine("dask", cluster, chunk=200),
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    chunks = 4 * (len(models) - 1) + 1  # 700 samples in chunks of 200, but one stochastic
    assert seen[-1] == (chunks, chunks)
    for name in local:
        np.testing.assert_array_equal(remote[name].outcome, local[name].outcome)
        np.testing.assert_array_equal(remote[name].stop_round, local[name].stop_round)
    np.testing.assert_array_equal(remote["eum"].position, local["eum"].position)  # rebuilt here


@pytest.mark.slow
def test_dask_sweep_equals_local_sweep(cluster):
    sc = summitry.load("korea-hanoi-2019")
    varies = [Vary.parse("actors.china.capability=0.5:2:3")]
    local = sweep(sc, varies, models=["eum"], samples=50, seed=2)
    remote = sweep(
        sc, varies, models=["eum"], samples=50, seed=2, engine=Engine("dask", cluster, chunk=64)
    )
    np.testing.assert_array_equal(remote.outcome["eum"], local.outcome["eum"])
    np.testing.assert_array_equal(remote.deal["eum"], local.deal["eum"])
