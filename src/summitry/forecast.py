"""Run bargaining models on a scenario and keep what they found, labelled and reproducible.

:func:`forecast` runs each chosen model once on a scenario's arrays and returns a
:class:`Forecast`: the trajectories by model name, together with the seed, the scenario's
digest (the input hash) and the summitry version, so that a result can always be traced
back to what produced it. The same scenario and seed give a byte-identical
:meth:`Forecast.to_dict`.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import numpy as np

from summitry._version import summitry_version
from summitry.analysis.deal import (
    DealResult,
    acceptable_set,
    deal_analysis,
    deal_draws,
    find_zones,
)
from summitry.analysis.miscalculation import Miscalculation, miscalculation
from summitry.analysis.uncertainty import sample
from summitry.analysis.winners import winners
from summitry.bounds import MAX_SEED
from summitry.engine import Engine, run_models
from summitry.errors import ParameterError
from summitry.models import MODELS, Model, get_model
from summitry.scenario import Scenario
from summitry.trajectory import Stop, Trajectory

__all__ = [
    "ANALYSIS_DRAWS",
    "INTERVAL",
    "Forecast",
    "StopSummary",
    "chosen_models",
    "forecast",
    "models_from_params",
    "replay",
    "summitry_version",
]

INTERVAL = (0.05, 0.95)
"""Quantiles of the interval reported beside each median outcome (a 90 % interval)."""

ANALYSIS_DRAWS = 500
"""Miscalculation and the reasons for no deal use at most this many draws.

