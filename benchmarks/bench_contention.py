"""EUM wall time when other processes compete for the CPUs, under numba threading settings.

Run from the repository root::

    python benchmarks/bench_contention.py [--busy 1] [--repeat 10]

For each environment variant (numba's default OpenMP layer; ``OMP_WAIT_POLICY=passive``;
``NUMBA_NUM_THREADS=1``) and each load (no extra load; ``--busy`` busy-loop processes that
this script starts and stops itself), a fresh interpreter warms the EUM up and times a few
EUM runs ``--repeat`` times each; the table shows the median and the best run. The cases
are a single lane (one sample, one issue: the compiled round still opens a parallel region
every round) and many lanes (1,000 draws of korea-hanoi-2019). Before each unloaded
variant it waits up to ``--wait-quiet`` seconds for other processes to go idle, and the
last column shows how many cores they kept busy meanwhile (the busy-loops not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CASES = {
    "1 lane, 30 actors, 10 rounds": ("synthetic", 1, 30, 10),
    "1 lane, 300 actors, 10 rounds": ("synthetic", 1, 300, 10),
    "korea 1,000 draws, 10 rounds": ("scenario", 1000, None, 10),
}
VARIANTS = {
    "default (omp)": {},
    "OMP_WAIT_POLICY=passive": {"OMP_WAIT_POLICY": "passive"},
    "NUMBA_NUM_THREADS=1": {"NUMBA_NUM_THREADS": "1"},
}


def child(repeat: int) -> None:
    import numpy as np

    import summitry
    from summitry.analysis.uncertainty import sample

    sys.path.insert(0, str(HERE))
    from suite import SCENARIO, synthetic

    model = summitry.MODELS["eum"]()
    model.run(synthetic(2, 5, 2, seed=123), rng=0, rounds=10)  # warm-up (numba)
    out = {}
    for name, (kind, samples, actors, rounds) in CASES.items():
        if kind == "synthetic":
            inputs = synthetic(samples, actors, 1)
        else:
            inputs = sample(summitry.load(SCENARIO), samples, seed=1)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            model.run(inputs, rng=0, rounds=rounds)
            times.append(time.perf_counter() - start)
        out[name] = (float(np.median(times)), min(times))
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=1, help="busy-loop processes to start")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--wait-quiet", type=float, default=30.0, help="wait up to S s for others to go idle"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return
    sys.path.insert(0, str(HERE))
    from suite import _children_cpu, _cpu_busy, wait_for_quiet

    src = str(ROOT / "src")
    rows = []
    for load in (0, args.busy):
        spinners = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)
        ]
        try:
            for variant, extra in VARIANTS.items():
                if args.wait_quiet:  # our own busy-loops would count: wait only without them
                    if not load:
                        wait_for_quiet(args.wait_quiet)
                env = {**os.environ, **extra}
                busy0, own0, wall0 = _cpu_busy(), _children_cpu(), time.perf_counter()
                env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                wall = time.perf_counter() - wall0
                others = None
                if busy0 is not None:  # everyone's CPU less the child's and our spinners'
                    spent = (_cpu_busy() - busy0) - (_children_cpu() - own0)
                    others = max(0.0, spent / wall - load)
                rows.append((load, variant, res, others))
                print(f"busy={load} {variant}: done", file=sys.stderr, flush=True)
        finally:
            for p in spinners:
                p.kill()
                p.wait()
    print(f"{os.cpu_count()} CPUs; median / best of {args.repeat} runs, seconds\n")
    header = ["busy-loops started", "numba setting", *CASES, "other processes, cores"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(CASES) + 1)) + "|")
    for load, variant, res, others in rows:
        cells = [f"{res[c][0]:.4g} / {res[c][1]:.4g}" for c in CASES]
        busy = "?" if others is None else f"{others:.1f}"
        print(f"| {load} | {variant} | " + " | ".join(cells) + f" | {busy} |")


if __name__ == "__main__":
    main()
