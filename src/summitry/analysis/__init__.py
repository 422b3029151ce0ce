"""Analyses built on model runs: uncertainty, deals, winners and losers, drivers, scores.

The scores of forecasts against a recorded outcome (:mod:`summitry.analysis.score`) are
importable from here; they load on first use, since they build on
:mod:`summitry.forecast`, which itself uses the analyses of this package.
"""

from __future__ import annotations

from typing import Any

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


def __getattr__(name: str) -> Any:
    """Load the names of :mod:`summitry.analysis.score` on first use."""
    if name in __all__:
        from summitry.analysis import score

        return getattr(score, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
