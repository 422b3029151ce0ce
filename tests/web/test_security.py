import base64
import hashlib
import re
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from summitry import io
from summitry.cli import app as cli_app
from summitry.errors import ParameterError
from summitry.forecast import forecast
from summitry.store import RunStore
from summitry.web import api, work
from summitry.web.api import create_app
from summitry.web.limits import Limits
from summitry.web.problems import ApiError, source_name, without_paths
from summitry.web.security import ALLOWED_HOSTS_ENV, DEFAULT_HOSTS, POLICY, allowed_hosts

DATA = Path(__file__).parent.parent / "data"
SMALL = DATA / "cli-small.yaml"
FAST = ["compromise", "median"]
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}
ERROR_KEYS = {"message", "rule", "location", "path", "line"}


def small() -> dict:
    return yaml.safe_load(SMALL.read_text())


def a_run(client) -> str:
    r = client.post("/api/forecast", json={"scenario": small(), "models": FAST})
    assert r.status_code == 200, r.text
    return r.json()["run_id"]


def assert_secured(r) -> None:
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.headers.get(name))
    policy = r.headers.get("content-security-policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in policy, (r.request.url, directive, policy)
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def assert_error(r, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == ERROR_KEYS and body["message"]
    for word in words:
        assert word in body["message"], body["message"]
    assert_secured(r)


# -- Host allowlist ------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example"])
def test_a_host_not_allowed_is_400_with_the_error_body(make_client, host):
    client = make_client()
    for method, path in (("GET", "/"), ("GET", "/api/models"), ("POST", "/api/validate")):
        r = client.request(method, path, headers={"host": host})
        assert_error(r, 400, repr(host), "--allowed-host", ALLOWED_HOSTS_ENV)


def test_a_malformed_host_is_400(make_client):
    client = make_client()
    for host in ("exa mple.org", "[::1", "localhost:99999", "localhost:port", ""):
        assert_error(client.get("/api/models", headers={"host": host}), 400)


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:51234", "[::1]", "[::1]:8000"]
)
def test_default_hosts_pass_on_any_port(summitry_home, monkeypatch, host):
    monkeypatch.delenv(ALLOWED_HOSTS_ENV, raising=False)
    client = TestClient(create_app(Limits()))
    assert client.app.state.allowed_hosts == DEFAULT_HOSTS
    r = client.get("/api/models", headers={"host": host})
    assert r.status_code == 200, r.text
    assert_error(client.get("/api/models"), 400, "'testserver'")  # TestClient's own host


def test_allowed_hosts_option_wins_over_variable_over_default():
    env = {ALLOWED_HOSTS_ENV: " a.example , b.example:8443 ,, "}
    assert allowed_hosts(environ={}) == DEFAULT_HOSTS
    assert allowed_hosts(environ=env) == ("a.example", "b.example:8443")
    assert allowed_hosts(["c.example"], environ=env) == ("c.example",)
    assert allowed_hosts([], environ=env) == ("a.example", "b.example:8443")
    assert allowed_hosts(environ={ALLOWED_HOSTS_ENV: " "}) == DEFAULT_HOSTS


@pytest.mark.parametrize(
    ("bind", "added"),
    [
        ("192.168.1.5", "192.168.1.5"),
        ("fe80::1", "[fe80::1]"),
        ("box.lan", "box.lan"),
        ("127.0.0.1", None),
        ("0.0.0.0", None),
        ("::", None),
    ],
)
def test_the_address_listened_on_is_allowed_unless_a_wildcard(bind, added):
    hosts = allowed_hosts(environ={}, bind=bind)
    assert hosts == (*DEFAULT_HOSTS, *([added] if added else []))


@pytest.mark.parametrize(
    "entry", ["http://example.org", "example.org/path", "exa mple.org", "*.", "*.[::1]", "a:b"]
)
def test_a_malformed_allowed_host_is_refused(entry):
    with pytest.raises(ParameterError, match="--allowed-host"):
        allowed_hosts([entry])
    with pytest.raises(ParameterError, match=ALLOWED_HOSTS_ENV):
        allowed_hosts(environ={ALLOWED_HOSTS_ENV: f"localhost,{entry}"})


def test_patterns_ports_and_star(summitry_home):
    client = TestClient(
        create_app(Limits(), allowed_hosts=["*.example.org", "box.lan:8443", "testserver"])
    )
    ok = ["app.example.org", "a.b.example.org:9000", "box.lan:8443", "testserver"]
    for host in ok:
        assert client.get("/api/models", headers={"host": host}).status_code == 200, host
    for host in ("example.org", "evilexample.org", "box.lan", "box.lan:8000", "localhost"):
        assert client.get("/api/models", headers={"host": host}).status_code == 400, host
    anyone = TestClient(create_app(Limits(), allowed_hosts=["*"]))
    for host in ("evil.example", "10.1.2.3:81", "localhost"):
        assert anyone.get("/api/models", headers={"host": host}).status_code == 200, host


def test_serve_takes_allowed_hosts_from_option_then_variable(monkeypatch, summitry_home):
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(
        uvicorn.Server, "run", lambda server, sockets=None: seen.update(app=server.config.app)
    )
    from summitry.web import serve as serving

    monkeypatch.setattr(serving, "_check_listen", lambda host, port: None)  # 10.0.0.7 is not here
    monkeypatch.setenv(ALLOWED_HOSTS_ENV, "env.example")
    args = ["serve", "--host", "10.0.0.7", "--allowed-host", "a.example"]
    r = CliRunner().invoke(cli_app, [*args, "--allowed-host", "b.example:8000"])
    assert r.exit_code == 0, r.output
    assert seen["app"].state.allowed_hosts == ("a.example", "b.example:8000", "10.0.0.7")
    r = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 0, r.output
    assert seen["app"].state.allowed_hosts == ("env.example",)
    monkeypatch.delenv(ALLOWED_HOSTS_ENV)
    r = CliRunner().invoke(cli_app, ["serve"])
    assert r.exit_code == 0, r.output
    assert seen["app"].state.allowed_hosts == DEFAULT_HOSTS
    r = CliRunner().invoke(cli_app, ["serve", "--allowed-host", "http://x.example/"])
    assert r.exit_code == 2 and "allowed host" in r.output


# -- writes from other sites ---------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "https://testserver.evil.example", "null", "http://127.0.0.2:8000"],
)
def test_a_cross_origin_write_is_403(client, origin):
    r = client.post("/api/validate", json=small(), headers={"origin": origin})
    assert_error(r, 403, "another site")
    r = client.delete("/api/jobs/abc", headers={"origin": origin})
    assert_error(r, 403)
    r = client.post("/api/forecast", json={"scenario": "cli-small"}, headers={"origin": origin})
    assert_error(r, 403)
    assert client.get("/api/runs").json()["total"] == 0


