"""The commands that start from documents: ``summitry draft`` and ``summitry evidence``.

Registered on the main app by :mod:`summitry.cli` (:func:`register`), whose command group
turns every :class:`~summitry.errors.SummitryError` into one ``error:`` line and exit
code 2. The work lives in :mod:`summitry.draft`; see docs/draft.md.
"""

from __future__ import annotations

import json as json_module
import textwrap
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from summitry import io
from summitry.errors import ParameterError

__all__ = ["draft", "evidence", "register"]

DocsArg = Annotated[
    list[Path],
    typer.Argument(metavar="DOC...", help="Documents: .txt, .md, .html or .pdf."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON record instead of tables.")]


def _out() -> Console:
    return Console(highlight=False)


def draft(
    docs: DocsArg,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the drafted scenario (YAML) to this file."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The scenario's name; default the output's.")
    ] = None,
    max_actors: Annotated[
        int, typer.Option("--actors", min=1, max=100, help="Most actors kept.")
    ] = 12,
    max_issues: Annotated[
        int, typer.Option("--issues", min=1, max=50, help="Most issues kept.")
    ] = 8,
    per_pair: Annotated[
        int, typer.Option("--passages", min=1, max=20, help="Passages per actor and issue.")
    ] = 3,
    llm: Annotated[
        bool,
        typer.Option(
            "--llm",
            help="Ask the endpoint of SUMMITRY_LLM_URL and SUMMITRY_LLM_MODEL to propose "
            "numbers; each must quote its passage word for word (docs/draft.md).",
        ),
    ] = False,
    json: JsonOpt = False,
) -> None:
    """Draft a scenario from documents: actors, issues and suggested evidence, offline."""
    from summitry.draft.documents import read_documents
    from summitry.draft.skeleton import draft as make_draft
    from summitry.report.progress import step_progress

    endpoint = None
    if llm:
        from summitry.draft.proposals import Endpoint

        endpoint = Endpoint.from_env()
        if endpoint is None:
            raise ParameterError(
                "--llm needs SUMMITRY_LLM_URL (and SUMMITRY_LLM_MODEL) in the environment"
            )
    label = name or (output.stem if output is not None else "draft")
    with step_progress("draft: reading the documents", quiet=json) as step:
        read = read_documents(docs)
        if step is not None:
            step(1, 2)
        result = make_draft(
            read, name=label, max_actors=max_actors, max_issues=max_issues, per_pair=per_pair,
            endpoint=endpoint,
        )  # fmt: skip
    result.scenario()  # the skeleton validates before anything is written
    if output is not None:
        io.write_atomic(output, result.yaml_text())
    if json:
        typer.echo(json_module.dumps(result.summary(), indent=2, ensure_ascii=False))
        return
    out = _out()
    actors = Table("actor", "name", "mentions", "also named", title="actors found")
    for a in result.actors:
        others = [x for x in dict.fromkeys([*a.aliases, *a.leaders]) if x != a.name]
        named = ", ".join(others[:6])
        actors.add_row(a.id, a.name, str(len(a.mentions)), named)
    out.print(actors)
    issues = Table("issue", "words", "mentions", title="issues found")
    for i in result.issues:
        issues.add_row(i.id, ", ".join(i.words[:6]), str(len(i.mentions)))
    out.print(issues)
    pairs = Table(
        "actor", "issue", "suggested passages", title="where each actor speaks to each issue"
    )
    for (a, i), found in result.passages.items():
        cells = "; ".join(
            f"{p.document} ¶{p.paragraph}" + (f" ({', '.join(p.cues)})" if p.cues else "")
            for p in found
        )
        pairs.add_row(a, i, cells)
    out.print(pairs)
    for d in result.dropped:
        out.print(f"dropped proposal: {d.why}", style="dim")
    if result.proposed:
        out.print(f"{len(result.proposed)} proposed numbers kept (quotes found word for word)")
    where = f"written to {output}" if output is not None else "not written (give -o FILE)"
    out.print(
        f"draft '{label}': {len(result.actors)} actors, {len(result.issues)} issues, "
        f"{len(result.data['evidence'])} suggested evidence entries; {where}. Every number is "
        "a placeholder for you to set (docs/draft.md)."
    )


def evidence(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Scenario file, or the name of a bundled example.")
    ],
    docs: DocsArg,
    top: Annotated[int, typer.Option("--top", min=1, max=20, help="Passages per stance.")] = 3,
    json: JsonOpt = False,
) -> None:
    """Suggest passages for values without evidence; flag evidence its paragraph does not back."""
    from summitry.draft.check import suggest_evidence
    from summitry.draft.documents import read_documents
    from summitry.report.progress import step_progress

    scenario = io.load(file)
    with step_progress("evidence: reading the documents", quiet=json):
        found = suggest_evidence(scenario, read_documents(docs), top=top)
    if json:
        typer.echo(json_module.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    out = _out()
    table = Table(
        "stance", "without evidence", "suggested passages", title="values without evidence"
    )
    for s in found.suggestions:
        cells = (
            "\n".join(
                f"{p.document} ¶{p.paragraph}: " + textwrap.shorten(p.text, 70, placeholder=" ...")
                for p in s.passages
            )
            or "no passage names both"
        )
        table.add_row(f"{s.actor}.{s.issue}", ", ".join(s.fields), cells)
    if found.suggestions:
        out.print(table)
    flags = Table("evidence", "supports", "cites", "why", title="evidence to check")
    for f in found.flags:
        flags.add_row(f"[{f.index}]", f.supports, f"{f.source} ¶{f.paragraph}", f.why)
    if found.flags:
        out.print(flags)
    out.print(
        f"{len(found.suggestions)} stances without full evidence; {found.checked} evidence "
        f"entries cite these documents, {len(found.flags)} flagged (docs/draft.md)"
    )


def register(app: typer.Typer) -> None:
    """Add ``draft`` and ``evidence`` to the ``summitry`` app."""
    app.command()(draft)
    app.command()(evidence)
