"""Charts of a forecast as PNG images, drawn on matplotlib's Agg canvas.

Every chart function returns a :class:`matplotlib.figure.Figure` with its own
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg`; pyplot and its global state are
never used. :func:`png_bytes` renders a figure without timestamp or version string, so
the same forecast gives byte-identical images. Actors keep one colour (:func:`actor_colors`)
and models one colour or marker across all charts.

:func:`trajectory_chart` and :func:`outcome_chart` read a :class:`~summitry.forecast.Forecast`.
:func:`deal_chart`, :func:`winners_chart`, :func:`drivers_chart`, :func:`miscalculation_chart`
and :func:`timeline_chart` read plain mappings, so that any analysis can feed them; their
docstrings give the shapes.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from summitry.analysis.deal import REASON_WORDS
from summitry.forecast import INTERVAL, Forecast
from summitry.scenario import Actor, Issue

__all__ = [
    "DPI",
    "actor_colors",
    "deal_chart",
    "drivers_chart",
    "miscalculation_chart",
    "model_colors",
    "outcome_chart",
    "png_bytes",
    "timeline_chart",
    "trajectory_chart",
    "winners_chart",
]

DPI = 120
"""Resolution of every PNG (dots per inch); a 10-inch-wide chart is 1200 pixels wide."""

WIDTH = 10.0
"""Width of every chart in inches."""

LEGEND_ACTORS = 20
"""Charts with more actors than this draw them without a legend."""

SHOWN_ROUNDS = 20
"""A trajectory panel shows at least this many rounds before it cuts a long run short."""
TAIL_ROUNDS = 3
"""Rounds shown after the cut: the end of a run the other models left long before."""

_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
_MODEL_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")
_GAIN, _LOSS, _DRIVER = "#3b7dd8", "#d8643b", "#7a9cc6"
_TICKS = np.linspace(0, 1, 6)
_BELOW = {"axisbelow": True}  # grid lines behind bars and lines


# -- shared helpers ------------------------------------------------------------------------


def actor_colors(actors: Sequence[str]) -> dict[str, tuple[float, ...]]:
    """One colour per actor by its place in ``actors``: ``tab10``, ``tab20``, then ``turbo``."""
    n = len(actors)
    if n <= 10:
        cmap, values = colormaps["tab10"], [k / 10 + 0.05 for k in range(n)]
    elif n <= 20:
        cmap, values = colormaps["tab20"], [k / 20 + 0.025 for k in range(n)]
    else:
        cmap, values = colormaps["turbo"], list(np.linspace(0.05, 0.95, n))
    return {a: tuple(float(c) for c in cmap(v)) for a, v in zip(actors, values, strict=True)}


def model_colors(models: Sequence[str]) -> dict[str, str]:
    """One colour per model, fixed by the model's place in ``models``."""
    return {m: _MODEL_PALETTE[k % len(_MODEL_PALETTE)] for k, m in enumerate(models)}


def png_bytes(fig: Figure) -> bytes:
    """Render ``fig`` as PNG bytes; the same figure always gives the same bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _figure(height: float, width: float = WIDTH) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _panels(
    n: int, ncols: int, row_height: float, *, legend: bool = False
) -> tuple[Figure, list[Axes], Axes | None]:
    """``n`` panels on ``ncols`` columns, and a free cell for the legend or None.

    A single panel gets a narrow legend column beside it; a full grid gets None.
    """
    spare = legend and (n == 1 or n % ncols != 0)
    ncols = 2 if n == 1 and spare else min(ncols, n)
    rows = math.ceil((n + spare) / ncols)
    fig = _figure(rows * row_height + 0.5)
    ratios = (3, 1) if n == 1 and spare else None
    grid = fig.subplots(rows, ncols, squeeze=False, width_ratios=ratios, subplot_kw=_BELOW)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.set_axis_off()
    return fig, axes[:n], axes[n] if spare else None


def _legend(fig: Figure, slot: Axes | None, handles: list[Any]) -> None:
    if slot is not None:
        slot.legend(handles=handles, loc="center", frameon=False, ncols=1 + (len(handles) > 8))
    elif handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))


def _short(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder="…") if text else ""


def _scale_words(ax: Axes, low: str | None, high: str | None, ncols: int) -> None:
    """Write what the ends of an issue's scale mean, small, clipped inside the panel."""
    width = int(WIDTH / ncols * 14.5)
    style = {"transform": ax.transAxes, "fontsize": 7, "color": "0.35", "ha": "left"}
    for y, va, mark, words in ((0.99, "top", "▲ ", high), (0.01, "bottom", "▼ ", low)):
        if words:
            text = ax.text(0.01, y, mark + _short(words, width), va=va, clip_on=True, **style)
            text.set_in_layout(False)


