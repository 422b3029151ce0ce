"""Show a sensitivity analysis: one ranked table per issue (and P(deal)), its JSON, progress.

:func:`drivers_view` renders a :class:`~summitry.analysis.sensitivity.Drivers` result for
the terminal: for each issue, the groups of inputs from the one that moves the outcome
most, with the ranking index, its interval and a bar. :func:`drivers_json` is the
deterministic record. :func:`drivers_progress` shows what is running, on stderr, while
the analysis works. Nothing is printed here except by the progress line.

This module does not import SALib, so the command line starts fast.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from summitry.report.progress import stderr_progress

if TYPE_CHECKING:
    from summitry.analysis.sensitivity import Drivers

DEAL = "P(deal)"  # summitry.analysis.sensitivity.DEAL, without importing SALib

__all__ = ["drivers_json", "drivers_progress", "drivers_view"]

BAR_WIDTH = 12
"""Characters of the widest bar."""

_METHOD_WORDS = {
    "sobol": "Sobol' indices (Saltelli sampling, first and total order)",
    "morris": "Morris screening (elementary effects)",
}

_LEGEND = {
    "sobol": (
        "ST: share of the outcome's variance due to the input, alone and through "
        "interactions; S1: alone. Intervals: {conf:.0%} bootstrap. Ranked by ST."
    ),
    "morris": (
        "mu*: mean absolute change of the outcome (issue scale) when the input moves "
        "across its range; sigma: spread of those changes (single inputs only). "
        "Intervals: {conf:.0%} bootstrap. Ranked by mu*."
    ),
}


_DEAL_LEGEND = {
    "sobol": "P(deal): shares of the variance of deal or no deal (1 or 0) with the {model} "
    "model's outcome (docs/deal.md).",
    "morris": "P(deal): mu* is the change in the chance of a deal with the {model} model's "
    "outcome (docs/deal.md).",
}


def _value(x: float | None, digits: int) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _bar(x: float | None, full: float) -> Text:
    if x is None or not math.isfinite(x) or full <= 0:
        return Text("")
    eighths = round(max(0.0, min(x / full, 1.0)) * BAR_WIDTH * 8)
    whole, part = divmod(eighths, 8)
    return Text("█" * whole + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part], style="cyan")


def _interval(value: float | None, half: float | None, digits: int) -> Text:
    text = Text(_value(value, digits), style="bold")
    if value is not None and half is not None and math.isfinite(half):
        lo, hi = value - half, value + half
        text.append(f" [{_value(lo, digits)}, {_value(hi, digits)}]", style="dim")
    return text


def _issue_table(result: Drivers, issue: str, top: int | None) -> Table:
    rows = result.ranked(issue, top=top)
    morris = result.method == "morris"
    table = Table(min_width=60)
    table.add_column("#", justify="right", style="dim")
    table.add_column("input", no_wrap=True)
    if morris:
        table.add_column("mu*", justify="right", no_wrap=True)
        table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
        table.add_column("sigma", justify="right")
        full = max((r["mu_star"] or 0.0 for r in result.ranked(issue)), default=0.0)
    else:
        table.add_column("ST", justify="right", no_wrap=True)
        table.add_column("", no_wrap=True, min_width=BAR_WIDTH)
        table.add_column("S1", justify="right", no_wrap=True)
        full = 1.0
    for rank, row in enumerate(rows, start=1):
        if morris:
            cells: list[RenderableType] = [
                _interval(row["mu_star"], row["mu_star_conf"], 2),
                _bar(row["mu_star"], full),
                _value(row["sigma"], 2),
            ]
        else:
            cells = [
                _interval(row["ST"], row["ST_conf"], 3),
                _bar(row["ST"], full),
                Text.assemble(_value(row["S1"], 3), (f" ±{_value(row['S1_conf'], 3)}", "dim")),
            ]
        table.add_row(str(rank), row["group"], *cells)
    return table


def _caption(result: Drivers) -> str:
    unit = "base samples" if result.method == "sobol" else "trajectories"
    run = (result.scenario, f"input {result.input_sha256[:12]}", f"model {result.model}")
    cost = (f"{result.n} {unit}", f"{result.evaluations} evaluations", f"seed {result.seed}")
    return " · ".join(run) + "\n" + " · ".join(cost)


def drivers_view(result: Drivers, *, top: int | None = None) -> Group:
    """One table per issue, then P(deal) where analysed, the input that moves it most first.

    Parameters
    ----------
    result
        What :func:`summitry.analysis.sensitivity.drivers` returned.
    top
        Show only this many rows per issue (default: every group).
    """
    parts: list[RenderableType] = [
        Text.assemble((_METHOD_WORDS[result.method], "bold"), "\n", (_caption(result), "dim"))
    ]
    for issue in result.outputs:
        head = Text.assemble("\n", (issue, "bold"))
        if issue == DEAL and result.p_deal is not None:
            head.append(f" · a deal in {result.p_deal:.1%} of the evaluations")
        note = result.notes.get(issue)
        if note:
            head.append(f" · {note}", style="yellow")
        else:
            head.append(f" · moved most by {result.top_driver(issue)}")
        parts.append(head)
        parts.append(_issue_table(result, issue, top))
    if result.fixed:
        parts.append(Text(f"\nheld fixed: {', '.join(result.fixed)}", style="dim"))
    legend = _LEGEND[result.method].format(conf=result.conf_level)
    if result.deal:
        legend += " " + _DEAL_LEGEND[result.method].format(model=result.model)
    parts.append(Text(("" if result.fixed else "\n") + legend, style="dim"))
    return Group(*parts)


def drivers_json(result: Drivers) -> str:
    """The result as indented JSON text ending in a newline; same seed, same bytes."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


@contextlib.contextmanager
def drivers_progress(*, quiet: bool = False) -> Iterator[Callable[[int, int, str], None] | None]:
    """Yield a ``progress(done, total, what)`` callback drawing a line on stderr, or None.

    The line shows the stage running (sampling, the model run, the indices of each issue)
    with a spinner and the time elapsed (the model run is one batch, so there is no
    finer progress to show); it appears only on a terminal, never when
    ``quiet``, and is erased when the work ends.
    """
    columns = (SpinnerColumn(), TextColumn("drivers: {task.description}"), TimeElapsedColumn())
    bar = stderr_progress(columns, hidden=quiet)
    if bar is None:
        yield None
        return
    with bar:
        task = bar.add_task("starting", total=None)

        def advance(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        yield advance