Each actor's own forecast reruns every model on what that actor believes, and the zone
of agreement is searched draw by draw; on a large batch these would take several times
as long as the forecast itself. They use the first ``ANALYSIS_DRAWS`` draws, which are a
simple random subsample (draws are independent), and report intervals that reflect it.
Outcomes, winners and P(deal) use every draw.
"""


@dataclass(frozen=True)
class StopSummary:
    """How a model stopped on one issue, summarised over samples.

    Attributes
    ----------
    stop
        The most frequent :class:`~summitry.trajectory.Stop` over samples (lowest code
        on a tie).
    rounds
        Median stopping round over samples (the lower of the two middle values).
    cycle_length
        Median cycle length over the samples that stopped in a cycle; 0 when none did.
    """

    stop: Stop
    rounds: int
    cycle_length: int

    @property
    def label(self) -> str:
        """Compact words for tables: ``"converged r12"``, ``"cycle(3) r40"``."""
        if self.stop is Stop.CLOSED_FORM:
            return self.stop.label
        if self.stop is Stop.CYCLE:
            return f"cycle({self.cycle_length}) r{self.rounds}"
        return f"{self.stop.label} r{self.rounds}"


def _median_low(values: np.ndarray) -> int:
    return int(np.sort(values)[(len(values) - 1) // 2])


def _finite_or_none(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


@dataclass(frozen=True, eq=False)
class Forecast:
    """What :func:`forecast` returns.

    Attributes
    ----------
    scenario
        The scenario the models ran on.
    models
        The model objects by name, in the order they ran.
    trajectories
        Each model's :class:`~summitry.trajectory.Trajectory` by name; positions are
        ``(S, T + 1, A, I)``. From :data:`KEEP_FINAL_FROM` samples on, every round is kept
        for the first :data:`ANALYSIS_DRAWS` samples only (read them with
        :meth:`~summitry.trajectory.Trajectory.position_of`).
    seed
        Seed passed to every model.
    input_sha256
        :meth:`Scenario.digest` of the scenario: the input hash recorded with the run.
    summitry_version
        Version that produced the forecast.
    created
        UTC time of the run (ISO 8601). Left out of :meth:`to_dict` unless asked for, so
        that the same input and seed give the same record.
    rounds
        The fixed number of rounds iterative models ran, or None where they followed
        their own stopping rules (kept so that a stored run can be replayed).
    """

    scenario: Scenario
    models: Mapping[str, Model]
    trajectories: Mapping[str, Trajectory]
    seed: int
    input_sha256: str
    summitry_version: str
    created: str = field(default="", compare=False)
    rounds: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", MappingProxyType(dict(self.models)))
        object.__setattr__(self, "trajectories", MappingProxyType(dict(self.trajectories)))

    @property
    def n_samples(self) -> int:
        """Number of samples ``S`` the models ran on."""
        return next(iter(self.trajectories.values())).inputs.n_samples

    @property
    def analysis_rows(self) -> np.ndarray | None:
        """The draws miscalculation and the reasons for no deal use; None: every draw."""
        n = self.n_samples
        return None if n <= ANALYSIS_DRAWS else np.arange(ANALYSIS_DRAWS)

    def trajectory(self, model: str) -> Trajectory:
        """The trajectory of one model, by name."""
        try:
            return self.trajectories[model]
        except KeyError:
            known = ", ".join(self.trajectories)
            raise ParameterError(
                f"model '{model}' is not part of this forecast; it has: {known}"
            ) from None

    def outcomes(self) -> dict[str, dict[str, float]]:
        """Outcome per model per issue on the issue's scale, median over samples."""
        out = {}
        for name, traj in self.trajectories.items():
            values = np.median(traj.outcome_on_scale(), axis=0)  # (I,)
            out[name] = {i: float(v) for i, v in zip(traj.inputs.issues, values, strict=True)}
        return out

    def settled_outcomes(self) -> dict[str, dict[str, float]] | None:
        """Where each issue settles once a draw without a deal keeps the status quo.

        Per draw, the model's forecast where it is a deal (:mod:`summitry.analysis.deal`),
        else the status quo; the median over draws, on each issue's scale. None without a
        status quo. The models forecast where issues would settle if the parties agreed;
        this is the forecast of where they stand afterwards.
        """
        results = self.deal_results
        if results is None:
            return None
        out = {}
        for name, traj in self.trajectories.items():
            inputs = traj.inputs
            deal = results[name].deal[:, None]
            settled = inputs.to_scale(np.where(deal, traj.outcome, inputs.status_quo))
            values = np.median(settled, axis=0)
            out[name] = {i: float(v) for i, v in zip(inputs.issues, values, strict=True)}
        return out

    def quantiles(self, q: Sequence[float]) -> dict[str, dict[str, list[float]]]:
        """Outcome quantiles ``q`` (in [0, 1]) over samples, per model per issue."""
        out = {}
        for name, traj in self.trajectories.items():
            values = np.quantile(traj.outcome_on_scale(), q, axis=0)  # (len(q), I)
            out[name] = {
                issue: [float(v) for v in values[:, k]]
                for k, issue in enumerate(traj.inputs.issues)
            }
        return out

    def stops(self) -> dict[str, dict[str, StopSummary]]:
        """How each model stopped on each issue, summarised over samples."""
        out = {}
        for name, traj in self.trajectories.items():
            per_issue = {}
            for k, issue in enumerate(traj.inputs.issues):
                codes = np.bincount(traj.stop_reason[:, k].astype(np.int64), minlength=len(Stop))
                cycled = traj.cycle_length[:, k][traj.cycle_length[:, k] > 0]
                per_issue[issue] = StopSummary(
                    stop=Stop(int(np.argmax(codes))),
                    rounds=_median_low(traj.stop_round[:, k]),
                    cycle_length=_median_low(cycled) if cycled.size else 0,
                )
            out[name] = per_issue
        return out

    def to_dict(self, *, created: bool = False) -> dict[str, Any]:
        """The forecast as plain JSON-ready data, in a fixed key order.

        Parameters
        ----------
        created
            Include the run's UTC timestamp (off by default, so that records of the same
            input and seed are identical).

        The record (with its P(deal) and winners analyses) is computed once per forecast;
        each call returns a fresh copy.
        """
        record = copy.deepcopy(self._record)
        if not created:
            return record
        # the timestamp closes the run header, just before "models"
        at = list(record).index("models")
        items = list(record.items())
        return dict([*items[:at], ("created", self.created), *items[at:]])

    @functools.cached_property
    def _record(self) -> dict[str, Any]:
        """The JSON-ready record without the timestamp (computed on first use)."""
        outcomes, stops = self.outcomes(), self.stops()
        intervals = self.quantiles(INTERVAL)
        head: dict[str, Any] = {
            "scenario": self.scenario.name,
            "input_sha256": self.input_sha256,
            "seed": self.seed,
            "samples": self.n_samples,
            "summitry_version": self.summitry_version,
        }
        head["models"] = {
            name: {"summary": m.summary, "params": m.get_params()}
            for name, m in self.models.items()
        }
        issues = []
        for issue in self.scenario.issues:
            sq = issue.status_quo
            forecasts = {}
            for name in self.trajectories:
                st = stops[name][issue.id]
                forecasts[name] = {
                    "outcome": _finite_or_none(outcomes[name][issue.id]),
                    "interval": [_finite_or_none(v) for v in intervals[name][issue.id]],
                    "stop": st.stop.label,
                    "rounds": st.rounds,
                    "cycle_length": st.cycle_length,
                }
            issues.append(
                {
                    "id": issue.id,
                    "description": issue.description,
                    "scale": [issue.scale.min, issue.scale.max],
                    "low": issue.scale.low,
                    "high": issue.scale.high,
                    "status_quo": None if sq is None else float(sq),
                    "forecasts": forecasts,
                }
            )
        head["issues"] = issues
        head["p_deal"] = self.deal_dict()
        head["winners"] = self.winners_dict()
        head["miscalculation"] = self.miscalculation_dict()
        if self.analysis_rows is not None:
            head["analysis_draws"] = int(self.analysis_rows.size)
        return head

    @functools.cached_property
    def miscalculations(self) -> dict[str, Miscalculation]:
        """Each model's :class:`~summitry.analysis.miscalculation.Miscalculation`.

        Empty when every actor believes the truth (then every score would be zero).
        """
        inputs = next(iter(self.trajectories.values())).inputs
        if not inputs.has_beliefs:
            return {}
        rows = self.analysis_rows
        if rows is not None:
            inputs = inputs.take(rows)
        return {
            name: miscalculation(
                self.models[name],
                inputs,
                traj.outcome if rows is None else traj.outcome[rows],
                rng=self.seed,
                rounds=self.rounds,
            )
            for name, traj in self.trajectories.items()
        }

    def miscalculation_dict(self) -> dict[str, Any] | None:
        """Miscalculation scores and per-issue gaps per model; None without beliefs."""
        if not self.miscalculations:
            return None
        out: dict[str, Any] = {}
        for name, m in self.miscalculations.items():
            gap = np.median(m.gap, axis=1)  # (A, I)
            own = np.median(m.own, axis=1)
            index = {a: k for k, a in enumerate(m.actors)}
            out[name] = [
                {
                    "actor": actor,
                    "score": med,
                    "interval": [lo, hi],
                    "issues": {
                        issue: {
                            "own": float(own[index[actor], i]),
                            "gap": float(gap[index[actor], i]),
                        }
                        for i, issue in enumerate(m.issues)
                    },
                }
                for actor, med, lo, hi in m.summary(INTERVAL)
            ]
        return out

    def deal_dict(self) -> dict[str, Any] | None:
        """P(deal), its interval, the blocking veto players and the reasons for no deal.

        One entry per model; None without a status quo. See :mod:`summitry.analysis.deal`.
        """
        results = self.deal_results
        if results is None:
            return None
        out: dict[str, Any] = {}
        for name, result in results.items():
            out[name] = {
                "p_deal": result.p_deal,
                "possible": float(np.mean(result.possible)),
                "blocking": result.blocking_share(),
                "top_blocker": result.top_blocker(),
                "interval": list(result.interval()),
                "reasons": result.reasons(),
                "top_reason": result.top_reason(),
                "reasons_draws": result.n_analysed,
            }
        return out

    @functools.cached_property
    def deal_results(self) -> dict[str, DealResult] | None:
        """Each model's :class:`~summitry.analysis.deal.DealResult`; None without a status quo.

        The Nash solution of the veto players and the zone of agreement are computed once
        and shared by every model.
        """
        trajectories = list(self.trajectories.values())
        inputs = trajectories[0].inputs
        if np.isnan(inputs.status_quo).any():
            return None
        solution = acceptable_set(inputs)
        rows = self.analysis_rows
        part = inputs if rows is None else inputs.take(rows)
        part_solution = solution if rows is None else acceptable_set(part)
        zones = find_zones(part, solution=part_solution)
        misc = self.miscalculations
        out: dict[str, DealResult] = {}
        for name, traj in self.trajectories.items():
            own = part.from_scale(misc[name].own) if name in misc else None
            outcome = traj.outcome if rows is None else traj.outcome[rows]
            result = deal_analysis(part, outcome, solution=part_solution, zones=zones, own=own)
            assert result is not None
            if rows is not None:  # P(deal) itself from every draw
                every = deal_draws(inputs, traj.outcome, solution=solution)
                result = dataclasses.replace(result, deal=every, rows=rows)
            out[name] = result
        return out

    def winners_dict(self) -> dict[str, Any]:
        """Each model's winners and losers, ranked, as JSON-ready data (see analysis.winners)."""
        out: dict[str, Any] = {}
        for name, traj in self.trajectories.items():
            w = winners(traj.inputs, traj.outcome)
            share = w.share_winning()
            out[name] = {
                "issues": list(w.issues),
                "actors": [
                    {
                        "actor": actor,
                        "change": med,
                        "interval": [lo, hi],
                        "share_winning": share[actor],
                    }
                    for actor, med, lo, hi in w.summary(INTERVAL)
                ]
                if w.issues
                else [],
            }
        return out

    def trace_rows(self, model: str, *, sample: int = 0) -> Iterator[dict[str, Any]]:
        """Every actor's position on every issue in every round, for one sample.

        Yields dicts ``{round, actor, issue, position, <extras>}`` ordered by round, then
        issue, then actor; round 0 is the input. Positions are on the issue's scale;
        model-specific extras (e.g. ``risk_exponent``) follow as their own keys. Actors
        that take no part in an issue are skipped.
        """
        traj = self.trajectory(model)
        inputs = traj.inputs
        position = traj.position_on_scale(sample)  # (T + 1, A, I)
        extras = {k: traj.extra_of(k, sample) for k in traj.extras}
        for t in range(position.shape[0]):
            for i, issue in enumerate(inputs.issues):
                for a, actor in enumerate(inputs.actors):
                    if not inputs.present[a, i]:
                        continue
                    row = {"round": t, "actor": actor, "issue": issue}
                    row["position"] = float(position[t, a, i])
                    row.update({k: float(v[t, a, i]) for k, v in extras.items()})
                    yield row


