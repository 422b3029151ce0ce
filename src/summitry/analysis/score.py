"""Forecasts against what really happened: absolute error, MAE and Brier score.

A scenario may record its ``outcome`` (:class:`~summitry.terms.Outcome`): whether a deal
was made, when, where each issue settled on its scale, and the source. This module puts
each model's forecast beside that record, together with two baselines that need no
bargaining model:

- **nothing changes**: every issue stays at its status quo, and P(deal) is 0;
- **compromise mean**: the compromise model (the capability x salience weighted mean of
  the positions) and its P(deal), run on the same draws as the models.

For every row, on each issue with a recorded value::

    error_k = |forecast_k - recorded_k|          (points of the issue's scale)
    MAE     = mean of error_k over those issues
    MAE settled: the same for the settled forecast (a draw without a deal keeps the
                 status quo), the forecast of where issues stand afterwards
    Brier   = (P(deal) - o) ** 2                 (o = 1 if a deal was made, else 0)

The forecast of a model is its median outcome over samples (:meth:`Forecast.outcomes`)
and its P(deal) the share of draws in which the forecast is a deal
(:mod:`summitry.analysis.deal`). Lower is better for all three scores.

A scenario with dated ``events`` is scored as it stood after the last event dated on or
before the outcome's date (:func:`scored_step`), so that a forecast is never given news
from after the outcome.

:func:`score_scenario` does all of it from a scenario; :func:`score_forecast` scores a
forecast already run.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from summitry.errors import ParameterError, ScenarioError
from summitry.forecast import Forecast, chosen_models, forecast
from summitry.models import Compromise, Model
from summitry.scenario import Scenario
from summitry.terms import Outcome
from summitry.timeline import Step, states

__all__ = [
    "BASELINES",
    "COMPROMISE_MEAN",
    "NOTHING_CHANGES",
    "Score",
    "ScoreRow",
    "ScoredStep",
    "score_forecast",
    "score_scenario",
    "scored_step",
]

NOTHING_CHANGES = "nothing-changes"
"""Name of the baseline that leaves every issue at its status quo, with P(deal) = 0."""
COMPROMISE_MEAN = "compromise-mean"
"""Name of the baseline given by the compromise model's forecast and P(deal)."""
BASELINES: tuple[str, ...] = (NOTHING_CHANGES, COMPROMISE_MEAN)
"""The baselines, in the order the table shows them (after the models)."""


