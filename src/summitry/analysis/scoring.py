"""Scoring rules for probability forecasts of a yes/no event, and the error of a point forecast.

For forecasts ``p`` (probabilities of the event, here a deal) and outcomes ``o`` (1 when
the event happened, else 0), over ``N`` forecasts:

- **Brier score** (Brier 1950): ``mean((p - o) ** 2)``; 0 is perfect, 0.25 is what a
  constant 50 % scores, 1 is certain and always wrong;
- **log score** (Good 1952): ``mean(-ln(p))`` where the event happened and
  ``mean(-ln(1 - p))`` where not, in nats; 0 is perfect. A probability of exactly 0 or 1
  that turns out wrong scores infinity, so probabilities are clipped to
  ``[CLIP, 1 - CLIP]`` first (``CLIP = 1e-6``: a certain and wrong forecast scores
  ``-ln(1e-6) = 13.8``);
- **Murphy decomposition** (Murphy 1973) of the Brier score over bins ``k`` of the
  forecasts, with ``n_k`` forecasts of mean ``p_k`` in bin ``k``, ``o_k`` the share of
  events among them and ``o`` the share of events overall::

      reliability = sum(n_k * (p_k - o_k) ** 2) / N       (lower is better)
      resolution  = sum(n_k * (o_k - o) ** 2) / N         (higher is better)
      uncertainty = o * (1 - o)                           (of the outcomes alone)
      brier       = reliability - resolution + uncertainty + within

  ``within`` is 0 when the forecasts in each bin are equal; otherwise it holds the
  within-bin terms of Stephenson, Coelho & Jolliffe (2008) and is reported as it falls;
- **sharpness**: the variance of the forecasts, ``mean((p - mean(p)) ** 2)``: how far
  they move away from one value whatever happens (Murphy & Winkler 1987); higher is
  sharper, which is only good together with reliability;
- **absolute error** of a point forecast ``x`` of a value ``y`` on a scale
  ``[lo, hi]``, on a 0-100 scale: ``100 * |x - y| / (hi - lo)``.

Brier and log score are computed by ``scoringrules`` (Zanetta & Allen 2024), imported
when first needed; the decomposition, the reliability bins and the errors here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BINS",
    "CLIP",
    "Murphy",
    "ReliabilityBin",
    "absolute_error",
    "brier",
    "brier_each",
    "log_score",
    "log_score_each",
    "murphy",
    "reliability_bins",
    "sharpness",
]

CLIP = 1e-6
"""Probabilities are clipped to ``[CLIP, 1 - CLIP]`` before the log score."""
BINS = 5
"""Equal-width bins of predicted probability for the reliability diagram and decomposition."""


def _check(p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray):  # noqa: ANN202
    p = np.asarray(p, dtype=float)
    o = np.asarray(o, dtype=float)
    if p.shape != o.shape or p.ndim != 1:
        raise ValueError(f"forecasts {p.shape} and outcomes {o.shape} must be 1-d, same length")
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("forecasts must be probabilities in [0, 1]")
    if not np.all((o == 0) | (o == 1)):
        raise ValueError("outcomes must be 0 or 1")
    return p, o


def brier_each(p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray) -> np.ndarray:
    """``(p - o) ** 2`` per forecast, ``(N,)``."""
    import scoringrules  # a first import compiles its kernels: a few seconds

    p, o = _check(p, o)
    return np.asarray(scoringrules.brier_score(o, p), dtype=float)


def brier(p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray) -> float:
    """Mean Brier score of forecasts ``p`` of outcomes ``o``; NaN for none."""
    return float(np.mean(brier_each(p, o))) if len(p) else float("nan")


def log_score_each(
    p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray, *, clip: float = CLIP
) -> np.ndarray:
    """``-ln`` of the probability given to what happened, per forecast, after clipping."""
    import scoringrules

    p, o = _check(p, o)
    return np.asarray(scoringrules.log_score(o, np.clip(p, clip, 1 - clip)), dtype=float)


def log_score(
    p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray, *, clip: float = CLIP
) -> float:
    """Mean log score (nats) of forecasts ``p`` of outcomes ``o``; NaN for none."""
    return float(np.mean(log_score_each(p, o, clip=clip))) if len(p) else float("nan")


def sharpness(p: Sequence[float] | np.ndarray) -> float:
    """Variance of the forecasts (population variance); NaN for none."""
    p = np.asarray(p, dtype=float)
    return float(np.var(p)) if p.size else float("nan")


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of the reliability diagram.

    Attributes
    ----------
    lo, hi
        The bin's ends; a bin holds ``lo <= p < hi`` (the last one also ``p == 1``).
    count
        Forecasts in the bin.
    predicted
        Their mean forecast; NaN when the bin is empty.
    observed
        The share of them whose event happened; NaN when the bin is empty.
    """

    lo: float
    hi: float
    count: int
    predicted: float
    observed: float


def _bin_index(p: np.ndarray, bins: int) -> np.ndarray:
    return np.minimum((p * bins).astype(int), bins - 1)


def reliability_bins(
    p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray, *, bins: int = BINS
) -> list[ReliabilityBin]:
    """Forecasts in ``bins`` equal-width bins of [0, 1]: counts, mean forecast, event share."""
    p, o = _check(p, o)
    k = _bin_index(p, bins)
    out = []
    for b in range(bins):
        inside = k == b
        n = int(inside.sum())
        out.append(
            ReliabilityBin(
                lo=b / bins,
                hi=(b + 1) / bins,
                count=n,
                predicted=float(p[inside].mean()) if n else float("nan"),
                observed=float(o[inside].mean()) if n else float("nan"),
            )
        )
    return out


@dataclass(frozen=True)
class Murphy:
    """The Murphy decomposition of a Brier score (see the module's docstring).

    ``brier == reliability - resolution + uncertainty + within`` to rounding.
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within: float


def murphy(
    p: Sequence[float] | np.ndarray, o: Sequence[float] | np.ndarray, *, bins: int = BINS
) -> Murphy:
    """Decompose the Brier score of ``p`` over ``bins`` equal-width bins; NaNs for none."""
    p, o = _check(p, o)
    if p.size == 0:
        nan = float("nan")
        return Murphy(nan, nan, nan, nan, nan)
    n = p.size
    k = _bin_index(p, bins)
    count = np.bincount(k, minlength=bins).astype(float)
    used = count > 0
    p_k = np.bincount(k, weights=p, minlength=bins)[used] / count[used]
    o_k = np.bincount(k, weights=o, minlength=bins)[used] / count[used]
    base = float(o.mean())
    reliability = float(np.sum(count[used] * (p_k - o_k) ** 2) / n)
    resolution = float(np.sum(count[used] * (o_k - base) ** 2) / n)
    uncertainty = base * (1 - base)
    score = float(np.mean((p - o) ** 2))
    within = score - (reliability - resolution + uncertainty)
    return Murphy(score, reliability, resolution, uncertainty, within)


def absolute_error(forecast: float, recorded: float, scale: tuple[float, float]) -> float:
    """``100 * |forecast - recorded| / (max - min)``: the error on a 0-100 scale."""
    lo, hi = scale
    return 100.0 * abs(float(forecast) - float(recorded)) / (hi - lo)
