import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from summitry.cli import app
from summitry.models import MODELS

# The small fixtures leave an issue without a status quo, so by default the models that
# bargain from it (needs_status_quo) are left out.
RUNNABLE = [name for name, cls in MODELS.items() if not cls.needs_status_quo]

DATA = Path(__file__).parent / "data"
SMALL = str(DATA / "cli-small.yaml")
ISSUES = ("sanctions", "inspections")
PRESENT = 4 + 3  # actor-issue pairs taking part: kr has no stance on inspections

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


def test_forecast_table_lists_every_issue_and_model():
    result = invoke("forecast", SMALL)
    assert result.exit_code == 0, result.output
    for word in (*ISSUES, *RUNNABLE, "closed form", "cli-small", "seed 0"):
        assert word in result.stdout
    assert any(stop in result.stdout for stop in ("converged r", "cycle(", "max rounds r"))


def test_forecast_model_option_limits_the_columns():
    result = invoke("forecast", SMALL, "--model", "median", "-m", "compromise")
    assert result.exit_code == 0, result.output
    assert "median" in result.stdout and "compromise" in result.stdout
    assert "eum" not in result.stdout


def test_forecast_json_is_complete_and_byte_identical(tmp_path):
    one = invoke("forecast", SMALL, "--json", "--seed", "4")
    two = invoke("forecast", SMALL, "--json", "--seed", "4")
    assert one.exit_code == 0, one.output
    assert one.stdout == two.stdout
    data = json.loads(one.stdout)
    for key in ("scenario", "input_sha256", "seed", "summitry_version", "models", "issues"):
        assert key in data
    assert data["seed"] == 4 and len(data["input_sha256"]) == 64
    assert [i["id"] for i in data["issues"]] == list(ISSUES)
    issue = data["issues"][0]
    for key in ("id", "description", "scale", "low", "high", "status_quo", "forecasts"):
        assert key in issue
    assert set(issue["forecasts"]) == set(RUNNABLE)
    assert set(issue["forecasts"]["eum"]) == {
        "outcome",
        "interval",
        "stop",
        "rounds",
        "cycle_length",
    }


