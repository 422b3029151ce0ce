"""Cross-check against decide-exchange-model itself, run live (optional).

Skipped unless decide can be imported. Its newest releases need Python 3.13; release
2022.1.28 runs on 3.11 and needs only ``typesystem`` and ``peewee`` for what is used
here, for example::

    pip install --target /tmp/decide-only --no-deps \\
        decide-exchange-model==2022.1.28 typesystem==0.2.5 peewee==3.15.3
    PYTHONPATH=src:/tmp/decide-only python -m pytest tests/models/test_exchange_decide.py

Random cases with distinct values (so that decide never has to break a tie at random)
are written in decide's input format, run by decide for ten rounds and by summitry with
``quirks="decide"``; every actor's position and vote must agree to 1e-9 on decide's 0-100
scale. The seeds are cases in which decide's rounding never tips its cap check (see
docs/models/exchange.md, "Agreement with decide"): on other seeds the two agree until
the first round where it does.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("decide.model.equalgain")

from decide.data.modelfactory import ModelFactory  # noqa: E402
from decide.data.reader import InputDataFile  # noqa: E402
from decide.model.equalgain import EqualGainModel  # noqa: E402
from decide.model.observers.observer import Observable, Observer  # noqa: E402
from decide.model.utils import ModelLoop  # noqa: E402

from summitry.io import load  # noqa: E402
from summitry.models import ExchangeModel  # noqa: E402

ROUNDS = 10


def write_case(path: Path, seed: int, n_actors: int, scales: list[tuple[float, float]]) -> None:
    """A random decide input file: every value drawn afresh, about 10% of stances absent."""
    rng = random.Random(seed)
    lines = []
    for a in range(n_actors):
        lines.append(f"'#A'\t'a{a}'\t'a{a}'\t''")
    for i, (lo, hi) in enumerate(scales):
        lines += [f"'#P'\t'i{i}'\t'i{i}'\t'i{i}'", f"'#M'\t'i{i}'\t{lo}", f"'#M'\t'i{i}'\t{hi}"]
    for a in range(n_actors):
        power = round(rng.uniform(0.05, 1), 4)
        for i, (lo, hi) in enumerate(scales):
            if rng.random() < 0.1:
                continue
            x, s = round(rng.uniform(lo, hi), 3), round(rng.uniform(0.05, 1), 4)
            lines.append(f"'#D'\t'a{a}'\t'i{i}'\t{x}\t{s}\t{power}")
    path.write_text("\n".join(lines) + "\n")


class Recorder(Observer):
    def __init__(self, observable):
        super().__init__(observable)
        self.rounds = []

    def _state(self):
        m = self.model_ref
        return {
            (i.name, str(a)): float(ai.position)
            for i in m.actor_issues
            for a, ai in m.actor_issues[i].items()
        }

    def after_loop(self, realized, iteration, repetition):
        self.rounds.append({"preference": self._state()})

    def end_loop(self, iteration, repetition):
        self.rounds[-1]["voting"] = self._state()


def run_decide(path: Path) -> tuple[list[dict], int]:
    random.seed(0)
    model = ModelFactory(InputDataFile.open(path))(
        model_klass=EqualGainModel, randomized_value=None
    )
    handler = Observable(model_ref=model, output_directory=str(path.parent))
    recorder = Recorder(handler)
    loop = ModelLoop(model, handler, 0)
    for _ in range(ROUNDS):
        loop.loop()
    return recorder.rounds, model.tie_count


CASES = [
    (1, 8, [(0, 100)] * 4),
    (4, 8, [(0, 100)] * 4),
    (7, 8, [(0, 100)] * 4),
    (11, 8, [(0, 100)] * 4),
    (28, 6, [(-10, 10), (0.5, 7), (0, 100), (1990, 2030), (0, 1)]),
    (30, 6, [(-10, 10), (0.5, 7), (0, 100), (1990, 2030), (0, 1)]),
]


@pytest.mark.parametrize(("seed", "n_actors", "scales"), CASES)
def test_summitry_reproduces_decide(tmp_path, seed, n_actors, scales):
    path = tmp_path / f"case-{seed}.txt"
    write_case(path, seed, n_actors, scales)
    rounds, ties = run_decide(path)
    assert ties == 0
    inputs = load(path).to_arrays()
    out = ExchangeModel(quirks="decide").run(inputs, rounds=ROUNDS)
    position, vote = out.position[0] * 100, out.extras["voting_position"][0] * 100
    for t, rnd in enumerate(rounds):
        for i, issue in enumerate(inputs.issues):
            for a, actor in enumerate(inputs.actors):
                if inputs.present[a, i]:
                    key = (issue, actor)
                    assert position[t, a, i] == pytest.approx(rnd["preference"][key], abs=1e-9)
                    assert vote[t + 1, a, i] == pytest.approx(rnd["voting"][key], abs=1e-9)
    assert np.all(np.isfinite(out.outcome))
