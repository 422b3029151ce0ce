"""The ledger commands: ``summitry seal``, ``summitry grade`` and ``summitry ledger ...``.

Registered on the main app by :mod:`summitry.cli` (:func:`register`), whose command group
turns every :class:`~summitry.errors.SummitryError` into one ``error:`` line and exit
code 2. The work lives in :mod:`summitry.ledger`, :mod:`summitry.ledger_scores` and
:mod:`summitry.report.ledger_view`, imported by each command (they load the forecast and
its models); see docs/ledger.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from summitry import bounds, io
from summitry.cli_options import ModelsOpt, SeedOpt
from summitry.errors import ParameterError

__all__ = ["grade", "ledger", "register", "seal"]

EXIT_BROKEN = 1
"""Exit code of ``summitry ledger verify`` when the ledger was tampered with."""

SEAL_SAMPLES = 1000
"""Draws a sealed forecast takes by default, so that P(deal) is a share, not 0 or 1."""

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="PATH",
        help="Run database file that holds the ledger; default: $SUMMITRY_HOME/runs.sqlite, "
        "else runs.sqlite in the user data folder (docs/ledger.md).",
    ),
]
_HEX = re.compile(r"[0-9a-f]+")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _out() -> Console:
    return Console(highlight=False)


def seal(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Scenario file, or the name of a bundled example.")
    ],
    question: Annotated[str, typer.Option("--question", help="The question, in words.")],
    rule: Annotated[str, typer.Option("--rule", help="What counts as yes (the resolution rule).")],
    deadline: Annotated[
        str, typer.Option("--deadline", metavar="YYYY-MM-DD", help="Last day it can resolve.")
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="deal (yes/no, answered by P(deal)) or issue:ID (a value on the issue's scale).",
        ),
    ] = "deal",
    model: ModelsOpt = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-n",
            min=1,
            max=bounds.MAX_SAMPLES,
            help="Monte Carlo draws of the uncertain inputs.",
        ),
    ] = SEAL_SAMPLES,  # fmt: skip
    seed: SeedOpt = 0,
    fmt: Annotated[
        str | None, typer.Option("--format", help="File format; default: detected.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Forecast a scenario and seal the answers to a question in the ledger; print its id."""
    from summitry.forecast import forecast as run_forecast
    from summitry.ledger import Ledger, Question
    from summitry.models import get_model

    asked = Question.parse(question, rule, deadline, kind)
    models = [get_model(name) for name in model] if model else None
    scenario = io.load(file, format=fmt)
    asked.check(scenario)
    result = run_forecast(scenario, models, seed=seed, samples=samples)
    book = Ledger(store)
    entry = book.seal(result, asked)
    typer.echo(entry["id"])
    typer.echo(
        f"sealed in {book.path}; grade it after {asked.deadline} with "
        f"`summitry grade {entry['id']} --outcome {'yes|no' if asked.issue is None else 'VALUE'}`",
        err=True,
    )


def grade(
    question_id: Annotated[
        str, typer.Argument(metavar="ID", help="Question id, or its first characters when unique.")
    ],
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="yes or no (deal question), or the value (issue question)."),
    ],
    note: Annotated[str, typer.Option("--note", help="Kept with the grade: a source, say.")] = "",
    early: Annotated[
        bool, typer.Option("--early", help="Grade on or before the deadline day (recorded).")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Resolve a sealed question by appending its grade to the ledger; a grade is final."""
    from summitry.ledger import Ledger

    entry = Ledger(store).grade(question_id, outcome, note=note, early=early)
    shown = entry["outcome"] if isinstance(entry["outcome"], str) else f"{entry['outcome']:g}"
    when = " early, before its deadline" if entry["early"] else ""
    typer.echo(f"graded question {entry['question_id']}{when}: {shown} (entry {entry['id']})")


ledger = typer.Typer(
    name="ledger",
    help="List, export, verify and score the sealed forecasts (see docs/ledger.md).",
    no_args_is_help=True,
)


@ledger.command("list")
def ledger_list(json: JsonOpt = False, store: StoreOpt = None) -> None:
    """List the sealed questions: id, question, deadline, kind, status, outcome."""
    from summitry.ledger import Ledger
    from summitry.report.ledger_view import questions_json, questions_table

    book = Ledger(store)
    found = book.questions()
    if json:
        typer.echo(questions_json(found), nl=False)
        return
    if not found:
        typer.echo(f"no questions sealed in {book.path}; `summitry seal FILE --question ...`")
        return
    resolved = sum(q.status == "resolved" for q in found)
    caption = f"{_count(len(found), 'question')}, {resolved} resolved, in {book.path}"
    _out().print(questions_table(found, caption=caption), soft_wrap=True)


@ledger.command("export")
def ledger_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON Lines to this file.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the ledger as JSON Lines: every entry, then a line with the head hash."""
    from summitry.ledger import Ledger

    text = Ledger(store).export()
    if output is None:
        typer.echo(text, nl=False)
        return
    io.write_atomic(output, text)
    typer.echo(f"wrote {output}", err=True)


@ledger.command("verify")
def ledger_verify(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="An exported .jsonl file; default: the store."),
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(
            "--head", metavar="HASH", help="A head hash published earlier: it must be in the chain."
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Check the hash chain; exit 1 naming the first edited, moved, inserted or deleted entry."""
    from summitry.ledger import Ledger, parse_export, read_export, verify_export

    if file is not None and store is not None:
        raise ParameterError("give an exported FILE or --store PATH, not both")
    key = None if head is None else head.strip().lower()
    if key is not None and not (12 <= len(key) <= 64 and _HEX.fullmatch(key)):
        raise ParameterError(f"--head takes a hash: 12 to 64 hex digits; got {head!r}")
    if file is not None:
        found, where = verify_export(file), str(file)
        entries = parse_export(read_export(file))[0] if found.ok and key else []
    else:
        book = Ledger(store)
        found, where = book.verify(), str(book.path)
        entries = book.entries() if found.ok and key else []
    if not found.ok:
        typer.echo(f"ledger broken in {where}: {found.problem}")
        raise typer.Exit(EXIT_BROKEN)
    if key is not None and not any(e["hash"].startswith(key) for e in entries):
        typer.echo(f"ledger rewritten in {where}: the published head {head} is not in its chain")
        raise typer.Exit(EXIT_BROKEN)
    typer.echo(f"ledger intact: {_count(found.count, 'entry', 'entries')} (head {found.head})")


@ledger.command("scores")
def ledger_scores_command(json: JsonOpt = False, store: StoreOpt = None) -> None:
    """Running Brier and log scores of P(deal), and MAE of issue values, per model."""
    from summitry.ledger import Ledger
    from summitry.ledger_scores import ledger_scores
    from summitry.report.ledger_view import scores_json, scores_table

    book = Ledger(store)
    entries = book.entries()
    scores = ledger_scores(entries)
    questions = sum(e["type"] == "question" for e in entries)
    resolved = sum(e["type"] == "grade" for e in entries)
    if json:
        typer.echo(scores_json(scores, resolved=resolved, questions=questions), nl=False)
        return
    caption = f"{resolved} of {questions} questions resolved, in {book.path}"
    if not resolved:
        typer.echo(f"no question resolved yet ({questions} sealed in {book.path})")
        return
    _out().print(scores_table(scores, caption=caption), soft_wrap=True)


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def register(app: typer.Typer) -> None:
    """Add ``seal``, ``grade`` and the ``ledger`` group to the ``summitry`` app."""
    app.command()(seal)
    app.command()(grade)
    app.add_typer(ledger)