def test_forecast_output_file_holds_the_json(tmp_path):
    out = tmp_path / "forecast.json"
    result = invoke("forecast", SMALL, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text() == invoke("forecast", SMALL, "--json").stdout
    assert [p.name for p in tmp_path.iterdir()] == ["forecast.json"]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_trace_csv_has_one_row_per_round_actor_and_issue():
    result = invoke("trace", SMALL, "--model", "eum", "--rounds", "3", "--csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "round,actor,issue,position,risk_exponent"
    rows = _csv(result.stdout)
    assert len(rows) == (3 + 1) * PRESENT
    assert sorted({int(r["round"]) for r in rows}) == [0, 1, 2, 3]
    assert {r["issue"] for r in rows} == set(ISSUES)
    start = {(r["actor"], r["issue"]): float(r["position"]) for r in rows if r["round"] == "0"}
    assert start["us", "sanctions"] == 20.0 and start["nk", "inspections"] == 1.0


def test_trace_output_file_and_closed_form_note(tmp_path):
    out = tmp_path / "trace.csv"
    result = invoke("trace", SMALL, "-m", "median", "--csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text() == result.stdout
    assert result.stdout.splitlines()[0] == "round,actor,issue,position"
    assert len(_csv(result.stdout)) == PRESENT
    assert "no rounds" in result.stderr


def test_trace_table_shows_rounds_per_issue():
    result = invoke("trace", SMALL, "-m", "eum", "--rounds", "2")
    assert result.exit_code == 0, result.output
    for word in (*ISSUES, "round", "us", "nk", "cn", "kr", "fixed rounds r2"):
        assert word in result.stdout
    table = invoke("trace", SMALL, "-m", "compromise")
    assert "no rounds" in table.stdout


def test_validate_prints_a_summary():
    result = invoke("validate", SMALL)
    assert result.exit_code == 0, result.output
    for word in ("cli-small", "actors   4", "issues   2", "evidence 1", "[0, 100]", "[0, 10]"):
        assert word in result.stdout


def test_models_lists_every_model_one_per_line():
    result = invoke("models")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(MODELS)
    assert {"compromise", "median", "eum"} <= set(MODELS)


def test_examples_lists_bundled_scenarios():
    result = invoke("examples")
    assert result.exit_code == 0, result.output
    assert "korea-singapore-2018" in result.stdout


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("summitry ")


def _assert_user_error(result, name: str | None) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    if name:
        assert name in lines[0]


@pytest.mark.parametrize(
    "args, name",
    [
        (["forecast", str(DATA / "cli-bad-salience.yaml")], "cli-bad-salience.yaml"),
        (["forecast", str(DATA / "cli-bad-syntax.yaml")], "cli-bad-syntax.yaml"),
        (["forecast", str(DATA / "cli-missing.yaml")], "cli-missing.yaml"),
        (["validate", str(DATA / "cli-bad-salience.yaml")], "cli-bad-salience.yaml"),
        (["trace", str(DATA / "cli-bad-syntax.yaml"), "-m", "eum"], "cli-bad-syntax.yaml"),
        (["forecast", SMALL, "--format", "xml"], "cli-small.yaml"),
    ],
)
def test_bad_input_is_one_error_line_and_no_output_file(tmp_path, args, name):
    out = tmp_path / "out.json"
    result = invoke(*args, "-o", str(out)) if args[0] != "validate" else invoke(*args)
    _assert_user_error(result, name)
    assert list(tmp_path.iterdir()) == []


def test_salience_error_names_the_field():
    result = invoke("validate", str(DATA / "cli-bad-salience.yaml"))
    assert "positions.us.sanctions.salience" in result.stderr


@pytest.mark.parametrize("command", ["forecast", "trace"])
def test_unknown_model_lists_the_models(tmp_path, command):
    out = tmp_path / "out"
    result = invoke(command, SMALL, "--model", "nope", "-o", str(out))
    _assert_user_error(result, "nope")
    assert all(name in result.stderr for name in MODELS)
    assert not out.exists()


def test_unwritable_output_is_a_user_error(tmp_path):
    result = invoke("forecast", SMALL, "-o", str(tmp_path / "missing" / "out.json"))
    _assert_user_error(result, "missing")


def test_usage_errors_exit_2():
    assert invoke("trace", SMALL).exit_code == 2  # --model is required
    assert invoke("forecast", SMALL, "--seed", "-1").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_samples_of_a_scenario_with_nothing_uncertain_say_so(tmp_path):
    result = invoke("forecast", SMALL, "-m", "compromise", "--samples", "5", "--no-store")
    assert result.exit_code == 0, result.output
    assert "nothing in 'cli-small' is uncertain" in result.output
    one = invoke("forecast", SMALL, "-m", "compromise", "--no-store")
    assert "uncertain" not in one.output


def test_json_with_an_output_file_writes_the_file_only(tmp_path):
    out = tmp_path / "f.json"
    result = runner.invoke(
        app, ["forecast", SMALL, "-m", "compromise", "--json", "-o", str(out), "--no-store"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text())["scenario"] == "cli-small"


def test_validate_warns_about_likely_mistakes(tmp_path):
    text = (DATA / "cli-small.yaml").read_text()
    data = yaml.safe_load(text)
    data["actors"][0]["veto"] = ["sanctions"]
    data["positions"][data["actors"][0]["id"]].pop("sanctions", None)
    data.setdefault("evidence", []).append(
        {"supports": "issues.sanctions.status_quo_sd", "source": "assumption", "rationale": "r"}
    )
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "holds a veto on 'sanctions' but has no stance" in result.output
    assert "status_quo_sd issue 'sanctions' does not give" in result.output
    clean = runner.invoke(app, ["validate", SMALL])
    assert "warning" not in clean.output


def test_doctor_says_where_things_live(summitry_home):
    result = invoke("doctor")
    assert result.exit_code == 0, result.output
    assert str(summitry_home / "runs.sqlite") in result.output.replace("\n", "")
    for word in ("run store", "compiled models", "extra [web]", "web test browser"):
        assert word in result.output
