"""A progress bar over the models of a forecast, on stderr, for runs worth waiting for."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
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

__all__ = [
    "KERNELS",
    "SHOW_FROM_SAMPLES",
    "kernel_cache",
    "may_compile",
    "model_progress",
    "stderr_progress",
    "step_progress",
]

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


KERNELS = {"eum": "_eum_round", "smp": "_smp_turn", "exchange": "_exchange_round"}
"""The compiled (numba) module of each model that has one."""


def may_compile(model: str) -> bool:
    """True when ``model``'s compiled kernels have no cache beside them yet.

    The first run then compiles them (tens of seconds on a small machine), so a progress
    line is shown even for a small batch. A cache kept elsewhere (``NUMBA_CACHE_DIR``)
    counts as unknown, and so as compiling.
    """
    module = KERNELS.get(model)
    if module is None:
        return False
    cache, elsewhere = kernel_cache()
    return elsewhere or not any(cache.glob(f"{module}.*.nbi"))


def kernel_cache() -> tuple[Path, bool]:
    """Where the compiled kernels are cached, and whether ``NUMBA_CACHE_DIR`` moved them."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if folder:
        return Path(folder), True
    return Path(__file__).resolve().parents[1] / "models" / "__pycache__", False


@contextlib.contextmanager
def model_progress(
    models: Sequence[Any] | None, samples: int, *, quiet: bool = False
) -> Iterator[Callable[[str], None] | None]:
    """Yield a callback that advances a bar by one model, or None when no bar is shown.

    The bar goes to stderr and only to a terminal, so piped output stays clean.
    """
    names = [m if isinstance(m, str) else m.name for m in models] if models else list(MODELS)
    compiling = [n for n in names if may_compile(n)]
    bar = stderr_progress(
        _bar_columns(), hidden=quiet or (samples < SHOW_FROM_SAMPLES and not compiling)
    )
    if bar is None:
        yield None
        return

    draws = f"{samples} sample{'s' if samples != 1 else ''}"

    def running(name: str) -> str:
        first = " (compiling on first use, cached afterwards)" if name in compiling else ""
        return f"{draws} · running {name}{first}"

    with bar:
        task = bar.add_task(running(names[0]), total=len(names))

        def advance(name: str) -> None:
            at = names.index(name) + 1 if name in names else len(names)
            what = running(names[at]) if at < len(names) else f"{draws} · summing up"
            bar.update(task, advance=1, description=what)

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
