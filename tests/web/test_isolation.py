"""Jobs in worker processes: stopped at once, the server answering meanwhile; the work limit."""

import functools
import importlib.util
import sys
import time
from pathlib import Path

import pytest

from summitry.scenario import Scenario
from summitry.web import jobs
from summitry.web.bodies import bundled
from summitry.web.jobs import JobQueue
from summitry.web.limits import Limits
from summitry.web.problems import ApiError
from summitry.web.work import Order, compute_order, work_of

LONG = {"models": ["exchange"], "samples": 100, "view": False}
"""One stage of about a minute or more: the exchange model, 100 actors x 10 issues."""

ROOM = 10**9
"""A work limit the long job fits under."""


def _load_benchmark():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "web_cancel.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("web_cancel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


big = _load_benchmark().large_scenario
"""The random scenario of benchmarks/web_cancel.py: ``big(actors, issues, seed)``."""


def poll(client, job_id: str, until, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def in_long_stage(job: dict) -> bool:
    assert job["status"] in ("queued", "running"), job
    return job["stage"] == "running exchange"


def ended(job: dict) -> bool:
    return job["status"] not in ("queued", "running")


@pytest.fixture(scope="module", autouse=True)
def isolated():
    """Every job here runs in a worker process, one of them started and warm."""
    assert jobs.ISOLATE
    queue = JobQueue(Limits(workers=1))
    queue.wait(queue.submit("warm", functools.partial(id)), timeout=120)
    queue.shutdown()


def test_a_long_stage_is_cancelled_within_2_s_and_records_nothing(make_client):
    c = make_client(max_work=ROOM)
    job = c.post("/api/jobs", json={"scenario": big(100, 10), **LONG}).json()
    poll(c, job["job_id"], in_long_stage)
    time.sleep(1.0)  # well inside the model's run
    asked = time.monotonic()
    assert c.delete(f"/api/jobs/{job['job_id']}").status_code == 200
    done = poll(c, job["job_id"], ended, seconds=10)
    took = time.monotonic() - asked
    assert done["status"] == "cancelled" and done["error"]["message"] == "cancelled"
    assert took < 2.0, took
    assert c.get("/api/runs").json()["total"] == 0


@pytest.mark.slow
def test_the_time_limit_stops_a_long_stage_within_2_s(make_client):
    limit = 6.0
    c = make_client(max_work=ROOM, timeout=limit)
    job = c.post("/api/jobs", json={"scenario": big(100, 10), **LONG}).json()
    poll(c, job["job_id"], in_long_stage, seconds=limit)
    done = poll(c, job["job_id"], ended, seconds=limit + 10)
    assert done["status"] == "failed" and done["stage"] == "failed"
    assert f"time limit of {limit:g} s" in done["error"]["message"]
    assert done["elapsed_s"] < limit + 2.0, done
    assert c.get("/api/runs").json()["total"] == 0


def test_the_server_answers_at_once_while_two_long_jobs_run(make_client):
    c = make_client(max_work=ROOM, workers=2)
    started = [
        c.post("/api/jobs", json={"scenario": big(100, 10, s), **LONG}).json() for s in (1, 2)
    ]
    for job in started:
        poll(c, job["job_id"], in_long_stage)
    slowest = 0.0
    for _ in range(20):
        for path in (f"/api/jobs/{started[0]['job_id']}", "/api/limits"):
            asked = time.monotonic()
            r = c.get(path)
            slowest = max(slowest, time.monotonic() - asked)
            assert r.status_code == 200
        time.sleep(0.05)
    assert slowest < 0.5, slowest
    for job in started:
        assert c.get(f"/api/jobs/{job['job_id']}").json()["stage"] == "running exchange"
        c.delete(f"/api/jobs/{job['job_id']}")
    for job in started:
        assert poll(c, job["job_id"], ended, seconds=10)["status"] == "cancelled"
    assert c.get("/api/runs").json()["total"] == 0


def test_errors_in_a_worker_process_are_the_jobs_errors():
    queue = JobQueue(Limits(workers=1))
    sc = bundled("ec-example")
    bad = Order(sc, models={"eum": {"no_such_parameter": 1}})
    job = queue.submit("bad", functools.partial(compute_order, bad))
    with pytest.raises(ApiError) as caught:
        queue.wait(job, timeout=60)
    assert job.status == "failed" and job.error["status"] == 422, job.error
    assert caught.value.status == 422
    bug = queue.submit("bug", functools.partial(divmod, 1))  # divmod(1, stages): a TypeError
    with pytest.raises(ApiError):
        queue.wait(bug, timeout=60)
    assert bug.status == "failed" and bug.error["status"] == 500
    assert "internal error: TypeError" in bug.error["message"]
    queue.shutdown()


def test_the_work_limit_refuses_a_too_large_order_with_422(client):
    body = {"scenario": big(100, 30), "models": ["exchange"], "samples": 1000}
    for path in ("/api/jobs", "/api/forecast"):
        r = client.post(path, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["path"] == "samples"
        assert "SUMMITRY_WEB_MAX_WORK" in r.json()["message"]
        assert "30000000" in r.json()["message"]
    assert client.get("/api/runs").json()["total"] == 0


def test_the_default_work_limit_takes_every_bundled_scenario_with_every_model():
    from summitry import scenarios
    from summitry.models import MODELS

    most = Limits().max_work
    for name, _ in scenarios.list_examples():
        order = Order(bundled(name), models=list(MODELS), samples=Limits().max_samples)
        assert work_of(order) <= most, name
    huge = Order(Scenario.from_dict(big(100, 30)), models=["exchange"], samples=1000)
    assert work_of(huge) == 100 * 30 * 1000 * 10 > most


def test_work_counts_rounds_of_iterative_models_and_one_of_closed_forms():
    sc = bundled("korea-hanoi-2019")  # 6 actors, 5 issues
    assert work_of(Order(sc, models=["compromise", "median"], samples=2)) == 30 * 2 * 2
    assert work_of(Order(sc, models=["eum"], samples=2)) == 30 * 2 * 100
    assert work_of(Order(sc, models=["eum", "nash"], samples=2, rounds=7)) == 30 * 2 * 8


def test_the_work_limit_is_set_like_the_others(monkeypatch, make_client):
    import uvicorn
    from typer.testing import CliRunner

    from summitry.cli import app as cli_app

    assert Limits.from_env({"SUMMITRY_WEB_MAX_WORK": "1234"}).max_work == 1234
    assert Limits.from_env({"SUMMITRY_WEB_MAX_WORK": "1234"}, max_work=5).max_work == 5
    seen = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, sockets=None: seen.update(app=server.config.app)
    )
    monkeypatch.setenv("SUMMITRY_WEB_MAX_WORK", "99")
    r = CliRunner().invoke(cli_app, ["serve", "--max-work", "777"])
    assert r.exit_code == 0, r.output
    assert seen["app"].state.limits.max_work == 777
    c = make_client(max_work=100)
    assert c.get("/api/limits").json()["max_work"] == 100
    r = c.post("/api/forecast", json={"scenario": "ec-example", "models": ["eum"], "samples": 1})
    assert r.status_code == 422 and "(100; SUMMITRY_WEB_MAX_WORK)" in r.json()["message"]
