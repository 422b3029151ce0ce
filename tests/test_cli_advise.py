import json
import textwrap

from typer.testing import CliRunner

from summitry.cli import app
from summitry.report.advise_view import LABEL_WIDTH

runner = CliRunner()
FAST = ("korea-hanoi-2019", "--actor", "us", "-m", "compromise", "-m", "nash", "-n", "50")


def invoke(*args: str, columns: int = 120):
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


def _record(*extra: str) -> dict:
    result = invoke("advise", *FAST, "--no-responses", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_advise_table_names_the_best_lever_for_the_us():
    record = _record()
    best = record["levers"][0]["label"]
    result = invoke("advise", *FAST, columns=200)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "best levers for us" in out
    assert all(part in out for part in textwrap.wrap(best, LABEL_WIDTH))  # the label, wrapped
    assert "compromise" in out and "nash" in out and " pp" in out
    assert "replies to the best lever" in out and "docs/advise.md" in out


def test_advise_json_record_is_ranked_and_reproducible():
    record = _record("--seed", "3")
    assert record["seed"] == 3 and record["actor"] == "us"
    assert len(record["input_sha256"]) == 64
    assert record["models"] == ["compromise", "nash"]
    scores = [lever["score"] for lever in record["levers"]]
    assert scores == sorted(scores, reverse=True)
    assert record["responses"] == [] and record["response_samples"] is None


def test_advise_kinds_limit_the_levers():
    record = _record("--kinds", "emphasis", "--no-flips")
    assert record["levers"] and {lever["kind"] for lever in record["levers"]} == {"emphasis"}


def test_advise_unknown_actor_is_one_error_line_and_writes_nothing(tmp_path):
    out = tmp_path / "advice.json"
    result = invoke("advise", "korea-hanoi-2019", "--actor", "france", "-o", str(out))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "france" in lines[0] and "us, dprk" in lines[0]
    assert not out.exists()


def test_advise_bad_kind_is_a_user_error():
    result = invoke("advise", *FAST, "--kinds", "bribe")
    assert result.exit_code == 2 and "bribe" in result.output


def test_advise_chart_and_output_files(tmp_path):
    chart, out = tmp_path / "levers.png", tmp_path / "advice.json"
    args = ("advise", *FAST, "--no-responses", "--no-flips", "--chart", str(chart))
    result = invoke(*args, "--json", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = out.read_text()
    assert text.endswith("}\n") and json.loads(text)["actor"] == "us"
    assert result.stdout == ""


def test_advise_table_fits_80_columns():
    result = invoke("advise", *FAST, columns=80)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 80