KEEP_FINAL_FROM = 1_000
"""From this many samples, a forecast keeps only what it reads: every round of the first
:data:`ANALYSIS_DRAWS` samples (traces, charts), the final states and stops of all, and no
per-round extras a model can leave out (``keep``)."""


def _lean(model: Model, samples: int) -> Model:
    """``model``, or a copy that keeps only what the forecast reads when samples are many.

    The numbers are the same; per-round extras such as the EUM's risk exponents are left
    out of the trajectory (``summitry trace`` runs one sample and keeps them), and models
    that can (``trace``) store every round for the analysis draws only while they run.
    """
    if samples < KEEP_FINAL_FROM:
        return model
    changes: dict[str, object] = {}
    if getattr(model, "keep", None) == "all":
        changes["keep"] = "final"
    if hasattr(model, "trace") and model.trace is None:
        changes["trace"] = ANALYSIS_DRAWS  # every round of the draws traces and charts read
    if not changes:
        return model
    lean = copy.copy(model)
    for name, value in changes.items():
        setattr(lean, name, value)
    return lean


def _resolve(models: Sequence[str | Model] | None) -> list[Model]:
    if models is None:
        return [cls() for cls in MODELS.values()]
    resolved = [get_model(m) if isinstance(m, str) else m for m in models]
    for m in resolved:
        if not isinstance(m, Model):
            raise ParameterError(f"a model must be a name or a Model; got {type(m).__name__}")
    names = [m.name for m in resolved]
    for name in names:
        if names.count(name) > 1:
            raise ParameterError(f"model '{name}' is listed more than once")
    if not resolved:
        raise ParameterError(f"no model chosen; choose from: {', '.join(MODELS)}")
    return resolved


