"""How long ``summitry.advise.advise`` takes for one actor of korea-hanoi-2019.

Run: ``python benchmarks/bench_advise.py [--samples 1000] [--actor us]``.

Each case runs in its own fresh interpreter, so that its peak memory is its own. There,
``advise`` runs once on 50 draws as a warm-up (imports, compiled kernels, caches), then
once more with ``--samples`` draws, timed with ``time.perf_counter``: every generated
and listed lever weighed under the models on common draws, the flips of every blocker
and the other actors' replies (the defaults of ``summitry advise``).

- (a) the compromise and Nash models only. Target: 10 s.
- (b) every model that runs on the scenario. Target: 60 s.

The peak is the child's ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (warm-up
included). The load average is printed beside the figures, since other processes slow
every number here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

SCENARIO = "korea-hanoi-2019"
CASES = {
    "a": ("compromise and nash", ["compromise", "nash"], 10.0),
    "b": ("every model", None, 60.0),
}


def child(case: str, actor: str, samples: int) -> None:
    """Warm up, time one ``advise`` call and print the figures as JSON."""
    from summitry.advise import advise
    from summitry.io import load

    scenario = load(SCENARIO)
    models = CASES[case][1]
    advise(scenario, actor, models, samples=50, seed=0)
    start = time.perf_counter()
    advice = advise(scenario, actor, models, samples=samples, seed=0)
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / 2**20 if sys.platform == "darwin" else peak / 1024
    record = {
        "seconds": took,
        "peak_mib": peak_mib,
        "levers": len(advice.levers),
        "models": list(advice.models),
    }
    print(json.dumps(record))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--actor", default="us")
    parser.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.actor, args.samples)
        return

    from summitry.forecast import summitry_version

    print(f"summitry {summitry_version()}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"advise {SCENARIO} --actor {args.actor}, {args.samples} draws, seed 0\n")
    print(f"{'case':<24} {'levers':>6} {'seconds':>8} {'target':>7} {'peak MiB':>9}  load")
    missed = 0
    for case, (label, _, target) in CASES.items():
        done = subprocess.run(
            [sys.executable, __file__, "--child", case, "--actor", args.actor,
             "--samples", str(args.samples)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"case {case} failed ({done.returncode}):\n{done.stderr}")
        record = json.loads(done.stdout.strip().splitlines()[-1])
        load = os.getloadavg()[0]
        ok = record["seconds"] <= target
        missed += not ok
        print(
            f"({case}) {label:<20} {record['levers']:>6} {record['seconds']:>7.1f}s "
            f"{target:>6.0f}s {record['peak_mib']:>9.0f}  {load:.1f}"
            + ("" if ok else "  over target")
        )
        print(f"    models: {', '.join(record['models'])}")
    print("\nall within target" if not missed else f"\n{missed} case(s) over target")


if __name__ == "__main__":
    main()
