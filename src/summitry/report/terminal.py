"""Rich renderables for the terminal: forecast table, trace tables, scenario summary, lists.

The stored side of a run (:mod:`summitry.store`) has its own renderers: a table of runs
and the view of one run, whose forecast table is drawn from the stored result alone.

Every function returns something :meth:`rich.console.Console.print` can show; nothing is
printed here. Values are shown on each issue's own scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from summitry.analysis.deal import REASON_WORDS, reason_text
from summitry.forecast import Forecast, StopSummary
from summitry.models import Model
from summitry.scenario import Issue, Scale, Scenario
from summitry.store import RunRecord, RunSummary
from summitry.trajectory import Stop

__all__ = [
    "deal_table",
    "example_list",
    "forecast_table",
    "model_list",
    "run_view",
    "runs_table",
    "scenario_summary",
    "stored_forecast_table",
    "trace_view",
]


def _number(x: float | None, issue: Issue) -> str:
    """``x`` with about four significant digits relative to the issue's scale span."""
    if x is None or not math.isfinite(x):
        return "—"
    span = issue.scale.max - issue.scale.min
    decimals = max(0, 3 - math.floor(math.log10(span)))
    return f"{x:.{decimals}f}"


def _scale(issue: Issue) -> str:
    return f"[{issue.scale.min:g}, {issue.scale.max:g}]"


def _caption(scenario: str, input_sha256: str, seed: int, samples: int) -> str:
    """``name · input <hash> · seed K[ · N samples]``, under every forecast table."""
    parts = [scenario, f"input {input_sha256[:12]}", f"seed {seed}"]
    if samples > 1:
        parts.append(f"{samples} samples")
    return " · ".join(parts)


def forecast_table(forecast: Forecast) -> Table:
    """One row per issue: status quo, then each model's outcome and how it stopped."""
    return stored_forecast_table(forecast.to_dict())


def trace_view(forecast: Forecast, model: str, *, sample: int = 0) -> Group:
    """One table per issue: rows are rounds up to where the issue stopped, columns actors.

    Each table follows a line with the issue, the outcome and how the model stopped. For
    a model without rounds, a note says so and the tables show the input (round 0).
    """
    traj = forecast.trajectory(model)
    inputs = traj.inputs
    position = traj.position_on_scale()[sample]  # (T + 1, A, I)
    stops = forecast.stops()[model]
    outcomes = forecast.outcomes()[model]
    parts: list[RenderableType] = [
        Text(
            f"{model} · "
            + _caption(
                forecast.scenario.name, forecast.input_sha256, forecast.seed, forecast.n_samples
            ),
            style="dim",
        )
    ]
    if not forecast.models[model].iterative:
        parts.append(Text(f"{model} has no rounds; the outcome comes straight from the input."))
    for i, issue in enumerate(forecast.scenario.issues):
        actors = [a for a in range(inputs.n_actors) if inputs.present[a, i]]
        last = int(traj.stop_round[sample, i])
        parts.append(
            Text.assemble(
                "\n",
                (issue.id, "bold"),
                f" {_scale(issue)} · outcome {_number(outcomes[issue.id], issue)}",
                f" · {stops[issue.id].label}",
            )
        )
        table = Table()
        table.add_column("round", justify="right")
        for a in actors:
            table.add_column(inputs.actors[a], justify="right")
        for t in range(last + 1):
            table.add_row(str(t), *(_number(float(position[t, a, i]), issue) for a in actors))
        parts.append(table)
    return Group(*parts)


def scenario_summary(scenario: Scenario) -> Group:
    """Name, counts, input hash, and the issues with their scales."""
    head = Text.assemble(
        ("scenario ", "dim"),
        (scenario.name, "bold"),
        "\n",
        ("actors   ", "dim"),
        str(len(scenario.actors)),
        "\n",
        ("issues   ", "dim"),
        str(len(scenario.issues)),
        "\n",
        ("evidence ", "dim"),
        str(len(scenario.evidence)),
        "\n",
        ("sha256   ", "dim"),
        scenario.digest(),
    )
    terms = _terms_lines(scenario)
    if terms:
        head.append("\n")
        head.append(terms)
    table = Table()
    for column in ("issue", "scale", "status quo", "actors"):
        table.add_column(column, no_wrap=True)
    for issue in scenario.issues:
        table.add_row(
            issue.id,
            _scale(issue),
            _number(issue.status_quo, issue),
            str(sum(issue.id in stances for stances in scenario.positions.values())),
        )
    return Group(head, table)


def _terms_lines(scenario: Scenario) -> Text:
    """Walk-away values, links, ratifiers and the recorded outcome, one line each."""
    lines = []
    walk = [f"{a.id} {a.walk_away:+.2f}" for a in scenario.actors if a.walk_away is not None]
    if walk:
        lines.append(("walk-away", ", ".join(walk)))
    for link in scenario.links:
        if link.kind == "credibility":
            what = f"{link.actor} discounts {link.issue} promises by {link.discount:.0%}"
        elif link.kind == "together":
            what = " + ".join(link.issues) + " settle together"
        else:
            what = f"{link.then} only after {link.first}"
        lines.append(("link", f"{link.id}: {what}"))
    for r in scenario.ratifiers:
        issues = ", ".join(r.issues) or "its issues"
        lines.append(("ratifier", f"{r.label} on {issues}"))
    if scenario.outcome is not None:
        o = scenario.outcome
        lines.append(("outcome", f"{'deal' if o.deal else 'no deal'} ({o.date}); {o.source}"))
    return Text("\n").join(
        Text.assemble((f"{key} ".ljust(9), "dim"), value) for key, value in lines
    )