# -- trajectories --------------------------------------------------------------------------


def trajectory_chart(forecast: Forecast, *, model: str | None = None, sample: int = 0) -> Figure:
    """Every actor's position over the rounds, one panel per issue.

    Parameters
    ----------
    forecast
        The forecast to draw.
    model
        Whose rounds to draw; default the model with the most rounds (closed-form models
        have only round 0, drawn as dots).
    sample
        Which sample's rounds to draw.

    Notes
    -----
    The dashed grey line is the status quo. To the right of the last round, each model's
    outcome is a black marker (one shape per model); with several samples the marker is
    the median over samples and a vertical bar spans the 90 % interval. Earlier actors
    are drawn with wider lines, so that actors holding the same position stay visible.

    Where the drawn model runs on long after the other models have settled (up to its
    maximum rounds, say), the round axis is cut: the panel shows the rounds until the
    others settled (at least :data:`SHOWN_ROUNDS`), a grey band for the rounds left out,
    and the last :data:`TAIL_ROUNDS` rounds; its right-hand title names the model that
    runs on and its last round.
    """
    scenario = forecast.scenario
    rounds = {m: t.n_rounds for m, t in forecast.trajectories.items()}
    name = model if model is not None else max(rounds, key=rounds.__getitem__)
    traj = forecast.trajectory(name)
    position = traj.position_on_scale(sample)  # (T + 1, A, I)
    present = traj.inputs.present
    colors = actor_colors(scenario.actor_ids)
    models = list(forecast.trajectories)
    medians, intervals = forecast.outcomes(), forecast.quantiles(INTERVAL)
    width = np.linspace(2.8, 1.2, len(scenario.actors))
    others = [
        t.stop_round[sample] for m, t in forecast.trajectories.items() if m != name
    ]  # (I,) each: where the other models stopped
    fig, axes, slot = _panels(len(scenario.issues), 2, 3.2, legend=True)
    for i, (ax, issue) in enumerate(zip(axes, scenario.issues, strict=True)):
        last = max(int(traj.stop_round[sample, i]), 0)
        settled = max((int(r[i]) for r in others), default=0)
        rounds, xs = _round_axis(last, settled)
        for a, actor in enumerate(scenario.actors):
            if present[a, i]:
                style = {"marker": "o", "ms": 5} if last == 0 else {"lw": width[a], "alpha": 0.9}
                y = position[rounds, a, i]
                for part in np.split(np.arange(len(rounds)), np.flatnonzero(np.diff(xs) > 1) + 1):
                    ax.plot(xs[part], y[part], color=colors[actor.id], **style)
        end = float(xs[-1])
        ticks = _round_ticks(rounds, xs)
        if len(rounds) < last + 1:
            keep = int(np.flatnonzero(np.diff(xs) > 1)[0])
            ax.axvspan(keep + 0.4, xs[keep + 1] - 0.4, color="0.9", linewidth=0)
            ax.set_title(f"{name} runs on to round {last}", loc="right", fontsize=8)
        gap = max(0.6, 0.07 * end)
        ends = end + gap * np.arange(1, len(models) + 1)
        for k, (x, m) in enumerate(zip(ends, models, strict=True)):
            lo, hi = intervals[m][issue.id]
            if forecast.n_samples > 1 and np.isfinite([lo, hi]).all():
                ax.vlines(x, lo, hi, color="0.15", linewidth=1.2)
            ax.plot([x], [medians[m][issue.id]], marker=_MARKERS[k % 8], color="0.1", ms=6)
        ax.axvline(end + gap * 0.5, color="0.75", linewidth=0.8)
        ax.set_xlim(-0.05 * max(end, 1) - 0.3, ends[-1] + 0.7 * gap)
        at, names = zip(*ticks, strict=True) if ticks else ((), ())
        ax.set_xticks([*at, float(ends.mean())], [*names, "outcome"])
        _dress(ax, issue, 2 if len(axes) > 1 else 1)
        ax.set_xlabel("round")
    handles = _actor_handles(scenario.actors, colors, present)
    handles.append(Line2D([], [], color="0.45", linestyle="--", label="status quo"))
    for k, m in enumerate(models):
        handles.append(Line2D([], [], color="0.1", marker=_MARKERS[k % 8], ls="", label=m))
    what = (
        f"{name}, Monte Carlo draw {sample} of {forecast.n_samples}"
        if forecast.n_samples > 1
        else name
    )
    fig.suptitle(f"{scenario.name}: positions over rounds ({what}) and outcomes", fontsize=11)
    _legend(fig, slot, handles)
    return fig


