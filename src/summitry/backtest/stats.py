"""Forecast errors, and the paired bootstrap of the MAE difference to a reference model.

For a model with forecasts ``f`` and the reference (compromise) model with forecasts
``g`` on the issues where both exist, with outcomes ``y``, the per-issue difference is
``d = |f - y| - |g - y|`` and the MAE difference is its mean. The bootstrap draws the
clusters (issues, or proposals with all their issues) with replacement; each replicate's
difference is ``sum(c * d) / sum(c)`` where ``c`` counts how often each issue's cluster
was drawn. The interval is the 2.5 and 97.5 percentiles of the replicates. Every model is
resampled from a generator freshly seeded with the same seed, so models scored on the
same issues share the same replicates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LEVEL", "Score", "paired_interval", "score"]

LEVEL = 0.95
"""Coverage of the bootstrap interval."""


@dataclass(frozen=True)
class Score:
    """How far one model's forecasts fall from the outcomes.

    Attributes
    ----------
    mae, rmse, median_ae
        Mean, root mean square and median absolute error, on the 0-100 scale.
    n
        Issues scored (those where the model gave a forecast).
    diff
        MAE minus the reference model's MAE on the same ``n`` issues.
    interval
        Bootstrap interval of ``diff`` (95 % unless another level was asked for).
    reference_mae
        The reference model's MAE on the same issues.
    """

    mae: float
    rmse: float
    median_ae: float
    n: int
    diff: float
    interval: tuple[float, float]
    reference_mae: float


def score(
    forecast: np.ndarray,
    outcome: np.ndarray,
    reference: np.ndarray,
    *,
    bootstrap: int = 2000,
    seed: int = 0,
    clusters: np.ndarray | None = None,
    level: float = LEVEL,
) -> Score:
    """Score ``forecast`` against ``outcome`` where it is finite, paired with ``reference``.

    Parameters
    ----------
    forecast, outcome, reference
        ``(N,)`` arrays; NaN in ``forecast`` marks an issue the model did not forecast.
    bootstrap, seed, clusters, level
        See :func:`paired_interval`.

    Raises
    ------
    ValueError
        When ``forecast`` has no finite value, or ``reference`` has a NaN where
        ``forecast`` has a value.
    """
    keep = np.isfinite(forecast)
    if not keep.any():
        raise ValueError("the model gave no forecast")
    if not np.isfinite(reference[keep]).all():
        raise ValueError("the reference model has no forecast on some scored issue")
    error = np.abs(forecast[keep] - outcome[keep])
    base = np.abs(reference[keep] - outcome[keep])
    groups = np.arange(len(forecast)) if clusters is None else np.asarray(clusters)
    lo, hi = paired_interval(
        error - base, groups[keep], bootstrap=bootstrap, seed=seed, level=level
    )
    return Score(
        mae=float(np.mean(error)),
        rmse=float(np.sqrt(np.mean(error**2))),
        median_ae=float(np.median(error)),
        n=int(keep.sum()),
        diff=float(np.mean(error - base)),
        interval=(lo, hi),
        reference_mae=float(np.mean(base)),
    )


def paired_interval(
    diff: np.ndarray,
    clusters: np.ndarray,
    *,
    bootstrap: int = 2000,
    seed: int = 0,
    level: float = LEVEL,
) -> tuple[float, float]:
    """Percentile bootstrap interval (two-sided, ``level``) of the mean of ``diff``.

    Parameters
    ----------
    diff
        ``(n,)`` per-issue differences.
    clusters
        ``(n,)`` labels; the clusters are drawn with replacement, each bringing all its
        issues (a label per issue resamples issues).
    bootstrap
        Replicates.
    seed
        Seed of the generator (created afresh for each call).
    level
        Coverage: the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles are read
        (:data:`LEVEL` by default; phase 2 of the backtest uses a Bonferroni level).
    """
    _, group = np.unique(clusters, return_inverse=True)
    n_groups = int(group.max()) + 1
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_groups, size=(bootstrap, n_groups))
    counts = np.zeros((bootstrap, n_groups))
    np.add.at(counts, (np.arange(bootstrap)[:, None], draws), 1.0)
    weight = counts[:, group]  # (B, n): how often each issue was drawn
    means = (weight @ diff) / weight.sum(axis=1)
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return float(lo), float(hi)
