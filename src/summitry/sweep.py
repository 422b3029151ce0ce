"""Sweeps: forecasts over a grid or a random design of scenario variants.

A variant sets one or more inputs to given values; every variant's inputs (times the
Monte Carlo samples asked for) go into one batch, so each model runs once for the whole
sweep, locally or in chunks on Dask (:mod:`summitry.engine`).

What can vary, written as a field path on the scenario's own scales:

- ``positions.<actor>.<issue>.position`` and ``positions.<actor>.<issue>.salience``
- ``actors.<actor>.capability``
- ``issues.<issue>.status_quo``

Values are written ``START:STOP:N`` (N evenly spaced values, ends included), ``START:STOP``
(the range; 11 values on a grid, or the bounds of a random design) or ``V1,V2,...``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.stats import qmc

from summitry.analysis.deal import acceptable_set, deal_analysis
from summitry.analysis.uncertainty import sample
from summitry.bounds import MAX_VARIANTS, check_count
from summitry.engine import Engine, run_models
from summitry.errors import ParameterError
from summitry.forecast import _resolve
from summitry.inputs import Inputs
from summitry.scenario import MAX_MAGNITUDE, Scenario

__all__ = ["DESIGNS", "SweepResult", "Vary", "design", "sweep"]

DESIGNS = ("grid", "random")
GRID_POINTS = 11
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass(frozen=True)
class Vary:
    """One input to vary: its field path and its values (or range)."""

    path: str
    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None

    @classmethod
    def parse(cls, expr: str) -> Vary:
        """Read ``PATH=START:STOP[:N]`` or ``PATH=V1,V2,...``."""
        path, sep, spec = expr.partition("=")
        path, spec = path.strip(), spec.strip()
        if not sep or not path or not spec:
            raise ParameterError(f"--vary {expr!r}: write PATH=START:STOP[:N] or PATH=V1,V2,...")
        rng = re.fullmatch(rf"({_NUMBER}):({_NUMBER})(?::(\d+))?", spec)
        if rng:
            low, high = float(rng[1]), float(rng[2])
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ParameterError(f"--vary {expr!r}: START and STOP must be finite numbers")
            if not low < high:
                raise ParameterError(f"--vary {expr!r}: START must be below STOP")
            if rng[3] is None:
                return cls(path, None, low, high)
            n = int(rng[3]) if len(rng[3]) <= 9 else MAX_VARIANTS + 1
            if not 2 <= n <= MAX_VARIANTS:
                raise ParameterError(
                    f"--vary {expr!r}: N must be from 2 to {MAX_VARIANTS:,} (a sweep's variants)"
                )
            return cls(path, tuple(float(v) for v in np.linspace(low, high, n)), low, high)
        parts = [p.strip() for p in spec.split(",")]
        if not all(re.fullmatch(_NUMBER, p) for p in parts):
            raise ParameterError(f"--vary {expr!r}: values must be numbers, e.g. 0,0.5,1")
        values = tuple(float(p) for p in parts)
        return cls(path, values, min(values), max(values))

    def grid(self) -> tuple[float, ...]:
        """The values of a grid design."""
        if self.values is not None:
            return self.values
        return tuple(float(v) for v in np.linspace(self.low, self.high, GRID_POINTS))


def design(
    varies: Sequence[Vary], kind: str = "grid", *, n: int | None = None, seed: int = 0
) -> np.ndarray:
    """``(V, k)`` values: the full grid, or ``n`` Latin-hypercube points within the ranges."""
    if kind == "grid":
        size = math.prod(len(v.grid()) for v in varies)
        if size > MAX_VARIANTS:
            raise ParameterError(
                f"the grid has {size:,} variants; at most {MAX_VARIANTS:,} (fewer points, or "
                "--design random --variants N)"
            )
        return np.array(list(itertools.product(*(v.grid() for v in varies))), dtype=float)
    if kind != "random":
        raise ParameterError(f"design must be one of {', '.join(DESIGNS)}; got {kind!r}")
    if n is None or n < 1:
        raise ParameterError("a random design needs the number of variants (--variants N)")
    check_count("variants", n, 1, MAX_VARIANTS)
    unit = qmc.LatinHypercube(d=len(varies), seed=np.random.default_rng(seed)).random(n)
    low = np.array([v.low for v in varies])
    high = np.array([v.high for v in varies])
    return qmc.scale(unit, low, high) if len(varies) else unit


@dataclass(frozen=True)
class SweepResult:
    """The outcomes of every variant.

    ``values`` is ``(V, k)``; ``outcome`` maps each model to ``(V, S, I)`` outcomes on
    each issue's scale; ``deal`` maps each model to ``(V, S)`` booleans, or is empty when
    an issue has no status quo.
    """

    scenario: Scenario
    varies: tuple[Vary, ...]
    values: np.ndarray
    issues: tuple[str, ...]
    outcome: dict[str, np.ndarray]
    deal: dict[str, np.ndarray]
    seed: int
    samples: int

    def rows(self) -> list[dict[str, Any]]:
        """The tidy table: one row per variant, model and issue."""
        out = []
        for v, vals in enumerate(self.values):
            for model, outcome in self.outcome.items():
                q = np.quantile(outcome[v], [0.05, 0.5, 0.95], axis=0)  # (3, I)
                p = float(np.mean(self.deal[model][v])) if self.deal else None
                for i, issue in enumerate(self.issues):
                    row: dict[str, Any] = {"variant": v}
                    row.update(
                        {vary.path: float(x) for vary, x in zip(self.varies, vals, strict=True)}
                    )
                    row.update(
                        model=model,
                        issue=issue,
                        outcome=float(q[1, i]),
                        low=float(q[0, i]),
                        high=float(q[2, i]),
                        p_deal=p,
                    )
                    out.append(row)
        return out


def sweep(
    scenario: Scenario,
    varies: Sequence[Vary],
    *,
    kind: str = "grid",
    variants: int | None = None,
    models: Sequence[Any] | None = None,
    seed: int = 0,
    samples: int = 1,
    rounds: int | None = None,
    engine: Engine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Forecast every variant of the design, all variants in one batch per model."""
    if not varies:
        raise ParameterError("give at least one --vary PATH=VALUES")
    chosen = _resolve(models)
    if models is None and any(i.status_quo is None for i in scenario.issues):
        chosen = [m for m in chosen if not m.needs_status_quo]
    values = design(varies, kind, n=variants, seed=seed)
    _check_variants(scenario, varies, values)
    base = sample(scenario, samples, seed=seed)
    batch = _variants(scenario, base, varies, values)
    trajectories = run_models(
        chosen, batch, seed=seed, rounds=rounds, engine=engine, progress=progress
    )
    n_v, n_i = len(values), base.n_issues
    outcome = {
        name: t.outcome_on_scale().reshape(n_v, samples, n_i) for name, t in trajectories.items()
    }
    deal = {}
    if not np.isnan(batch.status_quo).any():
        solution = acceptable_set(batch)
        for name, t in trajectories.items():
            result = deal_analysis(batch, t.outcome, solution=solution)
            deal[name] = result.deal.reshape(n_v, samples)
    return SweepResult(
        scenario=scenario,
        varies=tuple(varies),
        values=values,
        issues=base.issues,
        outcome=outcome,
        deal=deal,
        seed=seed,
        samples=samples,
    )