def _round_axis(last: int, settled: int) -> tuple[np.ndarray, np.ndarray]:
    """The rounds a panel draws and where: ``(rounds, x)``, cut where a run goes on long.

    Rounds up to ``max(SHOWN_ROUNDS, settled + 2)`` keep their place; where the run goes on
    well past that, a gap of two units stands for the rounds left out and the last
    :data:`TAIL_ROUNDS` rounds follow it.
    """
    keep = max(SHOWN_ROUNDS, settled + 2)
    if last <= keep + TAIL_ROUNDS + 3:
        rounds = np.arange(last + 1)
        return rounds, rounds.astype(float)
    tail = np.arange(last - TAIL_ROUNDS + 1, last + 1)
    rounds = np.concatenate([np.arange(keep + 1), tail])
    xs = np.concatenate([np.arange(keep + 1), keep + 2 + np.arange(TAIL_ROUNDS)]).astype(float)
    return rounds, xs


def _round_ticks(rounds: np.ndarray, xs: np.ndarray) -> list[tuple[float, str]]:
    """Round numbers under the drawn rounds: a few up to the cut, and the last round after."""
    cut = np.flatnonzero(np.diff(xs) > 1)
    head = int(cut[0]) + 1 if cut.size else len(rounds)
    found = MaxNLocator(nbins=5, integer=True).tick_values(0, int(rounds[head - 1]))
    ticks = [(float(t), str(int(t))) for t in found if 0 <= t <= rounds[head - 1]]
    if cut.size:
        ticks.append((float(xs[-1]), str(int(rounds[-1]))))
    return ticks


def _actor_handles(actors: Sequence[Actor], colors: Mapping, present: np.ndarray) -> list[Any]:
    shown = [a for k, a in enumerate(actors) if present[k].any()]
    if len(actors) > LEGEND_ACTORS:
        shown = []
    return [Line2D([], [], color=colors[a.id], linewidth=2.5, label=a.label) for a in shown]


def _dress(ax: Axes, issue: Issue, ncols: int) -> None:
    """Status quo, title, scale limits, scale words and grid of one issue's panel."""
    if issue.status_quo is not None:
        ax.axhline(issue.status_quo, color="0.45", linestyle="--", linewidth=1.0)
    pad = 0.12 * (issue.scale.max - issue.scale.min)
    ax.set_ylim(issue.scale.min - pad, issue.scale.max + pad)
    _scale_words(ax, issue.scale.low, issue.scale.high, ncols)
    ax.set_title(issue.id, loc="left", fontweight="bold")
    ax.grid(axis="y", color="0.92")


# -- outcome distributions -----------------------------------------------------------------


def outcome_chart(forecast: Forecast) -> Figure:
    """Each model's outcome on each issue: violins over samples, or dots for one sample.

    Column "input" marks each actor's position from the scenario in its trajectory
    colour; dashed grey is the status quo. A violin spans a model's outcomes over
    samples, with their median (white dot) and 90 % interval (black bar).
    """
    scenario = forecast.scenario
    models = list(forecast.trajectories)
    mcolors, acolors = model_colors(models), actor_colors(scenario.actor_ids)
    inputs = scenario.to_arrays()
    start = inputs.to_scale(inputs.position)[0]  # (A, I) as written in the scenario
    values = {m: t.outcome_on_scale() for m, t in forecast.trajectories.items()}
    show_actors = len(scenario.actors) <= LEGEND_ACTORS
    fig, axes, slot = _panels(len(scenario.issues), 3, 3.4, legend=show_actors)
    ncols = min(len(axes), 3) if len(axes) > 1 else 1
    for i, (ax, issue) in enumerate(zip(axes, scenario.issues, strict=True)):
        if show_actors:
            _input_ticks(ax, start[:, i], inputs.present[:, i], list(acolors.values()))
        for k, m in enumerate(models, start=1):
            v = values[m][:, i]
            _distribution(ax, k, v[np.isfinite(v)], mcolors[m], forecast.n_samples > 1)
        ax.set_xlim(-0.6, len(models) + (0.6 if forecast.n_samples > 1 else 0.9))
        names = ["input", *models]
        crowded = max(map(len, names)) * 6 > 0.8 * WIDTH / ncols * DPI / len(names)
        ax.set_xticks(range(len(names)), names, fontsize=8, rotation=30 if crowded else 0)
        _dress(ax, issue, ncols)
    kind = f" (distribution over {forecast.n_samples} samples)" if forecast.n_samples > 1 else ""
    fig.suptitle(f"{scenario.name}: outcome per model{kind}", fontsize=11)
    handles = _actor_handles(scenario.actors, acolors, inputs.present)
    handles.append(Line2D([], [], color="0.45", linestyle="--", label="status quo"))
    _legend(fig, slot, handles)
    return fig


