"""Arguments and options that several commands share, defined once.

:mod:`summitry.cli` and the command modules it registers (:mod:`summitry.cli_advise`,
:mod:`summitry.cli_ledger`) import them from here, so that every command words and
bounds them alike. Only light modules are imported (see tests/test_import_cost.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summitry import bounds, io

__all__ = ["FileArg", "FormatOpt", "JsonOpt", "JsonOutputOpt", "ModelsOpt", "SeedOpt"]

FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="Scenario file, or the name of a bundled example.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", help=f"File format ({', '.join(io.FORMATS)}); default: detected from the file."
    ),
]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, max=bounds.MAX_SEED, help="Seed for every model.")
]
ModelsOpt = Annotated[
    list[str] | None,
    typer.Option("--model", "-m", help="Model to run (repeat for several); default: all."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON record.")]
JsonOutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the JSON record to this file.")
]
