"""Load on the REST API: concurrent clients forecast their own scenarios from a real server.

Run from the repository root::

    python benchmarks/web_load.py [--requests 200] [--clients 8] [--json]

The script starts ``summitry serve`` on a free loopback port as a subprocess, with
``SUMMITRY_HOME`` in a temporary folder (the user's run store is untouched) and the
``SUMMITRY_WEB_*`` variables removed, so the server runs with its default limits unless
``--serve-arg`` passes options. It warms the models up with one forecast per scenario
(numba compiles on first use; that time is reported apart), then ``--clients`` threads,
each with its own HTTP client, send ``--requests`` forecasts in all.

Each client works on its own input: even clients send korea-singapore-2018, odd clients
korea-hanoi-2019, as full JSON with one salience set to a value of the client's own. Every
answer must be 200 and carry that client's ``input_sha256`` (as ``POST /api/validate``
gives it) and scenario name; for a few run ids per client, ``GET /api/runs/{id}`` must
give back the client's own scenario (the same salience). Anything else counts as an error.

The table shows the requests, errors, wall time, throughput (answered forecasts per second
of wall time) and the latency of the answered forecasts (200); ``--json`` prints the
figures as one JSON object. The exit status is 1 when there was any error, else 0.
``--timeout`` bounds the whole run.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_MODELS = ["compromise", "median", "nash"]
MAX_REASONS = 10

# (bundled scenario, actor, issue) whose salience each client sets to a value of its own
EDITS = [
    ("korea-singapore-2018", "us", "sanctions"),
    ("korea-hanoi-2019", "dprk", "denuclearization"),
]


class SetupError(Exception):
    """The server or the inputs could not be made ready; the run stops."""


@dataclass
class Work:
    """What one client sends, and what every answer to it must carry."""

    client: int
    scenario: dict[str, Any]
    name: str
    actor: str
    issue: str
    salience: float
    input_sha256: str = ""


@dataclass
class Tally:
    """Latencies, run ids and errors, shared by the client threads."""

    latencies: list[float] = field(default_factory=list)
    run_ids: dict[int, list[str]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, reason: str) -> None:
        """Count one failure under a short reason."""
        with self.lock:
            self.errors[reason] += 1

    def ok(self, client: int, latency: float, run_id: str) -> None:
        """Count one answered forecast."""
        with self.lock:
            self.latencies.append(latency)
            self.run_ids.setdefault(client, []).append(run_id)


class Deadline:
    """The end of the run: every wait and every request stops there."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left, at least 0."""
        return max(0.0, self.end - time.monotonic())

    def timeout(self, most: float | None = None) -> httpx.Timeout:
        """An HTTP timeout that ends at the deadline (or after ``most`` s, if sooner)."""
        left = max(self.left(), 0.001)
        return httpx.Timeout(left if most is None else min(left, most))


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port that is free now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(home: Path) -> dict[str, str]:
    """The server's environment: run store under ``home``, default limits, this summitry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMITRY_WEB_")}
    env["SUMMITRY_HOME"] = str(home)
    spec = importlib.util.find_spec("summitry")
    if spec is not None and spec.origin is not None:
        where = str(Path(spec.origin).resolve().parent.parent)
    else:
        where = str(ROOT / "src")
    given = [str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([where, *given])  # the server runs in another folder
    return env


class Server:
    """``summitry serve`` as a subprocess on a free loopback port; stopped on exit."""

    def __init__(self, home: Path, serve_args: list[str]):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = home / "serve.log"
        self.command = [
            sys.executable, "-m", "summitry.cli", "serve",
            "--host", HOST, "--port", str(self.port), *serve_args,
        ]  # fmt: skip
        self.home = home
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        store = self.home / "home"
        store.mkdir()
        with open(self.log, "wb") as log:  # the child keeps its own copy of the handle
            self.proc = subprocess.Popen(
                self.command,
                env=server_env(store),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def output(self, last: int = 4000) -> str:
        """The end of what the server printed (its log and errors)."""
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-last:]
        except OSError:
            return ""

    def wait_ready(self, deadline: Deadline, most: float = 60.0) -> dict[str, Any]:
        """Wait until ``GET /api/limits`` answers and return the limits.

        Raises
        ------
        SetupError
            When the server exits, or does not answer within ``most`` s or the deadline.
        """
        assert self.proc is not None
        until = time.monotonic() + min(most, deadline.left())
        with httpx.Client(base_url=self.url) as client:
            while True:
                code = self.proc.poll()
                if code is not None:
                    raise SetupError(
                        f"the server exited with status {code} before it answered; "
                        f"its output:\n{self.output()}"
                    )
                try:
                    r = client.get("/api/limits", timeout=1.0)
                    if r.status_code == 200:
                        return dict(r.json())
                except httpx.HTTPError:
                    pass
                if time.monotonic() > until:
                    raise SetupError(
                        f"the server did not answer GET /api/limits within "
                        f"{min(most, deadline.left()):.0f} s; its output:\n{self.output()}"
                    )
                time.sleep(0.1)

    def stop(self) -> None:
        """Terminate the server; kill it if it has not exited within 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# -- inputs --------------------------------------------------------------------------------


