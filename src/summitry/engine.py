"""Where model runs happen: in this process, or in chunks on a Dask cluster.

The local engine runs each model once on the whole batch. The Dask engine splits the
batch into chunks of samples, runs every chunk on a worker and joins the outcomes. Every
sample is bargained on its own (its lanes never see another sample's), so the joined
result is the same, number for number, as the local one. Full per-round trajectories
stay behind on the workers; they are rebuilt here, by running the model locally, the
first time someone reads them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from summitry.errors import ParameterError
from summitry.inputs import Inputs
from summitry.models.base import Model
from summitry.trajectory import Trajectory

__all__ = ["ENGINES", "CHUNK", "Engine", "run_models"]

ENGINES = ("local", "dask")
CHUNK = 1024
"""Samples per Dask task: large enough to keep each task's batch vectorised."""

INSTALL_DASK = 'the dask engine needs Dask: pip install "summitry[dask]"'


@dataclass(frozen=True)
class Engine:
    """How to run: ``kind`` is "local" or "dask"; ``scheduler`` an address or None.

    With ``kind="dask"`` and no scheduler, a local cluster of one single-threaded worker
    process per core is started for the run and closed after it. Each model runs in
    chunks of ``chunk`` samples, except one that is not :attr:`~Model.splittable`, which
    runs the whole batch as one task.
    """

    kind: str = "local"
    scheduler: str | None = None
    chunk: int = CHUNK

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise ParameterError(f"engine must be one of {', '.join(ENGINES)}; got {self.kind!r}")
        if self.scheduler is not None and self.kind != "dask":
            raise ParameterError("--scheduler needs --engine dask")
        if not isinstance(self.chunk, int) or self.chunk < 1:
            raise ParameterError(f"chunk must be a positive integer; got {self.chunk!r}")


def run_models(
    models: Sequence[Model],
    inputs: Inputs,
    *,
    seed: int,
    rounds: int | None = None,
    engine: Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Trajectory]:
    """Run every model on ``inputs``; ``progress(done, total)`` counts models or chunks."""
    engine = engine or Engine()
    if engine.kind == "local":
        out = {}
        for k, m in enumerate(models, start=1):
            out[m.name] = m.run(inputs, rng=seed, rounds=rounds)
            if progress is not None:
                progress(k, len(models))
        return out
    return _run_dask(models, inputs, seed=seed, rounds=rounds, engine=engine, progress=progress)


def _run_chunk(model: Model, inputs: Inputs, seed: int, rounds: int | None) -> dict[str, Any]:
    """Run one chunk on a worker; return only what the forecast reads."""
    traj = model.run(inputs, rng=seed, rounds=rounds)
    return {
        "outcome": np.asarray(traj.outcome),
        "stop_reason": np.asarray(traj.stop_reason),
        "stop_round": np.asarray(traj.stop_round),
        "cycle_length": np.asarray(traj.cycle_length),
        "extras": tuple(traj.extras),
    }


def _run_dask(
    models: Sequence[Model],
    inputs: Inputs,
    *,
    seed: int,
    rounds: int | None,
    engine: Engine,
    progress: Callable[[int, int], None] | None,
) -> dict[str, Trajectory]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ParameterError(INSTALL_DASK) from None
    starts = range(0, inputs.n_samples, engine.chunk)
    chunks = [inputs.take(np.arange(s, min(s + engine.chunk, inputs.n_samples))) for s in starts]
    cluster = None
    try:
        if engine.scheduler is None:
            cluster = LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(engine.scheduler, timeout="10s")
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler {engine.scheduler}: {exc}") from None
    try:
        futures = {}
        pieces = {m.name: chunks if m.splittable else [inputs] for m in models}
        for m in models:
            for k, chunk in enumerate(pieces[m.name]):
                futures[client.submit(_run_chunk, m, chunk, seed, rounds, pure=False)] = (m.name, k)
        parts: dict[str, list[Any]] = {m.name: [None] * len(pieces[m.name]) for m in models}
        for done, future in enumerate(as_completed(futures), start=1):
            name, k = futures[future]
            parts[name][k] = future.result()
            if progress is not None:
                progress(done, len(futures))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {m.name: _join(m, inputs, parts[m.name], seed, rounds) for m in models}


def _join(
    model: Model, inputs: Inputs, parts: Sequence[Mapping[str, Any]], seed: int, rounds: int | None
) -> Trajectory:
    """One trajectory from the chunks' outcomes; positions are rebuilt locally on demand."""

    @functools.cache
    def local() -> Trajectory:
        return model.run(inputs, rng=seed, rounds=rounds)

    def joined(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    return Trajectory(
        model=model.name,
        inputs=inputs,
        position=lambda: local().position,
        outcome=joined("outcome"),
        stop_reason=joined("stop_reason"),
        stop_round=joined("stop_round"),
        cycle_length=joined("cycle_length"),
        extras={k: functools.partial(lambda k: local().extras[k], k) for k in parts[0]["extras"]},
    )
