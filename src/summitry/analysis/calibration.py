"""Calibration over the case library: whether deals happen as often as P(deal) says.

Every model runs on every case of the library (:mod:`summitry.library`) that records an
outcome, on the same Monte Carlo draws, as the case stood before its outcome
(:func:`summitry.analysis.score.scored_step`). Per case and model, only what is scored is
computed:

- **P(deal)**: the share of draws in which the forecast is a deal
  (:func:`summitry.analysis.deal.deal_draws`, the exact test of every forecast);
- **settled outcome** per issue: the forecast where a draw is a deal, else the status
  quo, median over draws (as :meth:`summitry.forecast.Forecast.settled_outcomes`), and
  its absolute error on a 0-100 scale per issue with a recorded value.

Miscalculation and the reasons for no deal, which a forecast also finds, are not needed
and not computed. Over the cases, per model and baseline (:mod:`summitry.analysis.scoring`):
Brier score, log score, the Murphy decomposition (reliability, resolution, uncertainty),
sharpness, the reliability bins and the MAE of the settled issues, each with a bootstrap
interval over cases (the same resampled cases for every row).

Baselines: :data:`BASE_RATE`, the share of deals among the *other* cases
(leave-one-out, :func:`leave_one_out`), with no issue forecast; ``nothing-changes``
(P(deal) 0, every issue at its status quo); ``compromise-mean`` (the compromise model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar

import numpy as np

from summitry.analysis import scoring
from summitry.analysis.deal import acceptable_set, deal_draws
from summitry.analysis.score import COMPROMISE_MEAN, NOTHING_CHANGES, scored_step
from summitry.bounds import MAX_BOOTSTRAP, MAX_SAMPLES, MAX_SEED
from summitry.errors import ParameterError, ScenarioError
from summitry.forecast import chosen_models, forecast, summitry_version
from summitry.library import case_library, load_case
from summitry.models import Compromise, Model
from summitry.scenario import Scenario

__all__ = [
    "BASELINES",
    "BASE_RATE",
    "LEVEL",
    "CaseScore",
    "Calibration",
    "Figure",
    "Progress",
    "RowScore",
    "base_rate",
    "calibrate",
    "leave_one_out",
    "score_case",
    "select_cases",
    "summarise",
]

BASE_RATE = "base-rate"
"""Name of the baseline whose P(deal) is the share of deals among the other cases."""
BASELINES: tuple[str, ...] = (BASE_RATE, NOTHING_CHANGES, COMPROMISE_MEAN)
"""The baselines, in the order the table shows them (after the models)."""
LEVEL = 0.95
"""Coverage of the bootstrap intervals."""
FIGURES: tuple[str, ...] = (
    "brier",
    "log_score",
    "reliability",
    "resolution",
    "uncertainty",
    "sharpness",
    "mae",
)
"""The figures of each row, each with a bootstrap interval."""

T = TypeVar("T")
P = TypeVar("P")


# -- leave-one-out -------------------------------------------------------------------------


def leave_one_out(data: Mapping[str, T], fit: Callable[[Mapping[str, T]], P]) -> dict[str, P]:
    """Fit ``fit`` once per case, each time on every case but that one.

    Parameters
    ----------
    data
        What the fit may learn from, by case id (here the recorded outcomes).
    fit
        Takes the data of the other cases, returns the fitted parameter.

    Returns
    -------
    dict
        The parameter to score each case with, by case id: fitted without it.
    """
    return {held: fit({k: v for k, v in data.items() if k != held}) for held in data}


def base_rate(deals: Mapping[str, bool]) -> float:
    """Share of deals among ``deals`` (recorded outcomes by case id); 0.5 for none."""
    return float(np.mean([bool(d) for d in deals.values()])) if deals else 0.5


# -- one case ------------------------------------------------------------------------------


class Progress(Protocol):
    """What :func:`calibrate` reports while it runs."""

    def start(self, total: int) -> None:
        """The cases are chosen: ``total`` will run."""

    def case(self, case_id: str, models: Sequence[str], shape: tuple[int, int, int]) -> None:
        """A case starts: the models it runs and its batch (samples, actors, issues)."""

    def model(self, name: str) -> None:
        """A model has run on the current case."""


@dataclass(frozen=True)
class CaseScore:
    """What one case gave every model and baseline, before the leave-one-out baseline.

    Attributes
    ----------
    case
        The case id.
    deal
        Whether the record says a deal was made.
    step
        The timeline step scored (0 for the case as written).
    issues
        The issues with a recorded value.
    p_deal
        P(deal) by row name (models, ``nothing-changes``, ``compromise-mean``).
    errors
        Absolute error of the settled outcome on each of ``issues``, 0-100 scale, by row
        name.
    """

    case: str
    deal: bool
    step: int
    issues: tuple[str, ...]
    p_deal: Mapping[str, float]
    errors: Mapping[str, tuple[float, ...]]


def _check_status_quo(scenario: Scenario, case_id: str) -> None:
    for k, issue in enumerate(scenario.issues):
        if issue.status_quo is None:
            raise ScenarioError(
                f"issue '{issue.id}' has no status quo; calibration needs one on every issue",
                file=case_id,
                location=f"issues[{k}].status_quo",
            )


def _situation(case_id: str, scenario: Scenario) -> tuple[Scenario, int]:
    step = scored_step(scenario)
    situation = scenario if step is None else step.step.scenario
    _check_status_quo(situation, case_id)
    return situation, 0 if step is None else step.index


def score_case(
    case_id: str,
    scenario: Scenario,
    models: Sequence[str | Model] | None = None,
    *,
    seed: int = 0,
    samples: int = 1,
    progress: Progress | None = None,
) -> CaseScore:
    """Run the models (and compromise) on one case and score P(deal) and settled issues.

    Raises
    ------
    ScenarioError
        When the case records no outcome or an issue has no status quo.
    """
    situation, index = _situation(case_id, scenario)
    outcome = scenario.outcome
    assert outcome is not None  # scored_step checked
    chosen = chosen_models(situation, models)
    run = chosen if any(m.name == Compromise.name for m in chosen) else [*chosen, Compromise()]
    if progress is not None:
        shape = (samples, len(situation.actors), len(situation.issues))
        progress.case(case_id, [m.name for m in run], shape)
    result = forecast(
        situation,
        run,
        seed=seed,
        samples=samples,
        progress=None if progress is None else progress.model,
    )
    inputs = next(iter(result.trajectories.values())).inputs
    solution = acceptable_set(inputs)  # shared by every model, as in a forecast
    issues = tuple(i for i in situation.issue_ids if i in outcome.issues)
    where = [situation.issue_ids.index(i) for i in issues]
    recorded = np.array([outcome.issues[i].value for i in issues])
    width = inputs.scale_max[where] - inputs.scale_min[where]

    def errors(values: np.ndarray) -> tuple[float, ...]:
        return tuple(float(e) for e in 100.0 * np.abs(values[where] - recorded) / width)

    p_deal: dict[str, float] = {}
    errs: dict[str, tuple[float, ...]] = {}
    for name, traj in result.trajectories.items():
        deal = deal_draws(inputs, traj.outcome, solution=solution)
        settled = np.where(deal[:, None], traj.outcome, inputs.status_quo)
        values = np.median(inputs.to_scale(settled), axis=0)
        p_deal[name], errs[name] = float(np.mean(deal)), errors(values)
    p_deal[NOTHING_CHANGES] = 0.0
    errs[NOTHING_CHANGES] = errors(np.array([i.status_quo for i in situation.issues]))
    p_deal[COMPROMISE_MEAN] = p_deal[Compromise.name]
    errs[COMPROMISE_MEAN] = errs[Compromise.name]
    if all(m.name != Compromise.name for m in chosen):
        del p_deal[Compromise.name], errs[Compromise.name]
    return CaseScore(
        case=case_id, deal=outcome.deal, step=index, issues=issues, p_deal=p_deal, errors=errs
    )


# -- the figures over cases ----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of a row, with its bootstrap interval (None where it does not apply)."""

    value: float | None
    interval: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        """``{"value": ..., "interval": [lo, hi]}``."""
        return {
            "value": self.value,
            "interval": None if self.interval is None else list(self.interval),
        }