def salience_of(k: int, clients: int) -> float:
    """A salience of client ``k``'s own, different for every client, inside (0, 1)."""
    return round(0.1 + 0.8 * (k + 0.5) / clients, 6)


def prepare(client: httpx.Client, clients: int, deadline: Deadline) -> list[Work]:
    """Each client's edited scenario, with its hash from ``POST /api/validate``.

    Raises
    ------
    SetupError
        When a scenario cannot be fetched or edited, or does not validate.
    """
    bundled: dict[str, dict[str, Any]] = {}
    for name, _, _ in EDITS:
        r = client.get(f"/api/scenarios/{name}", timeout=deadline.timeout(30))
        if r.status_code != 200:
            raise SetupError(f"GET /api/scenarios/{name}: status {r.status_code}: {r.text}")
        bundled[name] = r.json()
    work = []
    for k in range(clients):
        name, actor, issue = EDITS[k % len(EDITS)]
        data = copy.deepcopy(bundled[name])
        try:
            stance = data["positions"][actor][issue]
        except (KeyError, TypeError):
            raise SetupError(f"{name} has no position of {actor} on {issue}") from None
        stance["salience"] = salience_of(k, clients)
        w = Work(k, data, name, actor, issue, stance["salience"])
        r = client.post("/api/validate", json=data, timeout=deadline.timeout(30))
        if r.status_code != 200:
            raise SetupError(f"POST /api/validate ({name}, client {k}): {r.status_code} {r.text}")
        w.input_sha256 = r.json()["input_sha256"]
        work.append(w)
    return work


# -- checks --------------------------------------------------------------------------------


def reason_of(r: httpx.Response) -> str:
    """A short reason for an answer other than 200."""
    try:
        message = str(r.json().get("message", ""))
    except (ValueError, AttributeError):
        message = r.text
    if len(message) > 100:
        message = message[:97] + "..."
    return f"status {r.status_code}: {message}".rstrip(": ")


def check_forecast(r: httpx.Response, w: Work) -> tuple[str | None, str]:
    """(None, run id) when the answer is client ``w``'s forecast, else (reason, '')."""
    if r.status_code != 200:
        return reason_of(r), ""
    try:
        record = r.json()
    except ValueError:
        return "200 with a body that is not JSON", ""
    if record.get("input_sha256") != w.input_sha256:
        return "input_sha256 of another input", ""
    if record.get("scenario") != w.name:
        return f"scenario {record.get('scenario')!r}, sent {w.name!r}", ""
    run_id = record.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        return "no run_id in the record", ""
    return None, run_id