def _name_lines(pairs: Iterable[tuple[str, str]]) -> Text:
    pairs = list(pairs)
    width = max((len(name) for name, _ in pairs), default=0)
    lines = [Text.assemble((name.ljust(width), "bold"), "  ", text) for name, text in pairs]
    return Text("\n").join(lines)


def model_list(models: Mapping[str, type[Model]]) -> Text:
    """One line per model: name and summary."""
    return _name_lines((name, cls.summary) for name, cls in models.items())


def example_list(examples: Iterable[tuple[str, str]]) -> Text:
    """One line per bundled scenario: name and description."""
    return _name_lines(examples)


# -- stored runs ---------------------------------------------------------------------------


def _stop_label(cell: Mapping[str, Any]) -> str:
    """The table label of a stored stop, as :attr:`StopSummary.label` words it."""
    try:
        stop = Stop[str(cell["stop"]).upper().replace(" ", "_")]
    except KeyError:
        return str(cell["stop"])
    return StopSummary(stop, int(cell["rounds"]), int(cell["cycle_length"])).label


def stored_forecast_table(result: Mapping[str, Any]) -> Table:
    """The forecast table drawn from a :meth:`Forecast.to_dict` record (live or stored).

    With several samples each cell shows the median and its 90 % interval.
    """
    caption = _caption(
        result["scenario"], result["input_sha256"], result["seed"], result["samples"]
    )
    table = Table(caption=caption, caption_justify="left", min_width=len(caption) + 2)
    table.add_column("issue", no_wrap=True)
    table.add_column("status quo", justify="right", no_wrap=True, min_width=6)
    for name in result["models"]:
        table.add_column(name, justify="right", no_wrap=True)
    for data in result["issues"]:
        issue = Issue(id=data["id"], scale=Scale(min=data["scale"][0], max=data["scale"][1]))
        cells: list[RenderableType] = [
            Text.assemble(issue.id, "\n", (_scale(issue), "dim")),
            _number(data["status_quo"], issue),
        ]
        for name in result["models"]:
            cell = data["forecasts"][name]
            text = Text.assemble((_number(cell["outcome"], issue), "bold"))
            if result["samples"] > 1 and cell.get("interval"):
                lo, hi = cell["interval"]
                text.append(f" [{_number(lo, issue)}, {_number(hi, issue)}]", style="dim")
            text.append("\n")
            text.append(_stop_label(cell), style="dim")
            cells.append(text)
        table.add_row(*cells, end_section=True)
    deal = result.get("p_deal")
    if deal:
        cells = [Text("P(deal)", style="bold"), Text("")]
        for name in result["models"]:
            d = deal[name]
            text = Text(f"{d['p_deal']:.0%}", style="bold")
            if result["samples"] > 1 and d.get("interval"):
                lo, hi = d["interval"]
                text.append(f" [{lo:.0%}, {hi:.0%}]", style="dim")
            why = reason_text(d, names=1)
            if why:
                text.append(f"\n{why}", style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def deal_table(result: Mapping[str, Any]) -> Table | None:
    """Why there is no deal: the share of draws of each reason per model, and who it names.

    None where every model's forecast is a deal in every draw, or without P(deal).
    """
    deal = result.get("p_deal")
    if not deal or all(d["p_deal"] >= 1 or not d.get("reasons") for d in deal.values()):
        return None
    table = Table(
        title="why no deal: share of draws and who stands in the way",
        caption="shares of all draws; names: the parties (or links) each reason names most "
        "often (docs/deal.md)",
        caption_justify="left",
    )
    table.add_column("reason", no_wrap=True)
    for name in deal:
        table.add_column(name, justify="right")
    cells: list[RenderableType] = [Text("deal", style="bold")]
    for d in deal.values():
        cells.append(Text(f"{d['p_deal']:.0%}", style="bold"))
    table.add_row(*cells, end_section=True)
    for reason, words in REASON_WORDS.items():
        shares = [
            (d.get("reasons") or {}).get(reason, {"share": 0.0, "who": {}}) for d in deal.values()
        ]
        if not any(r["share"] > 0 for r in shares):
            continue
        cells = [words]
        for r in shares:
            if r["share"] <= 0:
                cells.append(Text("-", style="dim"))
                continue
            text = Text(f"{r['share']:.0%}")
            who = list(r["who"])[:3]
            if who:
                text.append("\n" + ", ".join(who), style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def winners_table(result: Mapping[str, Any]) -> Table | None:
    """Actors ranked by utility change from the status quo, one column per model.

    None when no issue has a status quo to score against. Changes are in salience-weighted
    units of the normalised scale: +0.5 means half a scale width closer on an issue of
    salience 1.
    """
    scored = {m: w for m, w in result.get("winners", {}).items() if w["actors"]}
    if not scored:
        return None
    first = next(iter(scored.values()))
    issues = ", ".join(first["issues"])
    table = Table(
        title="winners and losers: utility change from the status quo",
        caption=f"scored on: {issues}",
        caption_justify="left",
    )
    table.add_column("actor", no_wrap=True)
    for name in scored:
        table.add_column(name, justify="right")
    order = [row["actor"] for row in first["actors"]]
    for actor in order:
        cells: list[RenderableType] = [actor]
        for w in scored.values():
            row = next(r for r in w["actors"] if r["actor"] == actor)
            lo, hi = row["interval"]
            style = "green" if row["change"] > 0 else "red" if row["change"] < 0 else ""
            text = Text(f"{row['change']:+.2f}", style=style)
            if result["samples"] > 1:
                text.append(f" [{lo:+.2f}, {hi:+.2f}]", style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def miscalculation_table(result: Mapping[str, Any]) -> Table | None:
    """Each actor's miscalculation score per model, and its largest per-issue gaps.

    None when every actor believes the truth. Scores and gaps are in points of a 0-100
    scale; a gap is the actor's own forecast minus the forecast.
    """
    scored = result.get("miscalculation")
    if not scored:
        return None
    # the gaps of the model where actors choose (the EUM) when it ran, else the first
    main = "eum" if "eum" in scored else next(iter(scored))
    table = Table(
        title="miscalculation: each actor's own forecast against the forecast",
        caption="score: salience-weighted mean gap over issues, points of a 0-100 scale; "
        f"gaps: own forecast minus forecast ({main})",
        caption_justify="left",
    )
    table.add_column("actor", no_wrap=True)
    for name in scored:
        table.add_column(name, justify="right")
    table.add_column("largest gaps")
    widths = {i["id"]: i["scale"][1] - i["scale"][0] for i in result["issues"]}
    for row in scored[main]:
        actor = row["actor"]
        cells: list[RenderableType] = [actor]
        for rows in scored.values():
            r = next(x for x in rows if x["actor"] == actor)
            text = Text(f"{r['score']:.1f}", style="bold" if r["score"] >= 1 else "")
            if result["samples"] > 1:
                lo, hi = r["interval"]
                text.append(f" [{lo:.1f}, {hi:.1f}]", style="dim")
            cells.append(text)
        gaps = sorted(
            ((100 * v["gap"] / widths[k], k) for k, v in row["issues"].items()),
            key=lambda g: -abs(g[0]),
        )
        cells.append(", ".join(f"{k} {g:+.0f}" for g, k in gaps[:2] if abs(g) >= 0.5) or "-")
        table.add_row(*cells)
    return table


def _when(created: str) -> str:
    """``2025-03-01T09:30:00+00:00`` -> ``2025-03-01 09:30``."""
    return created[:16].replace("T", " ")


def runs_table(runs: Sequence[RunSummary], *, caption: str = "") -> Table:
    """One row per recorded run: id, time, scenario, models, samples, seed, input hash."""
    table = Table(caption=caption or None, caption_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("time (UTC)", no_wrap=True)
    scenario = max((len(run.scenario_name) for run in runs), default=0)
    table.add_column("scenario", min_width=min(scenario, 20), overflow="fold")
    longest = max((len(name) for run in runs for name in run.models), default=0)
    table.add_column("models", min_width=longest + 1)
    table.add_column("samples", justify="right")
    table.add_column("seed", justify="right")
    table.add_column("input", no_wrap=True)
    for run in runs:
        table.add_row(
            Text(run.id, style="bold"),
            _when(run.created),
            run.scenario_name,
            ", ".join(run.models),
            str(run.samples),
            str(run.seed),
            Text(run.input_sha256[:8], style="dim"),
        )
    return table


def run_view(record: RunRecord) -> Group:
    """One run: what produced it, then its forecast table from the stored result."""
    rows = [
        ("run", record.id),
        ("time", f"{record.created[:19].replace('T', ' ')} UTC"),
        ("source", record.source),
        ("scenario", record.scenario_name),
        ("sha256", record.input_sha256),
        ("seed", str(record.seed)),
        ("samples", str(record.samples)),
    ]
    if record.rounds is not None:
        rows.append(("rounds", str(record.rounds)))
    rows.append(("version", f"summitry {record.summitry_version}"))
    for name, params in record.models.items():
        words = " ".join(f"{k}={v}" for k, v in params.items())
        rows.append(("model", Text.assemble((name, "bold"), " ", words)))
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim", no_wrap=True)
    head.add_column()
    for key, value in rows:
        head.add_row(key, value)
    parts: list[RenderableType] = [head, Text(""), stored_forecast_table(record.result)]
    tables = (deal_table(record.result), winners_table(record.result))
    for table in (*tables, miscalculation_table(record.result)):
        if table is not None:
            parts.append(table)
    return Group(*parts)