@pytest.mark.parametrize(
    "origin", ["http://testserver", "https://testserver", "http://localhost:8000", "http://[::1]"]
)
def test_a_write_from_this_server_or_an_allowed_host_passes(client, origin):
    r = client.post("/api/validate", json=small(), headers={"origin": origin})
    assert r.status_code == 200, r.text
    headers = {"origin": origin, "sec-fetch-site": "same-origin"}
    assert client.post("/api/validate", json=small(), headers=headers).status_code == 200


def test_same_origin_on_a_port_is_same_host_and_port(summitry_home, monkeypatch):
    monkeypatch.delenv(ALLOWED_HOSTS_ENV, raising=False)
    client = TestClient(create_app(Limits()), base_url="http://127.0.0.1:8123")
    headers = {"origin": "http://127.0.0.1:8123", "sec-fetch-site": "same-origin"}
    assert client.post("/api/validate", json=small(), headers=headers).status_code == 200
    star = TestClient(create_app(Limits(), allowed_hosts=["*"]), base_url="http://box.lan:8123")
    same = {"origin": "http://box.lan:8123"}
    assert star.post("/api/validate", json=small(), headers=same).status_code == 200
    other = {"origin": "http://box.lan:9999"}
    assert_error(star.post("/api/validate", json=small(), headers=other), 403)
    evil = {"origin": "http://evil.example"}  # "*" lets any host in, vouches for no origin
    assert_error(star.post("/api/validate", json=small(), headers=evil), 403)


def test_reads_with_a_foreign_origin_are_answered(client):
    r = client.get("/api/models", headers={"origin": "http://evil.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_a_cross_site_form_post_to_rerun_is_refused(client):
    run_id = a_run(client)
    form = {"content-type": "application/x-www-form-urlencoded"}
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"referer": "http://evil.example/page.html"},
        {"origin": "http://evil.example", "sec-fetch-site": "same-origin"},
    ):
        r = client.post(f"/api/runs/{run_id}/rerun", data={"x": "1"}, headers=headers)
        assert_error(r, 403, "another site")
    for kind in ("multipart/form-data; boundary=x", "text/plain"):
        r = client.post(
            f"/api/runs/{run_id}/rerun",
            content=b"x",
            headers={"content-type": kind, "origin": "http://evil.example"},
        )
        assert_error(r, 403)
    r = client.post(f"/api/runs/{run_id}/view", headers={"sec-fetch-site": "cross-site"})
    assert_error(r, 403)
    time.sleep(0.2)
    assert client.get("/api/runs").json()["total"] == 1  # no refused request ran anything
    # the app's own page and a client without these headers (curl) are served
    r = client.post(f"/api/runs/{run_id}/rerun", headers={**form, "sec-fetch-site": "same-origin"})
    assert r.status_code == 202, r.text
    r = client.post(f"/api/runs/{run_id}/rerun", data={"x": "1"})
    assert r.status_code == 202, r.text


