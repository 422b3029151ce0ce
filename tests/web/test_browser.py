"""The web app in a real browser: Debian's Chromium driven by Playwright.

These tests need ``/usr/bin/chromium`` (Debian package ``chromium``; ``.ci/run``
installs it) and the ``playwright`` package; Playwright never downloads a browser here.
Without them the tests are skipped, unless ``SUMMITRY_BROWSER_TESTS=required`` (set by
``.ci/run``) makes that a failure. Pages are seen at 1280x800; screenshots of the main
pages go to ``$SUMMITRY_SCREENSHOTS`` when it is set (``SUMMITRY_SCREENSHOTS=docs/web``
renews the pictures of docs/web.md), else to a temporary folder.
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
VIEWPORT = {"width": 1280, "height": 800}
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


pytestmark = pytest.mark.browser

uvicorn = pytest.importorskip("uvicorn")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

from PIL import Image  # noqa: E402

from summitry import io  # noqa: E402
from summitry.web.api import create_app  # noqa: E402
from summitry.web.limits import Limits  # noqa: E402

FAST = ["compromise", "median", "nash"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The run store of the test server (and of its ledger)."""
    return tmp_path_factory.mktemp("browser-home") / "runs.sqlite"


@pytest.fixture(scope="module")
def base_url(store):
    """A real server on a loopback port, with its own run store."""
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
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: ``$SUMMITRY_SCREENSHOTS``, else a temporary folder."""
    folder = os.environ.get("SUMMITRY_SCREENSHOTS")
    found = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    found.mkdir(parents=True, exist_ok=True)
    return found


@pytest.fixture
def shot(shots):
    """Call with a page and a name: save what the 1280x800 window shows as a small PNG."""

    def take(page, name: str) -> Path:
        path = shots / f"{name}.png"
        page.screenshot(path=str(path))
        small = Image.open(path).convert("RGB").quantize(colors=128, dither=Image.Dither.NONE)
        small.save(path, optimize=True)
        return path

    return take


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


def test_home_lists_the_bundled_scenarios_and_opens_one(page, shot):
    page.goto("/")
    cards = page.locator("#bundled a.card")
    expect(cards).to_have_count(4)
    page.click('a[data-scenario="korea-singapore-2018"]')
    expect(page.locator("#scenario-name")).to_have_text("korea-singapore-2018")
    expect(page.locator("#grid tbody tr")).to_have_count(6)
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    shot(page, "editor")


@pytest.mark.slow
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
    run_id = page.url.rsplit("/", 1)[1]
    stored = page.request.get(f"{base_url}/api/runs/{run_id}").json()
    assert stored["scenario"]["positions"]["us"]["sanctions"]["salience"] == 0.4
    assert stored["models"] == {m: stored["models"][m] for m in FAST}


def test_an_invalid_value_is_named_next_to_its_cell(page, shot):
    open_editor(page, "korea-hanoi-2019")
    salience = cell(page, "china", "peace", "salience")
    salience.fill("1.5")
    message = page.locator('td[data-cell="china.peace"] .cell-error')
    expect(message).to_contain_text("salience 1.5 lies outside [0, 1]")
    expect(salience).to_have_class(re.compile("invalid"))
    expect(page.locator("#run")).to_be_disabled()
    salience.evaluate("input => input.scrollIntoView({block: 'center'})")
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
    assert download.value.suggested_filename == "korea-singapore-2018-edited.yaml"
    saved = tmp_path / "edited.yaml"
    download.value.save_as(saved)
    scenario = io.load(saved)
    assert scenario.positions["japan"]["peace"].position == 42
    assert scenario.name == "korea-singapore-2018 (edited)"


def test_upload_opens_the_file_in_the_editor_or_names_its_fault(page, shot):
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_beliefs_and_timeline_views(page):
    open_editor(page, "korea-hanoi-2019")
    expect(page.locator("#beliefs-section")).to_be_visible()
    expect(page.locator("#beliefs table")).to_contain_text("North Korea")
    open_editor(page, "korea-2017-2019")
    events = page.locator("#events table tbody tr")
    expect(events).to_have_count(len(io.load("korea-2017-2019").events))
    run_and_wait(page, samples=1, models=["compromise", "nash"])
    timeline = page.locator("section#timeline")
    expect(timeline).to_be_visible()
    expect(timeline.locator("img")).to_be_visible()


@pytest.mark.slow
def test_run_history_rerun_and_report_download(page, tmp_path, shot):
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


@pytest.mark.slow
def test_two_users_never_see_each_others_edits(browser, base_url):
    a = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
    b = browser.new_context(base_url=base_url, viewport=VIEWPORT).new_page()
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
    assert runs[a]["scenario"]["name"] == "korea-singapore-2018 (edited)"
    assert runs[b]["scenario"]["name"] == "korea-hanoi-2019 (edited)"
    assert runs[a]["scenario"]["positions"]["us"]["peace"]["position"] == 11
    assert runs[b]["scenario"]["positions"]["us"]["peace"]["position"] == 99
    b.reload()
    expect(b.locator("#headline h1")).to_have_text("korea-hanoi-2019 (edited)")
    expect(b.locator("#report")).to_be_visible()
    a.context.close()
    b.context.close()


def test_chromium_is_the_debian_one():
    _need(f"{CHROMIUM} is missing", Path(CHROMIUM).exists())
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()


def _run_page(page, base_url, scenario: str, models=None, samples: int = 5) -> str:
    """Record a run with its page drawn (no drivers or timeline); its page's path."""
    body = {"scenario": scenario, "models": models, "samples": samples, "analyses": False}
    job = page.request.post(f"{base_url}/api/jobs", data=body).json()
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
        job = page.request.get(f"{base_url}/api/jobs/{job['job_id']}").json()
    assert job["status"] == "done", job
    return job["result"]["view"]


