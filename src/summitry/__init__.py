"""summitry: forecasts of multi-party negotiations with established bargaining models.

The core, in the order data flows::

    scenario = summitry.load("korea-hanoi-2019")      # file or bundled name -> Scenario
    result = summitry.forecast(scenario, seed=0)       # every model -> Forecast
    result.outcomes()                                  # {model: {issue: outcome}}

Models work on :class:`Inputs` (``scenario.to_arrays()``) and return a
:class:`Trajectory`; see :mod:`summitry.models`.
"""

from __future__ import annotations

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
