"""The ``summitry`` command: parse arguments, call the library, print the result.

The work lives in :mod:`summitry.forecast`, :mod:`summitry.report` and
:mod:`summitry.store`, imported by the commands that need them, so that ``--help``,
``--version`` and ``validate`` start without numba, scipy or matplotlib
(``tests/test_import_cost.py``). Every user mistake reaches the command as a
:class:`~summitry.errors.SummitryError`; :class:`_Group` catches it once for all
commands, prints ``error: <message>`` on stderr and exits with code 2.
Output files are written only after everything else succeeded, and atomically.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from summitry import bounds, io
from summitry._version import summitry_version
from summitry.cli_advise import register as register_advise
from summitry.cli_draft import register as register_draft
from summitry.cli_ledger import register as register_ledger
from summitry.cli_options import FileArg, FormatOpt, JsonOpt, JsonOutputOpt, ModelsOpt, SeedOpt
from summitry.errors import ParameterError, ScenarioError, SummitryError

if TYPE_CHECKING:
    from summitry.engine import Engine
    from summitry.forecast import Forecast
    from summitry.store import RunStore

__all__ = ["app"]

EXIT_USER_ERROR = 2


class _Group(TyperGroup):
    """The command group; turns a user mistake in any command into one red line and exit 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (SummitryError, OSError) as exc:
            message = Text(f"error: {_describe(exc)}", style="red")
            Console(stderr=True).print(message, soft_wrap=True, highlight=False)
            raise typer.Exit(EXIT_USER_ERROR) from None


def _describe(exc: Exception) -> str:
    """The message of a user mistake; an OSError can only come from writing ``--output``.

    An OSError whose text is not the system's own for its code was raised by summitry
    with a sentence of its own (a report folder holding other files, say): it is shown as
    it is.
    """
    if isinstance(exc, OSError) and exc.filename:
        target = Path(exc.filename2 or exc.filename)  # os.replace(tmp, target) names both
        if exc.errno is not None and exc.strerror and exc.strerror != os.strerror(exc.errno):
            return f"cannot write the output {target}: {exc.strerror}"
        if io.is_folder(target):
            return f"cannot write the output file {target}: it is a folder; give a file name"
        folder = target.parent
        return f"cannot write the output file in {folder}: {exc.strerror or exc}"
    return str(exc)


app = typer.Typer(
    cls=_Group,
    name="summitry",
    help="Forecast multi-party negotiations with established bargaining models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# -- shared arguments ----------------------------------------------------------------------

SamplesOpt = Annotated[
    int,
    typer.Option(
        "--samples",
        "-n",
        min=1,
        max=bounds.MAX_SAMPLES,
        help="Monte Carlo draws of the uncertain inputs (one batch).",
    ),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (this process) or dask (chunks on a Dask cluster; "
        'pip install "summitry\\[dask]").',
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Address of a running Dask scheduler; default: a local cluster for the run.",
    ),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not record the run.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="PATH",
        help="Run database file; default: $SUMMITRY_HOME/runs.sqlite, else runs.sqlite in "
        "the user data folder (docs/runs.md).",
    ),
]