def _inside_the_window(box) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= VIEWPORT["width"]
        and box["y"] + box["height"] <= VIEWPORT["height"]
    )


@pytest.mark.slow
def test_the_headline_shows_without_scrolling_at_1280x800(page, base_url, shot):
    view = _run_page(page, base_url, "korea-hanoi-2019")  # every model, P(deal)
    page.goto(view)
    expect(page.locator("#report")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    headline = page.locator("#headline-table")
    for issue in ("denuclearization", "sanctions", "exercises", "peace", "economic"):
        expect(headline.locator(f'tr[data-issue="{issue}"]')).to_be_visible()
    expect(headline.locator("tr.deal")).to_contain_text("P(deal)")
    expect(headline.locator("thead")).to_contain_text("exchange")
    box = headline.bounding_box()
    assert _inside_the_window(box), box
    assert _inside_the_window(page.locator("#headline h1").bounding_box())
    shot(page, "run")
    # a scenario without vetoes has no P(deal) row
    view = _run_page(page, base_url, "ec-example", ["compromise", "median"], samples=1)
    page.goto(view)
    expect(page.locator("#headline-table tr.deal")).to_have_count(0)
    expect(page.locator('#headline-table tr[data-issue="emissions"]')).to_contain_text("7.39")
    assert _inside_the_window(page.locator("#headline-table").bounding_box())


@pytest.mark.slow
def test_an_edited_run_is_named_as_edited_in_pages_and_lists(page, base_url):
    open_editor(page, "ec-example")
    name = page.locator("#run-name")
    expect(name).to_have_value("ec-example")
    salience = cell(page, "france", "emissions", "salience")
    salience.fill("0.9")
    expect(name).to_have_value("ec-example (edited)")
    expect(page.locator("#scenario-name")).to_have_text("ec-example (edited)")
    salience.fill("0.6")  # back to the original: the original's name again
    expect(name).to_have_value("ec-example")
    salience.fill("0.9")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    run_and_wait(page, samples=1, models=["compromise"])
    edited = page.url.rsplit("/", 1)[1]
    expect(page.locator("#headline h1")).to_have_text("ec-example (edited)")
    expect(page).to_have_title(re.compile(r"ec-example \(edited\)"))
    page.goto("/runs")
    expect(page.locator(f'tr[data-run="{edited}"]')).to_contain_text("ec-example (edited)")
    # editing the edited run again keeps one "(edited)"; a name typed in wins
    page.goto(f"/edit?run={edited}")
    expect(name).to_have_value("ec-example (edited)")
    cell(page, "france", "emissions", "salience").fill("0.8")
    expect(name).to_have_value("ec-example (edited)")
    name.fill("ec-example, France cares more")
    cell(page, "france", "emissions", "salience").fill("0.85")
    expect(name).to_have_value("ec-example, France cares more")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    run_and_wait(page, samples=1, models=["compromise"])
    expect(page.locator("#headline h1")).to_have_text("ec-example, France cares more")
    stored = page.request.get(f"{base_url}/api/runs/{page.url.rsplit('/', 1)[1]}").json()
    assert stored["scenario_name"] == "ec-example, France cares more"
    # an empty name is refused beside the field
    page.goto(f"/edit?run={edited}")
    name.fill("")
    expect(page.locator("#run-form .cell-error")).to_be_visible()
    expect(page.locator("#run")).to_be_disabled()


def test_the_editor_shows_scale_anchors_and_evidence_beside_the_numbers(page, shot):
    open_editor(page, "korea-hanoi-2019")
    anchors = page.locator('th[data-issue="sanctions"] .anchors')
    expect(anchors).to_contain_text("0 sanctions tightened beyond the 2016-17 UN resolutions")
    expect(anchors).to_contain_text("100 all UN Security Council sanctions lifted")
    position = page.locator('[data-evidence="positions.us.denuclearization.position"]')
    expect(position.locator("summary")).to_have_text("2 sources")
    expect(position.locator("li").first).to_be_hidden()
    position.locator("summary").click()
    first = position.locator("li").first
    expect(first).to_be_visible()
    expect(first).to_contain_text("complete, verifiable, irreversible disarmament")
    expect(first).to_contain_text("000_360bcfc58bd5f3b7.txt, paragraph 11")
    salience = page.locator('[data-evidence="positions.us.sanctions.salience"]')
    expect(salience.locator("summary")).to_have_text("1 source")
    capability = page.locator('[data-evidence="actors.china.capability"]')
    expect(capability.locator("summary")).to_have_text("3 sources")
    status_quo = page.locator('[data-evidence="issues.sanctions.status_quo"]')
    expect(status_quo.locator("summary")).to_contain_text("source")
    title = cell(page, "us", "sanctions", "position").get_attribute("title")
    assert "0 (sanctions tightened" in title and "100 (all UN Security Council" in title
    page.locator("#grid").evaluate("grid => grid.scrollIntoView()")
    shot(page, "editor-evidence")
    # a number without evidence says so; evidence on a whole actor shows at its capability
    open_editor(page, "ec-example")
    expect(page.locator('[data-evidence="positions.france.emissions.position"]')).to_have_text(
        "no source"
    )
    expect(page.locator('[data-evidence="actors.france.capability"] summary')).to_have_text(
        "1 source"
    )


KTAB = (
    "Trade talks,Two dimensions,3,2,\n"
    "Actor,Description,Influence,Tariff Position,Tariff Salience,Quota Position,Quota Salience,\n"
    "A1,First actor,10,20,40,30,50,\n"
    "A2,Second actor,20,80,30,60,40,\n"
    "A3,Third actor,30,50,20,10,60,\n"
)


def test_upload_reads_the_csv_and_decide_formats(page, tmp_path):
    trade = tmp_path / "trade-talks.csv"
    trade.write_text(KTAB, encoding="utf-8")
    page.goto("/")
    page.set_input_files("#upload-file", str(trade))
    page.click("#upload button")
    expect(page.locator("#grid tbody tr")).to_have_count(3)
    expect(page.locator("#grid thead")).to_contain_text("Tariff")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    page.goto("/")
    page.set_input_files("#upload-file", str(DATA / "decide" / "cap-3x2.txt"))
    page.click("#upload button")
    expect(page.locator("#scenario-name")).to_have_text("cap-3x2")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
    # the format chosen by hand wins over detection, and a fault names its row
    page.goto("/")
    page.select_option("#upload-format", "eum")
    page.set_input_files("#upload-file", str(trade))
    page.click("#upload button")
    error = page.locator("#upload-error")
    expect(error).to_contain_text("trade-talks.csv: row 1")
    bad = tmp_path / "bad.csv"
    bad.write_text("Actor,Capability,Position,Salience\nA,1,2,lots\n", encoding="utf-8")
    page.select_option("#upload-format", "")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload button")
    expect(error).to_contain_text("bad.csv: row 2, column salience")


def test_the_ledger_page_shows_sealed_questions_and_scores(page, store, shot):
    from summitry.forecast import forecast
    from summitry.io import load
    from summitry.ledger import Ledger, Question

    result = forecast(load("korea-hanoi-2019"), ["compromise", "median", "nash"], samples=20)
    book = Ledger(store)
    text = "Will the US and North Korea sign a written agreement on denuclearization steps?"
    sealed = book.seal(result, Question.parse(text, "A text signed by both", "2027-06-30"))
    other = book.seal(
        result, Question.parse("Talks resumed at working level?", "A meeting", "2027-06-30")
    )
    book.grade(other["id"], "no", early=True)
    page.goto("/ledger")
    expect(page.locator(f'tr[data-question="{sealed["id"]}"]')).to_contain_text("open")
    expect(page.locator(f'tr[data-question="{other["id"]}"]')).to_contain_text("no (early)")
    expect(page.locator("body")).to_contain_text("Chain intact")
    shot(page, "ledger")


def test_advise_an_actor_and_read_the_levers(page, shot):
    page.goto("/advise?scenario=korea-hanoi-2019")
    page.select_option("#actor", "us")
    for box in page.locator("#advise-form input[name=model]").all():
        box.set_checked(box.get_attribute("value") in ("compromise", "nash"))
    page.fill("#samples", "50")
    page.click("#advise-form button[type=submit]")
    page.wait_for_url(re.compile(r"/advise/jobs/[0-9a-f]+$"))
    expect(page.locator("#levers tbody tr").first).to_be_visible(timeout=120_000)
    expect(page.locator("h1")).to_contain_text("What us can do in korea-hanoi-2019")
    assert page.locator("#levers tbody tr").count() == 8
    shot(page, "advise")


SEEDS = Path("/work/shared/seeds")
SEED_DOCS = ("000_360bcfc58bd5f3b7.txt", "002_b34a1d02e1a42f2b.txt")


def test_draft_a_scenario_from_two_documents_and_open_it(page, shot):
    if not all((SEEDS / name).exists() for name in SEED_DOCS):
        pytest.skip(f"the seed documents are not in {SEEDS}")
    page.goto("/draft")
    page.set_input_files("#draft-files", [str(SEEDS / name) for name in SEED_DOCS])
    page.fill("#draft-name", "seed talks")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url(re.compile(r"/draft/[0-9a-f]{16}$"))
    expect(page.locator("h1")).to_have_text("Draft: seed talks")
    assert page.locator("#draft-actors tbody tr").count() >= 2
    assert page.locator("#draft-issues tbody tr").count() >= 1
    expect(page.locator("ol.passages li").first).to_contain_text(", paragraph ")
    shot(page, "draft")
    page.click("#draft-edit")
    expect(page.locator("#scenario-name")).to_have_text("seed talks")
    expect(page.locator("#validity")).to_have_text(re.compile("^valid"))
