"""Miscalculation and timeline in the HTML report, and their charts."""

import html
import re
import struct

import pytest
from typer.testing import CliRunner

from summitry import io
from summitry.cli import app
from summitry.forecast import forecast
from summitry.report import charts
from summitry.report.html import build_report, extras_from
from summitry.report.html_timeline import main_model, timeline_for
from summitry.report.timeline_view import timeline_record
from summitry.scenario import Scenario
from summitry.timeline import run_timeline

MODELS = ["compromise", "eum"]


def base(**extra):
    return {
        "name": "tiny-timeline",
        "issues": [
            {
                "id": "x",
                "scale": {"min": 0, "max": 100, "low": "none", "high": "all"},
                "status_quo": 10,
            },
            {"id": "y", "scale": {"min": 0, "max": 100}, "status_quo": 50},
        ],
        "actors": [
            {"id": "a", "name": "Alpha", "capability": 1, "veto": ["x"]},
            {"id": "b", "name": "Beta", "capability": 2},
            {"id": "c", "name": "Gamma", "capability": 1, "present": False},
        ],
        "positions": {
            "a": {"x": {"position": 20, "salience": 0.8}, "y": {"position": 40, "salience": 0.5}},
            "b": {"x": {"position": 80, "salience": 0.5}, "y": {"position": 70, "salience": 0.5}},
            "c": {"x": {"position": 60, "salience": 0.5}, "y": {"position": 30, "salience": 0.5}},
        },
        **extra,
    }


EVENTS = [
    {
        "id": "e1",
        "date": "2018-03",
        "label": "Beta softens <a bit> & more",
        "date_note": "month only",
        "changes": [{"kind": "position", "actor": "b", "issue": "x", "by": -20}],
    },
    {
        "id": "e2",
        "date": "2018-05-02",
        "label": "Gamma joins",
        "changes": [
            {"kind": "join", "actor": "c"},
            {"kind": "message", "sender": "b", "audience": ["a"], "issue": "x", "position": 30},
        ],
    },
    {
        "id": "e3",
        "date": "2018-05-02",
        "label": "status quo moves",
        "changes": [{"kind": "status_quo", "issue": "y", "to": 60}],
    },
]

EVIDENCE = [
    {"supports": "events.e1", "source": "news.txt", "paragraph": 3, "rationale": "Beta said so."},
    {"supports": "messages.m1", "source": "cable.txt", "paragraph": 1, "rationale": "A cable."},
    {"supports": "beliefs.b.a", "source": "assumption", "rationale": "Beta misreads Alpha."},
]


def timeline_scenario() -> Scenario:
    return Scenario.from_dict(base(events=EVENTS, evidence=EVIDENCE[:1]))


