"""Two scenarios compared, as JSON text and as terminal tables that fit 80 columns.

Works from a :class:`~summitry.analysis.compare.Comparison`: what changed in the inputs,
what changed in each model's forecast and P(deal), and what moved the attributed model's
forecast of each issue.
"""

from __future__ import annotations

import json
import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from summitry.analysis.compare import Attribution, Comparison, InputChange
from summitry.scenario import Issue, Scenario

__all__ = ["attribution_table", "compare_json", "compare_view", "deal_changes_table",
           "forecast_changes_table", "input_changes_table"]  # fmt: skip

_SPAN = {"0-1": 1.0, "0-100": 100.0}


def compare_json(comparison: Comparison) -> str:
    """The comparison as indented JSON text ending in a newline (keys in a fixed order)."""
    return json.dumps(comparison.to_dict(), indent=2) + "\n"


def _decimals(span: float) -> int:
    """About four significant digits of a value on a scale ``span`` wide."""
    return max(0, 3 - math.floor(math.log10(span))) if span > 0 else 2


def _span(unit: str) -> float | None:
    """The width of a unit ``"[lo, hi]"`` or ``"0-1"``; None for other units."""
    if unit.startswith("["):
        lo, hi = (float(x) for x in unit.strip("[]").split(","))
        return hi - lo
    return _SPAN.get(unit)


def _shown(x: float | str | None, unit: str, *, signed: bool = False) -> str:
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    if not math.isfinite(x):
        return "—"
    span = _span(unit)
    sign = "+" if signed else ""
    if span is None:
        return f"{x:{sign}.4g}"
    digits = _decimals(span)
    x = round(x, digits) or 0.0  # no "-0.0"
    return f"{x:{sign}.{digits}f}"


def _unit(issue: Issue) -> str:
    return f"[{issue.scale.min:g}, {issue.scale.max:g}]"


def _change_text(change: InputChange) -> str:
    delta = change.delta
    if delta is not None:
        return _shown(delta, change.unit, signed=True)
    if change.a is None:
        return "added"
    if change.b is None:
        return "removed"
    return "changed"


def _head(comparison: Comparison) -> Text:
    """Which scenario is A and which B, their ``as_of`` dates, the seed and samples."""
    lines = []
    pairs = zip("AB", (comparison.a, comparison.b), comparison.as_of, strict=True)
    for tag, result, as_of in pairs:
        name = f"{tag}  {result.scenario.name}" + (f" · as of {as_of}" if as_of else "")
        lines.append(f"{name} · input {result.input_sha256[:12]}")
    fb = comparison.b
    run = f"seed {fb.seed}" + (f" · {fb.n_samples} samples" if fb.n_samples > 1 else "")
    return Text("\n".join([*lines, run]), style="dim")