def _out() -> Console:
    return Console(highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summitry {summitry_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Forecast multi-party negotiations with established bargaining models."""


# -- commands ------------------------------------------------------------------------------


def _run_and_record(
    file: str,
    model: list[str] | None,
    fmt: str | None,
    seed: int,
    samples: int,
    no_store: bool,
    store: Path | None,
    quiet: bool,
    engine: Engine | None = None,
    outputs: dict[str, Path | None] | None = None,
) -> tuple[Forecast, RunStore | None]:
    """Load and forecast (with a progress bar on long runs); return the store to record in.

    ``outputs`` (option name to path) are checked once the scenario has been read, before
    the forecast runs (:func:`summitry.io.check_targets`).

    The store (None with ``--no-store``) is opened here, so that one that cannot be used
    stops the command before any output is written; the caller records the run with
    :func:`_record` only once its outputs are written, so a failed command records nothing.
    """
    from summitry.forecast import forecast as run_forecast
    from summitry.models import get_model
    from summitry.report.progress import model_progress, step_progress
    from summitry.store import RunStore

    if no_store and store is not None:
        raise ParameterError("--store and --no-store exclude each other; give one of them")
    models = [get_model(name) for name in model] if model else None
    scenario = io.load(file, format=fmt)
    io.check_targets(outputs)
    _note_if_exact(scenario, samples)
    if engine is not None and engine.kind == "dask":
        with step_progress("dask chunks", quiet=quiet) as chunks:
            result = run_forecast(
                scenario, models, seed=seed, samples=samples, engine=engine, chunk_progress=chunks
            )
    else:
        shape = (len(scenario.actors), len(scenario.issues))
        with model_progress(models, samples, shape=shape, quiet=quiet) as advance:
            result = run_forecast(scenario, models, seed=seed, samples=samples, progress=advance)
    run_store = None if no_store else RunStore(store)
    if run_store is not None:
        run_store.check()
    return result, run_store


def _note_if_exact(scenario: Any, samples: int) -> None:
    """Say on stderr when ``--samples`` asks for draws of a scenario with nothing uncertain."""
    from summitry.analysis.uncertainty import is_exact

    if samples > 1 and is_exact(scenario):
        typer.echo(
            f"note: nothing in '{scenario.name}' is uncertain (no `uncertainty` block and no "
            f"*_sd value), so the {samples} draws are all the same; see docs/format.md",
            err=True,
        )


def _record(run_store: RunStore | None, result: Forecast, file: str) -> str | None:
    """Record the run in ``run_store`` (nothing with ``--no-store``); return its id."""
    return None if run_store is None else run_store.record(result, file)


def _say_recorded(run_store: RunStore | None, run_id: str | None) -> None:
    """On stderr: the run's id, and where runs are kept when this run created the store."""
    if run_store is None or run_id is None:
        return
    from summitry.store import new_store_note

    typer.echo(f"recorded as run {run_id}", err=True)
    if run_store.created:
        typer.echo(new_store_note(run_store.path), err=True)


def _print_forecast(result: Forecast) -> None:
    """The forecast table, then the winners and losers where there is a status quo."""
    from summitry.report.terminal import (
        deal_table,
        forecast_table,
        miscalculation_table,
        winners_table,
    )

    _out().print(forecast_table(result))
    record = result.to_dict()
    for table in (deal_table(record), winners_table(record), miscalculation_table(record)):
        if table is not None:
            _out().print(table)


@app.command()
def forecast(
    file: FileArg,
    model: ModelsOpt = None,
    json: JsonOpt = False,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    output: JsonOutputOpt = None,
    no_store: NoStoreOpt = False,
    store: StoreOpt = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
) -> None:
    """Forecast where each issue settles, one column per model; the run is recorded."""
    from summitry.engine import Engine
    from summitry.report.json_report import to_json

    runner = Engine(engine, scheduler)
    result, run_store = _run_and_record(
        file, model, fmt, seed, samples, no_store, store, json, engine=runner,
        outputs={"--output": output},
    )  # fmt: skip
    record = to_json(result)
    if output is not None:
        io.write_atomic(output, record)
    run_id = _record(run_store, result, file)  # only once the output file is written
    if json and output is not None:  # the record goes to the file only
        typer.echo(f"wrote {output}", err=True)
    elif json:
        typer.echo(record, nl=False)
    else:
        _print_forecast(result)
    _say_recorded(run_store, run_id)


@app.command()
def trace(
    file: FileArg,
    model: Annotated[str, typer.Option("--model", "-m", help="Model to trace.")],
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            min=0,
            max=bounds.MAX_ROUNDS,
            help="Run exactly this many rounds, ignoring stopping.",
        ),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of tables.")] = False,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the trace as CSV to this file.")
    ] = None,
) -> None:
    """Show every actor's position on every issue in every round (round 0 = input)."""
    from summitry.forecast import forecast as run_forecast
    from summitry.models import get_model
    from summitry.report.json_report import trace_csv
    from summitry.report.progress import step_progress
    from summitry.report.terminal import trace_view

    chosen = get_model(model)
    scenario = io.load(file, format=fmt)
    io.check_targets({"--output": output})
    with step_progress(f"trace: running {chosen.name}", quiet=csv):
        result = run_forecast(scenario, [chosen], seed=seed, rounds=rounds)
    text = trace_csv(result, chosen.name) if csv or output is not None else ""
    if output is not None:
        io.write_atomic(output, text)
    if csv:
        typer.echo(text, nl=False)
        if not chosen.iterative:
            typer.echo(f"{chosen.name} has no rounds; the rows show the input.", err=True)
    else:
        _out().print(trace_view(result, chosen.name))


