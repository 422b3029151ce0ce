"""What P(deal) with its reasons adds to a forecast of every model.

Run: ``python benchmarks/bench_deal.py [SCENARIO] [--draws 1000] [--repeat 3]``.

The forecast without it is what a forecast computes anyway: every model on the draws,
each actor's own forecast (miscalculation, where the scenario has beliefs) and the
winners table. P(deal) with reasons is the Nash solution of the veto players, the search
for a zone of agreement under the deal terms (twice where promises are discounted) and
each model's acceptance test and reasons. Wall-clock seconds, best of ``--repeat`` runs on
a warm process (compiled kernels cached).
"""

from __future__ import annotations

import argparse
import platform

import numpy as np
from bench_draws import best_of

import summitry
from summitry.forecast import forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="korea-hanoi-2019")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = summitry.load(args.scenario)
    forecast(scenario, samples=8, seed=1).to_dict()  # compile and warm up

    def without() -> summitry.Forecast:
        f = forecast(scenario, samples=args.draws, seed=1)
        f.miscalculations  # noqa: B018
        f.winners_dict()
        return f

    done = without()
    base = best_of(without, args.repeat)

    def deal() -> None:
        done.__dict__.pop("deal_results", None)  # computed afresh each time
        done.deal_dict()

    extra = best_of(deal, args.repeat)
    terms = scenario.to_arrays().terms
    print(
        f"{args.scenario}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
        f"{args.draws} draws, deal terms: {'yes' if terms is not None else 'none'}"
    )
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"forecast without P(deal)   {base:8.3f} s")
    print(f"P(deal) with reasons       {extra:8.3f} s")
    print(f"added                      {100 * extra / base:8.1f} %")


if __name__ == "__main__":
    main()