def _check_variants(scenario: Scenario, varies: Sequence[Vary], values: np.ndarray) -> None:
    """Every variant obeys the rules a scenario file obeys across its fields.

    Each varied value is checked against its own range when the design is read; what a
    combination can break is that some actor keeps capability and that every issue keeps
    an actor taking part with capability and salience above zero.
    """
    own = _variants(scenario, scenario.to_arrays(), varies, values)  # one row per variant
    capability = own.capability  # (V, A)
    weight = capability[:, :, None] * np.where(own.present[None], own.salience, 0.0)
    no_clout = ~(capability > 0).any(axis=1)
    empty = ~(weight > 0).any(axis=1)  # (V, I)
    bad = np.flatnonzero(no_clout | empty.any(axis=1))
    if bad.size == 0:
        return
    k = int(bad[0])
    shown = ", ".join(f"{v.path}={values[k, j]:g}" for j, v in enumerate(varies))
    if no_clout[k]:
        rule = "every capability is zero"
    else:
        issue = scenario.issue_ids[int(np.argmax(empty[k]))]
        rule = f"issue '{issue}' has no actor taking part with capability and salience above zero"
    raise ParameterError(
        f"{bad.size:,} of {len(values):,} variants break a rule; the first ({shown}): {rule}"
    )


def _variants(
    scenario: Scenario, base: Inputs, varies: Sequence[Vary], values: np.ndarray
) -> Inputs:
    """``V x S`` samples: the base samples repeated per variant, with the varied inputs set."""
    n_v, n_s = len(values), base.n_samples
    batch = base.take(np.tile(np.arange(n_s), n_v))
    arrays = {
        "position": np.array(batch.position),
        "salience": np.array(batch.salience),
        "capability": np.array(batch.capability),
        "status_quo": np.array(batch.status_quo),
    }
    for k, vary in enumerate(varies):
        field, index, to_unit = _target(scenario, vary)
        column = np.repeat(values[:, k], n_s)
        arrays[field][(slice(None), *index)] = to_unit(column)
    return replace(batch, **arrays)


