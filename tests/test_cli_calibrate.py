"""summitry calibrate: the table, the JSON record, the report, and every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.cli import app

# By hand (one sample): compromise settles tariff at 2600/80 = 32.5 and quota at
# 360/70 = 5.142857; no veto, so every model's forecast is a deal.
TINY = """\
name: {name}
metadata: {{as_of: "2020-01-01"}}
issues:
  - {{id: tariff, scale: {{min: 0, max: 100}}, status_quo: 10}}
  - {{id: quota, scale: {{min: 0, max: 10}}, status_quo: 2}}
actors:
  - {{id: a, capability: 60}}
  - {{id: b, capability: 40}}
positions:
  a: {{tariff: {{position: 20, salience: 1.0}}, quota: {{position: 8, salience: 0.5}}}}
  b: {{tariff: {{position: 70, salience: 0.5}}, quota: {{position: 3, salience: 1.0}}}}
"""

OUTCOME = """\
outcome:
  deal: {deal}
  date: "2020-05-01"
  source: Test gazette
  issues:
    tariff: {{value: 40}}
    quota: {{value: 4}}
"""


def write_library(folder: Path, cases: dict[str, bool | None]) -> Path:
    """Write one tiny case per id; ``True``/``False``: the recorded deal, None: no outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    for case_id, deal in cases.items():
        text = TINY.format(name=case_id)
        if deal is not None:
            text += OUTCOME.format(deal=str(deal).lower())
        (folder / f"{case_id}.yaml").write_text(text)
    return folder


def use_library(monkeypatch, folder: Path) -> None:
    """Make the case library the files of ``folder`` alone."""
    import summitry.library as library

    monkeypatch.setattr(library, "cases_folder", lambda: folder)
    monkeypatch.setattr(library, "BUNDLED_CASES", ())


runner = CliRunner()


@pytest.fixture
def library(tmp_path, monkeypatch):
    """A library of three tiny cases (two deals, one failure) and one without an outcome."""
    folder = write_library(
        tmp_path / "cases", {"alpha": True, "beta": False, "gamma": True, "open": None}
    )
    use_library(monkeypatch, folder)
    return folder


def invoke(*args: str):
    return runner.invoke(app, ["calibrate", *args], env={"COLUMNS": "160"})


def test_table_has_every_model_and_baseline(library):
    result = invoke("-n", "3", "--bootstrap", "100", "-m", "compromise,median")
    assert result.exit_code == 0, result.output
    for name in ("compromise", "median", "base-rate", "nothing-changes", "compromise-mean"):
        assert name in result.stdout
    assert "3 cases (2 deals, 1 failures)" in result.stdout
    assert "note: case 'open' left out: no outcome recorded yet" in result.stderr


def test_json_output_and_report(library, tmp_path):
    out, report = tmp_path / "cal.json", tmp_path / "report"
    result = invoke(
        "alpha", "beta", "-n", "2", "-m", "compromise", "--bootstrap", "100", "--seed", "4",
        "--json", "-o", str(out), "--report", str(report),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert json.loads(out.read_text()) == record
    assert record["counts"] == {"cases": 2, "deals": 1, "failures": 1, "skipped": 0}
    assert [r["name"] for r in record["rows"]] == [
        "compromise", "base-rate", "nothing-changes", "compromise-mean",
    ]  # fmt: skip
    rows = {r["name"]: r for r in record["rows"]}
    # by hand: every forecast is a deal; settled errors 7.5 and 11.43 (compromise),
    # 30 and 20 (nothing changes), on the 0-100 scale
    assert rows["compromise"]["brier"]["value"] == pytest.approx(0.5)
    assert rows["compromise"]["mae"]["value"] == pytest.approx((7.5 + 100 * 1.142857 / 10) / 2)
    assert rows["nothing-changes"]["mae"]["value"] == pytest.approx(25.0)
    assert rows["nothing-changes"]["brier"]["value"] == pytest.approx(0.5)
    # leave-one-out: alpha (deal) is scored with beta's rate 0, beta with alpha's 1
    assert rows["base-rate"]["brier"]["value"] == pytest.approx(1.0)
    assert rows["base-rate"]["mae"]["value"] is None
    html = (report / "index.html").read_text()
    assert "base-rate" in html and "data:image/png;base64," in html
    assert (report / "reliability.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no case 'nope' in the library"),
        (["open"], "open, outcome: the case records no outcome yet"),
        (["alpha", "alpha"], "named more than once"),
        (["-n", "0"], "samples must be between 1"),
        (["--bootstrap", "5"], "bootstrap must be between 100"),
        (["-m", "nope"], "unknown model 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(library, tmp_path, args, message):
    out, report = tmp_path / "cal.json", tmp_path / "report"
    result = invoke(*args, "-n" if "-n" not in args else "--seed", "1", "-o", str(out),
                    "--report", str(report))  # fmt: skip
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not out.exists() and not report.exists()
    assert "Traceback" not in result.output


def test_report_onto_a_file_is_refused_before_running(library, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep")
    result = invoke("--report", str(target))
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert target.read_text() == "keep"


def test_a_case_id_is_accepted_wherever_a_file_is(library):
    result = runner.invoke(app, ["validate", "alpha"])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_the_whole_library_runs_every_model():
    from summitry.library import library_counts

    result = invoke("-n", "20", "--bootstrap", "100", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    counts = library_counts()
    assert record["counts"]["cases"] == counts["deals"] + counts["failures"]
    assert record["counts"]["skipped"] == counts["open"]
    for row in record["rows"]:
        assert 0 <= row["brier"]["value"] <= 1


def test_cases_lists_the_library_with_outcomes():
    runner = CliRunner()
    rows = json.loads(runner.invoke(app, ["cases", "--json"]).stdout)
    found = {row["id"]: row for row in rows}
    assert found["korea-hanoi-2019"]["outcome"] == "no deal"
    assert found["korea-singapore-2018"]["outcome"] == "deal"
    assert all(row["as_of"] and row["about"] and "\n" not in row["about"] for row in rows)
    assert all(row["date"] > row["as_of"] for row in rows if row["outcome"] != "open")
    table = runner.invoke(app, ["cases"], env={"COLUMNS": "100"})
    assert table.exit_code == 0
    assert "korea-hanoi-2019" in table.stdout and f"{len(rows)} cases" in table.stdout
