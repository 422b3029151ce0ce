"""Where summitry keeps its files and what this installation has: ``summitry doctor``."""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
from pathlib import Path

__all__ = ["EXTRAS", "checks"]

EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "jinja2"),
    "dask": ("dask", "distributed"),
    "test": ("pytest", "hypothesis", "schemathesis", "playwright"),
}
"""The optional extras (``pip install "summitry[NAME]"``) and the modules each brings."""
BROWSER = "/usr/bin/chromium"
"""The browser the web tests drive (Debian's Chromium; never a downloaded one)."""


def _numba_cache() -> str:
    from summitry.report.progress import kernel_cache

    folder, moved = kernel_cache()
    if not moved:
        return f"{folder} (beside the models; set NUMBA_CACHE_DIR to move it)"
    if os.environ.get("NUMBA_CACHE_DIR"):
        return f"{folder} (NUMBA_CACHE_DIR)"
    return f"{folder} (numba's user cache: the package folder is read-only)"


def _kernel_builds() -> tuple[str, bool]:
    from summitry.errors import ParameterError
    from summitry.models._kernels import INTERPRET_BELOW, kernel_choice

    try:
        choice = kernel_choice()
    except ParameterError as exc:
        return str(exc), False
    if choice == "auto":
        sizes = ", ".join(f"{m} {n:,}" for m, n in INTERPRET_BELOW.items())
        return f"auto: small batches run interpreted ({sizes} units), others compiled", True
    return f"{choice}, for every batch (SUMMITRY_KERNELS)", True


def checks() -> list[tuple[str, str, bool]]:
    """``(what, finding, fine)`` rows, in the order ``summitry doctor`` prints them."""
    from summitry.forecast import summitry_version
    from summitry.store import default_store_path

    rows = [
        ("summitry", summitry_version(), True),
        ("python", f"{platform.python_version()} ({platform.machine()})", True),
    ]
    home = os.environ.get("SUMMITRY_HOME", "")
    store = default_store_path()
    where = f"{store} ({'SUMMITRY_HOME' if home else 'user data folder; set SUMMITRY_HOME'})"
    rows.append(("run store", where, True))
    rows.append(("compiled models", _numba_cache(), True))
    rows.append(("model kernels", *_kernel_builds()))
    for extra, modules in EXTRAS.items():
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        text = "installed" if not missing else f"missing {', '.join(missing)}"
        rows.append((f"extra [{extra}]", text, not missing))
    found = Path(BROWSER).exists() or shutil.which("chromium") is not None
    text = BROWSER if found else "not found: the browser tests skip (apt-get install chromium)"
    rows.append(("web test browser", text, found))
    return rows