@app.command()
def validate(file: FileArg, fmt: FormatOpt = None) -> None:
    """Check a scenario and summarise it."""
    from summitry.report.terminal import scenario_summary

    scenario = io.load(file, format=fmt)
    _out().print(scenario_summary(scenario))
    from summitry.lint import warnings

    for line in warnings(scenario):
        typer.echo(f"warning: {line}", err=True)


@app.command()
def doctor() -> None:
    """Say where the run store and compiled models live, and which extras are installed."""
    from summitry.doctor import checks

    for what, finding, fine in checks():
        line = Text.assemble((f"{what:<18}", "dim"), (finding, "" if fine else "yellow"))
        _out().print(line, soft_wrap=True)


@app.command("models")
def models_command() -> None:
    """List the bargaining models."""
    from summitry.models import MODELS
    from summitry.report.terminal import model_list

    _out().print(model_list(MODELS), soft_wrap=True)


@app.command()
def examples() -> None:
    """List the bundled example scenarios."""
    from summitry.report.terminal import example_list
    from summitry.scenarios import list_examples

    _out().print(example_list(list_examples()), soft_wrap=True)


@app.command("cases")
def list_cases(json: JsonOpt = False) -> None:
    """List the case library: past negotiations and their recorded outcomes."""
    from rich.table import Table

    from summitry.library import case_rows

    rows = case_rows()
    if json:
        from json import dumps  # the option is named json

        typer.echo(dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("case", "as of", "outcome", "on", "about", title="the case library")
    for row in rows:
        table.add_row(*(row[k] or "-" for k in ("id", "as_of", "outcome", "date", "about")))
    deals = sum(r["outcome"] == "deal" for r in rows)
    table.caption = (
        f"{len(rows)} cases, {deals} deals; a case id works wherever a scenario file does; "
        "summitry calibrate scores them (docs/calibration.md)"
    )
    _out().print(table)


# -- recorded runs -------------------------------------------------------------------------

runs = typer.Typer(
    name="runs",
    help="List, show and re-run the recorded forecasts (see docs/runs.md).",
    no_args_is_help=True,
)
app.add_typer(runs)

RunIdArg = Annotated[
    str, typer.Argument(metavar="ID", help="Run id, or its first characters when unique.")
]


@runs.command("list")
def runs_list(
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", min=1, max=bounds.MAX_LISTED_RUNS, help="Show at most this many runs."
        ),
    ] = 20,
    json: Annotated[
        bool, typer.Option("--json", help="Print the runs as one JSON array, newest first.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """List recorded runs, newest first."""
    from summitry.report.terminal import runs_table
    from summitry.store import RunStore

    run_store = RunStore(store)
    found = run_store.list(limit)
    if json:
        from json import dumps  # the option is named json

        typer.echo(dumps([asdict(run) for run in found], indent=2))
        return
    total = run_store.count()
    if not found:
        typer.echo(f"no runs recorded in {run_store.path}; `summitry forecast FILE` records one")
        return
    caption = f"{len(found)} of {total} runs in {run_store.path}"
    _out().print(runs_table(found, caption=caption), soft_wrap=True)


@runs.command("show")
def runs_show(
    run_id: RunIdArg,
    json: Annotated[bool, typer.Option("--json", help="Print the stored JSON result.")] = False,
    store: StoreOpt = None,
) -> None:
    """Show a recorded run: what produced it and its forecast, as stored."""
    from summitry.report.terminal import run_view
    from summitry.store import RunStore, StoreError

    found = RunStore(store).get(run_id)
    if json:
        typer.echo(found.result_json(), nl=False)
        return
    try:
        view = run_view(found)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        # valid JSON of another shape: the store file was edited or damaged
        raise StoreError(
            f"run {found.id} holds a record summitry cannot read ({type(exc).__name__}: "
            f"{exc}); --json prints it as stored, and the other runs can still be read"
        ) from None
    _out().print(view)


@runs.command("rerun")
def runs_rerun(run_id: RunIdArg, store: StoreOpt = None) -> None:
    """Run a recorded run again from its record; exit 1 if any number differs."""
    from summitry.store import RunStore

    run_store = RunStore(store)
    full_id = run_store.get(run_id).id
    result, same, differences = run_store.rerun(full_id)
    _print_forecast(result)
    if same:
        typer.echo(f"identical to run {full_id}")
        return
    typer.echo(f"differs from run {full_id}:")
    for line in differences:
        typer.echo(f"  {line}")
    raise typer.Exit(1)


# -- the forecast ledger: seal, grade, ledger list/export/verify/scores (docs/ledger.md) ---

register_ledger(app)
register_advise(app)
register_draft(app)


# -- timeline (forecasts after each event) -------------------------------------------------


@app.command()
def timeline(
    file: FileArg,
    model: ModelsOpt = None,
    json: JsonOpt = False,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    output: JsonOutputOpt = None,
) -> None:
    """Forecast at the start and after every event date: one table per model."""
    from summitry.models import get_model
    from summitry.report.progress import step_progress
    from summitry.report.timeline_view import timeline_json, timeline_record, timeline_table
    from summitry.timeline import run_timeline

    models = [get_model(name) for name in model] if model else None
    scenario = io.load(file, format=fmt)
    io.check_targets({"--output": output})
    _note_if_exact(scenario, samples)
    if not scenario.events:
        raise ParameterError(
            f"scenario '{scenario.name}' has no events; add an 'events' list (docs/format.md)"
        )
    with step_progress("forecasting each event date", quiet=json) as advance:
        steps = run_timeline(scenario, models, seed=seed, samples=samples, on_step=advance)
    record = timeline_record(steps)
    text = timeline_json(record)
    if output is not None:
        io.write_atomic(output, text)
    if json:
        typer.echo(text, nl=False)
        return
    for name in record["models"]:
        _out().print(timeline_table(record, name))


# -- compare (two scenarios side by side) --------------------------------------------------


@app.command()
def compare(
    a: Annotated[
        str, typer.Argument(metavar="A", help="The scenario compared from: a file or bundled name.")
    ],
    b: Annotated[
        str, typer.Argument(metavar="B", help="The scenario compared to: a file or bundled name.")
    ],
    model: ModelsOpt = None,
    json: JsonOpt = False,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    output: JsonOutputOpt = None,
    attribute: Annotated[
        str,
        typer.Option(
            "--attribute",
            metavar="MODEL",
            help="Model whose forecast change is split over the changed inputs; 'none' skips it.",
        ),
    ] = "compromise",
) -> None:
    """Forecast two scenarios; show what changed in the inputs and the forecast, and why."""
    from summitry.analysis.compare import compare as run_compare
    from summitry.models import get_model
    from summitry.report.compare_view import compare_json, compare_view
    from summitry.report.progress import step_progress

    models = [get_model(name) for name in model] if model else None
    chosen = None if attribute == "none" else get_model(attribute)
    one, two = io.load(a, format=fmt), io.load(b, format=fmt)
    io.check_targets({"--output": output})
    for scenario in (one, two):
        _note_if_exact(scenario, samples)
    with step_progress("compare: attribution runs", quiet=json) as advance:
        result = run_compare(
            one, two, models, seed=seed, samples=samples, attribute_model=chosen,
            attribution_progress=advance,
        )  # fmt: skip
    text = compare_json(result)
    if output is not None:
        io.write_atomic(output, text)
    if json and output is not None:  # the record goes to the file only
        typer.echo(f"wrote {output}", err=True)
    elif json:
        typer.echo(text, nl=False)
    else:
        _out().print(compare_view(result))


# -- score (forecasts against the recorded outcome) ----------------------------------------


@app.command()
def score(
    file: FileArg,
    model: ModelsOpt = None,
    json: JsonOpt = False,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    output: JsonOutputOpt = None,
) -> None:
    """Score each model and two baselines against the scenario's recorded outcome."""
    from summitry.analysis.score import score_scenario
    from summitry.models import get_model
    from summitry.report.progress import model_progress
    from summitry.report.score_view import score_json, score_table

    names = [name for value in model or () for name in value.split(",") if name.strip()]
    models = [get_model(name.strip()) for name in names] if names else None
    scenario = io.load(file, format=fmt)
    io.check_targets({"--output": output})
    runs = models if models is None or "compromise" in names else [*models, "compromise"]
    try:
        shape = (len(scenario.actors), len(scenario.issues))
        with model_progress(runs, samples, shape=shape, quiet=json) as advance:
            result = score_scenario(scenario, models, seed=seed, samples=samples, progress=advance)
    except ScenarioError as exc:
        raise exc.with_file(file) from None
    record = result.to_dict()
    text = score_json(record)
    if output is not None:
        io.write_atomic(output, text)
    if json:
        typer.echo(text, nl=False)
    else:
        _out().print(score_table(record))


# -- sweep (scenario variants) -------------------------------------------------------------


@app.command()
def sweep(
    file: FileArg,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            "-v",
            metavar="PATH=VALUES",
            help="An input and its values: START:STOP[:N] or V1,V2,... (repeat for several).",
        ),
    ],
    design: Annotated[
        str, typer.Option("--design", help="grid (every combination) or random (Latin hypercube).")
    ] = "grid",
    variants: Annotated[
        int | None,
        typer.Option(
            "--variants",
            min=1,
            max=bounds.MAX_VARIANTS,
            help="Number of variants of a random design.",
        ),
    ] = None,
    model: ModelsOpt = None,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print the tidy table as CSV.")] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the tidy table (CSV) to this file.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a PNG chart of the sweep to this file.")
    ] = None,
) -> None:
    """Forecast a grid or random design of scenario variants (docs/sweep.md)."""
    from summitry.engine import Engine
    from summitry.models import get_model
    from summitry.report.progress import step_progress
    from summitry.report.sweep_view import sweep_chart, sweep_csv, sweep_table
    from summitry.sweep import Vary
    from summitry.sweep import sweep as run_sweep

    varies = [Vary.parse(v) for v in vary]
    runner = Engine(engine, scheduler)
    models = [get_model(name) for name in model] if model else None
    scenario = io.load(file, format=fmt)
    io.check_targets({"--output": output, "--chart": chart})
    with step_progress(f"{engine} engine", quiet=csv) as advance:
        result = run_sweep(
            scenario, varies, kind=design, variants=variants, models=models, seed=seed,
            samples=samples, engine=runner, progress=advance,
        )  # fmt: skip
    text = sweep_csv(result)
    image = None
    if chart is not None:
        buffer = BytesIO()
        sweep_chart(result).savefig(buffer, format="png", dpi=110)
        image = buffer.getvalue()
    if output is not None:
        io.write_atomic(output, text)
    if image is not None:
        io.write_atomic(chart, image)
    if csv:
        typer.echo(text, nl=False)
        return
    for name in result.outcome:
        _out().print(sweep_table(result, name))


