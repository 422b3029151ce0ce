"""Which build of a model's kernels runs a batch: compiled by numba, or interpreted.

The EUM, SMP and exchange models play their rounds in numba kernels. Compiling them
takes 5 to 25 s per model on a small machine the first time (numba then caches them), so
a first one-draw forecast would spend nearly all its time compiling code that runs for
milliseconds. A small batch therefore runs the *same source* interpreted: the kernel
module executed a second time with numba's JIT switched off, so every line, branch and
floating-point operation is the one the compiled build runs (the tests check that both
give the same numbers, to rounding; a draw that runs to its last round unsettled can
carry a rounding difference into a different end). Larger batches use the compiled
build, compiling it on first use.

The choice is ``SUMMITRY_KERNELS``: ``auto`` (the default) picks by the size of the
batch, ``compiled`` and ``interpreted`` force one build.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import threading
from collections.abc import Callable
from types import ModuleType

import numpy as np

from summitry.errors import ParameterError

__all__ = [
    "CHOICES",
    "ENTRY_POINTS",
    "INTERPRET_BELOW",
    "KERNEL_MODULES",
    "compiles",
    "interpreted",
    "kernel_choice",
    "kernels",
    "work",
]

KERNEL_MODULES = {
    "eum": "summitry.models._eum_round",
    "smp": "summitry.models._smp_turn",
    "exchange": "summitry.models._exchange_round",
}
"""The module holding each model's kernels."""

CHOICES = ("auto", "compiled", "interpreted")

INTERPRET_BELOW = {"eum": 600, "smp": 2_000, "exchange": 5_000}
"""With ``auto``, batches of less work than this (:func:`work`) run interpreted.

Chosen so that an interpreted run takes about half a second at most on a 2-core machine
(docs/performance.md, "First run"): the one-draw forecast of a bundled scenario (6 actors,
5 issues: 180, 216 and 900 units) runs the three models in about 0.15 s instead of
compiling them for 43 s. Past these sizes the compiled build, cached after its first
use, wins.
"""

ENTRY_POINTS = {
    "eum": ("play_round",),
    "smp": ("assess", "play", "position_probability", "propose", "resolve"),
    "exchange": ("play_round",),
}
"""The functions the models call in each kernel module."""

_BUILDING = threading.Lock()
_INTERPRETED: dict[str, ModuleType] = {}


def work(model: str, n_samples: int, n_actors: int, n_issues: int) -> int:
    """How much a batch asks of ``model``'s kernels, in the units of :data:`INTERPRET_BELOW`.

    A round of the EUM weighs every pair of actors on each issue (samples x actors^2 x
    issues); a turn of the SMP every pair of actors against a third, on all issues at
    once (samples x actors^3); a round of the exchange model every pair of actors on
    every pair of issues (samples x actors^2 x issues^2).
    """
    if model == "smp":
        return n_samples * n_actors**3
    if model == "exchange":
        return n_samples * n_actors**2 * n_issues**2
    return n_samples * n_actors**2 * n_issues


def kernel_choice() -> str:
    """The build choice from ``SUMMITRY_KERNELS`` (``auto`` when unset)."""
    value = os.environ.get("SUMMITRY_KERNELS", "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise ParameterError(f"SUMMITRY_KERNELS must be one of {', '.join(CHOICES)}; got {value!r}")
    return value


def compiles(model: str, n_samples: int, n_actors: int, n_issues: int) -> bool:
    """Whether ``model`` runs a batch of this shape compiled."""
    choice = kernel_choice()
    if choice != "auto":
        return choice == "compiled"
    return work(model, n_samples, n_actors, n_issues) >= INTERPRET_BELOW[model]


def kernels(model: str, n_samples: int, n_actors: int, n_issues: int) -> ModuleType:
    """The kernel module ``model`` runs a batch of this shape with."""
    if compiles(model, n_samples, n_actors, n_issues):
        return importlib.import_module(KERNEL_MODULES[model])
    return interpreted(model)


def _quiet(fn: Callable) -> Callable:
    """``fn`` with numpy's floating-point warnings off, as compiled code has none."""

    @functools.wraps(fn)
    def run(*args: object) -> object:
        with np.errstate(all="ignore"):
            return fn(*args)

    return run


def interpreted(model: str) -> ModuleType:
    """``model``'s kernel module run again with numba's JIT off: plain Python functions.

    Built once per process. The compiled module is imported first, so everything it
    imports is decorated as usual; only this module's own functions stay uncompiled
    (numba's ``prange`` is ``range`` outside a compiled function). The entry points run
    with numpy's floating-point warnings off: numpy scalars warn where compiled code
    silently gives the same inf or nan.
    """
    import numba  # the kernel modules load it anyway; listing the models does not

    with _BUILDING:
        if model not in _INTERPRETED:
            name = KERNEL_MODULES[model]
            importlib.import_module(name)
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            jit_off = numba.config.DISABLE_JIT
            numba.config.DISABLE_JIT = True
            try:
                spec.loader.exec_module(module)
            finally:
                numba.config.DISABLE_JIT = jit_off
            for entry in ENTRY_POINTS[model]:
                setattr(module, entry, _quiet(getattr(module, entry)))
            _INTERPRETED[model] = module
        return _INTERPRETED[model]
