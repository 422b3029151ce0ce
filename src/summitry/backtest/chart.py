"""The backtest chart: each forecast's absolute errors, and its MAE difference to compromise.

Drawn on matplotlib's Agg canvas without pyplot, and rendered by
:func:`summitry.report.charts.png_bytes`, so the same backtest gives the same bytes.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from summitry.backtest.run import REFERENCE_MODEL, Backtest

__all__ = ["error_chart"]

_MODEL, _BASELINE, _REFERENCE = "#4c72b0", "#937860", "#55a868"
_HORIZONTAL: dict[str, Any] = (
    {"orientation": "horizontal"}
    if "orientation" in inspect.signature(Axes.boxplot).parameters  # matplotlib >= 3.10
    else {"vert": False}
)


def error_chart(result: Backtest) -> Figure:
    """Two panels, one row per model and baseline in table order.

    Left: the distribution of absolute errors (box: quartiles; whiskers: 1.5 IQR; the
    diamond: the MAE). Right: the MAE difference to the compromise model on the same
    issues, with its bootstrap 95 % interval; left of the dashed line is better.
    """
    names = list(result.scores)
    y = np.arange(len(names))[::-1]
    truth = result.outcome
    errors = [np.abs(result.predictions[n] - truth) for n in names]
    errors = [e[np.isfinite(e)] for e in errors]
    colors = [_color(result, n) for n in names]
    fig = Figure(figsize=(10.0, 0.45 * len(names) + 1.6), layout="constrained")
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    boxes = left.boxplot(
        errors,
        positions=y,
        **_HORIZONTAL,
        widths=0.55,
        patch_artist=True,
        showfliers=False,
        medianprops={"color": "black"},
    )
    for patch, color in zip(boxes["boxes"], colors, strict=True):
        patch.set(facecolor=color, alpha=0.35, edgecolor=color)
    maes = [result.scores[n].mae for n in names]
    left.scatter(maes, y, marker="D", color=colors, edgecolors="black", zorder=3)
    left.scatter([], [], marker="D", color="white", edgecolors="black", label="MAE")
    left.set_yticks(y, [f"{n} (n={result.scores[n].n})" for n in names])
    left.set_xlim(0, 100)
    left.set_xlabel("absolute error (points of the 0-100 scale)")
    left.legend(loc="lower right", frameon=False)
    for k, name in enumerate(names):
        s = result.scores[name]
        lo, hi = s.interval
        right.errorbar(
            s.diff,
            y[k],
            xerr=[[s.diff - lo], [hi - s.diff]],
            fmt="o",
            color=colors[k],
            capsize=3,
        )
    right.axvline(0, color="grey", linestyle="--", linewidth=1)
    right.set_xlabel(f"MAE - {REFERENCE_MODEL}, same issues\n(95 % bootstrap interval)")
    fig.suptitle(_title(result), fontsize=10)
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    return fig


def _color(result: Backtest, name: str) -> Any:
    if name == REFERENCE_MODEL:
        return _REFERENCE
    return _MODEL if result.kinds[name] == "model" else _BASELINE


def _title(result: Backtest) -> str:
    counts = result.counts()
    return (
        f"{counts['scored']} DEU issues with an outcome ({counts['scored_proposals']} "
        f"proposals); capabilities: {result.scheme}; bootstrap {result.bootstrap} by "
        f"{result.cluster}, seed {result.seed}"
    )
