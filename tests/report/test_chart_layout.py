"""Chart layout: no text drawn over another, and a round axis that stays readable."""

import itertools

import numpy as np
import pytest
from matplotlib.figure import Figure

from summitry import io
from summitry.forecast import forecast
from summitry.report import charts, html


def drawn_texts(fig: Figure) -> list[tuple[str, object]]:
    """``(text, window extent)`` of every text the canvas draws: titles, axis labels, tick
    labels inside the view, annotations and legend entries."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [fig._suptitle, fig._supxlabel, fig._supylabel]
    for legend in fig.legends:
        texts += legend.get_texts()
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            texts += ax.texts
            continue
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += ax.texts
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for tick in ax.xaxis.get_major_ticks():
            if tick.label1.get_visible() and x0 <= tick.get_loc() <= x1:
                texts.append(tick.label1)
        for tick in ax.yaxis.get_major_ticks():
            if tick.label1.get_visible() and y0 <= tick.get_loc() <= y1:
                texts.append(tick.label1)
    found = []
    for text in texts:
        if text is not None and text.get_visible() and text.get_text().strip():
            found.append((text.get_text(), text.get_window_extent(renderer)))
    return found


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap by more than half a pixel each way."""
    bad = []
    for (a, box_a), (b, box_b) in itertools.combinations(drawn_texts(fig), 2):
        dx = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        dy = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if dx > 0.5 and dy > 0.5:
            bad.append((a, b))
    return bad


@pytest.fixture(scope="module", params=[1, 32], ids=["one draw", "32 draws"])
def hanoi(request):
    return forecast(io.load("korea-hanoi-2019"), seed=0, samples=request.param)


def test_deal_chart_texts_do_not_overlap(hanoi):
    extras = html.extras_from(hanoi)
    reasons = {m: {r: v["share"] for r, v in d["reasons"].items()} for m, d in extras.deal.items()}
    fig = charts.deal_chart(extras.p_deal, extras.blocking, title="hanoi", reasons=reasons)
    assert len(drawn_texts(fig)) > 20
    assert overlaps(fig) == []
    left, right = (ax for ax in fig.axes if ax.get_title(loc="left"))
    assert [t.get_text() for t in left.get_yticklabels()] == list(hanoi.models)
    assert not any(t.get_visible() for t in right.get_yticklabels())  # names once, on the left
    assert fig.legends and not right.get_legend()  # the reasons' legend outside the panels
    blocking = charts.deal_chart(extras.p_deal, extras.blocking, title="hanoi")
    assert overlaps(blocking) == []


def test_deal_chart_with_many_long_named_models_does_not_overlap():
    models = [f"model-with-a-long-name-{k}" for k in range(9)]
    p_deal = dict(zip(models, np.linspace(0, 1, 9), strict=True))
    reasons = {
        m: {"no_zone": (1 - p) * 0.3, "commitment": (1 - p) * 0.3, "blocked": (1 - p) * 0.4}
        for m, p in p_deal.items()
    }
    assert overlaps(charts.deal_chart(p_deal, reasons=reasons)) == []
    blocking = {m: {"us": 0.2, "dprk": 0.1 * k % 1} for k, m in enumerate(models)}
    assert overlaps(charts.deal_chart(p_deal, blocking)) == []


def panel(fig: Figure, issue: str):
    return next(ax for ax in fig.axes if ax.get_title(loc="left") == issue)


def test_a_model_that_runs_on_has_its_round_axis_cut_and_marked():
    result = forecast(io.load("ec-example"))  # eum: 100 rounds; smp settles at 14
    assert result.trajectory("eum").n_rounds == 100
    ax = panel(charts.trajectory_chart(result), "emissions")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-2:] == ["100", "outcome"]
    assert "20" in labels and not {"40", "60", "80"} & set(labels)
    assert ax.get_xlim()[1] < 40  # not stretched over a hundred rounds
    assert ax.get_title(loc="right") == "eum runs on to round 100"
    assert overlaps(ax.figure) == []


def test_the_cut_keeps_every_round_until_the_other_models_settled():
    assert charts._round_axis(12, 3)[0].tolist() == list(range(13))  # short run: every round
    rounds, xs = charts._round_axis(100, 14)
    assert rounds.tolist() == [*range(21), 98, 99, 100]
    assert xs.tolist() == [*range(21), 22, 23, 24]
    rounds, _ = charts._round_axis(100, 40)
    assert rounds[:43].tolist() == list(range(43)) and rounds[-1] == 100


def test_runs_that_settle_keep_a_whole_axis(hanoi):
    fig = charts.trajectory_chart(hanoi)
    for issue in hanoi.scenario.issue_ids:
        ax = panel(fig, issue)
        last = int(hanoi.trajectory("eum").stop_round[0, hanoi.scenario.issue_ids.index(issue)])
        if last <= charts.SHOWN_ROUNDS:
            assert ax.get_title(loc="right") == ""
            assert ax.get_xticklabels()[-1].get_text() == "outcome"
