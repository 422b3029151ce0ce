"""Background jobs of the web app: a bounded queue, progress by stage, and cancelling.

A job is a function of one argument, a :class:`Stages`, which it calls
(``stages.begin("eum")``) before each stage of its work, and optionally a second
function, ``keep``, that takes what the first returned and finishes the job in the
server (records the run, keeps the page).

The first function runs in a worker process (:data:`ISOLATE`): the server's thread that
watches the job takes the stages the process reports, and stops the process at once
(SIGTERM, then SIGKILL after :data:`GRACE` seconds) when the job is cancelled or runs
past the server's time limit, whatever stage it is in. So cancelling and the time limit
take effect within :data:`POLL` + :data:`GRACE` seconds, the server keeps answering while
jobs compute, and a job stopped before ``keep`` records nothing. Worker processes are
started from a fork server that has the library imported, and are kept warm for the next
job (one job at a time each); a stopped one is replaced. What crosses to and from a
worker is pickled: the work function (a module-level function or a
:func:`functools.partial` of one) and its result.

In-process mode (``JobQueue(limits, isolate=False)``) runs both functions on the
watching thread, and :meth:`Stages.begin` is then where a job stops: a stage under way
runs to its end.

At most ``limits.workers`` jobs run at once and at most ``limits.queue`` more wait; a
submission beyond them is refused with 429. Finished jobs are kept for a while
(:data:`KEEP`), then forgotten.
"""

from __future__ import annotations

import multiprocessing
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

__all__ = [
    "GRACE",
    "ISOLATE",
    "KEEP",
    "POLL",
    "TOO_LONG",
    "Job",
    "JobQueue",
    "Stages",
    "Stopped",
]

KEEP = 200
"""Finished jobs remembered; older ones are forgotten (their runs stay in the run store)."""

ISOLATE = True
"""Run jobs in worker processes unless a :class:`JobQueue` is told otherwise (tests that
patch the library in the server's process set this to False)."""

POLL = 0.1
"""Seconds between two looks of a watching thread at its job (cancel, time limit)."""

GRACE = 1.0
"""Seconds a worker process is given to end after SIGTERM before SIGKILL."""

IDLE = 120.0
"""Seconds an idle worker process waits for a job before it ends."""

SPARE = 8
"""Most idle worker processes kept warm."""

PRELOAD = [
    "numpy",
    "summitry.forecast",
    "summitry.models",
    "summitry.web.work",
    "summitry.report.html",
    "summitry.analysis.sensitivity",
    "summitry.timeline",
]
"""Modules the fork server imports once, so that a worker process starts fast."""

STATES = ("queued", "running", "done", "failed", "cancelled")

TOO_LONG: dict[str, tuple[str, str]] = {"draft": ("send fewer or shorter documents", "files")}
"""What a job of each kind that runs out of time should ask for, and the field it names;
every other kind asks for fewer samples or models."""


def _too_long(kind: str, timeout: float, what: str = "job") -> tuple[str, str]:
    """The time-limit message of a ``what`` (job or request) of ``kind``, and its field."""
    remedy, path = TOO_LONG.get(kind, ("ask for fewer samples or models", "samples"))
    return (
        f"the {what} ran past the time limit of {timeout:g} s of this server "
        f"({ENV['timeout']}); {remedy}",
        path,
    )


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
        self.advance(stage)

    def advance(self, stage: str) -> None:
        """Start the next stage without asking whether the job must end."""
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
            raise Stopped(_too_long(self._job.kind, self._timeout)[0])


class JobQueue:
    """Runs jobs on ``limits.workers`` threads, with ``limits.queue`` more waiting.

    ``isolate``: run each job's work in a worker process that can be stopped at once;
    False runs it on the thread; None (the default) follows :data:`ISOLATE` as it is when
    the job starts.
    """

    def __init__(self, limits: Limits, *, isolate: bool | None = None):
        self.limits = limits
        self.isolate = isolate
        self._pool = self._new_pool()
        self._closed = False
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._pending = 0

    def submit(
        self,
        kind: str,
        work: Callable[[Stages], Any],
        keep: Callable[[Any, Stages], Any] | None = None,
    ) -> Job:
        """Queue ``work`` (then ``keep`` of its value); raise 429 when all places are taken.

        ``work`` runs in a worker process when the queue isolates jobs, so it and its
        value must pickle; ``keep`` runs in the server and its value is the job's result
        (without ``keep``, the value of ``work`` is).
        """
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
            job.future = self._pool.submit(self._run, job, work, keep)
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
        """Ask a job to stop; one still queued ends at once and frees its place."""
        job = self.get(job_id)
        job.cancel_requested.set()
        if job.future is not None and job.future.cancel():  # it never started
            job.status = job.stage = "cancelled"
            job.error = _error(422, str(Stopped("cancelled")))
            job.finished = time.time()
            with self._lock:
                self._pending -= 1
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
            message, path = _too_long(job.kind, self.limits.timeout, "request")
            raise ApiError(422, message, path=path) from None
        if job.status != "done":
            raise ApiError(job.error["status"] if job.error else 422, **_fields(job.error))
        return job.result

    def shutdown(self) -> None:
        """Cancel every job and stop the worker threads (:meth:`reopen` starts new ones)."""
        with self._lock:
            jobs = list(self._jobs.values())
            self._closed = True
        for job in jobs:
            job.cancel_requested.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def reopen(self) -> None:
        """Start new worker threads after :meth:`shutdown`, when the app's lifespan begins again.

        An ASGI test client runs one lifespan per session, the server one per start.
        """
        with self._lock:
            if self._closed:
                self._pool = self._new_pool()
                self._closed = False

    def _new_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(self.limits.workers, thread_name_prefix="summitry-web")

    # -- inside a worker ---------------------------------------------------------------

    def _run(
        self, job: Job, work: Callable[[Stages], Any], keep: Callable[[Any, Stages], Any] | None
    ) -> None:
        job.started = time.time()
        job.status, job.stage = "running", "starting"
        stages = Stages(job, time.monotonic() + self.limits.timeout, self.limits.timeout)
        try:
            stages.check()
            isolate = ISOLATE if self.isolate is None else self.isolate
            value = _isolated(work, stages) if isolate else work(stages)
            job.result = value if keep is None else keep(value, stages)
            job.done, job.stage, job.status = job.total, "done", "done"
        except Stopped as exc:
            cancelled = job.cancel_requested.is_set()
            job.status = "cancelled" if cancelled else "failed"
            job.stage = job.status
            path = None if cancelled else _too_long(job.kind, self.limits.timeout)[1]
            job.error = _error(422, str(exc), path=path)
        except _Failed as exc:  # the worker process's error, as error_of made it there
            job.status, job.stage = "failed", "failed"
            job.error = exc.error
        except Exception as exc:
            job.status, job.stage = "failed", "failed"
            job.error = error_of(exc)
        finally:
            job.finished = time.time()
            with self._lock:
                self._pending -= 1

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.finished is not None]
        for job in finished[: max(len(finished) - KEEP, 0)]:
            del self._jobs[job.id]


