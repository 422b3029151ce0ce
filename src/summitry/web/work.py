"""What a forecast job does, stage by stage, and the views it leaves for the pages.

:func:`run_order` runs a :class:`Order` as a job (:mod:`summitry.web.jobs`): each model,
then the miscalculation where actors hold beliefs, the drivers, the timeline where the
scenario has events, the charts, and the record in the run store. Every stage is a call
to the library; the page it leaves in a :class:`ViewCache` is the report's own
(:func:`summitry.report.html.render_page`).

It runs in two parts: :func:`compute_order`, every stage up to the page, which runs in a
worker process and returns a :class:`Computed` (small and picklable: the record, the
page, and what the run store records, not the trajectories); and :func:`keep_order`, in
the server, which records the run and keeps the page, last, so that a job stopped
before it records nothing. :func:`work_of` estimates an order's work, which the
``max_work`` limit bounds.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from summitry.errors import ParameterError
from summitry.forecast import Forecast, chosen_models, forecast, models_from_params
from summitry.models import Model
from summitry.scenario import Scenario
from summitry.store import RunStore
from summitry.web.jobs import Stages

__all__ = [
    "DRIVERS_MODEL",
    "Computed",
    "Finished",
    "Order",
    "ViewCache",
    "compute_order",
    "job_of",
    "keep_order",
    "run_order",
    "work_of",
]

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


def work_of(order: Order) -> int:
    """The estimated work of an order: actors x issues x samples x rounds, summed over its models.

    An iterative model counts the order's rounds, or its own ``max_rounds`` when the
    order gives none; a closed-form model counts one round.
    """
    size = len(order.scenario.actors) * len(order.scenario.issues) * order.samples
    rounds = 0
    for model in order.resolved():
        most = getattr(model, "max_rounds", None)
        rounds += 1 if most is None else int(order.rounds or most)
    return size * rounds


@dataclass(frozen=True)
class _Params:
    params: dict[str, Any]

    def get_params(self) -> dict[str, Any]:
        return self.params


@dataclass(frozen=True)
class Finished:
    """What :meth:`summitry.store.RunStore.record` reads of a forecast, without its trajectories.

    Made in the worker process (:meth:`of`) and recorded in the server; it has the
    attributes and methods of a :class:`~summitry.forecast.Forecast` that the store uses.
    """

    scenario: Scenario
    created: str
    summitry_version: str
    input_sha256: str
    seed: int
    n_samples: int
    rounds: int | None
    record: dict[str, Any] = field(repr=False)
    params: dict[str, dict[str, Any]] = field(repr=False)

    @classmethod
    def of(cls, result: Forecast) -> Finished:
        """The parts of ``result`` the run store records."""
        return cls(
            result.scenario, result.created, result.summitry_version, result.input_sha256,
            result.seed, result.n_samples, result.rounds, result.to_dict(),
            {name: m.get_params() for name, m in result.models.items()},
        )  # fmt: skip

    @property
    def models(self) -> dict[str, _Params]:
        """Each model's parameters, by name, in the order they ran."""
        return {name: _Params(p) for name, p in self.params.items()}

    def to_dict(self) -> dict[str, Any]:
        """The forecast record without its timestamp, as the store keeps it."""
        return self.record


@dataclass(frozen=True)
class Computed:
    """What a worker process hands back: the record, the page, and the run to record."""

    input_sha256: str
    record: dict[str, Any]
    page: Any
    finished: Finished | None


def run_order(order: Order, stages: Stages, store: RunStore, views: ViewCache) -> dict[str, Any]:
    """Run ``order`` stage by stage on this thread; the job's result (as :func:`keep_order`)."""
    return keep_order(order, compute_order(order, stages), stages, store, views)


def job_of(
    order: Order, store: RunStore, views: ViewCache
) -> tuple[Callable[[Stages], Computed], Callable[[Computed, Stages], dict[str, Any]]]:
    """The two parts of ``order`` as :meth:`summitry.web.jobs.JobQueue.submit` takes them."""
    return functools.partial(compute_order, order), functools.partial(_keep, order, store, views)


def _keep(
    order: Order, store: RunStore, views: ViewCache, done: Computed, stages: Stages
) -> dict[str, Any]:
    return keep_order(order, done, stages, store, views)


def keep_order(
    order: Order, done: Computed, stages: Stages, store: RunStore, views: ViewCache
) -> dict[str, Any]:
    """Record the run and keep its page; the job's result.

    Returns ``{"run_id", "input_sha256", "view", "record"}``: ``view`` is the page's
    path (None without ``order.view``), ``record`` the forecast record as ``summitry
    forecast --json`` prints it.
    """
    run_id = order.run_id
    if order.record:  # last, so that a job stopped earlier records nothing
        stages.begin("recording the run")
        assert done.finished is not None
        run_id = store.record(done.finished, order.source)  # type: ignore[arg-type]
    if done.page is not None:
        assert run_id is not None
        views.put(run_id, done.page)
    return {
        "run_id": run_id,
        "input_sha256": done.input_sha256,
        "view": f"/runs/{run_id}" if order.view else None,
        "record": done.record,
    }


def compute_order(order: Order, stages: Stages) -> Computed:
    """Every stage of ``order`` up to its page: what :func:`keep_order` keeps."""
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
    finished = Finished.of(result) if order.record else None
    return Computed(result.input_sha256, record, page, finished)


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
