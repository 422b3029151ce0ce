"""How long the expected-utility model takes on one issue with many actors.

Run: ``python benchmarks/bench_eum_actors.py [--actors 1000 2000 5000 10000] [--rounds 10]``.

Each size runs in its own fresh interpreter, so that its peak memory is its own. There
the inputs are drawn (seed 0: positions uniform on [0, 100], capabilities on [1, 100],
saliences on [0.1, 1], one issue, one sample), the model runs once for 2 rounds on 300
actors as a warm-up (imports, compiled kernels loaded or compiled, the thread pool
started), then ``get_model("eum").run(inputs, rng=0, rounds=N)`` is timed with
``time.perf_counter``: in-process, after the warm-up, drawing the inputs not included.

The peak is the child's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (interpreter,
numba and warm-up included). Target: 10,000 actors x 10 rounds within 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time

TARGET_S = 60.0
TARGET_ACTORS = 10_000


def _inputs(n: int):
    import numpy as np

    from summitry.scenario import Scenario

    rng = np.random.default_rng(0)
    ids = [f"a{k}" for k in range(n)]
    data = {
        "name": f"{n} actors",
        "issues": [{"id": "x", "scale": {"min": 0, "max": 100}}],
        "actors": [{"id": a, "capability": float(rng.uniform(1, 100))} for a in ids],
        "positions": {
            a: {
                "x": {
                    "position": float(rng.uniform(0, 100)),
                    "salience": float(rng.uniform(0.1, 1)),
                }
            }
            for a in ids
        },
    }
    return Scenario.from_dict(data).to_arrays()


def child(n: int, rounds: int) -> None:
    """Warm up, time one run and print the figures as JSON."""
    from summitry.models import get_model

    model = get_model("eum")
    model.run(_inputs(300), rng=0, rounds=2)
    inputs = _inputs(n)
    start = time.perf_counter()
    cpu = time.process_time()
    model.run(inputs, rng=0, rounds=rounds)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"actors": n, "seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak}))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rounds)
        return

    print(
        f"cores (nproc): {os.cpu_count()}; CPU: {_cpu_model()}; Python {platform.python_version()}"
    )
    print(f"EUM, one issue, one sample, rounds={args.rounds}; in-process after a warm-up")
    print(f"{'actors':>8} {'time':>9} {'CPU time':>9} {'peak RSS':>10}")
    rows = []
    for n in args.actors:
        cmd = [sys.executable, __file__, "--child", str(n), "--rounds", str(args.rounds)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{n:>8,} {row['seconds']:>8.1f}s {row['cpu_seconds']:>8.1f}s "
            f"{row['peak_mib']:>7.0f} MiB",
            flush=True,
        )
    if len(rows) >= 2:
        big = rows[-2:]
        slope = math.log(big[1]["seconds"] / big[0]["seconds"]) / math.log(
            big[1]["actors"] / big[0]["actors"]
        )
        print(f"growth exponent of time over the two largest sizes: {slope:.2f}")
    for row in rows:
        if row["actors"] == TARGET_ACTORS and args.rounds == 10:
            met = "met" if row["seconds"] <= TARGET_S else "NOT met"
            print(
                f"target: {TARGET_ACTORS:,} actors x 10 rounds within {TARGET_S:.0f} s: {met} "
                f"({row['seconds']:.1f} s)"
            )


if __name__ == "__main__":
    main()
