"""The levers of one actor as terminal tables, a JSON record and a chart (docs/advise.md).

:func:`levers_table` ranks the levers with each model's utility and P(deal) change;
:func:`flips_table` lists the least concession that makes each blocker accept;
:func:`replies_table` lists the other actors' best replies to the best lever.
"""

from __future__ import annotations

import contextlib
import json
import math
import textwrap
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from matplotlib.figure import Figure
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from summitry.advise import Advice
from summitry.report.progress import bar_columns, stderr_progress
from summitry.report.terminal import ModelTables

__all__ = [
    "TOP",
    "advise_chart",
    "advise_json",
    "advise_progress",
    "advise_view",
    "flips_table",
    "levers_table",
    "replies_table",
]

TOP = 8
"""Levers shown by default."""
LABEL_WIDTH = 26
"""Width a lever's label wraps to in the table."""


def advise_json(advice: Advice) -> str:
    """:meth:`Advice.to_dict` as indented JSON text ending in a newline."""
    return json.dumps(advice.to_dict(), indent=2, sort_keys=False) + "\n"


@contextlib.contextmanager
def advise_progress(*, quiet: bool = False) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a callback ``(stage, done, total)`` driving a bar on stderr, or None when hidden.

    The bar's line names the stage (``levers: eum``, ``flips: nash``, ``responses: smp``)
    and counts the batches done; it shows only on a terminal.
    """
    bar = stderr_progress(
        bar_columns(),
        hidden=quiet,
    )
    if bar is None:
        yield None
        return
    with bar:
        task = bar.add_task("advise: generating levers", total=None)

        def advance(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield advance


def _signed(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x + 0.0 if round(x, digits) else 0.0:+.{digits}f}"  # never -0.000


def _pp(x: float | None) -> str:
    """A change in P(deal) in percentage points."""
    if x is None or not math.isfinite(x):
        return "P(deal) —"
    return f"{100 * x if round(100 * x, 1) else 0.0:+.1f} pp"


def _caption(advice: Advice) -> str:
    base = []
    for name in advice.models:
        b = advice.baseline[name]
        deal = "—" if b["p_deal"] is None else f"{b['p_deal']:.0%}"
        base.append(f"{name} P(deal) {deal}, utility {_signed(b['utility'])}")
    parts = [
        "baseline: " + "; ".join(base),
        advice.scenario,
        f"input {advice.input_sha256[:12]}",
        f"seed {advice.seed}",
        f"{advice.samples} sample{'s' if advice.samples != 1 else ''}",
    ]
    return " · ".join(parts) + " (docs/advise.md)"


def levers_table(advice: Advice, top: int = TOP) -> ModelTables:
    """The top ``top`` levers: rank, label, kind, each model's effect, and where it helps.

    A model's cell is the mean change in the actor's utility (winners-table units) and,
    below it, the change in P(deal) in percentage points. ``helps in`` counts the models
    in which the lever helps on average, with the mean share of draws in which it helps.
    The model columns split over several tables where the console is too narrow.
    """
    ranked = advice.ranked()[:top]
    keys: dict[str, str] = {}  # source id -> short key, in order of first use
    for lever in ranked:
        for cited in lever.sources:
            source = cited.split(" ¶")[0]
            keys.setdefault(source, f"S{len(keys) + 1}")
    caption = _caption(advice)
    if keys:
        caption += "\nsources: " + "; ".join(f"{k} = {src}" for src, k in keys.items())

    def short(cited: str) -> str:
        source, _, para = cited.partition(" ¶")
        return keys[source] + (f" ¶{para}" if para else "")

    title = f"best levers for {advice.actor}"
    n = len(advice.models)

    def cell(lever: str, model: str) -> Text:
        e = advice.effect(lever, model)
        style = "green" if e.utility > 1e-9 else "red" if e.utility < -1e-9 else ""
        text = Text(_signed(e.utility), style=f"bold {style}".strip())
        text.append("\n" + _pp(e.p_deal_change), style="dim")
        return text

    def helps(lever: str) -> Text:
        share = float(np.mean([advice.effect(lever, m).helps for m in advice.models]))
        return Text.assemble(
            f"{advice.robust(lever)} of {n}", ("\n" + f"{share:.0%} of draws", "dim")
        )

    def build(models: Sequence[str], first: bool, last: bool, *, kind_column: bool) -> Table:
        table = Table(
            title=title if first else None,
            caption=caption if last else None,
            caption_justify="left",
        )
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("lever", no_wrap=True)
        if kind_column:
            table.add_column("kind", no_wrap=True)
        for name in models:
            table.add_column(name, justify="right", no_wrap=True)
        if last:
            table.add_column("helps in", justify="right", no_wrap=True)
        for rank, lever in enumerate(ranked, start=1):
            label = Text("\n".join(textwrap.wrap(lever.label, LABEL_WIDTH)))
            if lever.sources:
                cited = "from " + ", ".join(short(c) for c in lever.sources)
                label.append("\n" + "\n".join(textwrap.wrap(cited, LABEL_WIDTH)), style="dim")
            row: list[RenderableType] = [str(rank), label]
            if kind_column:
                row.append(lever.kind)
            else:
                label.append("\n" + lever.kind, style="dim")
            row += [cell(lever.id, m) for m in models]
            if last:
                row.append(helps(lever.id))
            table.add_row(*row, end_section=True)
        return table

    def wide(models: Sequence[str], first: bool, last: bool) -> Table:
        return build(models, first, last, kind_column=True)

    def narrow(models: Sequence[str], first: bool, last: bool) -> Table:
        return build(models, first, last, kind_column=False)

    return ModelTables(wide, list(advice.models), narrow=narrow)


def _value(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def flips_table(advice: Advice) -> Table | None:
    """Per model and blocker, the least single-issue move that makes the blocker accept.

    None when nothing blocks (or no issue has a status quo to test a deal against).
    """
    if not advice.flips:
        return None
    table = Table(
        title="smallest concession that flips each blocker",
        caption="method under the model: exact (compromise, nash) or searched on a grid",
        caption_justify="left",
    )
    table.add_column("model\nmethod", no_wrap=True)
    table.add_column("blocker", overflow="fold")
    table.add_column("issue", overflow="fold")
    for name in ("from", "to", "move"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("deal\nafter", no_wrap=True)
    for k, f in enumerate(advice.flips):
        ends = k + 1 == len(advice.flips) or advice.flips[k + 1].model != f.model
        head = Text.assemble(f.model, ("\n" + f.method, "dim"))
        if f.issue is None:
            cells = [Text("no single-issue move", style="dim"), "—", "—", "—", "—"]
        else:
            move = "—" if f.move is None else f"{f.move:+.4g}"
            deal = "yes" if f.deal_after else "no"
            cells = [f.issue, _value(f.start), _value(f.to), move, deal]
        table.add_row(head, f.blocker, *cells, end_section=ends)
    return table


def replies_table(advice: Advice) -> Table | None:
    """Each other actor's best reply to the best lever, per model; None without replies."""
    if not advice.responses:
        return None
    best = advice.best()
    title = "replies to the best lever" + (f" ({best.id})" if best is not None else "")
    table = Table(
        title=title,
        caption=f"on {advice.response_samples} draws; gains in winners-table units",
        caption_justify="left",
    )
    table.add_column("model", no_wrap=True)
    table.add_column("responder")
    table.add_column("its best reply")
    table.add_column("its gain", justify="right", no_wrap=True)
    table.add_column(f"{advice.actor}\nbefore", justify="right", no_wrap=True)
    table.add_column(f"{advice.actor}\nafter", justify="right", no_wrap=True)
    for k, r in enumerate(advice.responses):
        ends = k + 1 == len(advice.responses) or advice.responses[k + 1].model != r.model
        table.add_row(
            r.model if k == 0 or advice.responses[k - 1].model != r.model else "",
            r.responder,
            r.label,
            _signed(r.responder_gain),
            _signed(r.actor_before),
            _signed(r.actor_after),
            end_section=ends,
        )
    return table


