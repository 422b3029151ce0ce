"""Forecasts that move with events: the scenario after each event date, and its forecast.

:func:`states` applies a scenario's events in date order and returns the situation at
the start and after each date (events on the same date are applied together).
:func:`run_timeline` forecasts every state with the same models, seed and samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.errors import ScenarioError
from summitry.events import Event, apply_event
from summitry.forecast import Forecast, forecast
from summitry.scenario import Scenario, field_path

__all__ = ["Step", "TimelineStep", "run_timeline", "states"]


@dataclass(frozen=True)
class Step:
    """The situation at one date: the events of that date and the scenario after them."""

    date: str
    events: tuple[Event, ...]
    scenario: Scenario

    @property
    def label(self) -> str:
        """The events' labels, or "start" for the situation before any event."""
        return "; ".join(e.label for e in self.events) or "start"


@dataclass(frozen=True)
class TimelineStep:
    """A :class:`Step` and its forecast."""

    step: Step
    forecast: Forecast


def states(scenario: Scenario) -> list[Step]:
    """The scenario at the start, then after each event date, in file order.

    Neighbouring events with the same date make one step.
    """

    def fail(path: tuple[Any, ...], message: str) -> None:
        raise ScenarioError(message, location=field_path(path))

    start = scenario.model_dump(mode="json", exclude={"events"})
    start["evidence"] = [e for e in start["evidence"] if not e["supports"].startswith("events.")]
    out = [Step(date="", events=(), scenario=Scenario.model_validate(start))]
    data = start
    groups: list[list[tuple[int, Event]]] = []
    for k, event in enumerate(scenario.events):  # neighbours with the same date go together
        if groups and groups[-1][0][1].date == event.date:
            groups[-1].append((k, event))
        else:
            groups.append([(k, event)])
    for group in groups:
        for k, event in group:
            data = apply_event(data, k, event, fail)
        events = tuple(e for _, e in group)
        out.append(Step(date=events[0].date, events=events, scenario=Scenario.model_validate(data)))
    return out


def run_timeline(
    scenario: Scenario,
    models: Sequence[Any] | None = None,
    *,
    seed: int = 0,
    samples: int = 1,
    on_step: Callable[[int, int], None] | None = None,
) -> list[TimelineStep]:
    """Forecast the scenario at the start and after every event date.

    ``on_step(done, total)`` is called after each forecast (for a progress bar).
    """
    steps = states(scenario)
    out = []
    for n, step in enumerate(steps, start=1):
        result = forecast(step.scenario, models, seed=seed, samples=samples)
        out.append(TimelineStep(step=step, forecast=result))
        if on_step is not None:
            on_step(n, len(steps))
    return out
