"""Background jobs over the API: progress, result, cancelling, limits; and the pages."""

import re
import threading
import time
from pathlib import Path

import pytest
import yaml

from summitry.errors import ParameterError
from summitry.web import work
from summitry.web.jobs import Job, JobQueue, Stages, Stopped
from summitry.web.limits import Limits

SMALL = Path(__file__).parent.parent / "data" / "cli-small.yaml"
FAST = ["compromise", "median"]
STATIC = Path(work.__file__).parent / "static"


def small() -> dict:
    return yaml.safe_load(SMALL.read_text())


def finish(client, job: dict, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['job_id']}").json()
    return job


def test_a_job_shows_progress_then_its_run_and_page(client):
    r = client.post("/api/jobs", json={"scenario": small(), "models": FAST, "samples": 5})
    assert r.status_code == 202
    job = r.json()
    assert job["status"] in ("queued", "running") and re.fullmatch("[0-9a-f]{32}", job["job_id"])
    done = finish(client, job)
    assert done["status"] == "done" and done["done"] == done["total"] > len(FAST)
    result = done["result"]
    assert result["view"] == f"/runs/{result['run_id']}"
    assert result["record"]["input_sha256"] == result["input_sha256"]
    assert client.get("/api/runs").json()["total"] == 1
    page = client.get(result["view"])
    assert page.status_code == 200
    for section in ("forecast", "charts", "deal", "winners", "drivers"):
        assert f'<section id="{section}">' in page.text
    assert "data:image/png;base64," in page.text


def test_a_job_without_view_or_analyses_skips_them(client):
    body = {"scenario": small(), "models": FAST, "view": False}
    done = finish(client, client.post("/api/jobs", json=body).json())
    assert done["status"] == "done" and done["result"]["view"] is None
    assert done["total"] == len(FAST) + 2  # the models, summing up, recording


def test_a_cancelled_job_records_nothing(client, gated):
    gate, entered = gated
    job = client.post("/api/jobs", json={"scenario": small(), "models": FAST}).json()
    assert entered.wait(10)
    assert client.delete(f"/api/jobs/{job['job_id']}").status_code == 200
    gate.set()
    done = finish(client, job)
    assert done["status"] == "cancelled" and done["error"]["message"] == "cancelled"
    assert client.get("/api/runs").json()["total"] == 0


def test_a_job_past_the_time_limit_fails_with_the_limit_named(make_client, slow_forecast):
    slow_forecast(0.5)
    c = make_client(timeout=0.2)
    done = finish(c, c.post("/api/jobs", json={"scenario": small(), "models": FAST}).json())
    assert done["status"] == "failed"
    assert "time limit of 0.2 s" in done["error"]["message"]
    assert c.get("/api/runs").json()["total"] == 0


def test_an_error_inside_a_job_is_its_error(client, monkeypatch, in_process):
    def broken(*args, **kwargs):
        raise ParameterError("rounds must be 1 or more")

    monkeypatch.setattr(work, "forecast", broken)
    done = finish(client, client.post("/api/jobs", json={"scenario": small()}).json())
    assert done["status"] == "failed"
    assert done["error"]["status"] == 422 and "rounds must be" in done["error"]["message"]


def test_a_bad_job_request_is_refused_at_once(client):
    bad = small()
    bad["positions"]["us"]["sanctions"]["salience"] = 7
    r = client.post("/api/jobs", json={"scenario": bad})
    assert r.status_code == 422 and r.json()["path"] == "positions.us.sanctions.salience"
    r = client.post("/api/jobs", json={"scenario": small(), "samples": 10**6})
    assert r.status_code == 422 and r.json()["path"] == "samples"


def test_a_full_queue_answers_429_and_a_queued_job_waits(make_client, gated):
    gate, entered = gated
    c = make_client(workers=1, queue=1)
    body = {"scenario": small(), "models": FAST, "view": False}
    first = c.post("/api/jobs", json=body).json()
    assert entered.wait(10)
    second = c.post("/api/jobs", json=body).json()
    assert second["status"] == "queued" and second["stage"] == "waiting for a worker"
    third = c.post("/api/jobs", json=body)
    assert third.status_code == 429 and "SUMMITRY_WEB_QUEUE" in third.json()["message"]
    c.delete(f"/api/jobs/{second['job_id']}")
    gate.set()
    assert finish(c, first)["status"] == "done"
    assert finish(c, second)["status"] == "cancelled"


def test_unknown_jobs_are_404(client):
    assert client.get("/api/jobs/0123").status_code == 404
    assert client.delete("/api/jobs/0123").status_code == 404


def test_rerun_records_a_new_run_with_the_same_numbers(client):
    first = client.post("/api/forecast", json={"scenario": small(), "models": FAST}).json()
    job = client.post(f"/api/runs/{first['run_id']}/rerun").json()
    done = finish(client, job)
    again = done["result"]["record"]
    assert done["result"]["run_id"] != first["run_id"]
    assert again["issues"] == first["issues"] and again["input_sha256"] == first["input_sha256"]
    assert client.get("/api/runs").json()["total"] == 2
    assert client.post("/api/runs/abcdef123456/rerun").status_code == 404


