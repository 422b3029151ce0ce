"""Stopping web jobs: how soon a cancelled job ends, and how the server answers meanwhile.

Run from the repository root::

    python benchmarks/web_cancel.py [--rounds 3] [--watch 10] [--json]

The script starts ``summitry serve`` on a free loopback port (as
``benchmarks/web_load.py`` does: a run store in a temporary folder, default limits) and
sends the largest job the default limits allow: the exchange model on 100 actors x 10
issues with 1000 samples (work 10,000,000 = ``max_work``), whose one model's run lasts
many minutes. It measures:

- **cancel**: for ``--rounds`` jobs, the time from ``DELETE /api/jobs/{id}`` (sent once
  the job has been inside the model's run for 1 s) to ``GET /api/jobs/{id}`` first
  showing ``cancelled``;
- **latency**: with two such jobs running at once (``--workers 2``, the default), the
  time of ``GET /api/jobs/{id}`` and ``GET /api/limits``, asked in turn for ``--watch``
  seconds.

It checks that no stopped job recorded a run. ``--timeout`` bounds the whole run; the
exit status is 1 when a check failed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_load import Deadline, Server, SetupError  # noqa: E402

ACTORS, ISSUES, SAMPLES, MODEL = 100, 10, 1000, "exchange"


def large_scenario(actors: int, issues: int, seed: int = 1) -> dict[str, Any]:
    """A random scenario of ``actors`` x ``issues`` with uncertain positions."""
    rng = random.Random(seed)
    return {
        "name": f"large-{actors}x{issues}-{seed}",
        "issues": [{"id": f"i{j}", "scale": {"min": 0, "max": 100}} for j in range(issues)],
        "actors": [{"id": f"a{k}", "capability": rng.randint(1, 100)} for k in range(actors)],
        "positions": {
            f"a{k}": {
                f"i{j}": {
                    "position": rng.randint(0, 100),
                    "salience": round(rng.uniform(0.1, 1), 2),
                    "position_sd": 5,
                }
                for j in range(issues)
            }
            for k in range(actors)
        },
    }


def start(client: httpx.Client, seed: int) -> str:
    body = {
        "scenario": large_scenario(ACTORS, ISSUES, seed),
        "models": [MODEL],
        "samples": SAMPLES,
        "view": False,
    }
    r = client.post("/api/jobs", json=body)
    if r.status_code != 202:
        raise SetupError(f"POST /api/jobs answered {r.status_code}: {r.text[:300]}")
    return str(r.json()["job_id"])


def until(client: httpx.Client, job_id: str, test: Any, deadline: Deadline) -> dict[str, Any]:
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if test(job):
            return dict(job)
        if job["status"] not in ("queued", "running") or deadline.left() <= 0:
            raise SetupError(f"job {job_id} did not get there: {job}")
        time.sleep(0.01)


def in_model(job: dict[str, Any]) -> bool:
    return job["status"] == "running" and job["stage"] == f"running {MODEL}"


def cancel_time(client: httpx.Client, job_id: str, deadline: Deadline) -> float:
    asked = time.monotonic()
    client.delete(f"/api/jobs/{job_id}").raise_for_status()
    until(client, job_id, lambda j: j["status"] == "cancelled", deadline)
    return time.monotonic() - asked


def ms(values: list[float]) -> dict[str, float]:
    a = np.asarray(values) * 1000
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p95_ms": round(float(np.percentile(a, 95)), 1),
        "max_ms": round(float(a.max()), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    deadline = Deadline(args.timeout)
    with tempfile.TemporaryDirectory() as tmp, Server(Path(tmp), []) as server:
        limits = server.wait_ready(deadline)
        with httpx.Client(base_url=server.url, timeout=deadline.timeout(30)) as client:
            cancels = []
            for k in range(args.rounds):
                job = start(client, k)
                until(client, job, in_model, deadline)
                time.sleep(1.0)
                cancels.append(cancel_time(client, job, deadline))
            running = [start(client, 100 + k) for k in range(2)]
            for job in running:
                until(client, job, in_model, deadline)
            lat: dict[str, list[float]] = {"GET /api/jobs/{id}": [], "GET /api/limits": []}
            end = time.monotonic() + args.watch
            while time.monotonic() < end:
                for name, path in (
                    ("GET /api/jobs/{id}", f"/api/jobs/{running[0]}"),
                    ("GET /api/limits", "/api/limits"),
                ):
                    asked = time.monotonic()
                    client.get(path).raise_for_status()
                    lat[name].append(time.monotonic() - asked)
                time.sleep(0.05)
            still = all(in_model(client.get(f"/api/jobs/{j}").json()) for j in running)
            cancels += [cancel_time(client, j, deadline) for j in running]
            recorded = client.get("/api/runs").json()["total"]
    return {
        "job": {"actors": ACTORS, "issues": ISSUES, "samples": SAMPLES, "model": MODEL,
                "work": ACTORS * ISSUES * SAMPLES * 10, "max_work": limits["max_work"]},
        "cancel": {**ms(cancels), "all_ms": [round(c * 1000, 1) for c in cancels]},
        "latency_while_two_run": {k: ms(v) for k, v in lat.items()},
        "both_still_running_when_watched": still,
        "runs_recorded": recorded,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="jobs cancelled alone")
    parser.add_argument("--watch", type=float, default=10.0, help="seconds of latency probes")
    parser.add_argument("--timeout", type=float, default=300.0, help="bound on the whole run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    try:
        out = run(args)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    ok = (
        out["cancel"]["max_ms"] < 2000
        and out["runs_recorded"] == 0
        and out["both_still_running_when_watched"]
    )
    if args.json:
        print(json.dumps(out))
    else:
        c = out["cancel"]
        print(f"job: {out['job']}")
        print(f"cancel -> cancelled: p50 {c['p50_ms']} ms, max {c['max_ms']} ms ({c['all_ms']})")
        for name, v in out["latency_while_two_run"].items():
            print(f"{name} while two run: n {v['n']}, p50 {v['p50_ms']} ms, "
                  f"p95 {v['p95_ms']} ms, max {v['max_ms']} ms")  # fmt: skip
        print(f"runs recorded: {out['runs_recorded']}; checks {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
