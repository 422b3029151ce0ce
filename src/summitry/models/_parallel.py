"""How compiled parallel kernels share the machine.

numba's "workqueue" thread pool cannot be entered from two threads at once: it stops the
process. A program that forecasts from several threads (a web server, a Dask worker with
several threads) therefore runs compiled kernels one at a time, under :data:`COMPILED`;
each kernel still uses every core.

With numba's OpenMP layer, idle threads spin by default, and a round then waits for any
thread the system has descheduled: with another process busy on one core, rounds ran
10-100 times slower (docs/performance.md). Unless the user has chosen otherwise, idle
OpenMP threads here sleep instead (``OMP_WAIT_POLICY=passive``), which costs little on
an idle machine. The variable is read when the OpenMP runtime starts, at the first
parallel call, so setting it on import is early enough.
"""

from __future__ import annotations

import os
import threading
import types
from collections.abc import Callable

os.environ.setdefault("OMP_WAIT_POLICY", "passive")

__all__ = ["COMPILED", "serial_and_parallel"]

COMPILED = threading.Lock()
"""Hold this while calling a ``parallel=True`` numba function."""


def serial_and_parallel(fn: Callable) -> tuple[Callable, Callable]:
    """``fn`` compiled (and cached) twice: on the calling thread, and with ``prange`` parallel.

    The parallel build is made from a renamed copy of ``fn``: numba's cache tells functions
    apart by name and signature but not by ``parallel``, so two builds of one function
    would share a cache entry and load whichever was compiled first.
    """
    from numba import njit  # here, so that listing the models does not load numba

    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_parallel")
    twin.__qualname__ = fn.__qualname__ + "_parallel"
    return njit(cache=True)(fn), njit(cache=True, parallel=True)(twin)
