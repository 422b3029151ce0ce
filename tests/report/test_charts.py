import struct
import sys

import numpy as np
import pytest

from summitry import io
from summitry.forecast import forecast
from summitry.report import charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCENARIOS = ("ec-example", "korea-hanoi-2019")
SAMPLES = (1, 48)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module", params=[(n, s) for n in SCENARIOS for s in SAMPLES], ids=str)
def result(request):
    name, samples = request.param
    return forecast(io.load(name), seed=3, samples=samples)


@pytest.mark.parametrize("chart", [charts.trajectory_chart, charts.outcome_chart])
def test_forecast_charts_write_a_png(result, chart, tmp_path):
    fig = chart(result)
    assert fig.get_suptitle().startswith(f"{result.scenario.name}: ")
    panels = [ax.get_title(loc="left") for ax in fig.axes]
    assert [p for p in panels if p] == list(result.scenario.issue_ids)
    data = charts.png_bytes(fig)
    width, height = png_size(data)
    assert width == charts.WIDTH * charts.DPI
    assert 300 < height < 2000
    path = tmp_path / "chart.png"
    path.write_bytes(data)
    assert path.stat().st_size > 10_000


def test_trajectory_title_names_the_model_with_rounds_and_the_sample():
    result = forecast(io.load("ec-example"), ["compromise", "eum"], samples=2)
    title = charts.trajectory_chart(result).get_suptitle()
    assert title == (
        "ec-example: positions over rounds (eum, Monte Carlo draw 0 of 2) and outcomes"
    )
    title = charts.trajectory_chart(result, model="compromise", sample=1).get_suptitle()
    assert "(compromise, Monte Carlo draw 1 of 2)" in title


def test_same_forecast_gives_the_same_png_bytes():
    scenario = io.load("korea-hanoi-2019")
    one = forecast(scenario, ["compromise", "eum"], seed=5, samples=8)
    two = forecast(scenario, ["compromise", "eum"], seed=5, samples=8)
    assert charts.png_bytes(charts.outcome_chart(one)) == charts.png_bytes(
        charts.outcome_chart(two)
    )


def test_png_has_no_software_or_time_stamp():
    scenario = io.load("ec-example")
    data = charts.png_bytes(charts.outcome_chart(forecast(scenario, ["compromise"])))
    assert b"tEXt" not in data and b"tIME" not in data
    assert b"matplotlib" not in data.lower()


def test_closed_form_only_forecast_draws_round_zero():
    result = forecast(io.load("ec-example"), ["compromise", "median"])
    fig = charts.trajectory_chart(result)
    assert "compromise" in fig.get_suptitle()
    png_size(charts.png_bytes(fig))


def test_charts_leave_pyplot_alone():
    result = forecast(io.load("ec-example"), ["compromise"])
    charts.png_bytes(charts.trajectory_chart(result))
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


@pytest.mark.parametrize("n", [1, 6, 10, 15, 30])
def test_actor_colours_are_distinct_and_stable(n):
    ids = [f"a{k}" for k in range(n)]
    colours = charts.actor_colors(ids)
    assert list(colours) == ids
    assert len(set(colours.values())) == n
    assert charts.actor_colors(ids) == colours


# -- charts fed by hand-made analysis results ----------------------------------------------

P_DEAL = {"compromise": 0.8, "median": 0.55, "eum": 0.25}
BLOCKING = {
    "compromise": {"us": 0.1, "dprk": 0.15},
    "median": {"us": 0.3, "dprk": 0.2, "china": 0.05},
    "eum": {"us": 0.6, "dprk": 0.45, "china": 0.1, "russia": 0.2},
}
WINNERS = {
    "compromise": {"us": (0.05, -0.02, 0.12), "dprk": (-0.2, -0.3, -0.1), "rok": (0.1, 0.1, 0.1)},
    "eum": {"us": (0.3, 0.2, 0.4), "dprk": (-0.4, -0.5, -0.3), "rok": (0.0, -0.1, 0.1)},
}
DRIVERS = {
    "sanctions": [(f"group {k}", 0.05 * k, 0.02, 0.04 * k - 0.01) for k in range(12)],
    "peace": [("positions of us", 0.7, 0.1, 0.6), ("salience of china", 0.2, 0.05, 0.1)],
    "economic": [("capability of russia", 0.0, 0.0, -0.01)],
}