def _input_ticks(ax: Axes, at: np.ndarray, on: np.ndarray, colors: Sequence[Any]) -> None:
    """One short coloured dash per actor at x = 0; equal positions fan out side by side."""
    seen: dict[float, list[Any]] = {}
    for a, color in enumerate(colors):
        if on[a]:
            seen.setdefault(round(float(at[a]), 9), []).append(color)
    for y, group in seen.items():
        step = min(0.12, 0.6 / len(group))
        for j, color in enumerate(group):
            x = (j - (len(group) - 1) / 2) * step
            ax.plot([x], [y], marker="_", ms=max(4.0, 14 * step / 0.12), mew=2, color=color)


def _distribution(ax: Axes, x: float, v: np.ndarray, color: str, many: bool) -> None:
    """One model's outcomes at ``x``: a violin when they vary, else a dot with its value."""
    if v.size == 0:
        ax.annotate("none", (x, 0.5), xycoords=("data", "axes fraction"), ha="center")
        return
    if many and np.unique(v).size > 2:
        parts = ax.violinplot(v, positions=[x], widths=0.75, showextrema=False)
        for body in parts["bodies"]:
            body.set(facecolor=color, edgecolor=color, alpha=0.5)
        lo, mid, hi = np.quantile(v, (0.05, 0.5, 0.95))
        ax.vlines(x, lo, hi, color="0.1", linewidth=2.5)
        ax.plot([x], [mid], marker="o", color="white", markeredgecolor="0.1", ms=5)
        return
    y = float(np.median(v))
    ax.plot([x], [y], marker="o", color=color, markeredgecolor="0.1", ms=9)
    ax.annotate(f"{y:.4g}", (x, y), xytext=(8, 0), textcoords="offset points", va="center")


# -- P(deal), winners and losers, drivers --------------------------------------------------


REASON_COLORS = {
    "deal": "#4c9a5e",
    "no_zone": "#b5443b",
    "commitment": "#d98b2b",
    "mutual_optimism": "#8a63b8",
    "no_move": "#9a9a9a",
    "blocked": "#3f6fb0",
}
"""Colours of a deal and of each reason for no deal, in every chart."""
REASON_LABELS = {"deal": "deal", **REASON_WORDS}
"""Legend words of a deal and of each reason, as tables name them."""


def deal_chart(
    p_deal: Mapping[str, float],
    blocking: Mapping[str, Mapping[str, float]] | None = None,
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    reasons: Mapping[str, Mapping[str, float]] | None = None,
) -> Figure:
    """P(deal) per model, and why the other draws have no deal (or who blocks them).

    Parameters
    ----------
    p_deal
        ``{model: probability in [0, 1]}`` that a deal is struck.
    blocking
        ``{model: {actor: share in [0, 1]}}``: in what share of draws each veto player
        rejects the model's outcome. Drawn as a second panel when given and ``reasons``
        is not.
    title, labels
        Prefix of the chart's title (the scenario's name); actor names by id.
    reasons
        ``{model: {reason: share of all draws}}``: drawn as one stacked bar per model,
        the deal share first.
    """
    models = list(p_deal)
    colors = model_colors(models)
    if reasons:
        return _reasons_chart(p_deal, reasons, title=title)
    actors = list(dict.fromkeys(a for m in blocking or {} for a in blocking[m]))
    rows = max(len(models), len(actors) * len(models) ** 0.5)
    fig = _figure(max(3.2, 0.42 * rows + 1.6), WIDTH if actors else 4.5)
    wide = [1.0, 1.6] if actors else [1.0]
    axes = fig.subplots(1, len(wide), width_ratios=wide, squeeze=False, subplot_kw=_BELOW)[0]
    _p_deal_bars(axes[0], p_deal, colors)
    if actors:
        ax = axes[1]
        shown = [m for m in models if m in blocking]
        height = 0.8 / max(len(shown), 1)
        ys = np.arange(len(actors))
        for k, m in enumerate(shown):
            share = [_float(blocking[m].get(a, 0.0)) for a in actors]
            offset = (k - (len(shown) - 1) / 2) * height
            ax.barh(ys + offset, share, height=height * 0.9, color=colors[m], label=m)
        ax.set_yticks(ys, [(labels or {}).get(a, a) for a in actors])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks(_TICKS, [f"{p:.0%}" for p in _TICKS])
        ax.set_xlabel("share of draws in which the actor blocks the outcome")
        ax.set_title("who blocks", loc="left", fontweight="bold")
        ax.grid(axis="x", color="0.92")
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 6))
    fig.suptitle(_title(title, "probability of a deal"), fontsize=11)
    return fig


