"""The score of forecasts against a recorded outcome, as JSON text and as a terminal table.

Both work from the record of :meth:`summitry.analysis.score.Score.to_dict`, so that a
stored record draws the same table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text

__all__ = ["score_caption", "score_json", "score_table"]


def score_json(record: Mapping[str, Any]) -> str:
    """The score record as indented JSON text ending in a newline (keys in a fixed order)."""
    return json.dumps(record, indent=2, sort_keys=False) + "\n"


def _points(x: float | None, scale: list[float]) -> str:
    """``x`` with about four significant digits relative to the scale's span."""
    if x is None or not math.isfinite(x):
        return "—"
    span = scale[1] - scale[0]
    decimals = max(0, 3 - math.floor(math.log10(span)))
    return f"{x:.{decimals}f}"


def _step_line(step: Mapping[str, Any] | None) -> str | None:
    """Which situation of a timeline was scored, in words; None without events."""
    if step is None:
        return None
    dates = step["count"] - 1
    if step["index"] == 0:
        return (
            f"scored: the scenario before its events (step 0 of {dates} event dates; "
            "none falls on or before the outcome's date)"
        )
    return (
        f"scored: after the events of {step['date']} ({step['label']}), "
        f"step {step['index']} of {dates} event dates"
    )


def score_caption(record: Mapping[str, Any]) -> str:
    """The lines under the table: the recorded outcome, the step scored, the run header."""
    outcome = record["outcome"]
    made = "deal" if outcome["deal"] else "no deal"
    lines = [f"recorded outcome: {made} · {outcome['date']} · source: {outcome['source']}"]
    step = _step_line(record["step"])
    if step is not None:
        lines.append(step)
    run = [record["scenario"], f"input {record['input_sha256'][:12]}", f"seed {record['seed']}"]
    if record["samples"] > 1:
        run.append(f"{record['samples']} samples")
    lines.append(" · ".join(run))
    lines.append("issue columns: |forecast - recorded|, points of the issue's scale")
    lines.append(
        "MAE: mean of those errors · MAE settled: the same where a draw without a deal keeps "
        "the status quo · Brier: (P(deal) - o)², o = 1 for a deal, else 0"
    )
    return "\n".join(lines)


def score_table(record: Mapping[str, Any]) -> Table:
    """One row per model, then the baselines: each issue's error, MAE, P(deal), Brier."""
    caption = score_caption(record)
    table = Table(
        title=f"{record['scenario']}: forecasts against the recorded outcome",
        caption=caption,
        caption_justify="left",
        min_width=max(len(line) for line in caption.splitlines()) + 2,
    )
    table.add_column("model", no_wrap=True)
    for issue in record["issues"]:
        recorded = _points(issue["recorded"], issue["scale"])
        table.add_column(f"{issue['id']}\nrecorded {recorded}", justify="right")
    for column in ("MAE", "MAE settled", "P(deal)", "Brier"):
        table.add_column(column, justify="right")
    for n, row in enumerate(record["rows"]):
        baseline = row["kind"] == "baseline"
        if baseline and record["rows"][n - 1]["kind"] != "baseline":
            table.add_section()
        cells: list[Any] = [Text(row["name"], style="italic" if baseline else "bold")]
        for issue in record["issues"]:
            cells.append(_points(row["errors"][issue["id"]], issue["scale"]))
        for key in ("mae", "mae_settled"):
            mae = row.get(key)
            cells.append("—" if mae is None else f"{mae:.2f}")
        cells.append(f"{row['p_deal']:.0%}")
        cells.append(f"{row['brier']:.3f}")
        table.add_row(*cells)
    return table
