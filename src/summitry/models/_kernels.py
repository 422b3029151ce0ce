"""Which build of a model's kernels runs a batch: compiled by numba, or interpreted.

The EUM, SMP and exchange models play their rounds in numba kernels. Compiling them
takes 5 to 25 s per model on a small machine the first time (numba then caches them), so
a first one-draw forecast would spend nearly all its time compiling code that runs for
milliseconds. A small batch therefore runs the *same source* interpreted: the kernel
module executed a second time with numba's JIT switched off, so every line, branch and
floating-point operation is the one the compiled build runs (the tests check that both
give the same numbers). Larger batches use the compiled build, compiling it on first use.

The choice is ``SUMMITRY_KERNELS``: ``auto`` (the default) picks by the size of the
batch, ``compiled`` and ``interpreted`` force one build.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from types import ModuleType

import numba

from summitry.errors import ParameterError

__all__ = [
    "CHOICES",
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

INTERPRET_BELOW = 2_000
"""With ``auto``, batches of less work than this (:func:`work`) run interpreted.

Interpreted, one unit of work takes a few hundred microseconds, so a batch under this
size finishes in well under a second: the one-draw forecast of a bundled scenario (6
actors, 5 issues: 180 units) runs every model in about 0.2 s instead of compiling for
40 s. From here on the compiled build, cached after its first use, wins.
"""

_BUILDING = threading.Lock()
_INTERPRETED: dict[str, ModuleType] = {}


def work(n_samples: int, n_actors: int, n_issues: int) -> int:
    """Size of a batch for choosing a build: samples x actors^2 x issues."""
    return n_samples * n_actors * n_actors * n_issues


def kernel_choice() -> str:
    """The build choice from ``SUMMITRY_KERNELS`` (``auto`` when unset)."""
    value = os.environ.get("SUMMITRY_KERNELS", "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise ParameterError(f"SUMMITRY_KERNELS must be one of {', '.join(CHOICES)}; got {value!r}")
    return value


def compiles(size: int) -> bool:
    """Whether a batch of ``size`` (:func:`work`) runs the compiled build."""
    choice = kernel_choice()
    return choice == "compiled" or (choice == "auto" and size >= INTERPRET_BELOW)


def kernels(model: str, size: int) -> ModuleType:
    """The kernel module to run a batch of ``size`` (:func:`work`) of ``model`` with."""
    if compiles(size):
        return importlib.import_module(KERNEL_MODULES[model])
    return interpreted(model)


def interpreted(model: str) -> ModuleType:
    """``model``'s kernel module run again with numba's JIT off: plain Python functions.

    Built once per process. The compiled module is imported first, so everything it
    imports is decorated as usual; only this module's own functions stay uncompiled
    (numba's ``prange`` is ``range`` outside a compiled function).
    """
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
            _INTERPRETED[model] = module
        return _INTERPRETED[model]
