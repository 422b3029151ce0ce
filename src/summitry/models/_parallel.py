"""The lock every compiled parallel kernel is called under.

numba's default thread pool (the "workqueue" layer) cannot be entered from two threads at
once: it stops the process. A program that forecasts from several threads (a web server,
a Dask worker with several threads) therefore runs compiled kernels one at a time; each
kernel still uses every core.
"""

from __future__ import annotations

import threading

__all__ = ["COMPILED"]

COMPILED = threading.Lock()
"""Hold this while calling a ``parallel=True`` numba function."""
