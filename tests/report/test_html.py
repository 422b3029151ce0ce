import html
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry import io
from summitry.cli import app
from summitry.forecast import forecast
from summitry.report import html as report_html
from summitry.report.html import CHART_FILES, ReportExtras, build_report
from summitry.scenario import Scenario
from summitry.store import RunStore

DATA = Path(__file__).parents[1] / "data"
SMALL = str(DATA / "cli-small.yaml")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//|@import|url\(""", re.I)


def extras_for(scenario: Scenario) -> ReportExtras:
    models = ("compromise", "eum")
    actors = scenario.actor_ids
    return ReportExtras(
        p_deal={"compromise": 0.75, "eum": 0.4},
        blocking={m: {actors[0]: 0.2, actors[1]: 0.1} for m in models},
        winners={
            m: {a: (0.1 * k - 0.2, 0.1 * k - 0.3, 0.1 * k) for k, a in enumerate(actors)}
            for m in models
        },
        drivers={i: [(f"positions of {actors[0]}", 0.6, 0.1, 0.5)] for i in scenario.issue_ids},
        notes={"drivers": "Hand-made <numbers> & more."},
    )


@pytest.fixture(scope="module", params=[("ec-example", 1), ("korea-hanoi-2019", 32)], ids=str)
def built(request, tmp_path_factory):
    name, samples = request.param
    scenario = io.load(name)
    result = forecast(scenario, ["compromise", "eum"], seed=2, samples=samples)
    out = tmp_path_factory.mktemp("report") / "out"
    page = build_report(result, out)
    return scenario, out, page.read_text(encoding="utf-8")


def test_page_and_charts_are_written(built):
    _, out, text = built
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "outcomes.png",
        "trajectories.png",
    ]
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")


def test_page_names_every_issue_actor_and_evidence(built):
    scenario, _, text = built
    for issue in scenario.issues:
        assert html.escape(issue.id) in text
    for actor in scenario.actors:
        assert html.escape(actor.id) in text and html.escape(actor.label) in text
    for ev in scenario.evidence:
        assert html.escape(ev.rationale) in text
        assert html.escape(ev.supports) in text
    assert scenario.digest() in text


def test_images_are_embedded_and_nothing_is_external(built):
    _, out, text = built
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == len(list(out.glob("*.png"))) == 2
    assert not EXTERNAL.search(text)
    assert (
        "http://" not in text.split("</style>")[0] and "https://" not in text.split("</style>")[0]
    )


def test_missing_analyses_are_marked_not_computed(built):
    _, _, text = built
    assert text.count("Not computed for this report") == 3