@dataclass(frozen=True)
class RowScore:
    """A model or baseline, scored over the cases.

    Attributes
    ----------
    name, kind
        As in :class:`summitry.analysis.score.ScoreRow`.
    cases
        Cases scored.
    issues
        Settled issues with a recorded value over those cases (the MAE's count).
    figures
        :data:`FIGURES` by name. ``uncertainty`` depends on the outcomes alone, so it is the
        same in every row; ``mae`` is None for :data:`BASE_RATE`, which forecasts no issue.
    bins
        The reliability bins (:class:`summitry.analysis.scoring.ReliabilityBin`).
    """

    name: str
    kind: Literal["model", "baseline"]
    cases: int
    issues: int
    figures: Mapping[str, Figure]
    bins: tuple[scoring.ReliabilityBin, ...]

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON-ready data."""
        return {
            "name": self.name,
            "kind": self.kind,
            "cases": self.cases,
            "issues": self.issues,
            **{k: self.figures[k].to_dict() for k in FIGURES},
            "bins": [
                {
                    "lo": b.lo,
                    "hi": b.hi,
                    "count": b.count,
                    "predicted": _finite(b.predicted),
                    "observed": _finite(b.observed),
                }
                for b in self.bins
            ],
        }


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _interval(replicates: np.ndarray, level: float) -> tuple[float, float] | None:
    kept = replicates[np.isfinite(replicates)]
    if kept.size == 0:
        return None
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(kept, [tail, 100 - tail])
    return float(lo), float(hi)


def _murphy_replicates(p: np.ndarray, o: np.ndarray, bins: int) -> dict[str, np.ndarray]:
    """Reliability, resolution, uncertainty and sharpness of each bootstrap replicate.

    ``p`` and ``o`` ``(B, N)`` hold the forecasts and outcomes of each replicate's cases.
    """
    k = np.minimum((p * bins).astype(int), bins - 1)
    onehot = np.eye(bins)[k]  # (B, N, bins)
    count = onehot.sum(axis=1)  # (B, bins)
    p_sum = (onehot * p[..., None]).sum(axis=1)
    o_sum = (onehot * o[..., None]).sum(axis=1)
    n = p.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        p_k = np.where(count > 0, p_sum / count, 0.0)
        o_k = np.where(count > 0, o_sum / count, 0.0)
    base = o.mean(axis=1)  # (B,)
    return {
        "reliability": np.sum(count * (p_k - o_k) ** 2, axis=1) / n,
        "resolution": np.sum(count * (o_k - base[:, None]) ** 2, axis=1) / n,
        "uncertainty": base * (1 - base),
        "sharpness": p.var(axis=1),
    }


def refit_replicates(
    cases: Sequence[str],
    deals: Sequence[bool],
    draws: np.ndarray,
    fit: Callable[[Mapping[str, bool]], float],
) -> np.ndarray:
    """The fitted forecast of every case of every bootstrap replicate, ``(B, N)``.

    In replicate ``b`` the case at ``draws[b, j]`` is scored with ``fit`` of the
    replicate's other draws: every copy of that case is left out (a copy would let it see
    its own outcome), every copy of another case counts, keyed ``id``, ``id#2``, ... So
    the intervals carry the uncertainty of the fit as well as of the scores.
    """
    out = np.empty(draws.shape, dtype=float)
    for b, row in enumerate(draws):
        keys: list[str] = []
        copies: dict[int, int] = {}
        for i in row:
            copies[int(i)] = copies.get(int(i), 0) + 1
            keys.append(cases[i] if copies[int(i)] == 1 else f"{cases[i]}#{copies[int(i)]}")
        for held in copies:
            others = {k: bool(deals[i]) for k, i in zip(keys, row, strict=True) if i != held}
            out[b, row == held] = fit(others)
    return out


def _row(
    name: str,
    kind: Literal["model", "baseline"],
    p: np.ndarray,
    o: np.ndarray,
    errors: Sequence[tuple[float, ...]] | None,
    draws: np.ndarray,
    bins: int,
    level: float,
    p_reps: np.ndarray | None = None,
) -> RowScore:
    """One row: its figures on the cases, and over the replicates ``draws`` their intervals.

    ``p_reps`` ``(B, N)`` are the forecasts of each replicate's cases where they are
    fitted again per replicate; default ``p[draws]``.
    """
    log_each = scoring.log_score_each(p, o)
    m = scoring.murphy(p, o, bins=bins)
    values: dict[str, float | None] = {
        "brier": m.brier,
        "log_score": float(np.mean(log_each)),
        "reliability": m.reliability,
        "resolution": m.resolution,
        "uncertainty": m.uncertainty,
        "sharpness": scoring.sharpness(p),
    }
    p_rep = p[draws] if p_reps is None else p_reps
    o_rep = o[draws]
    reps = _murphy_replicates(p_rep, o_rep, bins)
    flat_p, flat_o = p_rep.ravel(), o_rep.ravel()
    reps["brier"] = scoring.brier_each(flat_p, flat_o).reshape(p_rep.shape).mean(axis=1)
    reps["log_score"] = scoring.log_score_each(flat_p, flat_o).reshape(p_rep.shape).mean(axis=1)
    n_issues = 0
    if errors is None:
        values["mae"] = None
    else:
        total = np.array([sum(e) for e in errors])
        count = np.array([len(e) for e in errors], dtype=float)
        n_issues = int(count.sum())
        values["mae"] = float(total.sum() / count.sum()) if n_issues else None
        with np.errstate(invalid="ignore", divide="ignore"):
            reps["mae"] = total[draws].sum(axis=1) / count[draws].sum(axis=1)
    figures = {
        k: Figure(values[k], None if values[k] is None else _interval(np.asarray(reps[k]), level))
        for k in FIGURES
    }
    return RowScore(
        name=name,
        kind=kind,
        cases=int(p.size),
        issues=n_issues,
        figures=figures,
        bins=tuple(scoring.reliability_bins(p, o, bins=bins)),
    )


def summarise(
    scores: Sequence[CaseScore],
    *,
    bootstrap: int = 2000,
    seed: int = 0,
    bins: int = scoring.BINS,
    level: float = LEVEL,
    fit: Callable[[Mapping[str, bool]], float] = base_rate,
) -> tuple[RowScore, ...]:
    """Score every row over ``scores``, with bootstrap intervals over cases.

    The :data:`BASE_RATE` row's P(deal) for each case is ``fit`` of the other cases'
    outcomes (:func:`leave_one_out`). Every row is resampled with the same ``bootstrap``
    replicates of the cases (a generator seeded with ``seed``), the base rate fitted
    again within each replicate (:func:`refit_replicates`); an interval is the central
    ``level`` share of the replicates.
    """
    if not scores:
        raise ParameterError("no case to score")
    o = np.array([1.0 if s.deal else 0.0 for s in scores])
    draws = np.random.default_rng(seed).integers(0, len(scores), size=(bootstrap, len(scores)))
    held_out = leave_one_out({s.case: s.deal for s in scores}, fit)
    names = [n for n in scores[0].p_deal if n not in BASELINES]
    rows = []
    for name in [*names, BASE_RATE, NOTHING_CHANGES, COMPROMISE_MEAN]:
        kind: Literal["model", "baseline"] = "baseline" if name in BASELINES else "model"
        p_reps = None
        if name == BASE_RATE:
            p = np.array([held_out[s.case] for s in scores])
            errors = None
            p_reps = refit_replicates(
                [s.case for s in scores], [s.deal for s in scores], draws, fit
            )
        else:
            p = np.array([s.p_deal[name] for s in scores])
            errors = [s.errors[name] for s in scores]
        rows.append(_row(name, kind, p, o, errors, draws, bins, level, p_reps))
    return tuple(rows)


# -- the whole run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """What :func:`calibrate` found.

    Attributes
    ----------
    cases
        Per case scores, in the order run.
    skipped
        ``(case id, why)`` of library cases left out (no outcome recorded yet).
    rows
        One :class:`RowScore` per model, then :data:`BASELINES`.
    seed, samples, bootstrap, bins, level
        As given.
    """

    cases: tuple[CaseScore, ...]
    skipped: tuple[tuple[str, str], ...]
    rows: tuple[RowScore, ...]
    seed: int
    samples: int
    bootstrap: int
    bins: int
    level: float = LEVEL
    summitry_version: str = field(default_factory=summitry_version)

    def counts(self) -> dict[str, int]:
        """Cases scored, deals and failures among them, and cases skipped."""
        deals = sum(1 for c in self.cases if c.deal)
        return {
            "cases": len(self.cases),
            "deals": deals,
            "failures": len(self.cases) - deals,
            "skipped": len(self.skipped),
        }

    def to_dict(self) -> dict[str, Any]:
        """The calibration as JSON-ready data, keys in a fixed order."""
        return {
            "summitry_version": self.summitry_version,
            "seed": self.seed,
            "samples": self.samples,
            "bootstrap": self.bootstrap,
            "level": self.level,
            "bins": self.bins,
            "clip": scoring.CLIP,
            "counts": self.counts(),
            "skipped": [{"case": c, "why": why} for c, why in self.skipped],
            "rows": [r.to_dict() for r in self.rows],
            "cases": [
                {
                    "case": c.case,
                    "deal": c.deal,
                    "step": c.step,
                    "issues": list(c.issues),
                    "p_deal": dict(c.p_deal),
                    "mae": {k: (sum(e) / len(e) if e else None) for k, e in c.errors.items()},
                }
                for c in self.cases
            ],
        }


def select_cases(
    case_ids: Sequence[str] | None = None,
) -> tuple[list[tuple[str, Scenario]], list[tuple[str, str]]]:
    """Load the cases to score, and list those left out.

    Named cases must exist and record an outcome; the whole library (``case_ids`` None or
    empty) leaves out, with a note, the cases that record none yet.

    Raises
    ------
    ScenarioError
        For an unknown case, a named case without an outcome, a case named twice, or a
        case file that breaks a rule.
    """
    chosen: list[tuple[str, Scenario]] = []
    skipped: list[tuple[str, str]] = []
    named = list(case_ids or ())
    for case_id in named:
        if named.count(case_id) > 1:
            raise ScenarioError(f"case '{case_id}' is named more than once")
    for case_id in named or [c.id for c in case_library()]:
        scenario = load_case(case_id)
        if scenario.outcome is None:
            if named:
                raise ScenarioError(
                    "the case records no outcome yet, so it cannot be scored",
                    file=case_id,
                    location="outcome",
                )
            skipped.append((case_id, "no outcome recorded yet"))
            continue
        _situation(case_id, scenario)  # fail before anything runs
        chosen.append((case_id, scenario))
    if not chosen:
        raise ScenarioError("no case of the library records an outcome yet")
    return chosen, skipped


def _check_options(seed: int, samples: int, bootstrap: int, bins: int) -> None:
    def bad(name: str, lo: int, hi: int, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ParameterError(f"{name} must be a whole number; got {value!r}")
        if not lo <= value <= hi:
            raise ParameterError(f"{name} must be between {lo:,} and {hi:,}; got {value:,}")

    bad("seed", 0, MAX_SEED, seed)
    bad("samples", 1, MAX_SAMPLES, samples)
    bad("bootstrap", 100, MAX_BOOTSTRAP, bootstrap)
    bad("bins", 1, 100, bins)


def calibrate(
    case_ids: Sequence[str] | None = None,
    models: Sequence[str | Model] | None = None,
    *,
    seed: int = 0,
    samples: int = 1000,
    bootstrap: int = 2000,
    bins: int = scoring.BINS,
    progress: Progress | None = None,
    notes: Callable[[str], None] | None = None,
) -> Calibration:
    """Run every model over the library (or the named cases) and score it.

    Parameters
    ----------
    case_ids
        Case ids (:func:`summitry.library.case_library`); default every case that
        records an outcome.
    models
        Model names or objects; default every model. The compromise model also runs for
        the ``compromise-mean`` baseline.
    seed, samples
        Monte Carlo seed and draws, the same for every case.
    bootstrap, bins
        Bootstrap replicates of the intervals; bins of the reliability diagram.
    progress
        Told how many cases run, when each starts and when each model has run.
    notes
        Called with a line for each case of the library left out (no outcome yet).

    Raises
    ------
    ScenarioError, ParameterError
        For a bad case or option, before any model runs.
    """
    _check_options(seed, samples, bootstrap, bins)
    chosen, skipped = select_cases(case_ids)
    for case_id, why in skipped if notes is not None else ():
        notes(f"case '{case_id}' left out: {why}")
    for _, scenario in chosen:  # unknown or repeated models fail before any run
        chosen_models(scenario, models)
    if progress is not None:
        progress.start(len(chosen))
    scores = tuple(
        score_case(case_id, scenario, models, seed=seed, samples=samples, progress=progress)
        for case_id, scenario in chosen
    )
    rows = summarise(scores, bootstrap=bootstrap, seed=seed, bins=bins)
    return Calibration(
        cases=scores,
        skipped=tuple(skipped),
        rows=rows,
        seed=seed,
        samples=samples,
        bootstrap=bootstrap,
        bins=bins,
    )
