"""The ``summitry advise`` command: the levers of one actor, weighed under every model.

Registered on the main app by :mod:`summitry.cli` (:func:`register`), whose command group
turns every :class:`~summitry.errors.SummitryError` into one ``error:`` line and exit
code 2. The work lives in :mod:`summitry.advise` and :mod:`summitry.report.advise_view`;
see docs/advise.md.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from summitry import bounds, io
from summitry.cli_options import FileArg, FormatOpt, JsonOpt, JsonOutputOpt, ModelsOpt, SeedOpt
from summitry.errors import ParameterError

if TYPE_CHECKING:
    from summitry.scenario import Scenario

__all__ = ["advise", "register"]


def _actor(scenario: Scenario, actor: str) -> str:
    """The actor's id as the scenario spells it (case aside, when that is unambiguous)."""
    ids = scenario.actor_ids
    if actor in ids:
        return actor
    folded = [a for a in ids if a.casefold() == actor.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ParameterError(f"unknown actor '{actor}' in {scenario.name}; actors: {', '.join(ids)}")


def _kinds(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    if not kinds:
        raise ParameterError("--kinds takes lever kinds separated by commas; got none")
    return kinds


def advise(
    file: FileArg,
    actor: Annotated[str, typer.Option("--actor", "-a", metavar="ID", help="The actor to advise.")],
    model: ModelsOpt = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-n",
            min=1,
            max=bounds.MAX_SAMPLES,
            help="Monte Carlo draws, the same for the baseline and every lever.",
        ),
    ] = 1000,
    seed: SeedOpt = 0,
    top: Annotated[
        int, typer.Option("--top", min=1, max=200, help="Levers shown in the table and chart.")
    ] = 8,
    kinds: Annotated[
        str | None,
        typer.Option(
            "--kinds",
            metavar="KIND,...",
            help="Lever kinds to weigh: concession, emphasis, link, commitment, message, "
            "court, custom; default: all.",
        ),
    ] = None,
    court_shift: Annotated[
        float,
        typer.Option(
            "--court-shift", help="How far a courted actor moves, as a share of each scale."
        ),
    ] = 0.1,
    court_cost: Annotated[
        float,
        typer.Option("--court-cost", help="Stated cost of courting, in winners-table units."),
    ] = 0.0,
    no_flips: Annotated[
        bool, typer.Option("--no-flips", help="Skip the least concession that flips a blocker.")
    ] = False,
    no_responses: Annotated[
        bool, typer.Option("--no-responses", help="Skip the other actors' replies.")
    ] = False,
    json: JsonOpt = False,
    output: JsonOutputOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", metavar="PNG", help="Write a PNG chart of the top levers."),
    ] = None,
    fmt: FormatOpt = None,
) -> None:
    """Rank one actor's levers by what they change in its utility and P(deal) per model."""
    from summitry.advise import LeverOptions
    from summitry.advise import advise as run_advise
    from summitry.models import get_model
    from summitry.report import advise_view as view

    chosen = _kinds(kinds)
    options = LeverOptions(court_shift=court_shift, court_cost=court_cost)
    if chosen is not None:
        options = LeverOptions(court_shift=court_shift, court_cost=court_cost, kinds=chosen)
    models = [get_model(name) for name in model] if model else None
    scenario = io.load(file, format=fmt)
    who = _actor(scenario, actor)
    io.check_targets({"--output": output, "--chart": chart})
    with view.advise_progress(quiet=json) as progress:
        result = run_advise(
            scenario, who, models, samples=samples, seed=seed, options=options,
            flips=not no_flips, responses=not no_responses, progress=progress,
        )  # fmt: skip
    text = view.advise_json(result)
    image = None
    if chart is not None:
        buffer = BytesIO()
        view.advise_chart(result, top).savefig(buffer, format="png", dpi=110)
        image = buffer.getvalue()
    if output is not None:
        io.write_atomic(output, text)
    if chart is not None and image is not None:
        io.write_atomic(chart, image)
    if json and output is not None:  # the record goes to the file only
        typer.echo(f"wrote {output}", err=True)
    elif json:
        typer.echo(text, nl=False)
    else:
        console = Console(highlight=False)
        for part in view.advise_view(result, top, flips=not no_flips):
            console.print(part)


def register(app: typer.Typer) -> None:
    """Add ``advise`` to the ``summitry`` app."""
    app.command()(advise)
