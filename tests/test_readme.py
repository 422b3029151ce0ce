"""The forecast shown in the README is what the command prints today."""

from pathlib import Path

from typer.testing import CliRunner

from summitry.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _block_after(text: str, command: str) -> list[str]:
    start = text.index(f"$ {command}\n") + len(command) + 3
    end = text.index("```", start)
    return [line.rstrip() for line in text[start:end].strip().splitlines()]


def test_readme_forecast_table_is_current():
    shown = _block_after(README.read_text(), "summitry forecast korea-hanoi-2019")
    result = CliRunner().invoke(
        app, ["forecast", "korea-hanoi-2019", "--no-store"], env={"COLUMNS": "130"}
    )
    assert result.exit_code == 0, result.output
    printed = [line.rstrip() for line in result.stdout.strip().splitlines()]
    assert printed == shown


def test_tutorial_forecast_table_is_current():
    tutorial = README.parent / "docs" / "tutorial-ec.md"
    text = tutorial.read_text()
    marker = "$ summitry forecast ec-example\n┏"
    start = text.index(marker) + len("$ summitry forecast ec-example\n")
    shown = [line.rstrip() for line in text[start : text.index("```", start)].strip().splitlines()]
    result = CliRunner().invoke(
        app, ["forecast", "ec-example", "--no-store"], env={"COLUMNS": "110"}
    )
    assert result.exit_code == 0, result.output
    assert [line.rstrip() for line in result.stdout.strip().splitlines()] == shown
