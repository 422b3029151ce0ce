"""What ``import summitry`` and the command load before any work: no heavy library.

Each check runs a fresh interpreter, since this one has loaded everything already. The
tests compare sets of modules, never times (docs/performance.md measures the start-up).
"""

from __future__ import annotations

import importlib.metadata
import inspect
import subprocess
import sys

import pytest

import summitry

HEAVY = {
    "SALib",
    "bm25s",
    "fastapi",
    "matplotlib",
    "numba",
    "pandas",
    "pypdf",
    "scipy",
    "scoringrules",
}
"""Libraries that only the commands that use them may load."""

NUMERIC = {"matplotlib", "numba", "scipy"}
"""What ``summitry validate`` does without (it reads the scenario: pydantic and numpy)."""


def _loaded_after(code: str) -> set[str]:
    """The top-level packages loaded by a fresh interpreter that runs ``code``."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return {line.split(".")[0] for line in done.stdout.splitlines() if line}


@pytest.mark.parametrize("module", ["summitry", "summitry.cli"])
def test_importing_loads_no_heavy_library(module):
    loaded = _loaded_after(f"import {module}")
    assert "summitry" in loaded
    assert loaded & HEAVY == set()


def test_validate_loads_no_numeric_library():
    loaded = _loaded_after(
        "from summitry.cli import app\n"
        "app(['validate', 'korea-hanoi-2019'], prog_name='summitry', standalone_mode=False)"
    )
    assert "pydantic" in loaded  # the scenario was read and validated
    assert loaded & (HEAVY | NUMERIC) == set()


def test_version_prints_the_installed_version():
    done = subprocess.run(
        [sys.executable, "-m", "summitry", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    try:
        expected = importlib.metadata.version("summitry")
    except importlib.metadata.PackageNotFoundError:
        expected = "0+unknown"
    assert done.stdout == f"summitry {expected}\n"


def test_public_names_resolve_on_first_use():
    assert set(summitry.__all__) <= set(dir(summitry))
    for name in summitry.__all__:
        assert getattr(summitry, name) is not None
    assert summitry.io.load is summitry.load  # submodules, as when the package was eager
    with pytest.raises(AttributeError):
        summitry.no_such_name  # noqa: B018


def test_forecast_stays_the_function_once_its_module_is_imported():
    import summitry.forecast as module_or_function
    from summitry.forecast import Forecast

    assert inspect.isfunction(summitry.forecast)
    assert summitry.forecast is sys.modules["summitry.forecast"].forecast
    assert module_or_function is summitry.forecast  # as with the eager package
    assert summitry.Forecast is Forecast


def test_forecast_is_the_function_in_a_fresh_interpreter():
    code = (
        "from summitry.forecast import Forecast\n"
        "import inspect, summitry\n"
        "assert inspect.isfunction(summitry.forecast), summitry.forecast\n"
        "assert summitry.Forecast is Forecast"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
