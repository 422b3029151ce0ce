"""A sweep as a terminal table, a CSV file and a chart."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from rich.table import Table
from rich.text import Text

from summitry.io.csv_safe import safe_cell, safe_row
from summitry.sweep import SweepResult

__all__ = ["sweep_chart", "sweep_csv", "sweep_table"]

MAX_LINES = 8
"""Above this many combinations of the other varied inputs, the chart shows points."""


def sweep_csv(result: SweepResult) -> str:
    """The tidy table (one row per variant, model and issue) as CSV text.

    Text cells (model and issue names, and the varied paths in the header) that a
    spreadsheet would read as a formula get a leading ``'``; numbers are written as they are.
    """
    rows = result.rows()
    out = io.StringIO()
    fields = list(rows[0])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(safe_row(fields))
    for row in rows:
        writer.writerow(["" if row[k] is None else safe_cell(row[k]) for k in fields])
    return out.getvalue()


def sweep_table(result: SweepResult, model: str) -> Table:
    """One row per variant: the varied values, ``model``'s outcome per issue, P(deal).

    The varied inputs head their columns by number (``v1``, ``v2``, ...), their paths in
    full one a line below the table, so that no two headers read alike however narrow the
    console; an
    issue header too wide for its column folds onto more lines rather than being cut.
    """
    samples = result.samples
    legend = "\n".join(f"v{k}  {vary.path}" for k, vary in enumerate(result.varies, start=1))
    table = Table(
        title=f"{result.scenario.name}: sweep ({model}, {len(result.values)} variants)",
        caption=legend
        + f"\nseed {result.seed} · {samples} sample{'s' if samples != 1 else ''} per variant"
        + (" · median [5%, 95%]" if samples > 1 else ""),
        caption_justify="left",
    )
    for k in range(1, len(result.varies) + 1):
        table.add_column(f"v{k}", justify="right", style="cyan", no_wrap=True)
    for issue in result.issues:
        table.add_column(issue, justify="right", overflow="fold")
    if result.deal:
        table.add_column("P(deal)", justify="right", no_wrap=True)
    outcome = result.outcome[model]
    for v, values in enumerate(result.values):
        cells: list[Any] = [f"{x:g}" for x in values]
        q = np.quantile(outcome[v], [0.05, 0.5, 0.95], axis=0)
        for i in range(len(result.issues)):
            text = Text(f"{q[1, i]:.1f}", style="bold")
            if samples > 1:
                text.append(f" [{q[0, i]:.1f}, {q[2, i]:.1f}]", style="dim")
            cells.append(text)
        if result.deal:
            cells.append(f"{np.mean(result.deal[model][v]):.0%}")
        table.add_row(*cells)
    return table


def sweep_chart(result: SweepResult, models: Sequence[str] | None = None) -> Figure:
    """Each issue's outcome (and P(deal)) against the first varied input, per model.

    The other varied inputs give one line each per combination of their values, or
    points when there are more than :data:`MAX_LINES` combinations (random designs).
    """
    models = list(models or result.outcome)
    panels = list(result.issues) + (["P(deal)"] if result.deal else [])
    cols = min(3, len(panels))
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    x = result.values[:, 0]
    others = result.values[:, 1:]
    combos = sorted({tuple(r) for r in others}) if others.shape[1] else [()]
    as_lines = len(combos) <= MAX_LINES
    styles = ["-", "--", ":", "-."]
    for p, (ax, panel) in enumerate(zip(axes, panels, strict=False)):
        for m, model in enumerate(models):
            color = f"C{m}"
            y = (
                np.mean(result.deal[model], axis=1) * 100
                if panel == "P(deal)"
                else np.median(result.outcome[model][:, :, p], axis=1)
            )
            if not as_lines:
                ax.scatter(x, y, s=10, color=color, alpha=0.6, label=model)
                continue
            for c, (combo, style) in enumerate(zip(combos, itertools.cycle(styles), strict=False)):
                sel = np.all(others == np.array(combo), axis=1) if combo else np.ones(len(x), bool)
                order = np.argsort(x[sel])
                label = (
                    model
                    if not combo
                    else f"{model}, "
                    + ", ".join(
                        f"{v.path.split('.')[-2]}.{v.path.split('.')[-1]}={val:g}"
                        for v, val in zip(result.varies[1:], combo, strict=True)
                    )
                )
                ax.plot(x[sel][order], y[sel][order], style, color=color, marker="o", ms=3,
                        label=label if p == 0 else None)  # fmt: skip
                if c > MAX_LINES:
                    break
        ax.set_title(panel, loc="left", fontsize=10, fontweight="bold")
        ax.set_xlabel(result.varies[0].path, fontsize=8)
        ax.set_ylabel("P(deal) %" if panel == "P(deal)" else "outcome", fontsize=8)
        if panel == "P(deal)":
            ax.set_ylim(-5, 105)
        else:
            scale = result.scenario.issue(panel).scale
            ax.set_ylim(scale.min, scale.max)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=8)
    fig.suptitle(f"{result.scenario.name}: sweep over {len(result.values)} variants", fontsize=11)
    return fig