def test_yaml_sent_as_text_plain_without_an_origin_still_validates(client):
    r = client.post(
        "/api/validate", content=SMALL.read_bytes(), headers={"content-type": "text/plain"}
    )
    assert r.status_code == 200, r.text


# -- headers on every response -------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(make_client):
    client = make_client(max_body=5000)
    run_id = a_run(client)
    answers = {
        "page": client.get("/"),
        "editor": client.get("/edit?scenario=ec-example"),
        "runs page": client.get("/runs"),
        "run page": client.get(f"/runs/{run_id}"),
        "missing run page": client.get("/runs/abcdef123456"),
        "report": client.get(f"/api/runs/{run_id}/report"),
        "api json": client.get("/api/models"),
        "openapi": client.get("/openapi.json"),
        "static js": client.get("/static/app.js"),
        "static css": client.get("/static/app.css"),
        "404": client.get("/api/runs/abcdef123456"),
        "404 route": client.get("/no/such/page"),
        "404 static": client.get("/static/nope.js"),
        "405": client.put("/api/models"),
        "413": client.post("/api/validate", content=b"a" * 6000),
        "415": client.post("/api/validate", content=b"x", headers={"content-type": "image/png"}),
        "422": client.post("/api/forecast", json={"scenario": "cli-small", "samples": 0}),
        "yaml": client.post("/api/yaml", json=small()),
    }
    expected = {"404": 404, "404 route": 404, "404 static": 404, "405": 405, "413": 413}
    expected |= {"missing run page": 404, "415": 415, "422": 422}
    for name, r in answers.items():
        assert r.status_code == expected.get(name, 200), (name, r.status_code, r.text[:200])
        assert_secured(r)
        assert r.headers["content-security-policy"] == POLICY, name


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/limits", "GET"),  # one of the app's own routes
        ("/api/jobs/abc", "DELETE, GET"),  # two routes on one path
        ("/runs", "GET"),  # a route of an included router
        ("/draft", "GET, POST"),
        ("/openapi.json", "GET, HEAD"),  # served with HEAD as well
    ],
)
def test_a_405_allows_exactly_the_methods_served(client, path, allowed):
    r = client.request("PATCH", path)
    assert r.status_code == 405
    assert r.headers["allow"] == allowed
    assert_secured(r)
    if "HEAD" not in allowed:
        assert client.head(path).status_code == 405


def test_an_unexpected_error_is_500_with_the_headers_and_no_details(make_client, monkeypatch):
    class Broken:
        def items(self):
            raise RuntimeError(f"broken under {tempfile.gettempdir()}/secret/place")

    monkeypatch.setattr(api, "MODELS", Broken())
    client = make_client()
    client = TestClient(client.app, raise_server_exceptions=False)
    r = client.get("/api/models")
    assert_error(r, 500, "internal error")
    assert "secret" not in r.text and "Traceback" not in r.text


