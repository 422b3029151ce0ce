"""summitry: forecasts of multi-party negotiations with established bargaining models.

The core, in the order data flows::

    scenario = summitry.load("korea-hanoi-2019")      # file or bundled name -> Scenario
    result = summitry.forecast(scenario, seed=0)       # every model -> Forecast
    result.outcomes()                                  # {model: {issue: outcome}}

Models work on :class:`Inputs` (``scenario.to_arrays()``) and return a
:class:`Trajectory`; see :mod:`summitry.models`.

The names below load on first use (PEP 562), so that ``import summitry`` and the
``summitry`` command start without numba, scipy and the model kernels.
``summitry.forecast`` is the function :func:`summitry.forecast.forecast`, also once the
submodule of that name has been imported.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summitry.errors import ParameterError, ScenarioError, SummitryError
    from summitry.forecast import Forecast, forecast
    from summitry.inputs import Inputs
    from summitry.io import load
    from summitry.models import (
        MODELS,
        Compromise,
        ExpectedUtility,
        Model,
        NashBargaining,
        WeightedMedian,
    )
    from summitry.scenario import Scenario
    from summitry.trajectory import Stop, Trajectory

__all__ = [
    "MODELS",
    "Compromise",
    "ExpectedUtility",
    "Forecast",
    "Inputs",
    "Model",
    "NashBargaining",
    "ParameterError",
    "Scenario",
    "ScenarioError",
    "Stop",
    "SummitryError",
    "Trajectory",
    "WeightedMedian",
    "forecast",
    "load",
]

_WHERE = {
    "MODELS": "summitry.models",
    "Compromise": "summitry.models",
    "ExpectedUtility": "summitry.models",
    "Forecast": "summitry.forecast",
    "Inputs": "summitry.inputs",
    "Model": "summitry.models",
    "NashBargaining": "summitry.models",
    "ParameterError": "summitry.errors",
    "Scenario": "summitry.scenario",
    "ScenarioError": "summitry.errors",
    "Stop": "summitry.trajectory",
    "SummitryError": "summitry.errors",
    "Trajectory": "summitry.trajectory",
    "WeightedMedian": "summitry.models",
    "forecast": "summitry.forecast",
    "load": "summitry.io",
}
"""The module that defines each name of ``__all__``."""


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use; else a submodule."""
    where = _WHERE.get(name)
    if where is not None:
        value = getattr(importlib.import_module(where), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        try:  # ``import summitry; summitry.io.load(...)`` works as when the package was eager
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """``__all__``, the module's dunder names and the submodules imported so far."""
    loaded = {
        name
        for name, value in globals().items()
        if name.startswith("__")
        or (isinstance(value, types.ModuleType) and value.__name__.startswith(f"{__name__}."))
    }
    return sorted(loaded | set(__all__))


class _Package(types.ModuleType):
    """The package's module type: the name ``forecast`` stays the function.

    Importing the submodule ``summitry.forecast`` makes Python bind it as an attribute of
    the package; this puts the function of the same name there instead, as the eager
    package did.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "forecast" and isinstance(value, types.ModuleType):
            value = value.forecast
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
