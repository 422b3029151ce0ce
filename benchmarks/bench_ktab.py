"""summitry's spatial model of politics beside KTAB's ``smpc`` on KTAB's own samples.

Run: ``python benchmarks/bench_ktab.py [--reference DIR] [--repeat N] [--samples ...]``.
Reads the KTAB CSVs from ``shared/reference/ktab`` beside the repository (or
``--reference``), runs :class:`summitry.models.SpatialModel` with its defaults (KTAB's),
and prints the best wall-clock time of ``--repeat`` runs of ``Model.run`` next to the
time of KTAB's release build of ``smpc`` on the same file. The first run of a
fresh install compiles the model (tens of seconds, cached afterwards); one untimed run
before the timed ones keeps that out. Loading the CSV is not timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np

from summitry import io
from summitry.models import SpatialModel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_draws import best_of  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "ktab"

KTAB_SECONDS = {
    "dummyData_3Dim": 0.07,
    "dummyData_6Dim": 4.0,
    "SOE-Policy": 2.3,
    "dummyData-a040": 9.3,
    "dummyData-a080": 105.0,
}
"""Wall time of KTAB's release build of ``smpc`` on each file, seconds: the reference
this benchmark compares against (NOTES.md section 3 has more, by build and machine)."""

KTAB_TURNS = {
    "dummyData_3Dim": 10,
    "dummyData_6Dim": 29,
    "SOE-Policy": 19,
    "dummyData-a040": 20,
    "dummyData-a080": 17,
}
"""Turns ``smpc`` plays on each (its printed histories; NOTES.md for a080)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", nargs="+", default=list(KTAB_SECONDS))
    args = parser.parse_args()

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{os.cpu_count()} cores; summitry: best of {args.repeat} runs after a warm-up run")
    head = f"{'sample':<16}{'A x D':>8}{'turns':>7}{'ktab':>6}{'summitry s':>12}"
    print(head + f"{'ktab s':>9}{'speed-up':>10}")
    model = SpatialModel()
    for name in args.samples:
        inputs = io.load(args.reference / f"{name}.csv", format="ktab").to_arrays()
        run = model.run(inputs)  # warm-up: compiles on a fresh install
        seconds = best_of(lambda inputs=inputs: model.run(inputs), args.repeat)
        ktab = KTAB_SECONDS.get(name)
        size = f"{inputs.n_actors}x{inputs.n_issues}"
        row = f"{name:<16}{size:>8}{run.n_rounds:>7}{KTAB_TURNS.get(name, '-'):>6}"
        row += f"{seconds:>12.4f}"
        if ktab is not None:
            row += f"{ktab:>9.2f}{ktab / seconds:>9.0f}x"
        print(row)


if __name__ == "__main__":
    main()