# -- backtest (forecasts against adopted outcomes) -----------------------------------------


@app.command()
def backtest(
    file: Annotated[str, typer.Argument(metavar="FILE", help="A DEU file (docs/backtest.md).")],
    model: ModelsOpt = None,
    capabilities: Annotated[
        str,
        typer.Option("--capabilities", help="treaty, shapley or equal (docs/capabilities.md)."),
    ] = "treaty",
    json: JsonOpt = False,
    seed: SeedOpt = 0,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=100,
            max=bounds.MAX_BOOTSTRAP,
            help="Bootstrap replicates of each interval.",
        ),
    ] = 2000,
    cluster: Annotated[
        str, typer.Option("--cluster", help="Resample issues (paired) or whole proposals.")
    ] = "issue",
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", help="Write a Markdown summary, its chart beside it (.png)."),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="DIR", help="Write index.html and the chart to DIR."),
    ] = None,
) -> None:
    """Score every model and baseline against the adopted outcomes of a DEU file."""
    from summitry.backtest.report import backtest_table, to_json, write_html, write_markdown
    from summitry.backtest.run import run_backtest
    from summitry.report.progress import step_progress

    io.check_targets({"--markdown": markdown}, {"--html": html})
    with step_progress("backtest: model runs", quiet=json) as advance:
        result = run_backtest(
            file, model, scheme=capabilities, seed=seed, bootstrap=bootstrap, cluster=cluster,
            progress=advance,
        )  # fmt: skip
    if markdown is not None:
        write_markdown(result, markdown)
    if html is not None:
        write_html(result, html)
    if json:
        typer.echo(to_json(result), nl=False)
    else:
        _out().print(backtest_table(result))


