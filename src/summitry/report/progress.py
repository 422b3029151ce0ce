"""A progress bar over the models of a forecast, on stderr, for runs worth waiting for."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from summitry.models import MODELS

__all__ = ["SHOW_FROM_SAMPLES", "model_progress", "stderr_progress", "step_progress"]

SHOW_FROM_SAMPLES = 1000
"""Batches this large or larger show a bar; smaller runs finish before it would draw."""


def stderr_progress(columns: Sequence[ProgressColumn], *, hidden: bool) -> Progress | None:
    """A progress display on stderr that is erased when done; None when ``hidden``.

    Also None when stderr is not a terminal, so piped output stays clean.
    """
    console = Console(stderr=True)
    if hidden or not console.is_terminal:
        return None
    return Progress(*columns, console=console, transient=True)


def _bar_columns() -> tuple[ProgressColumn, ...]:
    """Description, bar, done of total, time elapsed (new columns for each display)."""
    return (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


@contextlib.contextmanager
def model_progress(
    models: Sequence[Any] | None, samples: int, *, quiet: bool = False
) -> Iterator[Callable[[str], None] | None]:
    """Yield a callback that advances a bar by one model, or None when no bar is shown.

    The bar goes to stderr and only to a terminal, so piped output stays clean.
    """
    bar = stderr_progress(_bar_columns(), hidden=quiet or samples < SHOW_FROM_SAMPLES)
    if bar is None:
        yield None
        return
    total = len(models) if models else len(MODELS)
    with bar:
        task = bar.add_task(f"{samples} samples", total=total)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=f"{samples} samples · {name} done")

        yield advance


@contextlib.contextmanager
def step_progress(what: str, *, quiet: bool = False) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a callback ``(done, total)`` driving a bar over steps, or None when hidden.

    Shown on stderr, and only on a terminal.
    """
    bar = stderr_progress(_bar_columns(), hidden=quiet)
    if bar is None:
        yield None
        return
    with bar:
        task = bar.add_task(what, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
