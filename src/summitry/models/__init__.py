"""Bargaining models, one module each, all with the same interface (:class:`Model`)."""

from __future__ import annotations

from summitry.errors import ParameterError
from summitry.models.base import Model
from summitry.models.compromise import Compromise
from summitry.models.eum import ExpectedUtility
from summitry.models.exchange import ExchangeModel
from summitry.models.median import WeightedMedian
from summitry.models.nash import NashBargaining
from summitry.models.smp import SpatialModel

__all__ = [
    "MODELS",
    "Compromise",
    "ExchangeModel",
    "ExpectedUtility",
    "Model",
    "NashBargaining",
    "SpatialModel",
    "WeightedMedian",
    "get_model",
]

MODELS: dict[str, type[Model]] = {
    m.name: m
    for m in (
        Compromise,
        WeightedMedian,
        ExpectedUtility,
        NashBargaining,
        SpatialModel,
        ExchangeModel,
    )
}
"""Every model by its command-line name, in the order tables show them."""


def get_model(name: str) -> Model:
    """A model with default parameters, by name."""
    try:
        return MODELS[name]()
    except KeyError:
        known = ", ".join(MODELS)
        raise ParameterError(f"unknown model '{name}'; choose from: {known}") from None