# -- calibrate (the case library against recorded outcomes) -------------------------------


@app.command()
def calibrate(
    cases: Annotated[
        list[str] | None,
        typer.Argument(help="Case ids; default: every case that records an outcome."),
    ] = None,
    model: ModelsOpt = None,
    samples: Annotated[
        int,
        typer.Option("--samples", "-n", help=f"Draws per case (1 to {bounds.MAX_SAMPLES:,})."),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws and intervals.")] = 0,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap replicates over cases.")
    ] = 2000,
    json: JsonOpt = False,
    output: JsonOutputOpt = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="DIR", help="Write index.html and reliability.png."),
    ] = None,
) -> None:
    """Score every model's P(deal) and settled issues over the case library, with baselines."""
    from summitry.analysis.calibration import calibrate as run_calibrate
    from summitry.models import get_model
    from summitry.report import calibration_view as view

    names = [name.strip() for value in model or () for name in value.split(",") if name.strip()]
    io.check_targets({"--output": output}, {"--report": report})
    note = Console(stderr=True, highlight=False)
    with view.case_progress(quiet=json) as bar:
        result = run_calibrate(
            cases, [get_model(n) for n in names] or None, seed=seed, samples=samples,
            bootstrap=bootstrap, progress=bar, notes=lambda line: note.print(f"note: {line}"),
        )  # fmt: skip
    record = result.to_dict()
    text = view.calibration_json(record)
    if output is not None:
        io.write_atomic(output, text)
    if report is not None:
        view.write_report(record, report)
    if json:
        typer.echo(text, nl=False)
    else:
        _out().print(view.calibration_table(record))


