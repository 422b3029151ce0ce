"""Rich renderables for the terminal: forecast table, trace tables, scenario summary, lists.

The stored side of a run (:mod:`summitry.store`) has its own renderers: a table of runs
and the view of one run, whose forecast table is drawn from the stored result alone.

Every function returns something :meth:`rich.console.Console.print` can show; nothing is
printed here. Values are shown on each issue's own scale.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from summitry.scenario import Issue, Scale, Scenario

if TYPE_CHECKING:  # the forecast, the models and the store load numba and scipy
    from summitry.forecast import Forecast
    from summitry.models import Model
    from summitry.store import RunRecord, RunSummary

__all__ = [
    "ModelTables",
    "deal_table",
    "example_list",
    "forecast_table",
    "miscalculation_table",
    "model_list",
    "run_view",
    "runs_table",
    "scenario_summary",
    "stored_forecast_table",
    "trace_view",
    "winners_table",
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


Build = Callable[[Sequence[str], bool, bool], Table]
"""``build(models, first, last)``: the table of some models' columns; ``first`` carries the
title, ``last`` the caption and any columns after the models'."""

_NATURAL = 10_000  # a width no table reaches: measures a table's unsqueezed width


class ModelTables:
    """A table with one column per model, split to fit the console's width.

    As many model columns as fit stand side by side; the rest follow in further tables
    below, each repeating the leading columns (issue, status quo, reason or actor), so
    that no column is cropped or squeezed. The models are spread evenly over the fewest
    tables that fit. Prints as one table where the whole width suffices; ``narrow``, a
    build with narrower headers, is tried before the table is split.
    """

    def __init__(self, build: Build, models: Sequence[str], *, narrow: Build | None = None):
        self.build = build
        self.narrow = narrow or build
        self.models = tuple(models)

    def _fits(self, console: Console, build: Build, models: Sequence[str], width: int) -> bool:
        """Whether the table of ``models``, a run of :attr:`models`, fits unsqueezed."""
        first, last = models[0] == self.models[0], models[-1] == self.models[-1]
        wide = console.options.update(width=_NATURAL, max_width=_NATURAL)
        return Measurement.get(console, wide, build(models, first, last)).maximum <= width

    def parts(self, console: Console, width: int) -> tuple[Build, list[Sequence[str]]]:
        """The build used and the models of each table, for a console ``width`` wide."""
        models = self.models
        if not models:
            return self.build, [models]
        for build in dict.fromkeys((self.build, self.narrow)):
            if self._fits(console, build, models, width):
                return build, [models]
        build = self.narrow
        greedy: list[Sequence[str]] = []
        start = 0
        while start < len(models):
            end = start + 1
            while end < len(models) and self._fits(console, build, models[start : end + 1], width):
                end += 1
            greedy.append(models[start:end])
            start = end
        size = math.ceil(len(models) / len(greedy))
        even = [models[k : k + size] for k in range(0, len(models), size)]
        if len(even) == len(greedy) and all(self._fits(console, build, c, width) for c in even):
            return build, even
        return build, greedy

    def tables(self, console: Console, width: int) -> list[Table]:
        """The tables as they print on a console ``width`` wide."""
        build, parts = self.parts(console, width)
        return [build(chunk, k == 0, k == len(parts) - 1) for k, chunk in enumerate(parts)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.tables(console, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        tables = self.tables(console, options.max_width)
        found = [Measurement.get(console, options, t) for t in tables]
        return Measurement(max(m.minimum for m in found), max(m.maximum for m in found))


def forecast_table(forecast: Forecast) -> ModelTables:
    """One row per issue: status quo, then each model's outcome and how it stopped."""
    return stored_forecast_table(forecast.to_dict())


def trace_view(forecast: Forecast, model: str, *, sample: int = 0) -> Group:
    """One table per issue: rows are rounds up to where the issue stopped, columns actors.

    Each table follows a line with the issue, the outcome and how the model stopped. For
    a model without rounds, a note says so and the tables show the input (round 0).
    """
    traj = forecast.trajectory(model)
    inputs = traj.inputs
    position = traj.position_on_scale(sample)  # (T + 1, A, I)
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
    from summitry.forecast import StopSummary
    from summitry.trajectory import Stop

    try:
        stop = Stop[str(cell["stop"]).upper().replace(" ", "_")]
    except KeyError:
        return str(cell["stop"])
    return StopSummary(stop, int(cell["rounds"]), int(cell["cycle_length"])).label


def stored_forecast_table(result: Mapping[str, Any]) -> ModelTables:
    """The forecast table drawn from a :meth:`Forecast.to_dict` record (live or stored).

    One row per issue: the status quo, then each model's outcome and how it stopped, and
    a last row with P(deal) and the main reason for no deal. With several samples each
    cell shows the median and its 90 % interval. The model columns split over several
    tables where the console is too narrow for all (:class:`ModelTables`).
    """
    from summitry.analysis.deal import reason_text

    caption = _caption(
        result["scenario"], result["input_sha256"], result["seed"], result["samples"]
    )
    many = result["samples"] > 1
    issues = [
        Issue(id=data["id"], scale=Scale(min=data["scale"][0], max=data["scale"][1]))
        for data in result["issues"]
    ]
    cells: dict[str, list[Text]] = {}
    for name in result["models"]:
        column = cells[name] = []
        for issue, data in zip(issues, result["issues"], strict=True):
            cell = data["forecasts"][name]
            text = Text.assemble((_number(cell["outcome"], issue), "bold"))
            if many and cell.get("interval"):
                lo, hi = cell["interval"]
                text.append(f" [{_number(lo, issue)}, {_number(hi, issue)}]", style="dim")
            text.append("\n")
            text.append(_stop_label(cell), style="dim")
            column.append(text)
    deal = result.get("p_deal")
    if deal:
        for name in result["models"]:
            d = deal[name]
            text = Text(f"{d['p_deal']:.0%}", style="bold")
            if many and d.get("interval"):
                lo, hi = d["interval"]
                text.append(f" [{lo:.0%}, {hi:.0%}]", style="dim")
            why = reason_text(d, names=1)
            if why:
                # wrapped to the column's other cells, so that it never widens the column
                room = max(12, *(c.cell_len for t in cells[name] for c in t.split()))
                text.append("\n" + "\n".join(textwrap.wrap(why, room)), style="dim")
            cells[name].append(text)

    def build(models: Sequence[str], first: bool, last: bool, sq: str = "status quo") -> Table:
        table = Table(
            caption=caption if last else None,
            caption_justify="left",
            min_width=len(caption) + 2 if last else None,
        )
        table.add_column("issue", no_wrap=True)
        table.add_column(sq, justify="right", no_wrap=True, min_width=6)
        for name in models:
            table.add_column(name, justify="right", no_wrap=True)
        for i, (issue, data) in enumerate(zip(issues, result["issues"], strict=True)):
            head = Text.assemble(issue.id, "\n", (_scale(issue), "dim"))
            value = _number(data["status_quo"], issue)
            table.add_row(head, value, *(cells[name][i] for name in models), end_section=True)
        if deal:
            table.add_row(Text("P(deal)", style="bold"), "", *(cells[m][-1] for m in models))
        return table

    def narrow(models: Sequence[str], first: bool, last: bool) -> Table:
        return build(models, first, last, sq="status\nquo")

    return ModelTables(build, list(result["models"]), narrow=narrow)


def _analysed(result: Mapping[str, Any]) -> str:
    """Which draws the reasons and miscalculation describe, in words."""
    if "analysis_draws" not in result:
        return "all draws"
    return f"the first {result['analysis_draws']:,} of {result['samples']:,} draws"


def deal_table(result: Mapping[str, Any]) -> ModelTables | None:
    """Why there is no deal: the share of draws of each reason per model, and who it names.

    None where every model's forecast is a deal in every draw, or without P(deal).
    """
    from summitry.analysis.deal import REASON_WORDS

    deal = result.get("p_deal")
    if not deal or all(d["p_deal"] >= 1 or not d.get("reasons") for d in deal.values()):
        return None
    rows: list[tuple[RenderableType, dict[str, Text]]] = [
        (
            Text("deal", style="bold"),
            {m: Text(f"{d['p_deal']:.0%}", style="bold") for m, d in deal.items()},
        )
    ]
    for reason, words in REASON_WORDS.items():
        shares = {
            m: (d.get("reasons") or {}).get(reason, {"share": 0.0, "who": {}})
            for m, d in deal.items()
        }
        if not any(r["share"] > 0 for r in shares.values()):
            continue
        row: dict[str, Text] = {}
        for m, r in shares.items():
            if r["share"] <= 0:
                row[m] = Text("-", style="dim")
                continue
            text = Text(f"{r['share']:.0%}")
            who = list(r["who"])[:3]
            if who:
                text.append("\n" + ", ".join(who), style="dim")
            row[m] = text
        rows.append((words, row))

    deal_note = " (P(deal): all draws)" if "analysis_draws" in result else ""

    def build(models: Sequence[str], first: bool, last: bool) -> Table:
        table = Table(
            title="why no deal: share of draws and who stands in the way" if first else None,
            caption=f"shares of {_analysed(result)}{deal_note}; names: the parties (or links) each "
            "reason names most often (docs/deal.md)"
            if last
            else None,
            caption_justify="left",
        )
        table.add_column("reason", no_wrap=True)
        for name in models:
            table.add_column(name, justify="right", min_width=len(name))
        for k, (head, row) in enumerate(rows):
            table.add_row(head, *(row[m] for m in models), end_section=k == 0)
        return table

    return ModelTables(build, list(deal))


def winners_table(result: Mapping[str, Any]) -> ModelTables | None:
    """Actors ranked by utility change from the status quo, one column per model.

    None when no issue has a status quo to score against. Changes are in salience-weighted
    units of the normalised scale: +0.5 means half a scale width closer on an issue of
    salience 1.
    """
    scored = {m: w for m, w in result.get("winners", {}).items() if w["actors"]}
    if not scored:
        return None
    first_model = next(iter(scored.values()))
    issues = ", ".join(first_model["issues"])
    order = [row["actor"] for row in first_model["actors"]]
    cells: dict[str, list[Text]] = {}
    for name, w in scored.items():
        cells[name] = []
        for actor in order:
            row = next(r for r in w["actors"] if r["actor"] == actor)
            lo, hi = row["interval"]
            style = "green" if row["change"] > 0 else "red" if row["change"] < 0 else ""
            text = Text(f"{row['change']:+.2f}", style=style)
            if result["samples"] > 1:
                text.append(f" [{lo:+.2f}, {hi:+.2f}]", style="dim")
            cells[name].append(text)

    def build(models: Sequence[str], first: bool, last: bool) -> Table:
        table = Table(
            title="winners and losers: utility change from the status quo" if first else None,
            caption=f"scored on: {issues}" if last else None,
            caption_justify="left",
        )
        table.add_column("actor", no_wrap=True)
        for name in models:
            table.add_column(name, justify="right", no_wrap=True)
        for a, actor in enumerate(order):
            table.add_row(actor, *(cells[m][a] for m in models))
        return table

    return ModelTables(build, list(scored))


def miscalculation_table(result: Mapping[str, Any]) -> ModelTables | None:
    """Each actor's miscalculation score per model, and its largest per-issue gaps.

    None when every actor believes the truth. Scores and gaps are in points of a 0-100
    scale; a gap is the actor's own forecast minus the forecast. Where the models split
    over several tables, the gaps close the last.
    """
    scored = result.get("miscalculation")
    if not scored:
        return None
    # the gaps of the model where actors choose (the EUM) when it ran, else the first
    main = "eum" if "eum" in scored else next(iter(scored))
    widths = {i["id"]: i["scale"][1] - i["scale"][0] for i in result["issues"]}
    order = [row["actor"] for row in scored[main]]
    cells: dict[str, list[Text]] = {}
    for name, rows in scored.items():
        cells[name] = []
        for actor in order:
            r = next(x for x in rows if x["actor"] == actor)
            text = Text(f"{r['score']:.1f}", style="bold" if r["score"] >= 1 else "")
            if result["samples"] > 1:
                lo, hi = r["interval"]
                text.append(f" [{lo:.1f}, {hi:.1f}]", style="dim")
            cells[name].append(text)
    gaps = []
    for row in scored[main]:
        found = sorted(
            ((100 * v["gap"] / widths[k], k) for k, v in row["issues"].items()),
            key=lambda g: -abs(g[0]),
        )
        gaps.append(", ".join(f"{k} {g:+.0f}" for g, k in found[:2] if abs(g) >= 0.5) or "-")

    def build(models: Sequence[str], first: bool, last: bool) -> Table:
        table = Table(
            title="miscalculation: each actor's own forecast against the forecast"
            if first
            else None,
            caption="score: salience-weighted mean gap over issues, points of a 0-100 scale; "
            f"gaps: own forecast minus forecast ({main})"
            + (f"; from {_analysed(result)}" if "analysis_draws" in result else "")
            if last
            else None,
            caption_justify="left",
        )
        table.add_column("actor", no_wrap=True)
        for name in models:
            table.add_column(name, justify="right", no_wrap=True)
        if last:
            table.add_column("largest gaps")
        for a, actor in enumerate(order):
            table.add_row(actor, *(cells[m][a] for m in models), *([gaps[a]] if last else []))
        return table

    return ModelTables(build, list(scored))


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
