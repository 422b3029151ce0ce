"""Background jobs of the web app: a bounded queue, progress by stage, and cancelling.

A job is a function of one argument, a :class:`Stages`, which it calls
(``stages.begin("eum")``) before each stage of its work. That call is where a job
stops: when the job was cancelled, or when it has run past the server's time limit,
:meth:`Stages.begin` raises and the job ends before the next stage starts. A stage that
has started (one model's run, say) cannot be interrupted, so cancelling takes effect
within one stage.

At most ``limits.workers`` jobs run at once and at most ``limits.queue`` more wait; a
submission beyond them is refused with 429. Finished jobs are kept for a while
(:data:`KEEP`), then forgotten.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from summitry.errors import ScenarioError, SummitryError
from summitry.web.limits import ENV, Limits
from summitry.web.problems import ApiError

__all__ = ["KEEP", "Job", "JobQueue", "Stages", "Stopped"]

KEEP = 200
"""Finished jobs remembered; older ones are forgotten (their runs stay in the run store)."""

STATES = ("queued", "running", "done", "failed", "cancelled")


class Stopped(Exception):
    """Raised inside a job when it has been cancelled or has run out of time."""


@dataclass(eq=False)
class Job:
    """One piece of background work and where it stands."""

    kind: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = "queued"
    stage: str = "waiting for a worker"
    done: int = 0
    total: int = 1
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)
    future: Future[Any] | None = None

    def public(self) -> dict[str, Any]:
        """What ``GET /api/jobs/{id}`` shows."""
        end = self.finished or time.time()
        out: dict[str, Any] = {
            "job_id": self.id,
            "kind": self.kind,
            "status": self.status,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "elapsed_s": None if self.started is None else round(end - self.started, 3),
            "error": self.error,
        }
        if self.status == "done" and isinstance(self.result, dict):
            out["result"] = self.result
        return out


class Stages:
    """Handed to a job: says which stage it is in, and stops it when told to."""

    def __init__(self, job: Job, deadline: float, timeout: float):
        self._job = job
        self._deadline = deadline
        self._timeout = timeout
        self._begun = False

    def plan(self, total: int) -> None:
        """Say how many stages the job has (for the progress bar)."""
        self._job.total = max(int(total), 1)

    def begin(self, stage: str) -> None:
        """Start the next stage, or raise :class:`Stopped` when the job must end."""
        self.check()
        job = self._job
        if self._begun:  # the stage before this one is done
            job.done = min(job.done + 1, job.total)
        self._begun = True
        job.stage = stage

    def check(self) -> None:
        """Raise :class:`Stopped` when the job was cancelled or is past its time limit."""
        if self._job.cancel_requested.is_set():
            raise Stopped("cancelled")
        if time.monotonic() > self._deadline:
            raise Stopped(
                f"the job ran past the time limit of {self._timeout:g} s of this server "
                f"({ENV['timeout']}); ask for fewer samples or models"
            )


class JobQueue:
    """Runs jobs on ``limits.workers`` threads, with ``limits.queue`` more waiting."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._pool = ThreadPoolExecutor(limits.workers, thread_name_prefix="summitry-web")
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._pending = 0

    def submit(self, kind: str, work: Callable[[Stages], Any]) -> Job:
        """Queue ``work``; raise 429 when every worker and queue place is taken."""
        with self._lock:
            if self._pending >= self.limits.workers + self.limits.queue:
                raise ApiError(
                    429,
                    f"the server is busy: {self.limits.workers} forecasts running and "
                    f"{self.limits.queue} waiting; try again shortly "
                    f"(limits: {ENV['workers']}, {ENV['queue']})",
                )
            self._pending += 1
            job = Job(kind)
            self._jobs[job.id] = job
            self._forget_old()
        try:
            job.future = self._pool.submit(self._run, job, work)
        except BaseException:
            with self._lock:
                self._pending -= 1
                self._jobs.pop(job.id, None)
            raise
        return job

    def get(self, job_id: str) -> Job:
        """A job by id; 404 when unknown or forgotten."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no job '{job_id}' on this server", path="job_id")
        return job

    def cancel(self, job_id: str) -> Job:
        """Ask a job to stop; one that has not started never runs."""
        job = self.get(job_id)
        job.cancel_requested.set()
        return job

    def wait(self, job: Job, timeout: float | None = None) -> Any:
        """The job's result; its error as :class:`ApiError`.

        When ``timeout`` (default the server's time limit) passes first, the job is
        cancelled and the time-limit error raised.
        """
        timeout = self.limits.timeout if timeout is None else timeout
        assert job.future is not None
        try:
            job.future.result(timeout=timeout)
        except FutureTimeout:
            job.cancel_requested.set()
            raise ApiError(
                422,
                f"the request ran past the time limit of {self.limits.timeout:g} s of this "
                f"server ({ENV['timeout']}); ask for fewer samples or models",
                path="samples",
            ) from None
        if job.status != "done":
            raise ApiError(job.error["status"] if job.error else 422, **_fields(job.error))
        return job.result

    def shutdown(self) -> None:
        """Cancel every job and stop the worker threads."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- inside a worker ---------------------------------------------------------------

    def _run(self, job: Job, work: Callable[[Stages], Any]) -> None:
        job.started = time.time()
        job.status, job.stage = "running", "starting"
        stages = Stages(job, time.monotonic() + self.limits.timeout, self.limits.timeout)
        try:
            stages.check()
            job.result = work(stages)
            job.done, job.stage, job.status = job.total, "done", "done"
        except Stopped as exc:
            cancelled = job.cancel_requested.is_set()
            job.status = "cancelled" if cancelled else "failed"
            job.stage = job.status
            job.error = _error(422, str(exc), path=None if cancelled else "samples")
        except ApiError as exc:
            job.status, job.stage = "failed", "failed"
            job.error = {"status": exc.status, **exc.body}
        except ScenarioError as exc:
            job.status, job.stage = "failed", "failed"
            job.error = {"status": 422, **ApiError.from_scenario_error(exc).body}
        except SummitryError as exc:
            job.status, job.stage = "failed", "failed"
            job.error = _error(422, str(exc))
        except Exception as exc:  # a bug: say so rather than leave the job running forever
            job.status, job.stage = "failed", "failed"
            job.error = _error(500, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            job.finished = time.time()
            with self._lock:
                self._pending -= 1

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished is not None]
        for job in finished[: max(len(finished) - KEEP, 0)]:
            del self._jobs[job.id]


def _error(status: int, message: str, path: str | None = None) -> dict[str, Any]:
    return {"status": status, **ApiError(status, message, path=path).body}


def _fields(error: dict[str, Any] | None) -> dict[str, Any]:
    if not error:
        return {"message": "the job did not finish"}
    return {k: error[k] for k in ("message", "rule", "location", "path", "line")}
