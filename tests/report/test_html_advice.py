"""The report's advice section (summitry report --advise ACTOR)."""

from __future__ import annotations

import re

import yaml
from typer.testing import CliRunner

from summitry.advise import advise
from summitry.cli import app
from summitry.report.html_advice import advice_html
from summitry.scenario import Scenario

SCENARIO = {
    "name": "two-issues",
    "issues": [
        {"id": "x", "scale": {"min": 0, "max": 100}, "status_quo": 20},
        {"id": "y", "scale": {"min": 0, "max": 10}, "status_quo": 5},
    ],
    "actors": [
        {"id": "a", "capability": 50, "veto": ["x"]},
        {"id": "b", "capability": 40},
        {"id": "c", "capability": 30, "walk_away": 0.08},
    ],
    "positions": {
        "a": {"x": {"position": 30, "salience": 0.9}, "y": {"position": 8, "salience": 0.4}},
        "b": {"x": {"position": 90, "salience": 0.6}, "y": {"position": 8, "salience": 0.8}},
        "c": {"x": {"position": 60, "salience": 0.5}, "y": {"position": 6, "salience": 0.5}},
    },
    "levers": [
        {
            "id": "b-<asks>",
            "actor": "b",
            "label": "ask <politely>",
            "by": {"positions.b.x.position": -5},
        }
    ],
}


def test_the_section_lists_levers_flips_and_escapes_labels():
    result = advise(Scenario.from_dict(SCENARIO), "b", ["compromise", "nash"], samples=5)
    html = advice_html(result.to_dict())
    assert "ask &lt;politely&gt;" in html and "<politely>" not in html
    assert html.count("<tr>") >= 1 + min(8, len(result.levers))
    assert "Smallest concession that flips each blocker" in html
    assert "Replies to the best lever" in html


def test_report_with_advise_adds_the_section_and_its_chart(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    out = tmp_path / "report"
    args = ["report", str(path), "-o", str(out), "-m", "compromise", "-m", "nash", "--no-store"]
    r = CliRunner().invoke(app, [*args, "--advise", "b", "--drivers", "none"])
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<section id="advice"><h2>Advice</h2>', page)
    assert (out / "advice.png").stat().st_size > 1000
    bad = CliRunner().invoke(app, [*args[:3], str(tmp_path / "other"), *args[4:], "--advise", "zz"])
    assert bad.exit_code == 2 and "unknown actor 'zz'" in bad.output
    assert not (tmp_path / "other").exists()
