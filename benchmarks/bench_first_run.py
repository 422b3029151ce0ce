"""Time the README's forecast as a new user meets it, and an all-model Monte Carlo run.

Each command runs in a fresh interpreter, as `summitry` on the command line would:

- ``first run``: ``summitry forecast korea-hanoi-2019`` with an empty numba cache
  (``NUMBA_CACHE_DIR`` pointed at a new folder), as right after ``pip install .``;
  with the default kernel choice and, for comparison, with every kernel compiled.
- ``10,000 draws``: ``summitry forecast korea-hanoi-2019 --samples 10000`` (every model,
  winners, P(deal) with reasons, miscalculation) on a warm cache: run once to fill the
  cache, then timed.

Usage: ``python benchmarks/bench_first_run.py [--repeat N] [--samples N]``. The times are
whole-process wall clock, best of ``--repeat`` runs, with the peak resident memory of the
same runs (the highest; ``ru_maxrss`` of each child, from ``os.wait4``); the load average
of the machine is printed beside them, since other processes slow every number here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

SCENARIO = "korea-hanoi-2019"


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak MiB of one ``summitry`` command in a fresh interpreter."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "summitry", *args, "--no-store"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            raise SystemExit(f"summitry {' '.join(args)} failed:\n{err.read().decode()}")
    return took, usage.ru_maxrss / 1024


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The best time and the highest peak of several runs."""
    return min(t for t, _ in runs), max(m for _, m in runs)


def cold(kernels: str, repeat: int) -> tuple[float, float]:
    """The first forecast, each run with a new empty numba cache."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache, "SUMMITRY_KERNELS": kernels}
            runs.append(timed(["forecast", SCENARIO], env))
    return best(runs)


def warm(samples: int, repeat: int) -> tuple[float, float]:
    """An all-model forecast of ``samples`` draws once the cache is filled."""
    env = {**os.environ, "SUMMITRY_KERNELS": "auto"}
    args = ["forecast", SCENARIO, "--samples", str(samples)]
    timed(args, env)  # fills the cache
    return best([timed(args, env) for _ in range(repeat)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per row (best is kept)")
    parser.add_argument("--samples", type=int, default=10_000, help="draws of the warm run")
    parser.add_argument("--skip-compiled", action="store_true", help="skip the slow cold row")
    args = parser.parse_args()
    rows = [("first run, default kernels (cold cache)", cold("auto", args.repeat))]
    if not args.skip_compiled:
        rows.append(("first run, every kernel compiled (cold cache)", cold("compiled", 1)))
    rows.append(
        (f"{args.samples:,} draws, every model (warm cache)", warm(args.samples, args.repeat))
    )
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.2f} at the end")
    for what, (seconds, peak) in rows:
        print(f"{what:<50} {seconds:7.1f} s {peak:7.0f} MiB")


if __name__ == "__main__":
    main()