def messaged_scenario() -> Scenario:
    return Scenario.from_dict(
        base(
            messages=[{"id": "m1", "sender": "b", "audience": ["a"], "issue": "x", "position": 30}],
            beliefs=[{"observer": "b", "about": "a", "issue": "y", "position": 90}],
            evidence=EVIDENCE[1:],
        )
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def section(text: str, key: str) -> str:
    found = re.search(rf'<section id="{key}">(.*?)</section>', text, re.S)
    return found.group(1) if found else ""


# -- the page ------------------------------------------------------------------------------


def test_without_beliefs_or_events_neither_section_appears(tmp_path):
    result = forecast(io.load("ec-example"), MODELS, samples=3)
    assert timeline_for(result) is None
    text = build_report(result, tmp_path, extras=extras_from(result)).read_text()
    assert 'id="miscalculation"' not in text and 'id="timeline"' not in text
    assert "#miscalculation" not in text and "#timeline" not in text
    assert not (tmp_path / "miscalculation.png").exists()
    assert not (tmp_path / "timeline.png").exists()


@pytest.mark.parametrize("samples", [1, 6])
def test_miscalculation_section(tmp_path, samples):
    scenario = messaged_scenario()
    result = forecast(scenario, MODELS, seed=1, samples=samples)
    extras = extras_from(result, timeline=timeline_for(result))
    assert extras.timeline is None and set(extras.miscalculation) == set(MODELS)
    text = build_report(result, tmp_path, extras=extras).read_text()
    part = section(text, "miscalculation")
    assert part and '<a href="#miscalculation">' in text and 'id="timeline"' not in text
    assert "Own forecasts (eum)" in part and "own forecast" in part
    for actor in scenario.actors:
        assert actor.label in part
    intervals = re.findall(r"\[\d+\.\d, \d+\.\d\]", part)
    assert bool(intervals) == (samples > 1)  # intervals only over several samples
    width, height = png_size((tmp_path / "miscalculation.png").read_bytes())
    assert width == charts.WIDTH * charts.DPI and 300 < height < 2000
    inputs = section(text, "inputs")
    for heading, rationale in (("Messages", "A cable."), ("Beliefs", "Beta misreads Alpha.")):
        assert f"<h3>{heading}</h3>" in inputs and rationale in inputs


@pytest.mark.parametrize("samples", [1, 5])
def test_timeline_section(tmp_path, samples):
    scenario = timeline_scenario()
    result = forecast(scenario, MODELS, seed=2, samples=samples)
    steps = run_timeline(scenario, MODELS, seed=2, samples=samples)
    extras = extras_from(result, timeline=steps)
    assert extras.timeline == timeline_record(steps) == timeline_for(result)
    assert extras.miscalculation is None  # the message comes with an event only
    text = build_report(result, tmp_path, extras=extras).read_text()
    part = section(text, "timeline")
    assert part and 'id="miscalculation"' not in text
    for event in scenario.events:
        assert html.escape(event.label) in part  # in the timeline table
        assert html.escape(event.label) in section(text, "inputs")  # and among the inputs
    assert "<a bit>" not in text
    assert "2018-03" in part and "2018-05-02" in part and "month only" in part
    assert "status&nbsp;quo&nbsp;now&nbsp;60" in part and "most miscalculating" in part
    assert "Beta said so." in section(text, "inputs")
    assert "Gamma joins" in section(text, "inputs") and "Beta tells Alpha" in text
    width, _ = png_size((tmp_path / "timeline.png").read_bytes())
    assert width == charts.WIDTH * charts.DPI


def test_timeline_chart_goes_when_the_report_has_none(tmp_path):
    scenario = timeline_scenario()
    result = forecast(scenario, ["compromise"])
    build_report(result, tmp_path, extras=extras_from(result, timeline=timeline_for(result)))
    assert (tmp_path / "timeline.png").exists()
    build_report(result, tmp_path, extras=extras_from(result))
    assert not (tmp_path / "timeline.png").exists()
    assert 'id="timeline"' not in (tmp_path / "index.html").read_text()


def test_same_seed_gives_the_same_timeline_report(tmp_path):
    scenario = timeline_scenario()
    for k in (1, 2):
        result = forecast(scenario, MODELS, seed=4, samples=3)
        extras = extras_from(result, timeline=timeline_for(result))
        build_report(result, tmp_path / str(k), extras=extras)
    for name in ("index.html", "timeline.png"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_cli_report_adds_the_timeline(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        """
name: tiny
issues:
  - {id: x, scale: {min: 0, max: 100}, status_quo: 10}
actors:
  - {id: a, capability: 1, veto: [x]}
  - {id: b, capability: 2}
positions:
  a: {x: {position: 20, salience: 0.8}}
  b: {x: {position: 80, salience: 0.5}}
events:
  - id: e1
    date: "2018-03"
    label: b softens
    changes: [{kind: position, actor: b, issue: x, by: -20}]
"""
    )
    out = tmp_path / "report"
    args = ["report", str(path), "-o", str(out), "-m", "eum", "--drivers", "none", "--no-store"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "timeline.png").is_file()
    assert "b softens" in section((out / "index.html").read_text(), "timeline")


# -- the charts ----------------------------------------------------------------------------


def monthly_record(samples: int) -> dict:
    events = [
        {
            "id": f"e{k}",
            "date": f"2018-{k:02d}",
            "label": f"month {k}",
            "changes": [{"kind": "position", "actor": "b", "issue": "x", "by": -4}],
        }
        for k in range(1, 13)
    ]
    scenario = Scenario.from_dict(base(events=events))
    return timeline_record(run_timeline(scenario, MODELS, seed=0, samples=samples))


@pytest.mark.parametrize("samples", [1, 4])
def test_timeline_chart_has_a_panel_per_issue_and_p_deal(samples):
    record = monthly_record(samples)
    fig = charts.timeline_chart(record)
    titles = [t for t in (ax.get_title(loc="left") for ax in fig.axes) if t]
    main = record["models"][0] if "eum" not in record["models"] else "eum"
    no_deal = any((s["p_deal"] or {}).get(main, 1) < 1 for s in record["steps"])
    assert titles == ["x", "y", "P(deal)"] + [f"deal, or why not ({main})"] * no_deal
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["start", *(f"2018-{k:02d}" for k in range(1, 13))]
    assert ax.get_xticklabels()[1].get_rotation() > 0  # 13 dates in a half-width panel slant
    assert fig.get_suptitle().startswith("tiny-timeline: forecast after each event")
    assert ("90 % interval" in fig.get_suptitle()) == (samples > 1)
    width, height = png_size(charts.png_bytes(fig))
    assert width == charts.WIDTH * charts.DPI and 300 < height < 2000


def test_timeline_chart_of_one_model_and_without_p_deal():
    record = monthly_record(1)
    for step in record["steps"]:
        step["p_deal"] = None
    fig = charts.timeline_chart(record, model="eum")
    titles = [t for t in (ax.get_title(loc="left") for ax in fig.axes) if t]
    assert titles == ["x", "y"] and "(eum)" in fig.get_suptitle()
    charts.png_bytes(fig)


@pytest.mark.parametrize("samples", [1, 6])
def test_miscalculation_chart_has_a_panel_per_model(samples):
    result = forecast(messaged_scenario(), MODELS, samples=samples).to_dict()
    fig = charts.miscalculation_chart(result, labels={"a": "Alpha"})
    titles = [t for t in (ax.get_title(loc="left") for ax in fig.axes) if t]
    assert titles == MODELS
    assert "Alpha" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert png_size(charts.png_bytes(fig))[0] == charts.WIDTH * charts.DPI


def test_miscalculation_chart_without_beliefs_draws_a_note():
    result = forecast(io.load("ec-example"), MODELS).to_dict()
    assert result["miscalculation"] is None
    charts.png_bytes(charts.miscalculation_chart(result))


def test_main_model_is_eum_when_it_ran():
    assert main_model(["compromise", "eum"]) == "eum"
    assert main_model(["median", "nash"]) == "median"


def test_a_walk_away_event_moves_p_deal_and_its_reason_in_table_and_chart():
    events = [
        {
            "id": "walk",
            "date": "2018-05",
            "label": "Alpha hardens",
            "changes": [{"kind": "walk_away", "actor": "a", "to": 0.9}],
        },
        {
            "id": "back",
            "date": "2018-06",
            "label": "Alpha relents",
            "changes": [{"kind": "walk_away", "actor": "a", "to": -0.5}],
        },
    ]
    data = base(events=events)
    data["actors"][0].update(walk_away=-0.5, veto=[])
    record = timeline_record(
        run_timeline(Scenario.from_dict(data), ["compromise"], seed=0, samples=1)
    )
    p = [s["p_deal"]["compromise"] for s in record["steps"]]
    assert p == [1.0, 0.0, 1.0]
    assert record["steps"][1]["why"]["compromise"] == "no zone: a"
    assert record["steps"][1]["reasons"]["compromise"]["no_zone"] == 1.0
    fig = charts.timeline_chart(record)
    titles = [t for t in (ax.get_title(loc="left") for ax in fig.axes) if t]
    assert titles[-1] == "deal, or why not (compromise)"
