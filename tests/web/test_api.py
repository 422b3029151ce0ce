import json
import threading
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from summitry.cli import app as cli_app
from summitry.web.limits import Limits

DATA = Path(__file__).parent.parent / "data"
SMALL = DATA / "cli-small.yaml"
BAD = DATA / "cli-bad-salience.yaml"
FAST = ["compromise", "median"]


def small(**changes) -> dict:
    data = yaml.safe_load(SMALL.read_text())
    data.update(changes)
    return data


def test_list_scenarios_gives_the_bundled_ones(client):
    r = client.get("/api/scenarios")
    assert r.status_code == 200
    names = [s["name"] for s in r.json()]
    assert "korea-hanoi-2019" in names and all(s["description"] for s in r.json())


def test_get_scenario_round_trips_through_validate(client):
    r = client.get("/api/scenarios/korea-hanoi-2019")
    assert r.status_code == 200
    assert r.json()["name"] == "korea-hanoi-2019"
    v = client.post("/api/validate", json=r.json())
    assert v.status_code == 200 and v.json()["scenario"] == "korea-hanoi-2019"


@pytest.mark.parametrize("name", ["nope", "..%2Fpyproject.toml", "%2Fetc%2Fpasswd"])
def test_unknown_scenario_is_404_and_never_reads_the_disk(client, name):
    r = client.get(f"/api/scenarios/{name}")
    assert r.status_code == 404
    assert "[build-system]" not in r.text and "root:" not in r.text
    assert r.json()["message"]


def test_models_and_limits(make_client):
    c = make_client(max_samples=7)
    assert "eum" in [m["name"] for m in c.get("/api/models").json()]
    assert c.get("/api/limits").json()["max_samples"] == 7