# -- serve (REST API) ----------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on; 0.0.0.0 exposes it (docs/web.md)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    max_body: Annotated[
        int | None, typer.Option("--max-body", min=1, help="Largest request body (bytes).")
    ] = None,
    max_actors: Annotated[
        int | None, typer.Option("--max-actors", min=1, help="Most actors in a scenario.")
    ] = None,
    max_issues: Annotated[
        int | None, typer.Option("--max-issues", min=1, help="Most issues in a scenario.")
    ] = None,
    max_samples: Annotated[
        int | None, typer.Option("--max-samples", min=1, help="Most samples per forecast.")
    ] = None,
    max_work: Annotated[
        int | None,
        typer.Option(
            "--max-work",
            min=1,
            help="Most work per forecast: actors x issues x samples x rounds, summed over "
            "the models.",
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0.1, help="Seconds a forecast may run.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Forecasts that may run at once.")
    ] = None,
    queue: Annotated[
        int | None, typer.Option("--queue", min=0, help="Forecasts that may wait for a worker.")
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A host name the server answers to (repeat for more; * for any); default "
            "localhost, 127.0.0.1, [::1] and the --host address (docs/web.md).",
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the web app and REST API (no authentication; loopback only by default)."""
    from summitry.web.serve import serve as serve_web

    limits = dict(
        max_body=max_body, max_actors=max_actors, max_issues=max_issues,
        max_samples=max_samples, max_work=max_work, timeout=timeout, workers=workers, queue=queue,
    )  # fmt: skip
    serve_web(
        host=host, port=port, limits=limits, allowed=allowed_host, store=store,
        echo=lambda line: typer.echo(line, err=True),
    )  # fmt: skip


# -- drivers (sensitivity analysis) --------------------------------------------------------


@app.command()
def drivers(
    file: FileArg,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Model whose outcome is analysed.")
    ] = "compromise",
    method: Annotated[
        str, typer.Option("--method", help="sobol (variance shares) or morris (cheap screening).")
    ] = "sobol",
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            "-n",
            help="Sobol' base samples (a power of 2; default 512) or Morris trajectories "
            f"(default 64); 4 to {bounds.MAX_SAMPLES:,}, and at most "
            f"{bounds.MAX_SAMPLES:,} model runs in all.",
        ),
    ] = None,
    groups: Annotated[
        str, typer.Option("--groups", help="actor-input, actor, input or factor.")
    ] = "actor-input",
    seed: SeedOpt = 0,
    top: Annotated[
        int | None, typer.Option("--top", "-k", min=1, help="Show this many inputs per issue.")
    ] = None,
    deal: Annotated[
        bool,
        typer.Option("--deal", help="Also rank the inputs that move P(deal) (needs a status quo)."),
    ] = False,
    json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Rank the inputs that move each issue's outcome most, and P(deal) (docs/drivers.md)."""
    from summitry.analysis.sensitivity import drivers as find_drivers  # SALib loads slowly
    from summitry.models import get_model
    from summitry.report.drivers_table import drivers_json, drivers_progress, drivers_view

    chosen = get_model(model)
    scenario = io.load(file, format=fmt)
    with drivers_progress(quiet=json) as progress:
        result = find_drivers(
            scenario, chosen, method=method, n=samples, seed=seed, groups=groups, deal=deal,
            progress=progress,
        )  # fmt: skip
    if json:
        typer.echo(drivers_json(result), nl=False)
    else:
        _out().print(drivers_view(result, top=top))


# -- report (HTML page and PNG charts) -----------------------------------------------------


@app.command()
def report(
    file: FileArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder for index.html and the PNG charts (created if needed)."
        ),
    ],
    model: ModelsOpt = None,
    fmt: FormatOpt = None,
    seed: SeedOpt = 0,
    samples: SamplesOpt = 1,
    no_store: NoStoreOpt = False,
    store: StoreOpt = None,
    drivers_model: Annotated[
        str | None,
        typer.Option(
            "--drivers",
            metavar="MODEL",
            help="Model whose drivers (Sobol indices) the report shows; 'none' to skip.",
        ),
    ] = "compromise",
    advise_actor: Annotated[
        str | None,
        typer.Option(
            "--advise",
            metavar="ACTOR",
            help="Add advice for this actor: its best levers, flips and replies (docs/advise.md).",
        ),
    ] = None,
) -> None:
    """Forecast and write a self-contained HTML report with charts (docs/report.md)."""
    from summitry.models import get_model
    from summitry.report.html import build_report, extras_from  # matplotlib loads slowly
    from summitry.report.html_timeline import timeline_for

    result, run_store = _run_and_record(file, model, fmt, seed, samples, no_store, store, False)
    found = None
    if drivers_model and drivers_model != "none":
        from summitry.analysis.sensitivity import drivers as find_drivers  # loads SALib

        found = find_drivers(result.scenario, get_model(drivers_model), seed=seed)
    extras = extras_from(result, drivers=found, timeline=timeline_for(result))
    if advise_actor is not None:
        from dataclasses import replace as with_field

        from summitry.advise import advise
        from summitry.report.advise_view import advise_progress

        with advise_progress() as bar:
            advice = advise(
                result.scenario, advise_actor, list(result.models.values()),
                samples=result.n_samples, seed=seed, progress=bar,
            )  # fmt: skip
        extras = with_field(extras, advice=advice)
    page = build_report(result, output, extras=extras)
    run_id = _record(run_store, result, file)  # only once the report is in place
    typer.echo(str(page))
    _say_recorded(run_store, run_id)


if __name__ == "__main__":
    app(prog_name="summitry")
