"""How long ``summitry calibrate`` takes over the whole case library.

Run: ``python benchmarks/bench_calibrate.py [--draws 1000] [--compare]``.

1. The command itself, as a user runs it (``summitry calibrate --samples 1000 --json``,
   every model, every case that records an outcome), in a fresh process: imports and any
   first compile included. Target: 5 minutes or less on 2 cores.
2. Each case of the library in a warm process, outcome recorded or not (a case without
   one is timed on the same work, as if its outcome were known): the models on the
   draws, then P(deal) and the settled outcome of every model, which is all calibrate
   computes (``analysis.calibration.score_case``).
3. With ``--compare``: the same cases through a full forecast, whose P(deal) also finds
   the reasons for no deal and each actor's own forecast (miscalculation) on up to
   ``forecast.ANALYSIS_DRAWS`` draws; calibrate needs neither.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import summitry
from summitry.analysis.calibration import score_case
from summitry.analysis.score import scored_step
from summitry.forecast import forecast, summitry_version
from summitry.library import case_library, load_case
from summitry.terms import Outcome


def _scoreable(scenario: summitry.Scenario) -> summitry.Scenario:
    """The scenario with a stand-in outcome where none is recorded yet (timing only)."""
    if scenario.outcome is not None:
        return scenario
    stand_in = Outcome(deal=False, date="9999", source="benchmark stand-in")
    return scenario.model_copy(update={"outcome": stand_in})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    cases = case_library()
    print(f"summitry {summitry_version()}")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"{len(cases)} cases in the library, {args.draws} draws of every model\n")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "calibration.json"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "summitry", "calibrate", "--samples", str(args.draws),
             "--json", "-o", str(out)],
            capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
    if done.returncode != 0:
        print(f"summitry calibrate failed ({done.returncode}): {done.stderr.strip()}")
    else:
        print(f"summitry calibrate (fresh process, cases with an outcome): {wall:.1f} s")

    print(
        f"\n{'case':<34} {'A':>3} {'I':>3} {'calibrate':>10}"
        + ("   forecast" if args.compare else "")
    )
    total = full = 0.0
    for case in cases:
        scenario = _scoreable(load_case(case.id))
        start = time.perf_counter()
        score_case(case.id, scenario, seed=0, samples=args.draws)
        took = time.perf_counter() - start
        total += took
        line = f"{case.id:<34} {len(scenario.actors):>3} {len(scenario.issues):>3} {took:>9.2f}s"
        if args.compare:
            step = scored_step(scenario)
            situation = scenario if step is None else step.step.scenario
            start = time.perf_counter()
            result = forecast(situation, seed=0, samples=args.draws)
            result.deal_dict()
            result.settled_outcomes()
            spent = time.perf_counter() - start
            full += spent
            line += f" {spent:>9.2f}s"
        print(line)
    print(f"{'all cases, warm':<42} {total:>9.2f}s" + (f" {full:>9.2f}s" if args.compare else ""))


if __name__ == "__main__":
    main()
