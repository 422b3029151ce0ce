"""summitry's spatial model of politics beside KTAB's ``smpc`` on KTAB's own samples.

Run: ``python benchmarks/bench_ktab.py [--ktab PATH/TO/smpc] [--whole] [--reference DIR]
[--repeat N] [--kernels auto|compiled|interpreted] [--samples ...]``.

Reads the KTAB CSVs from ``shared/reference/ktab`` beside the repository (or
``--reference``), runs :class:`summitry.models.SpatialModel` with its defaults (KTAB's)
and prints the best wall-clock time of ``--repeat`` runs of ``Model.run`` (in-process:
loading the CSV is not timed; one untimed run first, since the first run of a fresh
install compiles the model). ``--kernels`` picks the build (``SUMMITRY_KERNELS``); the
default, ``compiled``, is the build every run uses once the model is loaded, while
``auto`` runs batches as small as ``dummyData_3Dim`` interpreted (docs/performance.md).

``--whole`` also times the whole process ``summitry forecast FILE --format ktab --model
smp --no-store`` (median of 3), Python's start and imports included.

Without ``--ktab`` the KTAB column holds :data:`RECORDED_KTAB`: figures of one recorded
run, not measured by this script. With ``--ktab PATH`` the script runs that ``smpc``
itself on each file (whole process, median of 3, in a scratch folder) and the ratio is
a side-by-side comparison on this machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_draws import best_of  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "ktab"

RECORDED_KTAB = {
    "dummyData_3Dim": 0.04,
    "dummyData_6Dim": 2.43,
    "SOE-Policy": 1.36,
    "dummyData-a040": 5.49,
    "dummyData-a080": 101.35,
}
"""Recorded, not measured by this script: median of 3 whole-process runs of ``smpc
--csv FILE --logmin --seed 31416 --connstr "Driver=QSQLITE;Database=ktab"``, seconds
(``/usr/bin/time``, 10 ms resolution), on 2026-12-06 on a 2-core "Intel(R) Xeon(R)
Processor" virtual machine; KTAB commit 3b5b063 (lsyaseen/KTAB) built with CMake,
kutils and kmodel as Release (-O3), examples/smp with -O2. docs/performance.md ("KTAB
side by side") has the run; pass ``--ktab`` to measure instead."""

KTAB_TURNS = {
    "dummyData_3Dim": 10,
    "dummyData_6Dim": 29,
    "SOE-Policy": 19,
    "dummyData-a040": 20,
    "dummyData-a080": 17,
}
"""Turns ``smpc`` plays on each (its printed histories; NOTES.md for a080)."""

KTAB_SEED = 31416


def ktab_command(smpc: Path, csv: Path, database: Path) -> list[str]:
    """The ``smpc`` command line timed: the reference run's flags and a SQLite database."""
    connstr = f"Driver=QSQLITE;Database={database}"
    return [
        str(smpc),
        "--csv",
        str(csv),
        "--logmin",
        "--seed",
        str(KTAB_SEED),
        "--connstr",
        connstr,
    ]


def time_process(command: list[str], repeat: int, cwd: Path, before=None) -> float:
    """Median wall-clock seconds of ``repeat`` runs of ``command`` (a whole process)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_ktab(smpc: Path, csv: Path, repeat: int) -> float:
    """Median whole-process time of ``smpc`` on ``csv``, run in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="smpc-") as tmp:
        work = Path(tmp)
        conf = smpc.parent / "smpc-logger.conf"  # smpc reads it from the working folder
        if conf.exists():
            shutil.copy(conf, work)

        def clean() -> None:
            for old in work.glob("ktab*"):
                old.unlink()
            for old in work.glob("smpc-*_log.txt"):
                old.unlink()

        return time_process(ktab_command(smpc, csv, work / "ktab"), repeat, work, clean)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", nargs="+", default=list(RECORDED_KTAB))
    parser.add_argument(
        "--kernels", choices=("auto", "compiled", "interpreted"), default="compiled"
    )
    parser.add_argument("--ktab", type=Path, help="smpc binary: run it and compare live")
    parser.add_argument("--ktab-repeat", type=int, default=3)
    parser.add_argument("--whole", action="store_true", help="also time summitry's whole process")
    args = parser.parse_args()
    os.environ["SUMMITRY_KERNELS"] = args.kernels

    from summitry import io  # after SUMMITRY_KERNELS is set
    from summitry.models import SpatialModel

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{os.cpu_count()} cores; summitry ({args.kernels} kernels): best of {args.repeat} runs")
    if args.ktab is None:
        print("ktab s: RECORDED figures (RECORDED_KTAB), not measured by this script")
    else:
        print(f"ktab s: {args.ktab} measured now, median of {args.ktab_repeat} whole processes")
    head = f"{'sample':<16}{'A x D':>8}{'turns':>7}{'ktab':>6}{'summitry s':>12}"
    head += f"{'ktab s':>9}{'speed-up':>10}"
    if args.whole:
        head += f"{'process s':>11}{'speed-up':>10}"
    print(head)
    model = SpatialModel()
    for name in args.samples:
        csv = args.reference / f"{name}.csv"
        inputs = io.load(csv, format="ktab").to_arrays()
        run = model.run(inputs)  # warm-up: compiles on a fresh install
        seconds = best_of(lambda inputs=inputs: model.run(inputs), args.repeat)
        if args.ktab is not None:
            ktab = time_ktab(args.ktab.resolve(), csv.resolve(), args.ktab_repeat)
        else:
            ktab = RECORDED_KTAB.get(name)
        size = f"{inputs.n_actors}x{inputs.n_issues}"
        row = f"{name:<16}{size:>8}{run.n_rounds:>7}{KTAB_TURNS.get(name, '-'):>6}"
        row += f"{seconds:>12.4f}"
        row += f"{ktab:>9.2f}{ktab / seconds:>9.0f}x" if ktab is not None else f"{'-':>9}{'-':>10}"
        if args.whole:
            command = [sys.executable, "-m", "summitry", "forecast", str(csv), "--format", "ktab"]
            command += ["--model", "smp", "--no-store"]
            with tempfile.TemporaryDirectory(prefix="summitry-") as tmp:
                whole = time_process(command, 3, Path(tmp))
            row += f"{whole:>11.3f}"
            row += f"{ktab / whole:>9.2f}x" if ktab is not None else f"{'-':>10}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
