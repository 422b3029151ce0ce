"""The smallest concession that makes each blocker accept.

On the scenario's own values (no draws), each model forecasts; a party that refuses the
forecast (a veto player worse off than at the status quo, an actor short of its
walk-away value, a ratifier) blocks. For each blocker and each issue of the advised
actor, the actor's position is set to every point of a grid over the scale in one
batch, and the model forecasts again; the accepted grid point nearest the actor's
position is then narrowed against its refused neighbour by repeated finer grids to
``tol`` of the scale. The least move over the issues is reported.

For the compromise and Nash models the forecast moves continuously and monotonically
with the actor's position and a blocker's gain is concave in it, so the set of
positions it accepts is an interval and the boundary found is the least move
(``exact``). For the iterative models acceptance need not be an interval; the move found
is the least on the grid, narrowed (``searched``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from summitry.analysis.deal import _deal_test, acceptable_set
from summitry.inputs import Inputs
from summitry.models import Model
from summitry.models.nash import NashBargaining
from summitry.scenario import Scenario

__all__ = ["EXACT", "Flip", "accepts", "flip_concessions"]

EXACT = ("compromise", "nash")
"""Models whose flip is exact (see the module docstring)."""
GRID = 201
REFINE = 33


@dataclass(frozen=True)
class Flip:
    """The least move of the actor's position that makes ``blocker`` accept.

    ``issue``, ``start``, ``to`` and ``move`` (on the issue's scale) are None when no move
    on a single issue does it. ``bracket`` is the refused position next to ``to`` (a
    smaller move). ``deal_after`` says whether the whole forecast is then a deal.
    """

    model: str
    blocker: str
    issue: str | None
    start: float | None
    to: float | None
    move: float | None
    bracket: float | None
    method: str
    deal_after: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return dict(self.__dict__)


def _with_position(point: Inputs, actor: int, issue: int, values: np.ndarray) -> Inputs:
    batch = point.repeat(values.size)
    position = np.array(batch.position)
    position[:, actor, issue] = values
    return replace(batch, position=position)


def _test(model: Model, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """``(S, P)`` refusals and ``(S,)`` deals of the model's forecast of ``inputs``."""
    nash = NashBargaining()
    x = np.asarray(model.run(inputs, rng=0).outcome)
    test = _deal_test(inputs, x, acceptable_set(inputs, nash=nash), nash)
    return test.refused, test.deal


def accepts(
    scenario: Scenario, model: Model, actor: str, issue: str, to: float, blocker: str
) -> tuple[bool, bool]:
    """Whether ``blocker`` accepts, and whether there is a deal, with ``actor`` at ``to``."""
    point = scenario.to_arrays()
    i = scenario.issue_ids.index(issue)
    lo, hi = point.scale_min[i], point.scale_max[i]
    batch = _with_position(
        point, scenario.actor_ids.index(actor), i, np.array([(to - lo) / (hi - lo)])
    )
    refused, deal = _test(model, batch)
    names = _party_names(batch)
    return not bool(refused[0, names.index(blocker)]), bool(deal[0])


def _party_names(inputs: Inputs) -> tuple[str, ...]:
    return inputs.actors + (inputs.terms.ratifiers if inputs.terms is not None else ())


def _least(
    model: Model, point: Inputs, a: int, i: int, b: int, tol: float
) -> tuple[float, float] | None:
    """The accepted position of actor ``a`` on issue ``i`` nearest its own, for party ``b``.

    Returns it with the refused position next to it (on [0, 1]), or None when no
    position on the grid is accepted.
    """
    start = float(point.position[0, a, i])
    grid = np.unique(np.append(np.linspace(0.0, 1.0, GRID), start))
    refused, _ = _test(model, _with_position(point, a, i, grid))
    ok = ~refused[:, b]
    if not ok.any():
        return None
    k = int(np.argmin(np.where(ok, np.abs(grid - start), np.inf)))
    good = float(grid[k])
    if good == start:
        return good, good
    step = 1 if good < start else -1
    bad = float(grid[k + step])  # the refused neighbour, towards the start
    while abs(good - bad) > tol:
        fine = np.linspace(bad, good, REFINE)
        refused, _ = _test(model, _with_position(point, a, i, fine))
        accepted = np.flatnonzero(~refused[:, b])
        first = int(accepted[0]) if accepted.size else REFINE - 1
        good, bad = float(fine[first]), float(fine[max(first - 1, 0)])
        if first == 0:
            break
    return good, bad


def flip_concessions(
    scenario: Scenario,
    actor: str,
    models: Sequence[Model],
    *,
    tol: float = 1e-9,
    progress: Callable[[str, int, int], None] | None = None,
    notes: list[str] | None = None,
) -> list[Flip]:
    """Per model and blocker, the least single-issue move of ``actor`` that makes it accept.

    Empty when an issue has no status quo (no deal test) or nothing blocks. The actor
    itself is never its own blocker; where it refuses, a line saying so is appended to
    ``notes``.
    """
    point = scenario.to_arrays()
    if np.isnan(point.status_quo).any():
        return []
    a = scenario.actor_ids.index(actor)
    issues = [i for i in range(point.n_issues) if point.present[a, i]]
    names = _party_names(point)
    rows: list[Flip] = []
    itself: list[str] = []
    for n, model in enumerate(models, start=1):
        refused, _ = _test(model, point)
        if refused[0, a]:
            itself.append(model.name)
        for b in np.flatnonzero(refused[0]):
            if names[b] == actor:
                continue
            best: tuple[float, int, float, float] | None = None
            for i in issues:
                found = _least(model, point, a, i, int(b), tol)
                if found is None:
                    continue
                good, bad = found
                move = abs(good - float(point.position[0, a, i]))
                if best is None or move < best[0]:
                    best = (move, i, good, bad)
            method = "exact" if model.name in EXACT else "searched"
            if best is None:
                rows.append(Flip(model.name, names[b], None, None, None, None, None, method, False))
                continue
            _, i, good, bad = best
            lo, width = float(point.scale_min[i]), float(point.scale_max[i] - point.scale_min[i])
            _, deal = _test(model, _with_position(point, a, i, np.array([good])))
            start = lo + float(point.position[0, a, i]) * width
            to = lo + good * width
            rows.append(
                Flip(
                    model.name,
                    names[b],
                    scenario.issue_ids[i],
                    start,
                    to,
                    to - start,
                    lo + bad * width,
                    method,
                    bool(deal[0]),
                )  # fmt: skip
            )
        if progress is not None:
            progress(model.name, n, len(models))
    if itself and notes is not None:
        notes.append(
            f"{actor} itself refuses the forecast at the scenario's own values under "
            f"{', '.join(itself)}: its own levers, not a flip, are what can change that"
        )
    return rows