@dataclass(frozen=True)
class ScoreRow:
    """One model or baseline, scored against the recorded outcome.

    Attributes
    ----------
    name
        The model's name, or :data:`NOTHING_CHANGES` / :data:`COMPROMISE_MEAN`.
    kind
        ``"model"`` or ``"baseline"``.
    forecast
        The forecast per scored issue, on the issue's scale (the median over samples; the
        status quo for :data:`NOTHING_CHANGES`); None where it is not a finite number.
    errors
        ``|forecast - recorded value|`` per scored issue, in points of the issue's scale;
        None where the forecast is None.
    mae
        Mean of ``errors``; None when no issue has a recorded value or an error is None.
    mae_settled
        The same for the settled forecast: in each draw the forecast where it is a deal,
        else the status quo (:meth:`Forecast.settled_outcomes`), median over draws.
    p_deal
        Probability of a deal given by the row, in [0, 1].
    brier
        ``(p_deal - o) ** 2`` with ``o`` 1 when the record says a deal was made, else 0.
    """

    name: str
    kind: Literal["model", "baseline"]
    forecast: Mapping[str, float | None]
    errors: Mapping[str, float | None]
    mae: float | None
    p_deal: float
    brier: float
    mae_settled: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "forecast", MappingProxyType(dict(self.forecast)))
        object.__setattr__(self, "errors", MappingProxyType(dict(self.errors)))

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data, keys in a fixed order."""
        return {
            "name": self.name,
            "kind": self.kind,
            "forecast": dict(self.forecast),
            "errors": dict(self.errors),
            "mae": self.mae,
            "mae_settled": self.mae_settled,
            "p_deal": self.p_deal,
            "brier": self.brier,
        }


@dataclass(frozen=True)
class ScoredStep:
    """The step of a scenario's timeline that was scored.

    Attributes
    ----------
    index
        0 for the scenario before any event, ``k`` for the situation after the k-th
        event date (as in ``summitry timeline``).
    count
        Number of steps in the timeline, the start included.
    step
        The :class:`~summitry.timeline.Step`: its date, events and scenario.
    """

    index: int
    count: int
    step: Step

    @property
    def date(self) -> str:
        """The step's date; ``""`` for the start."""
        return self.step.date

    @property
    def label(self) -> str:
        """The step's events, or ``"start"``."""
        return self.step.label

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON-ready data: index, count, date, label, event ids, input hash."""
        return {
            "index": self.index,
            "count": self.count,
            "date": self.date,
            "label": self.label,
            "events": [e.id for e in self.step.events],
            "input_sha256": self.step.scenario.digest(),
        }


@dataclass(frozen=True, eq=False)
class Score:
    """Every model and baseline scored against a scenario's recorded outcome.

    Attributes
    ----------
    scenario
        The scenario's name.
    input_sha256
        :meth:`Scenario.digest` of the scenario as given (with its events, if any).
    seed
        Seed of the forecast.
    samples
        Number of Monte Carlo draws the models ran on.
    summitry_version
        Version that produced the forecast.
    outcome
        The recorded :class:`~summitry.terms.Outcome`.
    issues
        The issues with a recorded value, in scenario order (the columns of the errors).
    scales
        ``(min, max)`` of each of ``issues``' scales.
    rows
        One :class:`ScoreRow` per model, in the order they ran, then the baselines in
        :data:`BASELINES` order.
    step
        The timeline step scored, or None for a scenario without events.
    """

    scenario: str
    input_sha256: str
    seed: int
    samples: int
    summitry_version: str
    outcome: Outcome
    issues: tuple[str, ...]
    scales: Mapping[str, tuple[float, float]]
    rows: tuple[ScoreRow, ...]
    step: ScoredStep | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "scales", MappingProxyType(dict(self.scales)))

    def row(self, name: str) -> ScoreRow:
        """The row of one model or baseline, by name.

        Raises
        ------
        ParameterError
            When no row has that name.
        """
        for r in self.rows:
            if r.name == name:
                return r
        known = ", ".join(r.name for r in self.rows)
        raise ParameterError(f"no row '{name}' in this score; it has: {known}")

    def to_dict(self) -> dict[str, Any]:
        """The score as plain JSON-ready data, keys in a fixed order.

        Keys: ``scenario``, ``input_sha256``, ``seed``, ``samples``, ``summitry_version``,
        ``step`` (None without events), ``outcome`` (as recorded), ``issues`` (id, scale
        and recorded value of each issue scored) and ``rows`` (:meth:`ScoreRow.to_dict`).
        """
        return {
            "scenario": self.scenario,
            "input_sha256": self.input_sha256,
            "seed": self.seed,
            "samples": self.samples,
            "summitry_version": self.summitry_version,
            "step": None if self.step is None else self.step.to_dict(),
            "outcome": self.outcome.model_dump(mode="json"),
            "issues": [
                {
                    "id": i,
                    "scale": list(self.scales[i]),
                    "recorded": self.outcome.issues[i].value,
                }
                for i in self.issues
            ],
            "rows": [r.to_dict() for r in self.rows],
        }


# -- what is scored ------------------------------------------------------------------------


def _recorded_outcome(scenario: Scenario) -> Outcome:
    """The scenario's outcome, or a ScenarioError at ``outcome`` when it has none."""
    if scenario.outcome is None:
        raise ScenarioError(
            f"scenario '{scenario.name}' records no outcome to score against; add "
            "'outcome: {deal, date, source, issues}' (docs/score.md)",
            location="outcome",
        )
    return scenario.outcome


def _require_status_quo(scenario: Scenario, step: ScoredStep | None = None) -> None:
    """Raise a ScenarioError naming the first issue without a status quo."""
    for k, issue in enumerate(scenario.issues):
        if issue.status_quo is None:
            when = "" if step is None or step.index == 0 else f" after the events of {step.date}"
            raise ScenarioError(
                f"issue '{issue.id}' has no status quo{when}; scoring needs one on every "
                f"issue, for P(deal) and the '{NOTHING_CHANGES}' baseline",
                location=f"issues[{k}].status_quo",
            )