def check_run(r: httpx.Response, w: Work, run_id: str) -> str | None:
    """None when the stored run is client ``w``'s own scenario, else the reason."""
    if r.status_code != 200:
        return f"GET /api/runs: {reason_of(r)}"
    try:
        run = r.json()
        salience = run["scenario"]["positions"][w.actor][w.issue]["salience"]
    except (ValueError, KeyError, TypeError):
        return "stored run without the scenario's salience"
    if run.get("id") != run_id:
        return "GET /api/runs gave another run"
    if run.get("input_sha256") != w.input_sha256 or run.get("scenario_name") != w.name:
        return "stored run of another input"
    if salience != w.salience:
        return "stored scenario with another client's salience"
    return None


# -- load ----------------------------------------------------------------------------------


def forecast_body(w: Work, args: argparse.Namespace) -> dict[str, Any]:
    """The JSON body of client ``w``'s ``POST /api/forecast``."""
    return {"scenario": w.scenario, "models": args.models, "samples": args.samples,
            "seed": args.seed}  # fmt: skip


def warm_up(url: str, work: list[Work], args: argparse.Namespace, deadline: Deadline,
            tally: Tally) -> float:  # fmt: skip
    """One forecast per scenario used, one after another; returns the seconds taken."""
    start = time.perf_counter()
    seen: set[str] = set()
    with httpx.Client(base_url=url) as client:
        for w in work:
            if w.name in seen:
                continue
            seen.add(w.name)
            try:
                r = client.post(
                    "/api/forecast", json=forecast_body(w, args), timeout=deadline.timeout()
                )
            except httpx.HTTPError as exc:
                tally.error(f"warm-up: {type(exc).__name__}")
                continue
            reason, _ = check_forecast(r, w)
            if reason:
                tally.error(f"warm-up: {reason}")
    return time.perf_counter() - start


def client_loop(url: str, w: Work, n: int, args: argparse.Namespace, deadline: Deadline,
                tally: Tally, go: threading.Event) -> None:  # fmt: skip
    """Send ``n`` forecasts of client ``w``'s scenario, one after another, checking each."""
    body = forecast_body(w, args)
    with httpx.Client(base_url=url) as client:
        go.wait()
        for i in range(n):
            if deadline.left() <= 0:
                for _ in range(n - i):
                    tally.error("not sent: --timeout reached")
                return
            start = time.perf_counter()
            try:
                r = client.post("/api/forecast", json=body, timeout=deadline.timeout())
            except httpx.HTTPError as exc:
                tally.error(f"{type(exc).__name__} on POST /api/forecast")
                continue
            latency = time.perf_counter() - start
            reason, run_id = check_forecast(r, w)
            if reason:
                tally.error(reason)
            else:
                tally.ok(w.client, latency, run_id)