def test_a_page_not_kept_is_drawn_again_without_a_new_run(client):
    run_id = client.post("/api/forecast", json={"scenario": small(), "models": FAST}).json()[
        "run_id"
    ]
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200 and 'id="draw"' in page.text
    done = finish(client, client.post(f"/api/runs/{run_id}/view").json())
    assert done["status"] == "done" and done["result"]["run_id"] == run_id
    assert client.get("/api/runs").json()["total"] == 1
    page = client.get(f"/runs/{run_id}")
    assert 'id="report"' in page.text and 'id="draw"' not in page.text
    report = client.get(f"/api/runs/{run_id}/report?download=true")
    assert report.headers["content-disposition"] == (
        f'attachment; filename="summitry-{run_id}.html"'
    )
    assert report.text.startswith("<!DOCTYPE html>")


def test_pages_list_scenarios_and_runs(client):
    home = client.get("/")
    assert home.status_code == 200
    for name in ("korea-hanoi-2019", "korea-2017-2019", "ec-example"):
        assert f'href="/edit?scenario={name}"' in home.text
    assert client.get("/edit?scenario=ec-example").status_code == 200
    run_id = client.post("/api/forecast", json={"scenario": "ec-example", "models": FAST}).json()[
        "run_id"
    ]
    runs = client.get("/runs")
    assert f'data-run="{run_id}"' in runs.text and "ec-example" in runs.text
    missing = client.get("/runs/abcdef123456")
    assert missing.status_code == 404 and "no run" in missing.text.lower()


def test_nothing_is_loaded_from_another_host(client):
    run_id = client.post("/api/forecast", json={"scenario": small(), "models": FAST}).json()[
        "run_id"
    ]
    texts = [client.get(u).text for u in ("/", "/edit", "/runs", f"/runs/{run_id}")]
    texts += [p.read_text() for p in STATIC.iterdir()]
    for text in texts:
        assert not re.search(r"""(src=|<link[^>]*href=)["']?(https?:)?//""", text)
        assert not re.search(r"""(import|url)\(\s*["']?(https?:)?//""", text)


def test_validate_can_echo_the_scenario(client):
    r = client.post(
        "/api/validate?content=true",
        content=SMALL.read_text(),
        headers={"content-type": "application/yaml"},
    )
    assert r.status_code == 200 and r.json()["content"]["name"] == "cli-small"
    assert r.json()["content"]["positions"]["us"]["sanctions"]["position_sd"] is None
    assert "content" not in client.post("/api/validate", json=small()).json()


# -- the queue itself ------------------------------------------------------------------------


def test_stages_count_progress_and_stop_when_cancelled():
    job = Job("test")
    stages = Stages(job, deadline=time.monotonic() + 60, timeout=60)
    stages.plan(3)
    stages.begin("one")
    assert (job.done, job.stage) == (0, "one")
    stages.begin("two")
    assert (job.done, job.stage) == (1, "two")
    job.cancel_requested.set()
    with pytest.raises(Stopped, match="cancelled"):
        stages.begin("three")


def test_stages_stop_past_the_deadline():
    stages = Stages(Job("test"), deadline=time.monotonic() - 1, timeout=5)
    with pytest.raises(Stopped, match="time limit of 5 s"):
        stages.check()


def test_cancelling_a_queued_job_ends_it_at_once_and_frees_its_place():
    queue = JobQueue(Limits(workers=1, queue=1), isolate=False)
    release = threading.Event()
    running = queue.submit("test", lambda stages: release.wait(30))
    waiting = queue.submit("test", lambda stages: "never")
    with pytest.raises(Exception, match="busy"):
        queue.submit("test", lambda stages: None)
    assert queue.cancel(waiting.id).status == "cancelled"
    assert waiting.public()["error"]["message"] == "cancelled"
    again = queue.submit("test", lambda stages: "ran")  # the cancelled job's place
    release.set()
    assert queue.wait(again) == "ran" and queue.wait(running) is True
    assert waiting.result is None and waiting.status == "cancelled"
    queue.shutdown()


def test_queue_keeps_a_bounded_number_of_finished_jobs(monkeypatch):
    from summitry.web import jobs

    monkeypatch.setattr(jobs, "KEEP", 3)
    queue = JobQueue(Limits(workers=1, queue=20), isolate=False)
    made = [queue.submit("test", lambda stages: None) for _ in range(8)]
    for job in made:
        queue.wait(job)
    queue.submit("test", lambda stages: None)
    with pytest.raises(Exception, match="no job"):
        queue.get(made[0].id)
    assert queue.get(made[-1].id).status == "done"
    queue.shutdown()


def test_a_scenario_saves_as_yaml_that_reads_back(client):
    r = client.post("/api/yaml", json={**small(), "name": "my case/2"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    assert r.headers["content-disposition"] == 'attachment; filename="my-case-2.yaml"'
    back = client.post("/api/validate", content=r.text, headers={"content-type": "text/yaml"})
    sent = client.post("/api/validate", json={**small(), "name": "my case/2"})
    assert back.json()["input_sha256"] == sent.json()["input_sha256"]
    bad = small()
    bad["actors"][0]["capability"] = -1
    assert client.post("/api/yaml", json=bad).json()["path"] == "actors[0].capability"


def test_a_queue_shut_down_by_one_lifespan_serves_the_next(make_client):
    client = make_client()
    for _ in range(2):  # each `with` runs the app's lifespan: startup, then shutdown
        with client:
            r = client.post("/api/forecast", json={"scenario": small(), "models": ["median"]})
            assert r.status_code == 200, r.text