def _days(date: str, location: str) -> tuple[dt.date, dt.date]:
    """The first and last day a ``YYYY[-MM[-DD]]`` date may stand for."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = parts[1]
    if len(parts) == 2:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    try:
        day = dt.date(year, month, parts[2])
    except ValueError:
        raise ScenarioError(f"{date} is not a day of the calendar", location=location) from None
    return day, day


def scored_step(scenario: Scenario) -> ScoredStep | None:
    """The timeline step to score: the situation after the last event before the outcome.

    Steps are built as ``summitry timeline`` builds them (:func:`summitry.timeline.states`).
    An event date counts when it is surely on or before the outcome's date: every day it
    may stand for (``2019-02`` stands for the whole month) is on or before the first day
    the outcome's date may stand for. Steps count in order up to the first one that does
    not; the last that counts is scored (the start when none does).

    Parameters
    ----------
    scenario
        A scenario with a recorded outcome.

    Returns
    -------
    ScoredStep or None
        None for a scenario without events (the scenario itself is scored).

    Raises
    ------
    ScenarioError
        When the scenario records no outcome (location ``outcome``), or when the outcome's
        or an event's date names a day the calendar lacks (``2019-02-30``).
    """
    outcome = _recorded_outcome(scenario)
    if not scenario.events:
        return None
    first_day = _days(outcome.date, "outcome.date")[0]
    where = {e.id: k for k, e in enumerate(scenario.events)}
    steps = states(scenario)
    index = 0
    for k, step in enumerate(steps[1:], start=1):
        last_day = _days(step.date, f"events[{where[step.events[0].id]}].date")[1]
        if last_day > first_day:
            break
        index = k
    return ScoredStep(index=index, count=len(steps), step=steps[index])


# -- scores --------------------------------------------------------------------------------


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _row(
    name: str,
    kind: Literal["model", "baseline"],
    values: Mapping[str, float | None],
    p_deal: float,
    outcome: Outcome,
    issues: Sequence[str],
    settled: Mapping[str, float | None] | None = None,
) -> ScoreRow:
    errors = _errors(values, outcome, issues)
    mae = _mae(errors)
    mae_settled = mae if settled is None else _mae(_errors(settled, outcome, issues))
    hit = 1.0 if outcome.deal else 0.0
    return ScoreRow(
        name=name,
        kind=kind,
        forecast={issue: values[issue] for issue in errors},
        errors=errors,
        mae=mae,
        p_deal=float(p_deal),
        brier=(float(p_deal) - hit) ** 2,
        mae_settled=mae_settled,
    )


def _errors(
    values: Mapping[str, float | None], outcome: Outcome, issues: Sequence[str]
) -> dict[str, float | None]:
    return {
        i: None if values[i] is None else abs(values[i] - outcome.issues[i].value) for i in issues
    }


def _mae(errors: Mapping[str, float | None]) -> float | None:
    known = [e for e in errors.values() if e is not None]
    return float(np.mean(known)) if known and len(known) == len(errors) else None


def score_forecast(
    result: Forecast,
    *,
    baseline: Forecast | None = None,
    progress: Callable[[str], None] | None = None,
) -> Score:
    """Score a forecast against the outcome recorded in its scenario.

    The scenario is scored as the forecast saw it; for the timeline step of a scenario
    with events, use :func:`score_scenario` (or forecast ``scored_step(s).step.scenario``).

    Parameters
    ----------
    result
        A forecast of a scenario with a recorded ``outcome`` and a status quo on every
        issue.
    baseline
        A forecast holding the compromise model, on the same scenario, seed and samples,
        for the :data:`COMPROMISE_MEAN` row. Default: the compromise model of ``result``
        when it ran, else the compromise model is run here with ``result``'s seed,
        samples and rounds (the same draws).
    progress
        Called with ``"compromise"`` after the compromise model has run here.

    Returns
    -------
    Score
        One row per model of ``result``, then the baselines.

    Raises
    ------
    ScenarioError
        When the scenario records no outcome (location ``outcome``) or an issue has no
        status quo (location ``issues[k].status_quo``).
    ParameterError
        When ``baseline`` holds no compromise model.
    """
    scenario = result.scenario
    outcome = _recorded_outcome(scenario)
    _require_status_quo(scenario)
    if baseline is None:
        if Compromise.name in result.trajectories:
            baseline = result
        else:
            baseline = forecast(
                scenario,
                [Compromise()],
                seed=result.seed,
                samples=result.n_samples,
                rounds=result.rounds,
                progress=progress,
            )
    if Compromise.name not in baseline.trajectories:
        raise ParameterError("the baseline forecast must hold the compromise model")
    deal = result.deal_dict()
    assert deal is not None  # every issue has a status quo
    issues = tuple(i for i in scenario.issue_ids if i in outcome.issues)
    rows = []
    outcomes = result.outcomes()
    settled = result.settled_outcomes() or {}
    for name in result.trajectories:
        values = {i: _finite(v) for i, v in outcomes[name].items()}
        kept = {i: _finite(v) for i, v in settled[name].items()}
        rows.append(_row(name, "model", values, deal[name]["p_deal"], outcome, issues, kept))
    status_quo = {i.id: float(i.status_quo) for i in scenario.issues if i.status_quo is not None}
    rows.append(_row(NOTHING_CHANGES, "baseline", status_quo, 0.0, outcome, issues))
    base_deal = deal if baseline is result else baseline.deal_dict()
    assert base_deal is not None
    values = {i: _finite(v) for i, v in baseline.outcomes()[Compromise.name].items()}
    kept = {i: _finite(v) for i, v in (baseline.settled_outcomes() or {})[Compromise.name].items()}
    p_deal = base_deal[Compromise.name]["p_deal"]
    rows.append(_row(COMPROMISE_MEAN, "baseline", values, p_deal, outcome, issues, kept))
    return Score(
        scenario=scenario.name,
        input_sha256=result.input_sha256,
        seed=result.seed,
        samples=result.n_samples,
        summitry_version=result.summitry_version,
        outcome=outcome,
        issues=issues,
        scales={i.id: (i.scale.min, i.scale.max) for i in scenario.issues if i.id in issues},
        rows=tuple(rows),
    )


def score_scenario(
    scenario: Scenario,
    models: Sequence[str | Model] | None = None,
    *,
    seed: int = 0,
    samples: int = 1,
    rounds: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Score:
    """Forecast a scenario as it stood before its outcome, and score the forecast.

    Checks the scenario first (nothing runs when it cannot be scored), picks the
    timeline step with :func:`scored_step`, forecasts it with
    :func:`summitry.forecast.forecast` and scores it with :func:`score_forecast`.

    Parameters
    ----------
    scenario
        A scenario with a recorded ``outcome``.
    models
        Model names or objects; default every model, as for
        :func:`~summitry.forecast.forecast`. The compromise model is run as well for the
        :data:`COMPROMISE_MEAN` baseline when it is not among them.
    seed, samples, rounds
        As for :func:`~summitry.forecast.forecast`.
    progress
        Called with each model's name after it has run, the baseline's included.

    Returns
    -------
    Score
        With ``input_sha256`` the digest of ``scenario`` as given and ``step`` the step
        scored (None without events).

    Raises
    ------
    ScenarioError
        When the scenario records no outcome (location ``outcome``) or an issue has no
        status quo in the situation scored (location ``issues[k].status_quo``).
    ParameterError
        For an unknown model, a model listed twice or a bad seed.
    """
    _recorded_outcome(scenario)
    step = scored_step(scenario)
    situation = scenario if step is None else step.step.scenario
    _require_status_quo(situation, step)
    chosen = chosen_models(situation, models)
    result = forecast(
        situation, chosen, seed=seed, samples=samples, rounds=rounds, progress=progress
    )
    scored = score_forecast(result, progress=progress)
    return replace(scored, input_sha256=scenario.digest(), step=step)
