"""CSV outputs: text cells a spreadsheet would run as a formula get a leading quote."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.forecast import forecast
from summitry.io.csv_safe import safe_cell, safe_row
from summitry.report.json_report import trace_csv
from summitry.report.sweep_view import sweep_csv
from summitry.scenario import Scenario
from summitry.sweep import Vary, sweep

CALC = "=cmd|' /C calc'!A0"
ISSUE = "@SUM(1+1)"
ACTORS = (CALC, "+1", "-x", "plain")
POSITIONS = (-0.8, -0.5, 0.9, 0.2)


def evil_scenario() -> Scenario:
    return Scenario.from_dict(
        {
            "name": "formulas",
            "issues": [{"id": ISSUE, "scale": {"min": -1, "max": 1}, "status_quo": 0}],
            "actors": [{"id": a, "capability": 1 + k} for k, a in enumerate(ACTORS)],
            "positions": {
                a: {ISSUE: {"position": p, "salience": 1}}
                for a, p in zip(ACTORS, POSITIONS, strict=True)
            },
        }
    )


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("-0.5", "'-0.5"),  # text that looks like a number is still text
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("us", "us"),
        ("a=b", "a=b"),
        ("", ""),
        (-0.5, -0.5),
        (-3, -3),
        (None, None),
    ],
)
def test_safe_cell_quotes_only_formula_text(value, written):
    assert safe_cell(value) == written


def test_safe_row_passes_every_cell():
    assert safe_row(["=a", 1.5, "b", -2.0]) == ["'=a", 1.5, "b", -2.0]


def test_trace_csv_quotes_ids_and_keeps_numbers():
    result = forecast(evil_scenario(), ["compromise"], rounds=2)
    rows = read(trace_csv(result, "compromise"))
    first = [r for r in rows if r["round"] == "0"]
    assert [r["actor"] for r in first] == ["'" + CALC, "'+1", "'-x", "plain"]
    assert {r["issue"] for r in rows} == {"'" + ISSUE}
    assert [float(r["position"]) for r in first] == pytest.approx(POSITIONS)
    assert all(not r["position"].startswith("'") for r in rows)
    assert any(r["position"].startswith("-") for r in rows)  # negative numbers stay numbers


def test_sweep_csv_quotes_text_and_keeps_numbers():
    vary = Vary(f"actors.{CALC}.capability", (10.0, 20.0), 10.0, 20.0)  # pulls towards -0.8
    result = sweep(evil_scenario(), [vary], models=["compromise"])
    text = sweep_csv(result)
    rows = read(text)
    assert len(rows) == 2
    assert {r["issue"] for r in rows} == {"'" + ISSUE}
    assert {r["model"] for r in rows} == {"compromise"}
    assert [r[vary.path] for r in rows] == ["10.0", "20.0"]
    for r in rows:
        for key in ("outcome", "low", "high", "p_deal"):
            assert not r[key].startswith("'")
            float(r[key])
    assert any(r["outcome"].startswith("-") for r in rows)


def test_a_varied_path_in_the_header_is_left_as_it_is():
    vary = Vary.parse("actors.-x.capability=1,2")
    result = sweep(evil_scenario(), [vary], models=["compromise"])
    header = next(csv.reader(io.StringIO(sweep_csv(result))))
    assert header[1] == "actors.-x.capability"  # a path starts with its kind, never a sign
    rows = read(sweep_csv(result))
    assert [r["actors.-x.capability"] for r in rows] == ["1.0", "2.0"]


def test_cli_trace_and_sweep_files_are_quoted(tmp_path):
    path = tmp_path / "formulas.yaml"
    path.write_text(evil_scenario().model_dump_json(), encoding="utf-8")
    runner = CliRunner()
    trace_out, sweep_out = tmp_path / "trace.csv", tmp_path / "sweep.csv"
    done = runner.invoke(app, ["trace", str(path), "-m", "median", "-o", str(trace_out)])
    assert done.exit_code == 0, done.output
    rows = read(trace_out.read_text(encoding="utf-8"))
    assert [r["actor"] for r in rows] == ["'" + CALC, "'+1", "'-x", "plain"]
    assert [float(r["position"]) for r in rows] == pytest.approx(POSITIONS)
    args = ["sweep", str(path), "-v", "actors.plain.capability=1,3", "-m", "median"]
    done = runner.invoke(app, [*args, "--csv", "-o", str(sweep_out)])
    assert done.exit_code == 0, done.output
    assert done.stdout == sweep_out.read_text(encoding="utf-8")
    assert {r["issue"] for r in read(done.stdout)} == {"'" + ISSUE}