def input_changes_table(comparison: Comparison) -> Table | Text:
    """What changed in the inputs from A to B, largest first, each on its own scale."""
    changes = comparison.changes
    if not changes:
        return Text("inputs: no change from A to B", style="bold")
    table = Table(
        title=f"what changed in the inputs ({len(changes)})",
        caption="largest first, as a share of each input's scale; values on that scale",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("input", overflow="fold", ratio=1)
    for name in ("A", "B", "change"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("scale", no_wrap=True)
    for c in changes:
        table.add_row(
            f"{c.kind} {c.subject}",
            _shown(c.a, c.unit),
            _shown(c.b, c.unit),
            _change_text(c),
            c.unit,
        )
    return table


def forecast_changes_table(comparison: Comparison) -> Table | Text:
    """Per issue and model: the outcome if agreed and the settled value, A, B and B - A."""
    if not comparison.outcomes:
        return Text("forecast: no issue is in both scenarios", style="bold")
    issues = {i.id: i for i in comparison.b.scenario.issues}
    settled = any(c.settled_delta is not None for c in comparison.outcomes)
    scales = {_unit(i) for i in issues.values()}
    shared = scales.pop() if len(scales) == 1 else None
    on = f"every issue on {shared}" if shared else "each issue on its scale, shown beside it"
    table = Table(
        title="what changed in the forecast",
        caption=(
            f"{on}; agreed: where the model says the issue settles if the parties agree; "
            "settled: the status quo kept in draws without a deal (docs/deal.md)"
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("issue / model", overflow="fold", ratio=1)
    heads = ["agreed A", "B", "B-A"] + (["settled A", "B", "B-A"] if settled else [])
    for name in heads:
        table.add_column(name, justify="right", no_wrap=True)
    current = None
    for c in comparison.outcomes:
        unit = _unit(issues[c.issue])
        if c.issue != current:
            if current is not None:
                table.add_section()
            table.add_row(Text(c.issue if shared else f"{c.issue} {unit}", style="bold"))
            current = c.issue
        row = [
            f"  {c.model}",
            _shown(c.outcome_a, unit),
            _shown(c.outcome_b, unit),
            _shown(c.outcome_delta, unit, signed=True),
        ]
        if settled:
            row += [
                _shown(c.settled_a, unit),
                _shown(c.settled_b, unit),
                _shown(c.settled_delta, unit, signed=True),
            ]
        table.add_row(*row)
    return table


def _percent(x: float | None, *, signed: bool = False) -> str:
    if x is None:
        return "—"
    x = round(100 * x) or 0
    return f"{x:+d} pp" if signed else f"{x:d}%"


def deal_changes_table(comparison: Comparison) -> Table | None:
    """P(deal) per model in A and in B; None where neither has a status quo."""
    if all(d.a is None and d.b is None for d in comparison.deals):
        return None
    table = Table(title="P(deal)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("model")
    for name in ("A", "B", "B-A"):
        table.add_column(name, justify="right", no_wrap=True)
    for d in comparison.deals:
        table.add_row(d.model, _percent(d.a), _percent(d.b), _percent(d.delta, signed=True))
    return table


SHOWN_SHARE = 0.1
"""Effects smaller than this share of the largest change (total or effect) are not listed."""


def _effect_text(
    found: Attribution, issue: str | None, what: str, unit: str, total: float | None
) -> str:
    """The two groups that moved ``issue`` most, then what they did only jointly.

    Effects under :data:`SHOWN_SHARE` of the largest change are left out (the JSON record
    has every one).
    """
    if total is None:
        return "—"

    def fmt(x: float) -> str:
        return _percent(x, signed=True) if issue is None else _shown(x, unit, signed=True)

    effects = [(e.group, e.value(issue, what) or 0.0) for e in found.leading(issue, what)]
    rest = found.rest().value(issue, what) or 0.0
    largest = max([abs(total), abs(rest), *(abs(v) for _, v in effects)])
    span = 1.0 if issue is None else (_span(unit) or 1.0)
    if largest <= 1e-6 * span:
        return "no change"
    floor = SHOWN_SHARE * largest
    parts = [f"{group} {fmt(value)}" for group, value in effects if abs(value) >= floor]
    if abs(rest) >= floor:
        parts.append(f"jointly {fmt(rest)}")
    return "; ".join(parts)


def attribution_table(found: Attribution, scenario: Scenario) -> Table:
    """One row per issue (and one for its settled value): the change and its main causes."""
    table = Table(
        title=f"what moved the {found.model} forecast",
        caption=(
            "each group of changed inputs set back to A's values in B, one at a time; its "
            "effect is B's forecast minus that one; jointly: the change the groups make "
            "only together; effects under a tenth of the largest not listed (docs/compare.md)"
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("issue", no_wrap=True)
    table.add_column("B-A", justify="right", no_wrap=True)
    table.add_column("moved most by", overflow="fold", ratio=1)
    total = found.total
    for issue in scenario.issues:
        unit = _unit(issue)
        change = total.outcome[issue.id]
        table.add_row(
            issue.id,
            _shown(change, unit, signed=True),
            _effect_text(found, issue.id, "outcome", unit, change),
        )
        if total.settled is not None:
            change = total.settled[issue.id]
            table.add_row(
                "  settled",
                _shown(change, unit, signed=True),
                _effect_text(found, issue.id, "settled", unit, change),
            )
    if total.p_deal is not None:
        table.add_section()
        table.add_row(
            "P(deal)",
            _percent(total.p_deal, signed=True),
            _effect_text(found, None, "p_deal", "", total.p_deal),
        )
    for group, reason in found.not_swapped:
        table.add_row("", "", Text(f"{group}: not set back alone ({reason})", style="dim"))
    return table


def compare_view(comparison: Comparison) -> Group:
    """The whole comparison: names and dates, input changes, forecast changes, attribution."""
    parts: list[Table | Text] = [
        _head(comparison),
        input_changes_table(comparison),
        forecast_changes_table(comparison),
    ]
    deals = deal_changes_table(comparison)
    if deals is not None:
        parts.append(deals)
    if comparison.attribution is not None:
        parts.append(attribution_table(comparison.attribution, comparison.b.scenario))
    elif comparison.attribution_note:
        parts.append(Text(comparison.attribution_note, style="dim"))
    return Group(*parts)
