"""What a forecast job does, stage by stage, and the views it leaves for the pages.

:func:`run_order` runs a :class:`Order` as a job (:mod:`summitry.web.jobs`): each model,
then the miscalculation where actors hold beliefs, the drivers, the timeline where the
scenario has events, the charts, and the record in the run store. Every stage is a call
to the library; the page it leaves in a :class:`ViewCache` is the report's own
(:func:`summitry.report.html.render_page`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from summitry.errors import ParameterError
from summitry.forecast import Forecast, chosen_models, forecast, models_from_params
from summitry.models import Model
from summitry.scenario import Scenario
from summitry.store import RunStore
from summitry.web.jobs import Stages

__all__ = ["DRIVERS_MODEL", "Order", "ViewCache", "run_order"]

DRIVERS_MODEL = "compromise"
"""Model whose drivers (Sobol indices) a view shows, as ``summitry report`` does by default."""


@dataclass(frozen=True)
class Order:
    """A forecast to run.

    Attributes
    ----------
    scenario
        The validated scenario.
    models
        Model names, or ``{name: parameters}`` as a run store keeps them; None: the
        default models.
    samples, seed, rounds
        As :func:`summitry.forecast.forecast` takes them.
    source
        What the run store records as the run's source.
    view
        Draw the charts and leave the page in the view cache.
    analyses
        Also compute the drivers and the timeline (only with ``view``).
    record
        Record the run; False to show a recorded run again (``run_id`` is then its id).
    run_id
        The recorded run this order shows again, when ``record`` is False.
    """

    scenario: Scenario
    models: list[str] | dict[str, dict[str, Any]] | None = None
    samples: int = 1
    seed: int = 0
    rounds: int | None = None
    source: str = "api"
    view: bool = False
    analyses: bool = True
    record: bool = True
    run_id: str | None = None

    def resolved(self) -> list[Model]:
        """The models this order runs, in order."""
        if isinstance(self.models, dict):
            return models_from_params(self.models)
        return chosen_models(self.scenario, self.models)


class ViewCache:
    """The last ``size`` forecast pages, by run id (a page holds its charts)."""

    def __init__(self, size: int = 32):
        self.size = size
        self._pages: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, run_id: str, page: Any) -> None:
        """Keep a page (a :class:`~summitry.report.html.ReportPage`)."""
        with self._lock:
            self._pages[run_id] = page
            self._pages.move_to_end(run_id)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def get(self, run_id: str) -> Any | None:
        """The page of a run, or None when it is not kept."""
        with self._lock:
            page = self._pages.get(run_id)
            if page is not None:
                self._pages.move_to_end(run_id)
            return page


def run_order(order: Order, stages: Stages, store: RunStore, views: ViewCache) -> dict[str, Any]:
    """Run ``order`` stage by stage; the job's result.

    Returns ``{"run_id", "input_sha256", "view", "record"}``: ``view`` is the page's
    path (None without ``order.view``), ``record`` the forecast record as ``summitry
    forecast --json`` prints it.
    """
    sc = order.scenario
    chosen = order.resolved()
    names = [m.name for m in chosen]
    beliefs = bool(sc.beliefs or sc.messages)
    timeline = order.view and order.analyses and bool(sc.events)
    drivers = order.view and order.analyses
    stages.plan(len(chosen) + beliefs + drivers + timeline + 2 * order.view + order.record + 1)
    stages.begin(f"running {names[0]}")

    def next_model(done: str) -> None:
        at = names.index(done) + 1
        stages.begin(f"running {names[at]}" if at < len(names) else "summing up")

    result = forecast(
        sc, chosen, seed=order.seed, rounds=order.rounds, samples=order.samples,
        progress=next_model,
    )  # fmt: skip
    if beliefs:
        stages.begin("each actor's own forecast (miscalculation)")
        _ = result.miscalculations
    record = result.to_dict(created=True)
    page = _page(result, stages, drivers=drivers, timeline=timeline) if order.view else None
    run_id = order.run_id
    if order.record:  # last, so that a job stopped earlier records nothing
        stages.begin("recording the run")
        run_id = store.record(result, order.source)
    if page is not None:
        assert run_id is not None
        views.put(run_id, page)
    return {
        "run_id": run_id,
        "input_sha256": result.input_sha256,
        "view": f"/runs/{run_id}" if order.view else None,
        "record": record,
    }


def _page(forecast: Forecast, stages: Stages, *, drivers: bool, timeline: bool) -> Any:
    """The report page of a forecast, with its analyses, stage by stage."""
    from summitry.report.html import draw_charts, extras_from, render_page  # matplotlib

    found = steps = None
    if drivers:
        from summitry.analysis.sensitivity import drivers as find_drivers  # loads SALib

        stages.begin(f"drivers ({DRIVERS_MODEL} model, Sobol indices)")
        try:
            found = find_drivers(
                forecast.scenario, DRIVERS_MODEL, seed=forecast.seed,
                progress=lambda done, total, what: stages.check(),
            )  # fmt: skip
        except ParameterError:  # nothing uncertain enough to rank: the page says so
            found = None
    if timeline:
        from summitry.timeline import run_timeline

        stages.begin("timeline (a forecast after each event date)")
        steps = run_timeline(
            forecast.scenario, list(forecast.models.values()), seed=forecast.seed,
            samples=forecast.n_samples, on_step=lambda done, total: stages.check(),
        )  # fmt: skip
    stages.begin("drawing the charts")
    extras = extras_from(forecast, drivers=found, timeline=steps)
    images = draw_charts(forecast, extras)
    stages.begin("writing the page")
    return render_page(forecast, images, extras)
