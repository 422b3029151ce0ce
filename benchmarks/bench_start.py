"""Start-up time of the ``summitry`` command: whole process, warm, median of 5.

Run: ``python benchmarks/bench_start.py [--runs 5]``. Each command runs once untimed
(so that the files it reads are in the page cache and Python's bytecode is compiled),
then ``--runs`` times; the wall-clock time of the whole process (``subprocess.run``) is
measured and the median printed beside the target of docs/performance.md. The console
script beside this interpreter is used; without it, ``python -m summitry``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS: list[tuple[list[str], float | None]] = [
    (["--version"], 0.3),
    (["--help"], None),
    (["validate", "korea-hanoi-2019"], 0.6),
    (["models"], None),
]
"""Each command's arguments and its target (seconds), if it has one."""


def _launcher() -> list[str]:
    script = Path(sys.executable).with_name("summitry")
    if script.exists():
        return [str(script)]
    found = shutil.which("summitry")
    return [found] if found else [sys.executable, "-m", "summitry"]


def _seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Timed runs of each command.")
    args = parser.parse_args()

    launcher = _launcher()
    print(f"{' '.join(launcher)}; python {platform.python_version()}")
    print(f"nproc {os.cpu_count()}; CPU {_cpu()}")
    print(f"{'command':<36} {'median':>8} {'min':>8} {'max':>8} {'target':>8}")
    for extra, target in COMMANDS:
        command = [*launcher, *extra]
        _seconds(command)  # warm-up, untimed
        times = [_seconds(command) for _ in range(args.runs)]
        median = statistics.median(times)
        shown = f"< {target:.1f} s" if target is not None else "-"
        verdict = "" if target is None else ("  met" if median < target else "  MISSED")
        print(
            f"{'summitry ' + ' '.join(extra):<36} {median:>7.2f}s "
            f"{min(times):>7.2f}s {max(times):>7.2f}s {shown:>8}{verdict}"
        )


if __name__ == "__main__":
    main()
