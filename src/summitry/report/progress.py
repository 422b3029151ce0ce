"""A progress bar over the models of a forecast, on stderr, for runs worth waiting for.

Light to import (rich only): commands that load no model, such as ``draft``, use
:func:`step_progress` too.
"""

from __future__ import annotations

import contextlib
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

__all__ = [
    "SHOW_FROM_SAMPLES",
    "SHOW_FROM_WORK",
    "bar_columns",
    "kernel_cache",
    "may_compile",
    "model_progress",
    "stderr_progress",
    "step_progress",
]

SHOW_FROM_SAMPLES = 1000
"""Batches this large or larger show a bar; smaller runs finish before it would draw."""

SHOW_FROM_WORK = 50_000
"""Batches of this much work or more (samples x actors^2 x issues, as a round of the EUM
weighs it) show a bar too: a few samples of many actors take as long as many samples."""


def stderr_progress(columns: Sequence[ProgressColumn], *, hidden: bool) -> Progress | None:
    """A progress display on stderr that is erased when done; None when ``hidden``.

    Also None when stderr is not a terminal, so piped output stays clean.
    """
    console = Console(stderr=True)
    if hidden or not console.is_terminal:
        return None
    return Progress(*columns, console=console, transient=True)


def bar_columns() -> tuple[ProgressColumn, ...]:
    """Description, bar, done of total, time elapsed (new columns for each display)."""
    return (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


def may_compile(model: str, batch: tuple[int, int, int] | None = None) -> bool:
    """True when running ``model`` may compile its kernels: a first use, tens of seconds.

    That is when a batch of shape ``batch`` (samples, actors, issues; None: any) runs the
    compiled build and that build has no cache yet. A progress line is then shown even
    for a small batch.
    """
    from summitry.models._kernels import KERNEL_MODULES, compiles

    module = KERNEL_MODULES.get(model)
    if module is None or (batch is not None and not compiles(model, *batch)):
        return False
    cache, _ = kernel_cache()
    return not any(cache.glob(f"{module.rsplit('.', 1)[-1]}.*.nbi"))


def kernel_cache() -> tuple[Path, bool]:
    """Where numba caches the compiled kernels, and whether that is away from the package.

    numba keeps them beside the package's modules, or in ``NUMBA_CACHE_DIR`` (as set when
    numba was imported), or in a user cache folder when the package's folder is read-only.
    """
    from summitry.models import _eum_round

    beside = Path(_eum_round.__file__).resolve().parent / "__pycache__"
    try:
        where = Path(_eum_round._distance._cache._cache_path)  # numba's own answer
    except AttributeError:
        where = beside
    return where, where != beside


@contextlib.contextmanager
def model_progress(
    models: Sequence[Any] | None,
    samples: int,
    *,
    shape: tuple[int, int] | None = None,
    quiet: bool = False,
) -> Iterator[Callable[[str], None] | None]:
    """Yield a callback that advances a bar by one model, or None when no bar is shown.

    ``shape`` is the scenario's (actors, issues), which tells whether a model compiles.
    The bar goes to stderr and only to a terminal, so piped output stays clean.
    """
    from summitry.models import MODELS

    names = [m if isinstance(m, str) else m.name for m in models] if models else list(MODELS)
    batch = None if shape is None else (samples, *shape)
    compiling = [n for n in names if may_compile(n, batch)]
    heavy = batch is not None and batch[0] * batch[1] ** 2 * batch[2] >= SHOW_FROM_WORK
    bar = stderr_progress(
        bar_columns(),
        hidden=quiet or (samples < SHOW_FROM_SAMPLES and not heavy and not compiling),
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
    bar = stderr_progress(bar_columns(), hidden=quiet)
    if bar is None:
        yield None
        return
    with bar:
        task = bar.add_task(what, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
