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


def _value(text: str) -> object:
    """A parameter value from the command line: an integer, a number, or the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def get_model(name: str) -> Model:
    """A model by name, with default parameters or those given after a colon.

    ``"eum"`` is the model with its defaults; ``"eum:stop=median,max_rounds=20"`` sets
    two of its parameters (numbers are read as numbers, anything else as text).
    """
    name, _, spec = name.partition(":")
    params: dict[str, object] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"model parameters are key=value pairs; got '{item}'")
        params[key.strip()] = _value(text.strip())
    try:
        cls = MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise ParameterError(f"unknown model '{name}'; choose from: {known}") from None
    try:
        model = cls(**params)
    except TypeError:
        allowed = ", ".join(cls._constraints)
        raise ParameterError(f"model '{name}' takes the parameters {allowed}") from None
    model._validate_params()
    return model