@pytest.mark.parametrize("ctype", ["application/yaml", "text/yaml", "text/plain"])
def test_validate_yaml_gives_a_summary(client, ctype):
    r = client.post("/api/validate", content=SMALL.read_bytes(), headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scenario"] == "cli-small" and body["actors"] == ["us", "nk", "cn", "kr"]
    assert [i["id"] for i in body["issues"]] == ["sanctions", "inspections"]
    assert len(body["input_sha256"]) == 64


def test_validate_json_gives_the_same_hash_as_yaml(client):
    a = client.post("/api/validate", json=small()).json()
    b = client.post(
        "/api/validate", content=SMALL.read_bytes(), headers={"content-type": "application/yaml"}
    ).json()
    assert a == b


def test_validate_yaml_error_is_the_cli_message_with_path_and_line(client):
    r = client.post(
        "/api/validate", content=BAD.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert r.status_code == 422
    body = r.json()
    assert body["path"] == "positions.us.sanctions.salience"
    assert body["line"] == 9
    assert body["location"] == "line 9 (positions.us.sanctions.salience)"
    assert body["rule"].startswith("salience 1.5 lies outside [0, 1]")
    cli = CliRunner().invoke(cli_app, ["validate", str(BAD)], env={"COLUMNS": "300"})
    assert cli.exit_code == 2
    assert cli.stderr.strip() == f"error: {BAD}, {body['message']}"


def test_validate_json_error_gives_the_field_path(client):
    data = small()
    data["positions"]["us"]["sanctions"]["salience"] = 1.5
    r = client.post("/api/validate", json=data)
    assert r.status_code == 422
    body = r.json()
    assert body["path"] == "positions.us.sanctions.salience"
    assert body["message"] == f"positions.us.sanctions.salience: {body['rule']}"
    assert "salience 1.5 lies outside [0, 1]" in body["rule"]


@pytest.mark.parametrize(
    ("content", "ctype", "status", "words"),
    [
        (b"{not json", "application/json", 422, "not JSON"),
        (b"a: [1", "application/yaml", 422, "line"),
        (b"", "application/yaml", 422, "empty"),
        (b"\xff\xfe", "application/yaml", 422, "UTF-8"),
        (b"[1, 2]", "application/json", 422, "mapping"),
        (b"<xml/>", "application/xml", 415, "application/json"),
    ],
)
def test_validate_bad_bodies_are_4xx(client, content, ctype, status, words):
    r = client.post("/api/validate", content=content, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert words in r.json()["message"]


@pytest.mark.parametrize(
    ("content", "ctype", "status", "words", "path"),
    [
        (b'{"scenario":', "application/json", 422, "not valid JSON at character 12", None),
        (b'{"scenario": 5}', "application/json", 422, "name of a bundled scenario", "scenario"),
        (b'{"scenario": "cli-small"}', "text/plain", 415, "application/json", None),
        (b"scenario=cli-small", "application/x-www-form-urlencoded", 415, "got applic", None),
        (b"[1, 2]", "application/json", 422, "a JSON object", None),
        (b'{"scenario": "cli-small", "samples": true}', "application/json", 422, "integer",
         "samples"),
        (b'{"scenario": "cli-small", "samples": 1' + b"0" * 5000 + b"}", "application/json", 400,
         "number too long", None),
        (b'{"scenario": "\xff"}', "application/json", 400, "not UTF-8 text (byte 14)", None),
    ],
)  # fmt: skip
def test_unreadable_forecast_bodies_say_why(client, content, ctype, status, words, path):
    r = client.post("/api/forecast", content=content, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    assert words in r.json()["message"]
    assert r.json()["path"] == path


def test_forecast_records_the_run(client):
    r = client.post("/api/forecast", json={"scenario": small(), "models": FAST, "seed": 3})
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["scenario"] == "cli-small" and record["seed"] == 3
    assert len(record["input_sha256"]) == 64
    assert [i["id"] for i in record["issues"]] == ["sanctions", "inspections"]
    assert set(record["issues"][0]["forecasts"]) == set(FAST)
    assert {"p_deal", "winners", "miscalculation"} <= set(record)
    stored = client.get(f"/api/runs/{record['run_id']}")
    assert stored.status_code == 200
    assert stored.json()["result"]["issues"] == record["issues"]
    assert stored.json()["input_sha256"] == record["input_sha256"]
    listed = client.get("/api/runs").json()
    assert listed["total"] == 1 and listed["runs"][0]["id"] == record["run_id"]
    assert listed["runs"][0]["models"] == FAST


def test_forecast_by_bundled_name_with_samples(client):
    r = client.post(
        "/api/forecast",
        json={"scenario": "korea-hanoi-2019", "models": ["compromise"], "samples": 5},
    )
    assert r.status_code == 200, r.text
    assert r.json()["samples"] == 5


def test_forecast_matches_the_library(client):
    import summitry

    r = client.post("/api/forecast", json={"scenario": small(), "models": FAST})
    scenario = summitry.Scenario.from_dict(small())
    expected = summitry.forecast(scenario, models=FAST).to_dict()
    got = r.json()
    del got["run_id"], got["created"]
    assert got == json.loads(json.dumps(expected))


def test_forecast_out_of_range_salience_is_422_with_path(client):
    data = small()
    data["positions"]["nk"]["inspections"]["salience"] = -0.2
    r = client.post("/api/forecast", json={"scenario": data, "models": FAST})
    assert r.status_code == 422
    assert r.json()["path"] == "positions.nk.inspections.salience"
    assert client.get("/api/runs").json()["total"] == 0


def test_forecast_unknown_model_is_422(client):
    r = client.post("/api/forecast", json={"scenario": small(), "models": ["compromise", "oracle"]})
    assert r.status_code == 422
    body = r.json()
    assert body["path"] == "models[1]" and "unknown model 'oracle'" in body["message"]
    assert "compromise" in body["message"]


def test_forecast_too_many_samples_is_a_clear_422(make_client):
    c = make_client(max_samples=10)
    r = c.post("/api/forecast", json={"scenario": small(), "models": FAST, "samples": 11})
    assert r.status_code == 422
    assert r.json()["path"] == "samples"
    assert "10" in r.json()["message"] and "SUMMITRY_WEB_MAX_SAMPLES" in r.json()["message"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"scenario": "cli-small", "samples": 0}, "samples"),
        ({"scenario": "korea-hanoi-2019", "seed": -1}, "seed"),
        ({"scenario": "korea-hanoi-2019", "bogus": 1}, "bogus"),
        ({"models": ["eum"]}, "scenario"),
    ],
)
def test_forecast_bad_parameters_are_422_with_path(client, body, path):
    r = client.post("/api/forecast", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["path"] == path


def test_forecast_too_many_actors_or_issues(make_client):
    c = make_client(max_actors=3, max_issues=1)
    r = c.post("/api/forecast", json={"scenario": small(), "models": FAST})
    assert r.status_code == 422 and r.json()["path"] == "actors"
    assert "at most 3" in r.json()["message"]
    r = c.post("/api/validate", json=small())
    assert r.status_code == 422 and r.json()["path"] == "actors"
    c = make_client(max_issues=1)
    r = c.post("/api/validate", json=small())
    assert r.status_code == 422 and r.json()["path"] == "issues"


def test_oversized_body_is_413(make_client):
    c = make_client(max_body=2000)
    big = {"scenario": small(description="x" * 5000), "models": FAST}
    r = c.post("/api/forecast", json=big)
    assert r.status_code == 413
    assert "2000 bytes" in r.json()["message"]
    r = c.post("/api/validate", content=b"a" * 2001, headers={"content-type": "text/plain"})
    assert r.status_code == 413


def test_oversized_chunked_body_is_413(make_client):
    c = make_client(max_body=2000)

    def chunks():
        for _ in range(10):
            yield b"#" * 500

    r = c.post("/api/validate", content=chunks(), headers={"content-type": "text/plain"})
    assert r.status_code == 413


def test_forecast_past_the_time_limit_is_422_and_not_recorded(make_client, slow_forecast):
    slow_forecast(0.6)
    c = make_client(timeout=0.1)
    r = c.post("/api/forecast", json={"scenario": small(), "models": FAST})
    assert r.status_code == 422
    assert "time limit" in r.json()["message"]
    time.sleep(1.0)  # the abandoned forecast finishes in the background
    assert c.get("/api/runs").json()["total"] == 0


def test_busy_server_answers_429(make_client, gated):
    gate, entered = gated
    c = make_client(workers=1, queue=0)
    body = {"scenario": small(), "models": FAST}
    first: dict = {}
    t = threading.Thread(target=lambda: first.update(r=c.post("/api/forecast", json=body)))
    t.start()
    assert entered.wait(10)
    r = c.post("/api/forecast", json=body)
    gate.set()
    t.join(10)
    assert r.status_code == 429 and "busy" in r.json()["message"]
    assert first["r"].status_code == 200


def test_unknown_run_is_404(client):
    assert client.get("/api/runs/abcdef123456").status_code == 404
    assert client.get("/api/runs/not-hex").status_code == 404
    assert client.get("/api/runs/abcdef123456/report").status_code == 404


def test_report_is_a_self_contained_page(client):
    run_id = client.post("/api/forecast", json={"scenario": small(), "models": FAST}).json()[
        "run_id"
    ]
    r = client.get(f"/api/runs/{run_id}/report")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "cli-small" in r.text and "data:image/png;base64," in r.text
    assert 'src="http' not in r.text


def test_two_clients_never_see_each_others_data(make_client):
    c1, c2 = make_client(), make_client()
    other = small(name="other-case")
    other["positions"]["us"]["sanctions"]["position"] = 90
    results: dict = {}

    def post(key, c, scenario):
        results[key] = c.post("/api/forecast", json={"scenario": scenario, "models": FAST})

    threads = [
        threading.Thread(target=post, args=("a", c1, small())),
        threading.Thread(target=post, args=("b", c2, other)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    a, b = results["a"].json(), results["b"].json()
    assert results["a"].status_code == results["b"].status_code == 200
    assert a["run_id"] != b["run_id"]
    assert (a["scenario"], b["scenario"]) == ("cli-small", "other-case")
    assert a["input_sha256"] != b["input_sha256"]
    assert a["issues"] != b["issues"]
    assert c1.get(f"/api/runs/{a['run_id']}").json()["result"]["scenario"] == "cli-small"
    assert c2.get(f"/api/runs/{b['run_id']}").json()["result"]["scenario"] == "other-case"


def test_limits_from_env_and_options():
    env = {"SUMMITRY_WEB_MAX_SAMPLES": "50", "SUMMITRY_WEB_TIMEOUT": "2.5"}
    limits = Limits.from_env(env, max_samples=None, workers=4)
    assert (limits.max_samples, limits.timeout, limits.workers) == (50, 2.5, 4)
    assert Limits.from_env(env, max_samples=7).max_samples == 7
    with pytest.raises(ValueError, match="SUMMITRY_WEB_MAX_BODY"):
        Limits.from_env({"SUMMITRY_WEB_MAX_BODY": "lots"})
    with pytest.raises(ValueError, match="positive"):
        Limits(timeout=0)
    assert Limits.from_env({"SUMMITRY_WEB_QUEUE": "0"}).queue == 0
    with pytest.raises(ValueError, match="queue must be 0 or more"):
        Limits(queue=-1)


def test_serve_command_runs_uvicorn_on_loopback(monkeypatch):
    import uvicorn

    seen = {}

    def run(server, sockets=None):
        seen.update(app=server.config.app, host=server.config.host, port=server.config.port)

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setenv("SUMMITRY_WEB_MAX_ACTORS", "9")
    args = ["serve", "--port", "8123", "--max-samples", "5", "--queue", "3"]
    r = CliRunner().invoke(cli_app, args)
    assert r.exit_code == 0, r.output
    assert seen["app"].state.limits.queue == 3
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert seen["app"].state.limits.max_samples == 5
    assert seen["app"].state.limits.max_actors == 9


def test_favicon_is_served_with_the_security_headers(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.content.startswith(b"<svg") and "nosniff" in r.headers["x-content-type-options"]