def test_the_api_page_allows_only_its_own_inline_script(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger-ui" in r.text
    policy = r.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", r.text, re.DOTALL)
    assert scripts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "script-src 'self' https://cdn.jsdelivr.net 'sha256-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and r.headers["x-frame-options"] == "DENY"
    r = client.get("/redoc")
    assert r.status_code == 200 and "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_pages_need_nothing_the_policy_refuses(client):
    """No inline script, no event handler or style attribute; inline styles by hash."""
    run_id = a_run(client)
    for path in ("/", "/edit", "/runs", f"/runs/{run_id}", f"/api/runs/{run_id}/report"):
        r = client.get(path)
        assert r.status_code == 200, path
        html, policy = r.text, r.headers["content-security-policy"]
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
        assert not re.search(r"<[^>]+\sstyle\s*=", html), path
        assert "javascript:" not in html, path
        for src in re.findall(r"<(?:script|img|link)[^>]+(?:src|href)=\"([^\"]+)\"", html):
            assert src.startswith(("/", "data:image/png;base64,", "#")), (path, src[:40])
        styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
        assert styles, path
        for style in styles:
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, path
    view = client.get(f"/runs/{run_id}").text
    assert "data:image/png;base64," in view


# -- no paths of the server ----------------------------------------------------------------


def assert_no_paths(text: str, *paths) -> None:
    for path in (*paths, tempfile.gettempdir() + "/", str(Path.home()) + "/"):
        assert str(path) not in text, (str(path), text[:300])


def test_errors_never_show_the_run_store_or_temp_paths(client, summitry_home):
    store = summitry_home / "runs.sqlite"
    answers = [
        client.get("/api/runs/abcdef123456"),
        client.get("/api/runs/abcdef123456/report"),
        client.post("/api/runs/abcdef123456/rerun"),
        client.post("/api/runs/abcdef123456/view"),
        client.get("/runs/abcdef123456"),
    ]
    for r in answers:
        assert r.status_code == 404, r.text
        assert "abcdef123456" in r.text and "runs.sqlite" in r.text
        assert_no_paths(r.text, store, summitry_home)
    store.mkdir()  # a folder where the database should be: every use of the store fails
    answers = [
        client.get("/api/runs"),
        client.get("/api/runs/abcdef123456"),
        client.get("/runs"),
        client.get("/runs/abcdef123456"),
        client.post("/api/forecast", json={"scenario": small(), "models": FAST}),
    ]
    for r in answers:
        assert r.status_code == 422, r.text
        assert "is a folder" in r.json()["message"]
        assert_no_paths(r.text, store, summitry_home)
    job = client.post("/api/jobs", json={"scenario": small(), "models": FAST, "view": False})
    job_id = job.json()["job_id"]
    for _ in range(200):
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert job["status"] == "failed" and "is a folder" in job["error"]["message"]
    assert_no_paths(str(job), store, summitry_home)


def test_a_job_that_breaks_names_no_server_path(client, monkeypatch, summitry_home, in_process):
    secret = summitry_home / "deep" / "chart.png"

    def boom(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(secret))

    monkeypatch.setattr(work, "forecast", boom)
    r = client.post("/api/forecast", json={"scenario": small(), "models": FAST})
    assert r.status_code == 500 and "internal error" in r.json()["message"], r.text
    assert "chart.png" in r.text
    assert_no_paths(r.text, secret.parent, summitry_home)


def test_run_sources_show_a_file_name_not_its_folders(client, summitry_home):
    source = summitry_home / "cases" / "cli-small.yaml"
    run_id = RunStore().record(forecast(io.load(SMALL), ["median"]), source)
    listed = client.get("/api/runs").json()["runs"][0]
    assert listed["source"] == "cli-small.yaml"
    assert client.get(f"/api/runs/{run_id}").json()["source"] == "cli-small.yaml"
    page = client.get("/runs")
    assert '<td class="src">cli-small.yaml</td>' in page.text
    for r in (client.get("/api/runs"), client.get(f"/api/runs/{run_id}"), page):
        assert_no_paths(r.text, source.parent, summitry_home)


def test_without_paths_keeps_everything_but_the_folders():
    assert without_paths("no run 'x' in /srv/summitry/runs.sqlite; try again") == (
        "no run 'x' in runs.sqlite; try again"
    )
    assert without_paths("cannot use /var/lib/a b/runs.sqlite.", ["/var/lib/a b/runs.sqlite"]) == (
        "cannot use runs.sqlite."
    )
    assert without_paths(r"C:\Users\me\runs.sqlite: busy") == "runs.sqlite: busy"
    kept = "line 9 (positions.us.sanctions): 0/100, ../cases/x.yaml, http://127.0.0.1:8000/api/x"
    assert without_paths(kept) == kept
    tags = "name 'a</script><b>' has </b> in it; see /srv/x/a.yaml"
    assert without_paths(tags) == "name 'a</script><b>' has </b> in it; see a.yaml"
    assert source_name("/home/me/cases/hanoi.yaml") == "hanoi.yaml"
    assert source_name("korea-hanoi-2019") == "korea-hanoi-2019"
    assert source_name("cases/hanoi.yaml") == "cases/hanoi.yaml"
    error = ApiError(404, "gone from /tmp/x/y/runs.sqlite", rule="/tmp/x/rule.txt")
    assert error.body["message"] == "gone from runs.sqlite"
    assert error.body["rule"] == "rule.txt"


def test_the_test_apps_allow_testserver_but_production_does_not(client):
    assert "testserver" in client.app.state.allowed_hosts
    assert "testserver" not in DEFAULT_HOSTS
