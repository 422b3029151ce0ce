"""`summitry compare A B`: tables within 80 columns, JSON, output file and bad input."""

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from summitry.cli import app

DATA = Path(__file__).parent / "data"
SMALL = DATA / "cli-small.yaml"
FAST = ("-m", "compromise", "-m", "median")

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["compare", *args], env={"COLUMNS": "80"})


def test_singapore_and_hanoi_side_by_side_in_80_columns():
    result = invoke("korea-singapore-2018", "korea-hanoi-2019", *FAST)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    for words in (
        "as of 2018-06-11",
        "as of 2019-02-26",
        "what changed in the inputs (12)",
        "status quo exercises",
        "walk-away us",
        "what changed in the forecast",
        "P(deal)",
        "what moved the compromise forecast",
        "position us +5.2",
    ):
        assert words in out, words
    assert "…" not in out  # nothing cut short


def test_json_and_output_file(tmp_path):
    printed = invoke("korea-singapore-2018", "korea-hanoi-2019", *FAST, "--json")
    assert printed.exit_code == 0, printed.output
    record = json.loads(printed.stdout)
    assert record["a"]["scenario"] == "korea-singapore-2018"
    assert record["models"] == ["compromise", "median"]
    out = tmp_path / "compare.json"
    written = invoke("korea-singapore-2018", "korea-hanoi-2019", *FAST, "--json", "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text() == printed.stdout


def test_a_file_compared_with_itself_and_without_attribution():
    result = invoke(str(SMALL), str(SMALL), *FAST, "--attribute", "none")
    assert result.exit_code == 0, result.output
    assert "inputs: no change from A to B" in result.stdout
    assert "what moved" not in result.stdout


def test_different_actors_say_why_there_is_no_attribution(tmp_path):
    data = yaml.safe_load(SMALL.read_text())
    data["actors"] = [a for a in data["actors"] if a["id"] != "kr"]
    del data["positions"]["kr"]
    other = tmp_path / "no-kr.yaml"
    other.write_text(yaml.safe_dump(data))
    result = invoke(str(SMALL), str(other), *FAST)
    assert result.exit_code == 0, result.output
    assert "actor kr" in result.stdout and "no attribution" in result.stdout
    unrelated = invoke("ec-example", "korea-hanoi-2019", *FAST)
    assert unrelated.exit_code == 0, unrelated.output
    assert "no issue is in both scenarios" in unrelated.stdout
    assert max(len(line) for line in unrelated.stdout.splitlines()) <= 80


def test_bad_input_is_one_error_line_and_exit_2():
    for args in (
        (str(DATA / "cli-bad-salience.yaml"), str(SMALL)),
        (str(SMALL), "no-such-scenario"),
        (str(SMALL), str(SMALL), "--attribute", "nope"),
        (str(SMALL), str(SMALL), "-m", "nope"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.output


def _section(text: str, start: str, end: str) -> str:
    """The lines from the one holding ``start`` to the one holding ``end``, right-stripped."""
    lines = [line.rstrip() for line in text.splitlines()]
    first = next(k for k, line in enumerate(lines) if start in line)
    last = next(k for k in range(first, len(lines)) if end in lines[k])
    return "\n".join(lines[first : last + 1])


def test_docs_example_shows_the_current_inputs_and_compromise_attribution():
    doc = (Path(__file__).parents[1] / "docs" / "compare.md").read_text()
    doc = doc.split("```console", 1)[1].split("```", 1)[0]  # the first example
    result = invoke("korea-singapore-2018", "korea-hanoi-2019", "-m", "compromise")
    assert result.exit_code == 0, result.output
    for start, end in (
        ("what changed in the inputs (", "largest first"),
        ("what moved the compromise forecast", "(docs/compare.md)"),
    ):
        assert _section(result.stdout, start, end) == _section(doc, start, end)