def error_of(exc: BaseException) -> dict[str, Any]:
    """The job error (``{"status", "message", ...}``) of an exception raised by a job."""
    if isinstance(exc, ApiError):
        return {"status": exc.status, **exc.body}
    if isinstance(exc, ScenarioError):
        return {"status": 422, **ApiError.from_scenario_error(exc).body}
    if isinstance(exc, SummitryError):
        return _error(422, str(exc))
    # a bug: say so rather than leave the job running forever
    return _error(500, f"internal error: {type(exc).__name__}: {exc}")


def _error(status: int, message: str, path: str | None = None) -> dict[str, Any]:
    return {"status": status, **ApiError(status, message, path=path).body}


def _fields(error: dict[str, Any] | None) -> dict[str, Any]:
    if not error:
        return {"message": "the job did not finish"}
    return {k: error[k] for k in ("message", "rule", "location", "path", "line")}


# -- worker processes ------------------------------------------------------------------------


class _Failed(Exception):
    """A job's error that came back from its worker process."""

    def __init__(self, error: dict[str, Any]):
        super().__init__(error.get("message"))
        self.error = error


class _Relay:
    """The :class:`Stages` of a job inside a worker process: reports each stage."""

    def __init__(self, conn: Any):
        self._conn = conn

    def plan(self, total: int) -> None:
        self._conn.send(("plan", int(total)))

    def begin(self, stage: str) -> None:
        self._conn.send(("begin", str(stage)))

    def check(self) -> None:
        """Nothing to do: the server stops the process itself."""


def _serve(conn: Any) -> None:
    """A worker process: run the jobs sent over ``conn``, one at a time, until idle."""
    while conn.poll(IDLE):
        try:
            work = conn.recv()
        except (EOFError, OSError):
            return
        if work is None:
            return
        try:
            value = work(_Relay(conn))
        except BaseException as exc:  # noqa: BLE001 - every error becomes the job's error
            conn.send(("error", error_of(exc)))
            continue
        try:
            conn.send(("done", value))
        except Exception as exc:  # the value does not pickle: a bug
            conn.send(("error", error_of(exc)))


_start_lock = threading.Lock()
_spare: list[_Worker] = []
_context: Any = None


def _mp() -> Any:
    """The multiprocessing context of the worker processes (fork server, else spawn)."""
    global _context
    with _start_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                _context.set_forkserver_preload(PRELOAD)
            else:
                _context = multiprocessing.get_context("spawn")
        return _context


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self) -> None:
        mp = _mp()
        self.conn, theirs = mp.Pipe()
        self.process = mp.Process(target=_serve, args=(theirs,), daemon=True, name="summitry-job")
        self.process.start()
        theirs.close()

    def stop(self) -> None:
        """End the process now: SIGTERM, then SIGKILL after :data:`GRACE` seconds."""
        self.process.terminate()
        self.process.join(GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process.close()


def _take() -> _Worker:
    with _start_lock:
        while _spare:
            worker = _spare.pop()
            if worker.process.is_alive():
                return worker
            worker.conn.close()
    return _Worker()


def _give(worker: _Worker) -> None:
    with _start_lock:
        if len(_spare) < SPARE and worker.process.is_alive():
            _spare.append(worker)
            return
    worker.stop()


def _isolated(work: Callable[[Stages], Any], stages: Stages) -> Any:
    """Run ``work`` in a worker process; stop the process when the job must end."""
    worker = _take()
    try:
        worker.conn.send(work)
    except Exception:  # the work does not pickle (a bug); the process is unharmed
        _give(worker)
        raise
    while True:
        try:
            if worker.conn.poll(POLL):
                kind, data = worker.conn.recv()
                if kind == "plan":
                    stages.plan(data)
                elif kind == "begin":
                    stages.advance(data)
                else:
                    _give(worker)
                    if kind == "error":
                        raise _Failed(data)
                    return data
            stages.check()
        except (EOFError, OSError):
            worker.stop()
            raise RuntimeError("the worker process ended before the job did") from None
        except Stopped:
            worker.stop()
            raise