def chosen_models(scenario: Scenario, models: Sequence[str | Model] | None = None) -> list[Model]:
    """The models :func:`forecast` runs for these arguments, in the order it runs them.

    By default, every model that can run: models that bargain from the status quo are
    left out when an issue has none (asking for one by name gives its error instead).
    """
    chosen = _resolve(models)
    if models is None and any(i.status_quo is None for i in scenario.issues):
        chosen = [m for m in chosen if not m.needs_status_quo]
    return chosen


def forecast(
    scenario: Scenario,
    models: Sequence[str | Model] | None = None,
    *,
    seed: int = 0,
    rounds: int | None = None,
    samples: int = 1,
    progress: Callable[[str], None] | None = None,
    engine: Engine | None = None,
    chunk_progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    """Run models on a scenario, on one batch of Monte Carlo draws of its inputs.

    Parameters
    ----------
    scenario
        A validated scenario.
    models
        Model names or :class:`~summitry.models.Model` objects; default every model in
        :data:`~summitry.models.MODELS`, in registry order, less those that need a status
        quo when an issue has none.
    seed
        Seed given to every model, so that the same scenario and seed reproduce.
    rounds
        Run iterative models for exactly this many rounds (closed-form models ignore it).
    samples
        Number of draws of the uncertain inputs (:func:`summitry.analysis.uncertainty.sample`);
        1 runs the scenario's own values. All draws run in one batch per model.
    progress
        Called with each model's name after it has run (local engine).
    engine
        Where the models run (:class:`~summitry.engine.Engine`); default this process.
        The Dask engine gives the same numbers in chunks on a cluster.
    chunk_progress
        Called with ``(done, total)`` as the Dask engine's chunks finish.

    Returns
    -------
    Forecast

    Raises
    ------
    ParameterError
        For an unknown model name, a model listed twice, or a parameter out of range.
    """
    chosen = chosen_models(scenario, models)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer; got {seed!r}")
    if seed > MAX_SEED:
        raise ParameterError(f"seed must be at most {MAX_SEED:,} (2**63 - 1); got {seed!r}")
    inputs = sample(scenario, samples, seed=int(seed))
    created = datetime.now(UTC).isoformat(timespec="seconds")
    engine = engine or Engine()
    if engine.kind == "local":
        trajectories = {}
        for m in chosen:
            traj = _lean(m, samples).run(inputs, rng=int(seed), rounds=rounds)
            if samples >= KEEP_FINAL_FROM:
                traj.trim(ANALYSIS_DRAWS)  # rounds of the draws traces and charts read
            trajectories[m.name] = traj
            if progress is not None:
                progress(m.name)
    else:
        trajectories = run_models(
            chosen, inputs, seed=int(seed), rounds=rounds, engine=engine, progress=chunk_progress
        )
    return Forecast(
        scenario=scenario,
        models={m.name: m for m in chosen},
        trajectories=trajectories,
        seed=int(seed),
        input_sha256=scenario.digest(),
        summitry_version=summitry_version(),
        created=created,
        rounds=rounds,
    )


def replay(
    scenario: Scenario,
    models: Mapping[str, Mapping[str, Any]],
    *,
    seed: int,
    rounds: int | None = None,
    samples: int = 1,
) -> Forecast:
    """Run a forecast again from model names and parameters, as a run store keeps them.

    Parameters
    ----------
    scenario
        The scenario of the original run.
    models
        Parameters by model name (:meth:`Model.get_params`), in the order the models ran.
    seed, rounds, samples
        As given to :func:`forecast` for the original run.

    Raises
    ------
    ParameterError
        When a model or one of its parameters no longer exists in this version.
    """
    chosen = models_from_params(models)
    return forecast(scenario, chosen, seed=seed, rounds=rounds, samples=samples)


def models_from_params(models: Mapping[str, Mapping[str, Any]]) -> list[Model]:
    """Models built from ``{name: parameters}``, as a run store keeps them.

    Raises
    ------
    ParameterError
        When a model or one of its parameters no longer exists in this version.
    """
    chosen = []
    for name, params in models.items():
        if name not in MODELS:
            known = ", ".join(MODELS)
            raise ParameterError(f"model '{name}' is not in this version; it has: {known}")
        try:
            chosen.append(MODELS[name](**params))
        except TypeError as exc:
            raise ParameterError(f"model '{name}' cannot take {dict(params)}: {exc}") from None
    return chosen
