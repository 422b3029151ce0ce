"""The calibration over the case library: JSON text, terminal table, chart and HTML page.

Everything here works from the record of
:meth:`summitry.analysis.calibration.Calibration.to_dict`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from rich.console import Group
from rich.table import Table

from summitry.io import write_atomic
from summitry.report.html_parts import escape, table

__all__ = [
    "calibration_caption",
    "calibration_json",
    "calibration_table",
    "case_progress",
    "reliability_chart",
    "write_report",
]

_COLUMNS = (
    ("brier", "Brier", 3),
    ("log_score", "log score", 2),
    ("reliability", "reliability", 3),
    ("resolution", "resolution", 3),
    ("sharpness", "sharpness", 3),
    ("mae", "MAE settled", 1),
)
_MODEL, _BASELINE = "#4c72b0", "#937860"


def calibration_json(record: Mapping[str, Any]) -> str:
    """The record as indented JSON text ending in a newline."""
    return json.dumps(record, indent=2, sort_keys=False) + "\n"


def _cell(figure: Mapping[str, Any], digits: int) -> str:
    value = figure["value"]
    if value is None or not math.isfinite(value):
        return "—"
    if figure["interval"] is None:
        return f"{value:.{digits}f}"
    lo, hi = figure["interval"]
    return f"{value:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def _rows(record: Mapping[str, Any]) -> list[list[str]]:
    return [
        [row["name"], *(_cell(row[key], d) for key, _, d in _COLUMNS), str(row["issues"] or "—")]
        for row in record["rows"]
    ]


def _head() -> list[str]:
    return ["model", *(label for _, label, _ in _COLUMNS), "issues"]


def _issues(rows: Sequence[Mapping[str, Any]]) -> int:
    return max((row["issues"] for row in rows), default=0)


def calibration_caption(record: Mapping[str, Any]) -> list[str]:
    """The lines printed under the table: what was run and how to read it."""
    counts = record["counts"]
    rows = record["rows"]
    unc = rows[0]["uncertainty"]["value"] if rows else None
    level = round(100 * record["level"])
    lines = [
        f"{counts['cases']} cases ({counts['deals']} deals, {counts['failures']} failures) · "
        f"{record['samples']} samples · seed {record['seed']} · "
        f"bootstrap {record['bootstrap']} over cases ({level} % intervals)",
        "Brier: mean (P(deal) - o)²; log score: mean -ln P(what happened), P clipped to "
        f"[{record['clip']:g}, 1 - {record['clip']:g}] · lower is better",
        f"reliability (lower is better) - resolution (higher is better) + uncertainty "
        f"({unc:.3f}, the outcomes' own) ≈ Brier, over {record['bins']} bins of P(deal)"
        if unc is not None
        else "",
        "sharpness: variance of P(deal) over cases · MAE settled: 0-100 scale, over "
        f"{_issues(rows)} recorded issues; a draw without a deal keeps the status quo",
        "base-rate: the share of deals among the other cases (leave-one-out)",
    ]
    if counts["skipped"]:
        lines.append(
            f"{counts['skipped']} case(s) without a recorded outcome left out: "
            + ", ".join(s["case"] for s in record["skipped"])
        )
    return [line for line in lines if line]


def _table(record: Mapping[str, Any], title: str, columns: Sequence[int], caption: str) -> Table:
    head, rows = _head(), _rows(record)
    out = Table(title=title, caption=caption or None, caption_justify="left")
    out.add_column(head[0], no_wrap=True)
    for k in columns:
        out.add_column(head[k], justify="right")
    first_baseline = True
    for row, cells in zip(record["rows"], rows, strict=True):
        if row["kind"] == "baseline" and first_baseline:
            out.add_section()
            first_baseline = False
        out.add_row(cells[0], *(cells[k] for k in columns))
    return out


def calibration_table(record: Mapping[str, Any]) -> Group:
    """Two tables of the rows (scores; the Brier score's parts), baselines after a line."""
    level = round(100 * record["level"])
    return Group(
        _table(record, f"Calibration over the case library ({level} % intervals)", (1, 2, 6), ""),
        _table(
            record, "Parts of the Brier score", (3, 4, 5), "\n".join(calibration_caption(record))
        ),
    )


def reliability_chart(record: Mapping[str, Any]) -> Figure:
    """One reliability diagram per model and baseline, three to a line.

    Each point is a bin of P(deal): the mean P(deal) of its cases against the share of
    them that ended in a deal, its area proportional to the number of cases (written
    beside it). A calibrated forecast lies on the diagonal.
    """
    rows = record["rows"]
    ncols = 3
    nrows = max(1, math.ceil(len(rows) / ncols))
    fig = Figure(figsize=(10.0, 3.2 * nrows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, row in zip(axes, rows, strict=False):
        color = _MODEL if row["kind"] == "model" else _BASELINE
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
        shown = [b for b in row["bins"] if b["count"]]
        x = [b["predicted"] for b in shown]
        y = [b["observed"] for b in shown]
        ax.plot(x, y, color=color, linewidth=1)
        ax.scatter(x, y, s=[30 * b["count"] for b in shown], color=color, alpha=0.7)
        for b in shown:
            ax.annotate(
                str(b["count"]),
                (b["predicted"], b["observed"]),
                xytext=(6, -3),
                textcoords="offset points",
                fontsize=8,
            )
        brier = row["brier"]["value"]
        ax.set_title(f"{row['name']} · Brier {brier:.3f}", fontsize=9)
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.05, 1.05)
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
        ax.set_xlabel("P(deal), bin mean", fontsize=8)
        ax.set_ylabel("share that ended in a deal", fontsize=8)
        ax.tick_params(labelsize=8)
    for ax in axes[len(rows) :]:
        ax.set_axis_off()
    counts = record["counts"]
    fig.suptitle(
        f"Reliability over {counts['cases']} cases ({counts['deals']} deals), "
        f"{record['bins']} bins; numbers: cases per bin",
        fontsize=10,
    )
    return fig


def write_report(record: Mapping[str, Any], folder: str | Path) -> Path:
    """Write ``index.html`` (the table, the chart and every case) and ``reliability.png``."""
    from summitry.report.charts import png_bytes

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    png = png_bytes(reliability_chart(record))
    names = [row["name"] for row in record["rows"]]
    cases = [
        [
            escape(c["case"]),
            "deal" if c["deal"] else "no deal",
            *(f"{100 * c['p_deal'][n]:.0f}%" for n in names if n in c["p_deal"]),
        ]
        for c in record["cases"]
    ]
    shown = [n for n in names if n in record["cases"][0]["p_deal"]] if record["cases"] else []
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Calibration over the case library</title><style>{_CSS}</style></head><body>"
        "<h1>Calibration over the case library</h1>"
        + table(_head(), [[escape(c) for c in r] for r in _rows(record)])
        + "".join(f"<p>{escape(line)}</p>" for line in calibration_caption(record))
        + '<figure><img src="data:image/png;base64,'
        + base64.b64encode(png).decode("ascii")
        + '" alt="reliability diagrams"></figure>'
        "<h2>P(deal) per case</h2>"
        + table(["case", "recorded", *(escape(n) for n in shown)], cases)
        + f"<p>summitry {escape(record['summitry_version'])}</p></body></html>\n"
    )
    write_atomic(out / "reliability.png", png)
    write_atomic(out / "index.html", page)
    return out / "index.html"


_CSS = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
    "table{border-collapse:collapse;margin:1em 0}td,th{padding:2px 8px;"
    "border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child"
    "{text-align:left}img{max-width:100%}"
)