def test_same_seed_gives_byte_identical_reports(tmp_path):
    scenario = io.load("ec-example")
    for k in (1, 2):
        result = forecast(scenario, ["compromise", "eum"], seed=7, samples=4)
        build_report(result, tmp_path / str(k))
    files = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert files == ["index.html", "outcomes.png", "trajectories.png"]
    for name in files:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_extras_fill_their_sections_and_stale_charts_go(tmp_path):
    scenario = io.load("ec-example")
    result = forecast(scenario, ["compromise", "eum"], seed=1)
    text = build_report(result, tmp_path, extras=extras_for(scenario)).read_text()
    assert "Not computed" not in text
    assert text.count("data:image/png;base64,") == 5
    drawn = ["deal.png", "drivers.png", "outcomes.png", "trajectories.png", "winners.png"]
    assert set(drawn) <= set(CHART_FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index.html", *drawn])
    assert "Hand-made &lt;numbers&gt; &amp; more." in text
    assert "75%" in text and "positions of netherlands" in text
    build_report(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "index.html",
        "outcomes.png",
        "trajectories.png",
    ]


def test_values_an_analysis_could_not_estimate_show_as_dashes():
    scenario = io.load("korea-hanoi-2019")
    result = forecast(scenario, ["compromise"])
    extras = ReportExtras(
        p_deal={"compromise": None},
        winners={"compromise": {scenario.actor_ids[0]: (None, None, None)}},
        drivers={scenario.issue_ids[0]: [("a", None, None, None), ("b", 0.5, 0.1, 0.4)]},
    )
    images = {name: b"png" for name in CHART_FILES}
    text = report_html.render_html(result, images, extras)
    assert "— <span class=dim>[—, —]</span>" in text and "0.500 ± 0.100" in text
    assert text.index("0.500 ± 0.100") < text.index("— ± —")


def test_every_user_string_is_escaped(tmp_path):
    evil = "<script>alert('x')</script> & \"q\""
    scenario = Scenario.from_dict(
        {
            "name": evil,
            "description": evil,
            "issues": [
                {"id": "<i>", "description": evil, "scale": {"min": 0, "max": 1, "low": evil}}
            ],
            "actors": [{"id": "a&b", "name": evil, "capability": 1}],
            "positions": {"a&b": {"<i>": {"position": 0.4, "salience": 1}}},
            "metadata": {"note": evil, "list": [evil, {"k": evil}]},
            "evidence": [
                {"supports": "scenario", "source": evil, "paragraph": 2, "rationale": evil}
            ],
        }
    )
    text = build_report(forecast(scenario, ["compromise"]), tmp_path).read_text()
    assert "<script>" not in text and "<i>" not in text and "a&b" not in text
    assert html.escape(evil) in text


def test_a_failure_leaves_no_report_and_no_temporary_folder(tmp_path, monkeypatch):
    result = forecast(io.load("ec-example"), ["compromise"])

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_html.os, "fsync", broken)
    with pytest.raises(OSError):
        build_report(result, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_report_is_kept_when_writing_fails(tmp_path, monkeypatch):
    result = forecast(io.load("ec-example"), ["compromise"])
    page = build_report(result, tmp_path / "out")
    before = page.read_bytes()
    monkeypatch.setattr(report_html, "render_html", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        build_report(result, tmp_path / "out")
    assert page.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_file_in_the_way_is_an_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("keep me")
    with pytest.raises(NotADirectoryError):
        build_report(forecast(io.load("ec-example"), ["compromise"]), target)
    assert target.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.fixture(scope="module")
def small_result():
    return forecast(io.load("ec-example"), ["compromise"])


def test_an_existing_report_is_replaced_whole(tmp_path, small_result):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o750)
    for name in ("drivers.png", "an-older-chart.png", "index.html"):
        (out / name).write_bytes(b"stale")
    page = build_report(small_result, out)
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "outcomes.png",
        "trajectories.png",
    ]
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert (out.stat().st_mode & 0o777) == 0o750  # the folder keeps its permissions
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failed_move_puts_the_old_report_back(tmp_path, monkeypatch, small_result):
    out = tmp_path / "out"
    build_report(small_result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    rename = os.rename

    def refuse_the_new_folder(src, dst):
        if str(src).endswith(".tmp"):
            raise OSError(13, "Permission denied", str(dst))
        rename(src, dst)

    monkeypatch.setattr(report_html.os, "rename", refuse_the_new_folder)
    with pytest.raises(OSError, match="Permission denied"):
        build_report(forecast(io.load("ec-example"), ["compromise", "median"]), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_failure_while_writing_keeps_the_old_report(tmp_path, monkeypatch, small_result):
    out = tmp_path / "out"
    build_report(small_result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_html.os, "fsync", broken)
    with pytest.raises(OSError, match="No space"):
        build_report(small_result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("other", ["notes.txt", "sub/", "index.html/"])
def test_a_folder_holding_other_work_is_not_replaced(tmp_path, small_result, other):
    out = tmp_path / "out"
    out.mkdir()
    (out / "outcomes.png").write_bytes(b"old")
    if other.endswith("/"):
        (out / other.rstrip("/")).mkdir()
    else:
        (out / other).write_text("mine")
    with pytest.raises(FileExistsError, match="not part of a report"):
        build_report(small_result, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(["outcomes.png", other.rstrip("/")])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_link_to_a_report_folder_stays_a_link(tmp_path, small_result):
    real = tmp_path / "real"
    build_report(small_result, real)
    (real / "drivers.png").write_bytes(b"stale")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    page = build_report(small_result, link)
    assert page == link / "index.html" and link.is_symlink()
    assert sorted(p.name for p in real.iterdir()) == [
        "index.html",
        "outcomes.png",
        "trajectories.png",
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_a_folder_that_cannot_be_written_is_not_replaced(tmp_path, small_result):
    out = tmp_path / "out"
    build_report(small_result, out)
    out.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            build_report(small_result, out)
        assert [p.name for p in tmp_path.iterdir()] == ["out"]
    finally:
        out.chmod(0o755)


def test_the_current_folder_is_not_replaced(tmp_path, monkeypatch, small_result):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IsADirectoryError, match="folder of its own"):
        build_report(small_result, ".")
    assert list(tmp_path.iterdir()) == []


# -- command line --------------------------------------------------------------------------

runner = CliRunner()


def test_cli_report_writes_the_page_and_records_the_run(tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", SMALL, "-o", str(out), "-m", "eum"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out / "index.html")
    # the small scenario has a status quo on one issue, so winners and losers are scored
    assert sorted(p.name for p in out.iterdir()) == [
        "drivers.png",  # Sobol indices of the compromise model, by default
        "index.html",
        "outcomes.png",
        "trajectories.png",
        "winners.png",
    ]
    assert "Sobol indices of the compromise model" in (out / "index.html").read_text()
    assert (
        "each actor's gain or loss against the status quo" not in (out / "index.html").read_text()
    )
    assert result.stderr.strip().startswith("recorded as run ")
    assert RunStore().count() == 1


def test_cli_report_no_store_records_nothing(tmp_path):
    out = tmp_path / "report"
    args = ["report", SMALL, "--output", str(out), "-m", "median", "--samples", "3", "--no-store"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and RunStore().count() == 0
    assert "3 samples" in (out / "index.html").read_text()


@pytest.mark.parametrize(
    "args",
    [
        [str(DATA / "cli-bad-salience.yaml")],
        [str(DATA / "cli-bad-syntax.yaml")],
        [str(DATA / "no-such-file.yaml")],
        [SMALL, "-m", "no-such-model"],
        [SMALL, "--no-store", "--store", "x.sqlite"],
    ],
)
def test_cli_report_mistakes_exit_2_and_write_nothing(tmp_path, args):
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", *args, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert not out.exists() and os.listdir(tmp_path) == []


def test_cli_report_needs_an_output_folder():
    result = runner.invoke(app, ["report", SMALL])
    assert result.exit_code == 2


def test_cli_report_without_drivers_says_so(tmp_path):
    out = tmp_path / "report"
    args = ["report", SMALL, "-o", str(out), "-m", "median", "--drivers", "none", "--no-store"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not (out / "drivers.png").exists()
    assert "which inputs move each outcome most" in (out / "index.html").read_text()


def test_deal_section_shows_the_interval_and_the_reasons(tmp_path):
    sc = io.load("korea-hanoi-2019")
    fc = forecast(sc, ["compromise", "nash"], samples=30, seed=1)
    extras = report_html.extras_from(fc)
    page = build_report(fc, tmp_path / "r", extras=extras).read_text()
    section = page[page.index('id="deal"') : page.index('id="winners"')]
    assert "90 % interval" in section
    deal = fc.deal_dict()
    for key, words in report_html.REASON_WORDS.items():
        anywhere = any(d["reasons"][key]["share"] > 0 for d in deal.values())
        assert (f"<th>{words}</th>" in section) == anywhere, key
    assert "<th>commitment problem</th>" in section  # the Hanoi encoding's main reason


def test_deal_section_says_when_reasons_come_from_a_subsample(tmp_path, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("summitry.forecast"), "ANALYSIS_DRAWS", 10)
    fc = forecast(io.load("korea-hanoi-2019"), ["compromise"], samples=30, seed=1)
    page = build_report(fc, tmp_path / "r", extras=report_html.extras_from(fc)).read_text()
    section = page[page.index('id="deal"') : page.index('id="winners"')]
    assert "Reasons from the first 10 of 30 draws" in section
    small = forecast(io.load("korea-hanoi-2019"), ["compromise"], samples=5, seed=1)
    page = build_report(small, tmp_path / "s", extras=report_html.extras_from(small)).read_text()
    assert "Reasons from the first" not in page


def test_a_trimmed_forecast_draws_the_same_trajectory_chart(tmp_path, monkeypatch):
    import importlib

    module = importlib.import_module("summitry.forecast")
    scenario = io.load("korea-hanoi-2019")
    whole = forecast(scenario, ["eum", "smp"], samples=12, seed=2)
    monkeypatch.setattr(module, "KEEP_FINAL_FROM", 10)
    monkeypatch.setattr(module, "ANALYSIS_DRAWS", 6)
    trimmed = forecast(scenario, ["eum", "smp"], samples=12, seed=2)
    with pytest.raises(ValueError, match="first 6 samples only"):
        _ = trimmed.trajectory("eum").position
    for fc, out in ((whole, tmp_path / "whole"), (trimmed, tmp_path / "trimmed")):
        build_report(fc, out)
    trajectories = next(name for name in CHART_FILES if "traject" in name)
    assert (tmp_path / "whole" / trajectories).read_bytes() == (
        tmp_path / "trimmed" / trajectories
    ).read_bytes()
