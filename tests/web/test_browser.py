"""The web app in a real browser: Debian's Chromium driven by Playwright.

These tests need ``/usr/bin/chromium`` (Debian package ``chromium``; ``.ci/run``
installs it) and the ``playwright`` package; Playwright never downloads a browser here.
Without them the tests are skipped, unless ``SUMMITRY_BROWSER_TESTS=required`` (set by
``.ci/run``) makes that a failure. Screenshots of the main pages go to
``artifacts/screenshots/`` (or ``$SUMMITRY_SCREENSHOTS``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

REQUIRED = os.environ.get("SUMMITRY_BROWSER_TESTS") == "required"
CHROMIUM = os.environ.get("SUMMITRY_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHOTS = Path(os.environ.get("SUMMITRY_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
# Flags for a sandboxed, offline machine (no background connections, no GPU).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    if REQUIRED:
        pytest.fail(f"browser tests are required here but {what}")
    pytest.skip(what)


uvicorn = pytest.importorskip("uvicorn")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

from summitry import io  # noqa: E402
from summitry.web.api import create_app  # noqa: E402
from summitry.web.limits import Limits  # noqa: E402

FAST = ["compromise", "median", "nash"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """A real server on a loopback port, with its own run store."""
    store = tmp_path_factory.mktemp("browser-home") / "runs.sqlite"
    port = _free_port()
    config = uvicorn.Config(
        create_app(Limits(), store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    _need("the playwright package is missing (pip install playwright)", sync_playwright)
    _need(f"{CHROMIUM} is missing (apt-get install chromium)", Path(CHROMIUM).exists())
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


def shot(page, name: str, part=None) -> None:
    """Save a screenshot: of ``part`` (a locator) when given, else of the whole page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"{name}.png")
    if part is None:
        page.screenshot(path=path, full_page=True)
    else:
        part.screenshot(path=path)


def cell(page, actor: str, issue: str, what: str):
    return page.locator(f'[data-path="positions.{actor}.{issue}.{what}"]')


def open_editor(page, name: str) -> None:
    page.goto(f"/edit?scenario={name}")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))


def run_and_wait(page, samples: int = 20, models=FAST) -> None:
    for box in page.locator("input[name=model]").all():
        box.set_checked(box.get_attribute("value") in models)
    page.fill("#samples", str(samples))
    page.click("#run")
    page.wait_for_url(re.compile(r"/runs/[0-9a-f]{12}$"))


def test_home_lists_the_bundled_scenarios_and_opens_one(page):
    page.goto("/")
    cards = page.locator("#bundled a.card")
    expect(cards).to_have_count(4)
    shot(page, "home")
    page.click('a[data-scenario="korea-singapore-2018"]')
    expect(page.locator("#scenario-name")).to_have_text("korea-singapore-2018")
    expect(page.locator("#grid tbody tr")).to_have_count(6)
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    shot(page, "editor")


def test_edit_a_salience_run_and_see_the_forecast(page, base_url):
    open_editor(page, "korea-hanoi-2019")
    cell(page, "us", "sanctions", "salience").fill("0.4")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    run_and_wait(page)
    forecast = page.locator("#forecast table")
    expect(forecast).to_be_visible()
    for issue in ("denuclearization", "sanctions", "exercises", "peace", "economic"):
        expect(forecast).to_contain_text(issue)
    for section in ("deal", "winners", "drivers", "miscalculation"):
        expect(page.locator(f"section#{section}")).to_be_visible()
    chart = page.locator("#charts img").first
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100")
    shot(page, "forecast")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "forecast-top.png"))
    for section in ("deal", "winners", "drivers"):
        shot(page, f"forecast-{section}", page.locator(f"section#{section}"))
    run_id = page.url.rsplit("/", 1)[1]
    stored = page.request.get(f"{base_url}/api/runs/{run_id}").json()
    assert stored["scenario"]["positions"]["us"]["sanctions"]["salience"] == 0.4
    assert stored["models"] == {m: stored["models"][m] for m in FAST}


def test_an_invalid_value_is_named_next_to_its_cell(page):
    open_editor(page, "korea-hanoi-2019")
    salience = cell(page, "china", "peace", "salience")
    salience.fill("1.5")
    message = page.locator('td[data-cell="china.peace"] .cell-error')
    expect(message).to_contain_text("salience 1.5 lies outside [0, 1]")
    expect(salience).to_have_class(re.compile("invalid"))
    expect(page.locator("#run")).to_be_disabled()
    shot(page, "editor-invalid")
    salience.fill("0.5")
    expect(message).to_have_count(0)
    capability = page.locator('[data-path="actors[0].capability"]')
    capability.fill("lots")
    expect(page.locator(".cell-error")).to_contain_text("capability must be a number")
    capability.fill("1")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    expect(page.locator("#run")).to_be_enabled()


def test_edits_survive_a_reload_until_the_user_starts_over(page):
    open_editor(page, "korea-singapore-2018")
    expect(page.locator("#kept")).to_be_hidden()
    cell(page, "russia", "economic", "salience").fill("0.25")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    page.reload()
    expect(page.locator("#kept")).to_be_visible()
    expect(cell(page, "russia", "economic", "salience")).to_have_value("0.25")
    page.click("#start-over")
    expect(page.locator("#kept")).to_be_hidden()
    expect(cell(page, "russia", "economic", "salience")).to_have_value("0.7")


