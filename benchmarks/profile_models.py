"""cProfile of one model run, the top entries by own time (tottime).

Run from the repository root::

    python benchmarks/profile_models.py [TARGET ...] [--top 15] [--out DIR]

Targets (default ``eum-draws nash-draws``):

* ``eum-draws``: the EUM to its stopping rule on 10,000 draws of korea-hanoi-2019;
* ``eum-rounds``: the same, exactly 10 rounds;
* ``eum-actors``: the EUM, 10 rounds, on one sample of 1,000 synthetic actors, one issue;
* ``nash-draws``: the Nash model on 10,000 draws of korea-hanoi-2019 (the largest Nash
  run of the default ``benchmarks/suite.py``);
* ``nash-actors``: the Nash model on 1,000 synthetic samples of 1,000 actors and one issue
  (the largest of ``suite.py --samples 1000``).

Each model is warmed up first (numba), and the inputs are drawn before profiling starts.
The compiled EUM round shows as one entry (``play_round``); cProfile cannot see inside it.
With ``--out``, the raw statistics are saved as ``DIR/TARGET.pstats`` for snakeviz etc.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite import SCENARIO, _cpu_busy, synthetic  # noqa: E402

TARGETS = {  # model, draws of the scenario or synthetic (samples, actors), rounds
    "eum-draws": ("eum", 10_000, None, None),
    "eum-rounds": ("eum", 10_000, None, 10),
    "eum-actors": ("eum", 1, 1_000, 10),
    "nash-draws": ("nash", 10_000, None, None),
    "nash-actors": ("nash", 1_000, 1_000, None),
}


def profile(target: str, top: int, out: Path | None) -> str:
    import summitry
    from summitry.analysis.uncertainty import sample

    name, samples, actors, rounds = TARGETS[target]
    model = summitry.MODELS[name]()
    model.run(synthetic(2, 5, 2, seed=123), rng=0, rounds=rounds)  # warm-up (numba)
    if actors is None:
        inputs = sample(summitry.load(SCENARIO), samples, seed=1)
        what = f"{samples} draws of {SCENARIO}"
    else:
        inputs = synthetic(samples, actors, 1)
        what = f"{samples} synthetic sample(s) of {actors} actors, 1 issue"
    what += f", {'to its stopping rule' if rounds is None else f'{rounds} rounds'}"
    prof = cProfile.Profile()
    busy0, own0, start = _cpu_busy(), os.times(), time.perf_counter()
    prof.enable()
    model.run(inputs, rng=0, rounds=rounds)
    prof.disable()
    wall = time.perf_counter() - start
    own1 = os.times()
    own = (own1.user - own0.user) + (own1.system - own0.system)
    others = "" if busy0 is None else f", others kept {(_cpu_busy() - busy0 - own) / wall:.1f}"
    others += f" cores busy; this process used {own:.1f} CPU-s"
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(out / f"{target}.pstats")
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    body = buf.getvalue().strip().splitlines()
    # drop pstats' preamble lines up to the summary line ("N function calls ... in T seconds")
    start_at = next((k for k, line in enumerate(body) if "function calls" in line), 0)
    head = f"== {target}: {name} on {what} (wall {wall:.2f} s under the profiler{others})"
    return "\n".join([head, *body[start_at:]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {unknown}; choose from {', '.join(TARGETS)}")
    for target in args.targets or ["eum-draws", "nash-draws"]:
        print(profile(target, args.top, args.out), flush=True)
        print()


if __name__ == "__main__":
    main()