def _p_deal_bars(ax: Axes, p_deal: Mapping[str, float], colors: Mapping[str, str]) -> None:
    """One horizontal bar per model, its share written beside it; models down the y axis."""
    models = list(p_deal)
    ys = np.arange(len(models))
    shares = [_float(p_deal[m]) for m in models]
    ax.barh(ys, np.nan_to_num(shares), color=[colors[m] for m in models], height=0.6)
    for y, w in zip(ys, shares, strict=True):
        text, x = (f"{w:.0%}", w) if np.isfinite(w) else ("n/a", 0.0)
        style = {"textcoords": "offset points", "va": "center", "fontsize": 9}
        ax.annotate(text, (x, y), xytext=(3, 0), **style)
    ax.set_yticks(ys, models)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)  # room for "100%" beside a full bar
    ax.set_xticks([0, 0.5, 1], ["0%", "50%", "100%"])
    ax.set_title("P(deal)", loc="left", fontweight="bold")
    ax.grid(axis="x", color="0.92")


def _reasons_chart(
    p_deal: Mapping[str, float], reasons: Mapping[str, Mapping[str, float]], *, title: str
) -> Figure:
    """P(deal) per model, and one stacked bar per model: the deal share, then each reason's.

    Both panels share the models' axis (named once, on the left); the legend of the
    reasons sits below the panels.
    """
    models = list(p_deal)
    fig = _figure(max(3.2, 0.45 * len(models) + 2.0), WIDTH)
    axes = fig.subplots(1, 2, width_ratios=[1.0, 2.6], sharey=True, subplot_kw=_BELOW)
    _p_deal_bars(axes[0], p_deal, model_colors(models))
    ax = axes[1]
    ys = np.arange(len(models))
    left = np.zeros(len(models))
    for key, color in REASON_COLORS.items():
        share = np.array(
            [
                _float(p_deal[m]) if key == "deal" else _float(reasons[m].get(key, 0.0))
                for m in models
            ]
        )
        share = np.nan_to_num(share)
        if not share.any():
            continue
        ax.barh(ys, share, left=left, color=color, height=0.6, label=REASON_LABELS[key])
        for y, x0, w in zip(ys, left, share, strict=True):
            if w >= 0.08:
                ax.text(
                    x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8, color="white"
                )
        left += share
    ax.tick_params(axis="y", labelleft=False)
    ax.set_xlim(0, 1)
    ax.set_xticks(_TICKS, [f"{p:.0%}" for p in _TICKS])
    ax.set_xlabel("share of draws")
    ax.set_title("deal, or why not", loc="left", fontweight="bold")
    ax.grid(axis="x", color="0.92")
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 3), fontsize=8)
    fig.suptitle(_title(title, "probability of a deal and reasons for none"), fontsize=11)
    return fig