def _target(
    scenario: Scenario, vary: Vary
) -> tuple[str, tuple[int, ...], Callable[[np.ndarray], np.ndarray]]:
    """The array, the index after the sample axis, and the map to [0, 1] of a path."""
    parts = vary.path.split(".")
    actors, issues = scenario.actor_ids, scenario.issue_ids

    def bad(message: str) -> ParameterError:
        return ParameterError(f"--vary {vary.path}: {message}")

    def check(lo: float, hi: float, what: str) -> None:
        if vary.low < lo or vary.high > hi:
            raise bad(
                f"{what} must stay within [{lo:g}, {hi:g}]; got {vary.low:g} to {vary.high:g}"
            )

    if len(parts) == 4 and parts[0] == "positions" and parts[3] in ("position", "salience"):
        _, actor, issue, field = parts
        if actor not in actors:
            raise bad(f"unknown actor '{actor}'")
        if issue not in scenario.positions.get(actor, {}):
            raise bad(f"'{actor}' has no stance on '{issue}'")
        a, i = actors.index(actor), issues.index(issue)
        if field == "position":
            scale = scenario.issue(issue).scale
            check(scale.min, scale.max, "a position")
            return "position", (a, i), lambda v: (v - scale.min) / (scale.max - scale.min)
        top = float(scenario.salience_scale)
        check(0, top, "a salience")
        return "salience", (a, i), lambda v: v / top
    if len(parts) == 3 and parts[0] == "actors" and parts[2] == "capability":
        if parts[1] not in actors:
            raise bad(f"unknown actor '{parts[1]}'")
        check(0, MAX_MAGNITUDE, "a capability")
        return "capability", (actors.index(parts[1]),), lambda v: v
    if len(parts) == 3 and parts[0] == "issues" and parts[2] == "status_quo":
        if parts[1] not in issues:
            raise bad(f"unknown issue '{parts[1]}'")
        scale = scenario.issue(parts[1]).scale
        check(scale.min, scale.max, "a status quo")
        return (
            "status_quo",
            (issues.index(parts[1]),),
            lambda v: (v - scale.min) / (scale.max - scale.min),
        )
    raise bad(
        "can vary positions.<actor>.<issue>.position, positions.<actor>.<issue>.salience, "
        "actors.<actor>.capability or issues.<issue>.status_quo"
    )
