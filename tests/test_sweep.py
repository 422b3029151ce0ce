"""Sweeps: parsing --vary, designs, one batch for all variants, CLI output."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry
from summitry.cli import app
from summitry.errors import ParameterError
from summitry.sweep import Vary, design, sweep


def test_vary_reads_ranges_grids_and_lists():
    assert Vary.parse("actors.us.capability=0:1:3").values == (0.0, 0.5, 1.0)
    assert Vary.parse("actors.us.capability=0.5,2").values == (0.5, 2.0)
    v = Vary.parse("actors.us.capability=1:3")
    assert (v.low, v.high, v.values) == (1.0, 3.0, None) and len(v.grid()) == 11


@pytest.mark.parametrize(
    ("expr", "rule"),
    [
        ("actors.us.capability", "PATH=START:STOP"),
        ("actors.us.capability=3:1", "below STOP"),
        ("actors.us.capability=a,b", "numbers"),
        ("actors.us.capability=0:1:1", "from 2 to 100,000"),
        ("actors.us.capability=0:1:200000000", "from 2 to 100,000"),
        ("actors.us.capability=0:1:" + "9" * 5000, "from 2 to 100,000"),
        ("actors.us.capability=0:1e999:3", "finite"),
    ],
)
def test_vary_refuses_bad_expressions(expr, rule):
    with pytest.raises(ParameterError, match=rule):
        Vary.parse(expr)


def test_grid_is_every_combination_and_random_stays_in_range():
    a, b = Vary.parse("x=0:1:3"), Vary.parse("y=10,20")
    assert design([a, b]).shape == (6, 2)
    pts = design([Vary.parse("x=0:1"), Vary.parse("y=10:20")], "random", n=50, seed=2)
    assert pts.shape == (50, 2) and pts[:, 0].min() >= 0 and pts[:, 1].max() <= 20
    np.testing.assert_array_equal(
        pts, design([Vary.parse("x=0:1"), Vary.parse("y=10:20")], "random", n=50, seed=2)
    )


def test_each_variant_equals_a_forecast_of_the_edited_scenario():
    sc = summitry.load("korea-hanoi-2019")
    result = sweep(
        sc, [Vary.parse("positions.us.sanctions.salience=0.2,0.9")], models=["eum", "median"]
    )
    for v, value in enumerate([0.2, 0.9]):
        data = sc.model_dump(mode="json")
        data["positions"]["us"]["sanctions"]["salience"] = value
        edited = summitry.Scenario.model_validate(data)
        single = summitry.forecast(edited, ["eum", "median"])
        for model in ("eum", "median"):
            np.testing.assert_allclose(
                result.outcome[model][v, 0],
                single.trajectory(model).outcome_on_scale()[0],
                atol=1e-9,
            )


@pytest.mark.parametrize(
    ("expr", "rule"),
    [
        ("positions.zz.sanctions.salience=0:1", "unknown actor"),
        ("positions.us.sanctions.salience=0:2", "within [0, 1]"),
        ("positions.us.sanctions.position=-5:50", "within [0, 100]"),
        ("actors.us.veto=0:1", "can vary"),
    ],
)
def test_sweep_refuses_paths_it_cannot_vary(expr, rule):
    with pytest.raises(ParameterError, match=re.escape(rule)):
        sweep(summitry.load("korea-hanoi-2019"), [Vary.parse(expr)], models=["median"])


def test_sweep_command_writes_a_tidy_csv_and_a_chart(tmp_path):
    out, chart = tmp_path / "s.csv", tmp_path / "s.png"
    args = ["sweep", "korea-hanoi-2019", "-v", "actors.china.capability=0.5:2:4", "-m", "median"]
    result = CliRunner().invoke(app, [*args, "-o", str(out), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 4 * 5  # variants x issues
    assert set(rows[0]) >= {
        "variant",
        "actors.china.capability",
        "model",
        "issue",
        "outcome",
        "p_deal",
    }
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "sweep (median, 4 variants)" in result.output


def test_sweep_command_bad_vary_is_one_line_exit_2():
    result = CliRunner().invoke(
        app, ["sweep", "korea-hanoi-2019", "-v", "actors.nobody.capability=0:1"]
    )
    assert result.exit_code == 2 and "unknown actor 'nobody'" in result.stderr


def test_a_variant_that_breaks_a_cross_field_rule_is_refused_before_any_run():
    from summitry.errors import ParameterError
    from summitry.io import load
    from summitry.sweep import Vary, sweep

    scenario = load("korea-hanoi-2019")
    varies = [Vary.parse(f"actors.{a.id}.capability=0,1") for a in scenario.actors]
    with pytest.raises(ParameterError, match="1 of 64 variants break a rule"):
        sweep(scenario, varies, models=["compromise"])
    with pytest.raises(ParameterError, match="within"):
        sweep(scenario, [Vary.parse("actors.us.capability=0:1e300")], models=["compromise"])
