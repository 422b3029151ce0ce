import re
import time

import pytest

SCENARIO = "korea-hanoi-2019"
FAST = ["compromise", "nash"]


def finished(client, path: str, seconds: float = 20) -> str:
    """The advice job page once the job is no longer running."""
    end = time.monotonic() + seconds
    while True:
        r = client.get(path)
        assert r.status_code == 200
        if 'data-status="' not in r.text or time.monotonic() > end:
            return r.text
        time.sleep(0.1)


def test_the_page_lists_the_actors_of_a_bundled_scenario(client):
    r = client.get(f"/advise?scenario={SCENARIO}")
    assert r.status_code == 200
    for actor in ("us", "dprk", "china", "rok", "russia", "japan"):
        assert f'<option value="{actor}"' in r.text
    assert 'value="compromise" checked' in r.text and 'value="nash" checked' in r.text
    assert 'value="eum" checked' not in r.text and 'value="200"' in r.text
    assert 'href="/advise"' in client.get("/").text  # in the navigation
    assert client.get("/advise?scenario=nope").status_code == 404


def test_an_advice_run_shows_levers_flips_and_replies(client):
    form = {"scenario": SCENARIO, "actor": "us", "model": FAST, "samples": "20", "seed": "3"}
    r = client.post("/advise", data=form, follow_redirects=False)
    assert r.status_code == 303
    html = finished(client, r.headers["location"])
    assert "What us can do in korea-hanoi-2019" in html, html
    levers = re.search(r'<table class="runs" id="levers">(.*?)</table>', html, re.DOTALL).group(1)
    assert len(re.findall(r"<tr data-lever=", levers)) == 8
    assert "compromise: utility" in levers and "nash: P(deal), pts" in levers
    assert re.search(r"<td>[+-]\d\.\d{4}</td>", levers)
    assert '<section id="flips">' in html and '<section id="replies">' in html
    caption = re.search(r'<p class="dim" id="caption">(.*?)</p>', html, re.DOTALL).group(1)
    assert "20 samples" in caption and "seed 3" in caption and "SHA-256" in caption


def test_a_bad_form_is_answered_on_the_page(client):
    form = {"scenario": SCENARIO, "actor": "nobody", "model": FAST, "samples": "20"}
    r = client.post("/advise", data=form)
    assert r.status_code == 422 and "unknown actor" in r.text
    r = client.post("/advise", data={**form, "actor": "us", "samples": "100000"})
    assert r.status_code == 422 and "samples" in r.text
    r = client.post("/advise", data={"actor": "us"})
    assert r.status_code == 422 and "choose a bundled scenario" in r.text


def test_the_api_gives_the_advice_record(client):
    body = {"scenario": SCENARIO, "actor": "us", "models": FAST, "samples": 20, "seed": 5}
    r = client.post("/api/advise", json=body)
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["actor"] == "us" and record["seed"] == 5 and record["samples"] == 20
    assert re.fullmatch(r"[0-9a-f]{64}", record["input_sha256"])
    scores = [lv["score"] for lv in record["levers"]]
    assert scores == sorted(scores, reverse=True) and len(scores) > 8
    assert record["models"] == FAST and "flips" in record and record["responses"]


@pytest.mark.parametrize(
    ("change", "status", "path"),
    [
        ({"actor": "nobody"}, 422, "actor"),
        ({"scenario": "nope"}, 404, "name"),
        ({"samples": 0}, 422, "samples"),
        ({"samples": 1001}, 422, "samples"),
        ({"models": ["compromise", "oracle"]}, 422, "models[1]"),
        ({"actor": ""}, 422, "actor"),
        ({"models": []}, 422, "models"),
        ({"scenario": "a" * 300}, 404, "name"),
    ],
)
def test_bad_advice_requests_are_4xx_with_a_problem_body(client, change, status, path):
    body = {"scenario": SCENARIO, "actor": "us", "models": FAST, "samples": 5, **change}
    r = client.post("/api/advise", json=body)
    assert r.status_code == status, r.text
    problem = r.json()
    assert problem["path"] == path and problem["message"] and "rule" in problem


def test_advice_jobs_are_guarded_and_documented(client):
    body = {"scenario": SCENARIO, "actor": "us", "models": FAST, "samples": 5}
    r = client.post("/api/advise", json=body, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/advise", data={"scenario": SCENARIO}, headers={"Host": "evil.example"})
    assert r.status_code == 400
    page = client.get(f"/advise?scenario={SCENARIO}")
    assert "content-security-policy" in page.headers and page.headers["x-frame-options"] == "DENY"
    paths = client.get("/openapi.json").json()["paths"]
    assert "422" in paths["/api/advise"]["post"]["responses"]
    assert "/api/advise/jobs" in paths and "/advise" not in paths
    job = client.post("/api/advise/jobs", json=body)
    assert job.status_code == 202 and job.json()["kind"] == "advice"
    job_id = job.json()["job_id"]
    deadline = time.monotonic() + 20
    while (state := client.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["status"] == "done" and state["result"]["advice"]["actor"] == "us"


def test_advice_output_is_escaped(client):
    r = client.post("/api/advise", json={"scenario": SCENARIO, "actor": "<b>x</b>"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    r = client.post("/advise", data={"scenario": SCENARIO, "actor": "<script>x</script>"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "&lt;script&gt;x" in r.text and "<script>x" not in r.text
    r = client.get("/advise?scenario=%3Cb%3Enope")
    assert r.status_code == 404 and "&lt;b&gt;nope" in r.text and "<b>nope" not in r.text
    assert client.get("/advise/jobs/%3Cb%3Ex").status_code == 404


def test_cancel_stops_an_advice_job(client, monkeypatch, in_process):
    from summitry.web import advice_work

    real = advice_work.compute_advice

    def slow(order, stages):
        for _ in range(100):
            stages.begin("waiting")
            time.sleep(0.05)
        return real(order, stages)

    monkeypatch.setattr(advice_work, "compute_advice", slow)
    form = {"scenario": SCENARIO, "actor": "us", "model": FAST, "samples": "5"}
    r = client.post("/advise", data=form, follow_redirects=False)
    path = r.headers["location"]
    assert 'data-status="' in client.get(path).text and "Cancel" in client.get(path).text
    assert client.post(f"{path}/cancel").status_code == 200
    html = finished(client, path)
    assert "Advice: cancelled" in html