def winners_chart(
    winners: Mapping[str, Mapping[str, tuple[float, float, float]]],
    *,
    title: str = "",
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Each actor's utility change from the status quo, one panel per model.

    Gains are blue bars to the right, losses orange bars to the left, the best-off actor
    on top; all panels share one axis so that models compare.

    Parameters
    ----------
    winners
        ``{model: {actor: (median, lo, hi)}}``: the change in the actor's utility when the
        status quo gives way to the model's forecast, with an interval (for example the
        90 % interval over samples; pass ``lo == hi == median`` for none).
    title, labels
        As for :func:`deal_chart`.
    """
    models = list(winners)
    n_actors = max((len(v) for v in winners.values()), default=1)
    fig, axes, _ = _panels(max(len(models), 1), 3, 0.32 * n_actors + 1.2)
    numbers = [_float(x) for m in models for row in winners[m].values() for x in row]
    reach = 1.12 * float(np.nanmax(np.abs([*numbers, 1e-9])))
    for ax, m in zip(axes, models, strict=False):
        rows = [(a, tuple(_float(x) for x in v)) for a, v in winners[m].items()]
        rows.sort(key=lambda r: (np.isnan(r[1][0]), -np.nan_to_num(r[1][0]), r[0]))
        mid, lo, hi = (np.array([r[1][j] for r in rows]) for j in range(3))
        ys = np.arange(len(rows))
        ax.barh(ys, mid, color=np.where(mid >= 0, _GAIN, _LOSS), height=0.65)
        err = np.vstack([np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)])
        if err.any():
            ax.errorbar(mid, ys, xerr=err, fmt="none", ecolor="0.15", capsize=2.5, lw=1)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_yticks(ys, [(labels or {}).get(a, a) for a, _ in rows])
        ax.invert_yaxis()
        ax.set_xlim(-reach, reach)
        ax.set_title(m, loc="left", fontweight="bold")
        ax.grid(axis="x", color="0.92")
    fig.supxlabel("change in utility from the status quo to the forecast", fontsize=9)
    fig.suptitle(_title(title, "winners and losers"), fontsize=11)
    return fig


def drivers_chart(
    drivers: Mapping[str, Sequence[tuple[str, float, float, float]]],
    *,
    title: str = "",
    top: int = 10,
    model: str | None = None,
) -> Figure:
    """The inputs that move each issue's outcome most, one panel per issue.

    Parameters
    ----------
    drivers
        ``{issue: [(group label, ST, ST_conf, S1), ...]}``: the total-order index ``ST``
        of each group of inputs, its confidence half-width and the first-order index
        ``S1`` (variance-based sensitivity; both on [0, 1] up to estimation noise).
    title
        As for :func:`deal_chart`.
    top
        Draw at most this many groups per issue, the largest ``ST`` first.
    model
        The model whose outcome the indices are of, named in the title.

    Notes
    -----
    Bars are ``ST``, whiskers its confidence interval, diamonds ``S1``; a large gap
    between bar and diamond means the group acts through interactions.
    """
    issues = list(drivers)
    longest = max((min(len(v), top) for v in drivers.values()), default=1)
    fig, axes, slot = _panels(max(len(issues), 1), 2, 0.32 * longest + 1.3, legend=True)
    for ax, issue in zip(axes, issues, strict=False):
        rows = [(str(r[0]), *(_float(x) for x in r[1:4])) for r in drivers[issue]]
        rows = sorted(rows, key=lambda r: (np.isnan(r[1]), -np.nan_to_num(r[1]), r[0]))[:top]
        ys = np.arange(len(rows))
        st, conf, s1 = (np.array([r[j] for r in rows]) for j in (1, 2, 3))
        ax.barh(ys, st, height=0.65, color=_DRIVER)
        ax.errorbar(st, ys, xerr=np.abs(conf), fmt="none", ecolor="0.2", capsize=2.5, lw=1)
        ax.plot(s1, ys, linestyle="", marker="D", color="0.1", markersize=4)
        ax.set_yticks(ys, [_short(str(r[0]), 40) for r in rows])
        ax.invert_yaxis()
        right = max(1.0, float(np.nanmax(st + np.abs(conf), initial=0.0)))
        ax.set_xlim(min(0.0, float(np.nanmin(s1, initial=0.0))) - 0.02, right + 0.02)
        ax.set_xlabel("share of outcome variance")
        ax.set_title(issue, loc="left", fontweight="bold")
        ax.grid(axis="x", color="0.92")
    handles = [
        Patch(color=_DRIVER, label="ST: total effect, with its confidence interval"),
        Line2D([], [], ls="", marker="D", color="0.1", ms=4, label="S1: effect alone"),
    ]
    _legend(fig, slot, handles)
    what = f"drivers of each outcome of the {model} model" if model else "drivers of each outcome"
    fig.suptitle(_title(title, what), fontsize=11)
    return fig


# -- miscalculation and timeline ----------------------------------------------------------


def miscalculation_chart(
    result: Mapping[str, Any], *, labels: Mapping[str, str] | None = None
) -> Figure:
    """Each actor's miscalculation score, one panel per model.

    Parameters
    ----------
    result
        A forecast record (:meth:`~summitry.forecast.Forecast.to_dict`); read are its
        ``"scenario"``, ``"samples"``, ``"models"`` and ``"miscalculation"``:
        ``{model: [{"actor", "score", "interval": [lo, hi]}, ...]}``, each model's actors
        ranked by score. The score is in points of a 0-100 scale.
    labels
        Actor names by id.

    Notes
    -----
    Bars are the score (the median over samples), largest on top; with several samples
    whiskers span the 90 % interval. All panels share one axis so that models compare.
    """
    scored = result.get("miscalculation") or {}
    models = list(scored)
    colors = model_colors(list(result.get("models") or models))
    many = int(result.get("samples", 1)) > 1
    n_actors = max((len(rows) for rows in scored.values()), default=1)
    fig, axes, _ = _panels(max(len(models), 1), 3, 0.32 * n_actors + 1.2)
    numbers = [_float(x) for rows in scored.values() for r in rows for x in _score_row(r)]
    reach = max(1.0, float(np.nanmax([*numbers, 0.0])))
    for ax, m in zip(axes, models, strict=False):
        rows = [(r["actor"], _score_row(r)) for r in scored[m]]
        mid, lo, hi = (np.array([_float(v[j]) for _, v in rows]) for j in range(3))
        ys = np.arange(len(rows))
        ax.barh(ys, mid, color=colors.get(m, _DRIVER), height=0.65)
        if many:
            err = np.vstack([np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)])
            ax.errorbar(mid, ys, xerr=err, fmt="none", ecolor="0.15", capsize=2.5, lw=1)
        for y, v, top in zip(ys, mid, np.fmax(hi, mid) if many else mid, strict=True):
            text = f"{v:.1f}" if np.isfinite(v) else "n/a"
            at = float(np.nan_to_num(top))
            style = {"textcoords": "offset points", "va": "center", "fontsize": 8}
            ax.annotate(text, (at, y), xytext=(4, 0), **style)
        ax.set_yticks(ys, [(labels or {}).get(a, a) for a, _ in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, reach * 1.18)
        ax.set_title(m, loc="left", fontweight="bold")
        ax.grid(axis="x", color="0.92")
    if not models:
        axes[0].set_axis_off()
        axes[0].text(0.5, 0.5, "every actor believes the truth", ha="center", va="center")
    fig.supxlabel(
        "miscalculation: salience-weighted mean distance between the actor's own forecast "
        "and the forecast (points of a 0-100 scale)",
        fontsize=9,
    )
    kind = f" (median and 90 % interval over {result['samples']} samples)" if many else ""
    title = _title(str(result.get("scenario", "")), f"miscalculation per actor{kind}")
    fig.suptitle(title, fontsize=11)
    return fig


def _score_row(row: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    lo, hi = row.get("interval") or (row["score"], row["score"])
    return row["score"], lo, hi


def timeline_chart(record: Mapping[str, Any], model: str | None = None) -> Figure:
    """Each model's forecast after every event date, one panel per issue, and P(deal).

    Parameters
    ----------
    record
        A timeline record (:func:`summitry.report.timeline_view.timeline_record`):
        ``"scenario"``, ``"samples"``, ``"models"``, ``"issues"`` (``id``, ``scale``,
        ``low``, ``high``) and ``"steps"`` (``date``, ``status_quo``, ``forecasts``,
        ``p_deal``), the first step being the start.
    model
        Draw only this model; default every model of the record.

    Notes
    -----
    The x axis holds one place per step, named by its date ("start" for the inputs as
    written), evenly spaced whatever the time between dates; models sit slightly side by
    side around each date so that equal values stay visible. Lines join each model's
    forecast (the median over samples), shaded bands span the 90 % interval when there
    are several samples, and the dashed grey steps are the status quo. The last panel,
    when any step has one, is P(deal) per model.
    """
    every = list(record["models"])
    models = every if model is None else [model]
    colors = model_colors(every)
    marker = {m: _MARKERS[k % len(_MARKERS)] for k, m in enumerate(every)}
    steps = record["steps"]
    xs = np.arange(len(steps), dtype=float)
    # models side by side around each step, so that equal forecasts stay visible
    nudge = min(0.08, 0.3 / len(models))
    at = {m: xs + (k - (len(models) - 1) / 2) * nudge for k, m in enumerate(models)}
    many = int(record.get("samples", 1)) > 1
    deal = any(s.get("p_deal") for s in steps)
    main = model or (every[0] if "eum" not in every else "eum")
    why = deal and any(
        s.get("reasons") and _float((s.get("p_deal") or {}).get(main)) < 1 for s in steps
    )
    issues = list(record["issues"])
    fig, axes, slot = _panels(len(issues) + deal + why, 2, 3.3, legend=True)
    ncols = 2 if len(axes) > 1 else 1
    for ax, issue in zip(axes, issues, strict=False):
        iid = issue["id"]
        sq = np.array([_float(s["status_quo"].get(iid)) for s in steps])
        if np.isfinite(sq).any():
            ax.step([*xs, xs[-1] + 0.45], [*sq, sq[-1]], where="post", **_SQ_STYLE)
        for m in models:
            cells = [s["forecasts"][m][iid] for s in steps]
            mid = np.array([_float(c["outcome"]) for c in cells])
            if many:
                lo, hi = (np.array([_float(c["interval"][j]) for c in cells]) for j in (0, 1))
                _band(ax, at[m], lo, hi, colors[m])
            ax.plot(at[m], mid, color=colors[m], marker=marker[m], ms=5, lw=1.8)
        lo_s, hi_s = (float(v) for v in issue["scale"])
        pad = 0.12 * (hi_s - lo_s)
        ax.set_ylim(lo_s - pad, hi_s + pad)
        _scale_words(ax, issue.get("low"), issue.get("high"), ncols)
        ax.set_title(iid, loc="left", fontweight="bold")
    if why:
        ax = axes[len(issues) + 1]
        bottom = np.zeros(len(steps))
        for key, color in REASON_COLORS.items():
            share = np.array(
                [
                    _float((s.get("p_deal") or {}).get(main))
                    if key == "deal"
                    else _float(((s.get("reasons") or {}).get(main) or {}).get(key, 0.0))
                    for s in steps
                ]
            )
            share = np.nan_to_num(share)
            if share.any():
                ax.bar(xs, share, bottom=bottom, color=color, width=0.6, label=REASON_LABELS[key])
                bottom += share
        ax.set_ylim(0, 1.36)  # room above 100 % for the legend
        ax.set_yticks(_TICKS, [f"{p:.0%}" for p in _TICKS])
        ax.set_title(f"deal, or why not ({main})", loc="left", fontweight="bold")
        ax.legend(loc="upper center", fontsize=7, ncol=3, frameon=False)
    if deal:
        ax = axes[len(issues)]
        for m in models:
            p = [_float((s.get("p_deal") or {}).get(m)) for s in steps]
            ax.plot(at[m], p, color=colors[m], marker=marker[m], ms=5, lw=1.8)
        ax.set_ylim(-0.05, 1.1)
        ax.set_yticks(_TICKS, [f"{p:.0%}" for p in _TICKS])
        ax.set_title("P(deal)", loc="left", fontweight="bold")
    names = [s["date"] or "start" for s in steps]
    for ax in axes:
        _step_ticks(ax, xs, names, ncols)
        ax.grid(color="0.92")
    handles: list[Any] = [
        Line2D([], [], color=colors[m], marker=marker[m], lw=1.8, label=m) for m in models
    ]
    if many:
        handles.append(Patch(color="0.6", alpha=0.35, label="90 % interval"))
    handles.append(Line2D([], [], label="status quo", **_SQ_STYLE))
    _legend(fig, slot, handles)
    what = f" ({model})" if model is not None else ""
    kind = f", median and 90 % interval over {record['samples']} samples" if many else ""
    title = _title(str(record["scenario"]), f"forecast after each event{what}{kind}")
    fig.suptitle(title, fontsize=11)
    return fig


_SQ_STYLE = {"color": "0.45", "linestyle": "--", "linewidth": 1.0}


def _band(ax: Axes, xs: np.ndarray, lo: np.ndarray, hi: np.ndarray, color: str) -> None:
    """A shaded interval along the steps; a bar where there is one step."""
    if len(xs) == 1:
        ax.vlines(xs, lo, hi, color=color, linewidth=6, alpha=0.3)
    else:
        ax.fill_between(xs, lo, hi, color=color, alpha=0.16, linewidth=0)


def _step_ticks(ax: Axes, xs: np.ndarray, names: Sequence[str], ncols: int) -> None:
    """Dates under the steps: slanted when they would touch, thinned when very many."""
    every = max(1, math.ceil(len(names) / 24))
    shown = [n if k % every == 0 else "" for k, n in enumerate(names)]
    room = 0.85 * WIDTH / ncols * DPI / max(len(names), 1)
    slant = max(map(len, names)) * 6.5 > room
    ax.set_xticks(xs, shown, fontsize=8, rotation=40 if slant else 0)
    if slant:
        for label in ax.get_xticklabels():
            label.set(ha="right", rotation_mode="anchor")
    ax.set_xlim(xs[0] - 0.4, xs[-1] + 0.45)


def _float(x: Any) -> float:  # None in an analysis result: a value not estimated
    return float("nan") if x is None else float(x)


def _title(prefix: str, what: str) -> str:
    return f"{prefix}: {what}" if prefix else what[0].upper() + what[1:]