def test_deal_chart_bars_are_the_probabilities():
    fig = charts.deal_chart(P_DEAL, BLOCKING, title="case", labels={"us": "United States"})
    png_size(charts.png_bytes(fig))
    bars = fig.axes[0].patches
    assert [b.get_width() for b in bars] == pytest.approx(list(P_DEAL.values()))
    actors = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert actors == ["United States", "dprk", "china", "russia"]
    assert fig.get_suptitle() == "case: probability of a deal"


def test_deal_chart_without_blocking_is_one_narrow_panel():
    fig = charts.deal_chart({"compromise": 1.0, "eum": 0.0})
    width, _ = png_size(charts.png_bytes(fig))
    assert len(fig.axes) == 1 and width < charts.WIDTH * charts.DPI


def test_winners_chart_sorts_best_off_first_and_shares_the_axis():
    fig = charts.winners_chart(WINNERS, title="case", labels={"rok": "South Korea"})
    png_size(charts.png_bytes(fig))
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    order = [[t.get_text() for t in ax.get_yticklabels()] for ax in panels]
    assert order == [["South Korea", "us", "dprk"], ["us", "South Korea", "dprk"]]
    assert panels[0].get_xlim() == panels[1].get_xlim()
    lo, hi = panels[0].get_xlim()
    assert lo < -0.5 and hi > 0.5


def test_drivers_chart_keeps_the_top_groups():
    fig = charts.drivers_chart(DRIVERS, title="case", top=10)
    png_size(charts.png_bytes(fig))
    panels = {ax.get_title(loc="left"): ax for ax in fig.axes if ax.get_title(loc="left")}
    assert list(panels) == list(DRIVERS)
    labels = [t.get_text() for t in panels["sanctions"].get_yticklabels()]
    assert labels == [f"group {k}" for k in range(11, 1, -1)]
    widths = [p.get_width() for p in panels["peace"].patches]
    assert widths == pytest.approx([0.7, 0.2])


def test_analysis_charts_accept_single_entries_and_nan():
    for fig in (
        charts.deal_chart({"compromise": 0.5}, {"compromise": {"us": 0.5}}),
        charts.winners_chart({"median": {"us": (np.nan, np.nan, np.nan), "cn": (0.1, 0, 0.2)}}),
        charts.drivers_chart({"x": [("only", 1.2, 0.3, 0.9)]}),
        charts.deal_chart({"a": None, "b": np.nan}, {"a": {"us": None}}),
        charts.winners_chart({"m": {"us": (None, None, None)}}),
        charts.drivers_chart({"x": [("a", None, None, None), ("b", 0.4, None, 0.3)]}),
    ):
        png_size(charts.png_bytes(fig))


def test_drivers_chart_names_its_model():
    drivers = {"x": [("a.position", 0.6, 0.05, 0.5), ("b.position", 0.3, 0.04, 0.3)]}
    fig = charts.drivers_chart(drivers, title="t", model="compromise")
    assert fig.get_suptitle() == "t: drivers of each outcome of the compromise model"


def test_a_first_run_that_compiles_is_announced(monkeypatch):
    from summitry.report import progress

    cache, _ = progress.kernel_cache()
    assert progress.may_compile("smp") == (not any(cache.glob("_smp_turn.*.nbi")))
    assert not progress.may_compile("compromise") and not progress.may_compile("nash")
    monkeypatch.setattr(progress, "kernel_cache", lambda: (progress.Path("/nowhere"), True))
    assert progress.may_compile("eum") and progress.may_compile("exchange", (1000, 6, 5))
    monkeypatch.setenv("SUMMITRY_KERNELS", "auto")
    assert not progress.may_compile("eum", (1, 6, 5))  # one draw of a bundled scenario


@pytest.mark.parametrize(
    ("samples", "shape", "shown"),
    [(1, (6, 5), False), (999, (6, 5), True), (1, (2000, 1), True), (1000, None, True)],
)
def test_a_bar_is_shown_for_many_samples_or_much_work(monkeypatch, samples, shape, shown):
    from summitry.report import progress

    monkeypatch.setattr(progress, "may_compile", lambda name, batch=None: False)
    seen = []

    def fake(columns, *, hidden):
        seen.append(not hidden)

    monkeypatch.setattr(progress, "stderr_progress", fake)
    with progress.model_progress(["compromise"], samples, shape=shape):
        pass
    assert seen == [shown]