def advise_view(advice: Advice, top: int = TOP, *, flips: bool = True) -> list[RenderableType]:
    """The levers table, then the flips and the replies where there are any, and notes.

    ``flips`` says whether flips were looked for: then a line says when none was found.
    """
    parts: list[RenderableType] = [levers_table(advice, top)]
    if not advice.levers:
        parts = [Text(f"no levers for {advice.actor} in {advice.scenario}")]
    flipped = flips_table(advice)
    if flipped is not None:
        parts.append(flipped)
    elif flips:
        parts.append(
            Text("no other party blocks at the scenario's own values: no concession to flip", "dim")
        )
    replies = replies_table(advice)
    if replies is not None:
        parts.append(replies)
    if advice.notes:
        parts.append(Group(*(Text(f"note: {line}", style="dim") for line in advice.notes)))
    return parts


def advise_chart(advice: Advice, top: int = TOP) -> Figure:
    """Horizontal bars of each top lever's mean utility change per model, with 90 % intervals.

    The best lever is at the top; one colour per model, named in the legend.
    """
    ranked = advice.ranked()[:top]
    models = list(advice.models)
    n, m = len(ranked), len(models)
    fig = Figure(figsize=(9.0, 1.6 + max(1, n) * (0.35 + 0.22 * m)), layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / max(1, m)
    y = np.arange(n)[::-1].astype(float)  # the best lever at the top
    for k, model in enumerate(models):
        effects = [advice.effect(lv.id, model) for lv in ranked]
        mean = np.array([e.utility for e in effects])
        lo = np.array([e.utility_interval[0] for e in effects])
        hi = np.array([e.utility_interval[1] for e in effects])
        err = np.vstack([np.maximum(mean - lo, 0.0), np.maximum(hi - mean, 0.0)])
        offset = (k - (m - 1) / 2) * height
        ax.barh(
            y - offset, mean, height=height, xerr=err, color=f"C{k}", label=model,
            error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "0.25"},
        )  # fmt: skip
    ax.axvline(0.0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(lv.label, 38)) for lv in ranked], fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(f"change in {advice.actor}'s utility (mean over draws, 90 % interval)")
    ax.set_title(f"{advice.scenario}: best levers for {advice.actor}", fontsize=11)
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    if m:
        ax.legend(title="model", fontsize=8, title_fontsize=8, loc="best")
    return fig