def test_an_edited_scenario_saves_as_yaml_that_reads_back(page, tmp_path):
    open_editor(page, "korea-singapore-2018")
    cell(page, "japan", "peace", "position").fill("42")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    with page.expect_download() as download:
        page.click("#save")
    assert download.value.suggested_filename == "korea-singapore-2018.yaml"
    saved = tmp_path / "edited.yaml"
    download.value.save_as(saved)
    scenario = io.load(saved)
    assert scenario.positions["japan"]["peace"].position == 42


def test_upload_opens_the_file_in_the_editor_or_names_its_fault(page, tmp_path):
    page.goto("/")
    page.set_input_files("#upload-file", str(DATA / "cli-small.yaml"))
    page.click("#upload button")
    expect(page.locator("#scenario-name")).to_have_text("cli-small")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    page.goto("/")
    page.set_input_files("#upload-file", str(DATA / "cli-bad-salience.yaml"))
    page.click("#upload button")
    error = page.locator("#upload-error")
    expect(error).to_contain_text("cli-bad-salience.yaml: line")
    expect(error).to_contain_text("salience")
    shot(page, "upload-error")


def test_a_long_run_shows_progress_and_can_be_cancelled(page, base_url):
    before = page.request.get(f"{base_url}/api/runs").json()["total"]
    open_editor(page, "korea-2017-2019")
    for box in page.locator("input[name=model]").all():
        box.set_checked(True)
    page.fill("#samples", "1000")
    page.click("#run")
    expect(page.locator("#job progress")).to_be_visible()
    page.click("#job button.cancel")
    expect(page.locator("#job .stage")).to_have_text("cancelled", timeout=120_000)
    expect(page.locator("#run")).to_be_enabled()
    assert page.request.get(f"{base_url}/api/runs").json()["total"] == before


def test_beliefs_and_timeline_views(page):
    open_editor(page, "korea-hanoi-2019")
    expect(page.locator("#beliefs-section")).to_be_visible()
    expect(page.locator("#beliefs table")).to_contain_text("North Korea")
    open_editor(page, "korea-2017-2019")
    events = page.locator("#events table tbody tr")
    expect(events).to_have_count(len(io.load("korea-2017-2019").events))
    shot(page, "editor-events")
    run_and_wait(page, samples=1, models=["compromise", "nash"])
    timeline = page.locator("section#timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("img")).to_be_visible()
    shot(page, "timeline", timeline)


def test_run_history_rerun_and_report_download(page, tmp_path):
    open_editor(page, "ec-example")
    run_and_wait(page, samples=5, models=["compromise", "median"])
    first = page.url.rsplit("/", 1)[1]
    page.goto("/runs")
    row = page.locator(f'tr[data-run="{first}"]')
    expect(row).to_be_visible()
    shot(page, "runs")
    with page.expect_download() as download:
        row.locator("a", has_text="report").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in text and "ec-example" in text and "data:image/png" in text
    row.locator("button.rerun").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f]{12}$"))
    second = page.url.rsplit("/", 1)[1]
    assert second != first
    expect(page.locator("#forecast table")).to_contain_text("7.39")
    page.goto("/runs")
    page.locator(f'tr[data-run="{first}"] a', has_text="edit").click()
    expect(page.locator("#scenario-name")).to_have_text("ec-example")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))


def test_an_unknown_scenario_or_run_says_so(page):
    page.goto("/edit?scenario=no-such-case")
    expect(page.locator("#load-error")).to_contain_text("no bundled scenario 'no-such-case'")
    response = page.goto("/runs/abcdef123456")
    assert response.status == 404
    expect(page.locator(".error-banner")).to_contain_text("abcdef123456")


def test_two_users_never_see_each_others_edits(browser, base_url):
    a = browser.new_context(base_url=base_url).new_page()
    b = browser.new_context(base_url=base_url).new_page()
    open_editor(a, "korea-singapore-2018")
    open_editor(b, "korea-hanoi-2019")
    cell(a, "us", "peace", "position").fill("11")
    cell(b, "us", "peace", "position").fill("99")
    for p in (a, b):
        expect(p.locator("#validity")).to_have_text(re.compile("^valid"))
        for box in p.locator("input[name=model]").all():
            box.set_checked(box.get_attribute("value") == "compromise")
        p.fill("#samples", "1")
    a.click("#run")
    b.click("#run")
    for p in (a, b):
        p.wait_for_url(re.compile(r"/runs/[0-9a-f]{12}$"))
    runs = {
        p: p.request.get(f"{base_url}/api/runs/{p.url.rsplit('/', 1)[1]}").json() for p in (a, b)
    }
    assert runs[a]["scenario"]["name"] == "korea-singapore-2018"
    assert runs[b]["scenario"]["name"] == "korea-hanoi-2019"
    assert runs[a]["scenario"]["positions"]["us"]["peace"]["position"] == 11
    assert runs[b]["scenario"]["positions"]["us"]["peace"]["position"] == 99
    b.reload()
    expect(b.locator("#report h1")).to_have_text("korea-hanoi-2019")
    a.context.close()
    b.context.close()


def test_chromium_is_the_debian_one():
    _need(f"{CHROMIUM} is missing", Path(CHROMIUM).exists())
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()