class _Bar:
    """A rich bar over cases; its line names the case and the model running."""

    def __init__(self, bar: Any, may_compile: Any) -> None:
        self._bar = bar
        self._task = bar.add_task("calibrate: choosing cases", total=None)
        self._may_compile = may_compile
        self._names: list[str] = []
        self._compiling: set[str] = set()
        self._case = ""
        self._started = 0

    def _show(self, running: str | None) -> None:
        what = f"{self._case} · running {running}" if running else f"{self._case} · done"
        if running in self._compiling:
            what += " (compiling on first use, cached afterwards)"
        self._bar.update(self._task, description=what)

    def start(self, total: int) -> None:
        self._bar.update(self._task, total=total)

    def case(self, case_id: str, models: Sequence[str], shape: tuple[int, int, int]) -> None:
        if self._started:
            self._bar.update(self._task, advance=1)
        self._started += 1
        self._case, self._names = case_id, list(models)
        self._compiling = {m for m in models if self._may_compile(m, shape)}
        self._show(self._names[0])

    def model(self, name: str) -> None:
        at = self._names.index(name) + 1 if name in self._names else len(self._names)
        self._show(self._names[at] if at < len(self._names) else None)


@contextlib.contextmanager
def case_progress(*, quiet: bool = False) -> Iterator[_Bar | None]:
    """A progress bar over the cases on stderr (only on a terminal), or None."""
    from summitry.report.progress import bar_columns, may_compile, stderr_progress

    bar = stderr_progress(
        bar_columns(),
        hidden=quiet,
    )
    if bar is None:
        yield None
        return
    with bar:
        yield _Bar(bar, may_compile)