def check_runs(url: str, work: list[Work], per_client: int, deadline: Deadline,
               tally: Tally) -> None:  # fmt: skip
    """Read back the first, last and middle run ids of each client and check them."""
    with httpx.Client(base_url=url) as client:
        for w in work:
            ids = tally.run_ids.get(w.client, [])
            picks = sorted({0, len(ids) // 2, len(ids) - 1})[:per_client] if ids else []
            for j in picks:
                if deadline.left() <= 0:
                    tally.error("run not checked: --timeout reached")
                    continue
                try:
                    r = client.get(f"/api/runs/{ids[j]}", timeout=deadline.timeout(30))
                except httpx.HTTPError as exc:
                    tally.error(f"{type(exc).__name__} on GET /api/runs")
                    continue
                reason = check_run(r, w, ids[j])
                if reason:
                    tally.error(reason)


def load(url: str, work: list[Work], args: argparse.Namespace, deadline: Deadline,
         tally: Tally) -> float:  # fmt: skip
    """Run the clients at once; returns the wall time from the first request to the last."""
    go = threading.Event()
    share, extra = divmod(args.requests, args.clients)
    threads = [
        threading.Thread(
            target=client_loop,
            args=(url, w, share + (w.client < extra), args, deadline, tally, go),
            name=f"client-{w.client}",
            daemon=True,  # a thread stuck past the deadline must not keep the script alive
        )
        for w in work
    ]
    for t in threads:
        t.start()
    start = time.perf_counter()
    go.set()
    for t in threads:
        t.join(deadline.left() + 5.0)
    wall = time.perf_counter() - start
    if any(t.is_alive() for t in threads):
        tally.error("a client was still waiting at --timeout")
    return wall


# -- report --------------------------------------------------------------------------------


def figures(args: argparse.Namespace, tally: Tally, wall: float, warmup: float,
            limits: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """The figures of the run, as ``--json`` prints them."""
    ms = np.asarray(tally.latencies) * 1000.0
    p50, p95, most = (float(x) for x in np.percentile(ms, [50, 95, 100])) if ms.size else (0,) * 3
    reasons = [f"{reason} (x{n})" for reason, n in tally.errors.most_common(MAX_REASONS)]
    return {
        "requests": args.requests,
        "clients": args.clients,
        "errors": sum(tally.errors.values()),
        "error_reasons": reasons,
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(most, 1),
        "wall_s": round(wall, 3),
        "throughput_rps": round(len(tally.latencies) / wall, 2) if wall > 0 else 0.0,
        "warmup_s": round(warmup, 3),
        "models": args.models,
        "samples": args.samples,
        "server_limits": limits,
    }


def table(out: dict[str, Any]) -> str:
    """The figures as a small table, with the settings and errors below it."""
    head = ["requests", "clients", "errors", "wall s", "req/s", "p50 ms", "p95 ms", "max ms"]
    keys = ["requests", "clients", "errors", "wall_s", "throughput_rps", "p50_ms", "p95_ms",
            "max_ms"]  # fmt: skip
    cells = [str(out[k]) for k in keys]
    widths = [max(len(h), len(c)) for h, c in zip(head, cells, strict=True)]
    lines = [
        "  ".join(h.rjust(n) for h, n in zip(head, widths, strict=True)),
        "  ".join(c.rjust(n) for c, n in zip(cells, widths, strict=True)),
        "",
        f"warm-up: {out['warmup_s']:.2f} s (one forecast per scenario, not in the figures)",
        f"models: {', '.join(out['models'])}; samples: {out['samples']}",
        "server limits: " + ", ".join(f"{k}={v}" for k, v in out["server_limits"].items()),
        "latencies are of the answered forecasts (200) only",
    ]
    if out["error_reasons"]:
        lines.append("errors:")
        lines += [f"  {reason}" for reason in out["error_reasons"]]
    return "\n".join(lines)


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {n}")
    return n


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=positive, default=200, help="forecasts in all")
    parser.add_argument("--clients", type=positive, default=8, help="clients at once")
    parser.add_argument(
        "--models", action="extend", nargs="+", metavar="NAME",
        help=f"models to run (default: {', '.join(DEFAULT_MODELS)})",
    )  # fmt: skip
    parser.add_argument("--samples", type=positive, default=100, help="draws per forecast")
    parser.add_argument("--seed", type=int, default=0, help="seed of every forecast")
    parser.add_argument(
        "--check-runs", type=int, default=3, metavar="N",
        help="run ids per client read back with GET /api/runs/{id} (at most 3)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds the whole run may take"
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], metavar="ARG",
        help="an argument for summitry serve (repeat; e.g. --serve-arg=--workers "
        "--serve-arg=8); default: none, the server's own limits",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    args.models = [m for given in args.models or DEFAULT_MODELS for m in given.split(",") if m]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when there was any error, else 0."""
    args = parse(argv)
    deadline = Deadline(args.timeout)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="summitry-web-load-") as folder:
        try:
            with Server(Path(folder), args.serve_arg) as server:
                limits = server.wait_ready(deadline)
                with httpx.Client(base_url=server.url) as client:
                    work = prepare(client, args.clients, deadline)
                warmup = warm_up(server.url, work, args, deadline, tally)
                wall = load(server.url, work, args, deadline, tally)
                check_runs(server.url, work, args.check_runs, deadline, tally)
        except (SetupError, httpx.HTTPError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    out = figures(args, tally, wall, warmup, limits)
    print(json.dumps(out, indent=2) if args.json else table(out))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
