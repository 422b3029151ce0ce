import json

import pytest
from typer.testing import CliRunner

from summitry.cli import app

runner = CliRunner()

# Two actors, two issues, a recorded outcome. By hand (one sample):
#   compromise: tariff 2600/80 = 32.5, quota 360/70 = 5.142857; median: 20 and 3.
#   errors against 40 and 4: compromise 7.5 and 8/7 (MAE 4.3214), median 20 and 1 (MAE 10.5),
#   nothing changes 30 and 2 (MAE 16). No veto: P(deal) 1 for the models, Brier 0.
TINY = """\
name: tiny
issues:
  - {id: tariff, scale: {min: 0, max: 100}, status_quo: 10}
  - {id: quota, scale: {min: 0, max: 10}, status_quo: 2}
actors:
  - {id: a, capability: 60}
  - {id: b, capability: 40}
positions:
  a: {tariff: {position: 20, salience: 1.0}, quota: {position: 8, salience: 0.5}}
  b: {tariff: {position: 70, salience: 0.5}, quota: {position: 3, salience: 1.0}}
"""

OUTCOME = """\
outcome:
  deal: true
  date: "2020-05-01"
  source: Test gazette
  issues:
    tariff: {value: 40}
    quota: {value: 4}
"""

EVENTS = """\
events:
  - id: soften
    date: "2020-03"
    label: a softens
    changes: [{kind: position, actor: a, issue: tariff, to: 30}]
  - id: harden
    date: "2020-06-10"
    label: b hardens
    changes: [{kind: position, actor: b, issue: tariff, to: 90}]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY + OUTCOME)
    return str(path)


def invoke(*args: str):
    return runner.invoke(app, ["score", *args], env={"COLUMNS": "120"})


def test_table_has_a_row_per_model_and_baseline(tiny):
    result = invoke(tiny, "-m", "compromise", "-m", "median")
    assert result.exit_code == 0, result.output
    cells = [
        [c.strip() for c in line.strip("│").split("│")]
        for line in result.stdout.splitlines()
        if line.startswith("│")
    ]
    assert cells == [
        ["compromise", "7.5", "1.14", "4.32", "4.32", "100%", "0.000"],
        ["median", "20.0", "1.00", "10.50", "10.50", "100%", "0.000"],
        ["nothing-changes", "30.0", "2.00", "16.00", "16.00", "0%", "1.000"],
        ["compromise-mean", "7.5", "1.14", "4.32", "4.32", "100%", "0.000"],
    ]
    text = result.stdout
    assert "recorded outcome: deal · 2020-05-01 · source: Test gazette" in text
    assert "tiny · input " in text and "seed 0" in text
    assert "recorded 40.0" in text and "recorded 4.00" in text


def test_json_record_has_the_rows(tiny):
    result = invoke(tiny, "-m", "compromise,median", "--json", "--seed", "3")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    for key in ("scenario", "input_sha256", "seed", "samples", "outcome", "rows"):
        assert key in record
    assert record["scenario"] == "tiny" and record["seed"] == 3 and record["samples"] == 1
    assert record["outcome"]["deal"] is True
    rows = {r["name"]: r for r in record["rows"]}
    assert list(rows) == ["compromise", "median", "nothing-changes", "compromise-mean"]
    assert rows["compromise"]["mae"] == pytest.approx((7.5 + 8 / 7) / 2)
    assert rows["median"]["errors"] == {"tariff": 20.0, "quota": 1.0}
    assert rows["nothing-changes"]["brier"] == 1.0
    assert rows["compromise-mean"]["kind"] == "baseline"


def test_output_file_holds_the_json(tiny, tmp_path):
    out = tmp_path / "score.json"
    result = invoke(tiny, "-m", "median", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "nothing-changes" in result.stdout  # the table is still printed
    assert out.read_text() == invoke(tiny, "-m", "median", "--json").stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["score.json", "tiny.yaml"]


def test_scenario_without_outcome_exits_2_with_one_line(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(TINY)
    out = tmp_path / "score.json"
    result = invoke(str(path), "-m", "median", "-o", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"{path}, outcome:" in lines[0]
    assert not out.exists()


def test_missing_status_quo_exits_2(tmp_path):
    path = tmp_path / "nosq.yaml"
    path.write_text(TINY.replace(", status_quo: 2", "") + OUTCOME)
    result = invoke(str(path), "-m", "median")
    assert result.exit_code == 2
    assert f"{path}, issues[1].status_quo: issue 'quota' has no status quo" in result.stderr


def test_timeline_names_the_step_scored(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(TINY + OUTCOME + EVENTS)
    result = invoke(str(path), "-m", "compromise", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["step"]["index"] == 1 and record["step"]["events"] == ["soften"]
    # after "a softens" the compromise lands on the recorded 40
    assert record["rows"][0]["errors"]["tariff"] == pytest.approx(0.0)
    table = invoke(str(path), "-m", "compromise").stdout
    assert "scored: after the events of 2020-03 (a softens), step 1 of 2 event dates" in table
