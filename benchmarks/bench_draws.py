"""Draws per second of each model on a bundled scenario, at several batch sizes.

Run: ``python benchmarks/bench_draws.py [SCENARIO] [--draws 1 1000 10000] [--models ...]``.
Timings are wall-clock seconds of one ``Model.run`` on a batch of Monte Carlo draws
(drawing the inputs is timed separately); the best of ``--repeat`` runs is kept.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

import summitry
from summitry.analysis.uncertainty import sample


def best_of(fn, repeat: int) -> float:
    """The shortest of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="korea-hanoi-2019")
    parser.add_argument("--draws", type=int, nargs="+", default=[1, 1000, 10000])
    parser.add_argument("--models", nargs="+", default=list(summitry.MODELS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scenario = summitry.load(args.scenario)
    print(f"{args.scenario}: {len(scenario.actors)} actors, {len(scenario.issues)} issues")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{'model':<12}{'draws':>8}{'seconds':>10}{'draws/s':>12}{'sampling s':>12}")
    for draws in args.draws:
        sample_s = best_of(lambda d=draws: sample(scenario, d, seed=1), args.repeat)
        inputs = sample(scenario, draws, seed=1)
        for name in args.models:
            model = summitry.MODELS[name]()
            seconds = best_of(lambda m=model, x=inputs: m.run(x, rng=1), args.repeat)
            rate = draws / seconds if seconds > 0 else float("inf")
            print(f"{name:<12}{draws:>8}{seconds:>10.3f}{rate:>12.0f}{sample_s:>12.3f}")


if __name__ == "__main__":
    main()
