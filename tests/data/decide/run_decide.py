"""Run decide-exchange-model's Equal Gain model on one input file; print every round as JSON.

Written for summitry's reference data (see README.md here); it is not part of summitry
and needs decide installed. It wires decide's own public classes the way decide's command
line does (InputDataFile, ModelFactory, EqualGainModel, ModelLoop, Observable), with an
observer that records positions instead of decide's CSV and SQLite writers. decide itself
runs unchanged.

    python run_decide.py INPUT ROUNDS [SEED] > OUTPUT.json

SEED seeds Python's ``random``, which decide uses only to break exact ties between
exchanges of equal gain (the output's ``ties`` counts them; the reference files have none).
"""

import json
import random
import sys
from importlib.metadata import version
from pathlib import Path

from decide.data.modelfactory import ModelFactory
from decide.data.reader import InputDataFile
from decide.model.equalgain import EqualGainModel
from decide.model.observers.observer import Observable, Observer
from decide.model.utils import ModelLoop


class Recorder(Observer):
    """Each round: the positions it starts from, and the voting positions it ends with."""

    def __init__(self, observable):
        super().__init__(observable)
        self.rounds = []
        self.exchanges = []

    def _state(self):
        model = self.model_ref
        position = {
            issue.name: {str(a): float(ai.position) for a, ai in model.actor_issues[issue].items()}
            for issue in model.actor_issues
        }
        outcome = {issue.name: float(model.nbs[issue]) for issue in model.actor_issues}
        return position, outcome

    def after_loop(self, realized, iteration, repetition):
        position, outcome = self._state()
        self.rounds.append({"preference": position, "preference_nbs": outcome})

    def end_loop(self, iteration, repetition):
        position, outcome = self._state()
        self.rounds[-1].update({"voting": position, "voting_nbs": outcome})

    def _execute_equal_exchange(self, exchange):
        if self.rounds:  # the first round's exchanges only
            return
        self.exchanges.append(
            {
                "gain": float(exchange.gain),
                "moves": [
                    {
                        "actor": str(side.actor.actor_id),
                        "issue": side.supply.issue.name,
                        "from": float(side.supply.position),
                        "to": float(side.y),
                    }
                    for side in (exchange.i, exchange.j)
                ],
            }
        )


def main(path: str, rounds: int, seed: int) -> None:
    random.seed(seed)
    data = InputDataFile.open(Path(path))
    if not data.is_valid:
        raise SystemExit(f"decide rejects the file: {data.errors}")
    model = ModelFactory(data)(model_klass=EqualGainModel, randomized_value=None)
    handler = Observable(model_ref=model, output_directory=".")
    recorder = Recorder(handler)
    loop = ModelLoop(model, handler, 0)
    for _ in range(rounds):
        loop.loop()
    out = {
        "decide_version": version("decide-exchange-model"),
        "input": Path(path).name,
        "rounds_run": rounds,
        "seed": seed,
        "ties": model.tie_count,
        "scale": "every position normalised to 0-100 by decide (its #M bounds)",
        "issues": {issue.name: [float(issue.lower), float(issue.upper)] for issue in model.issues},
        "rounds": recorder.rounds,
        "first_round_exchanges": recorder.exchanges,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
