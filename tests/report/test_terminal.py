"""The terminal tables fit the console: no column cropped, squeezed or cut off."""

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from summitry import io as summitry_io
from summitry.cli import app
from summitry.forecast import forecast
from summitry.report import terminal

WIDTHS = (80, 100, 120)


@pytest.fixture(scope="module", params=[1, 24], ids=["one draw", "24 draws"])
def record(request):
    scenario = summitry_io.load("korea-hanoi-2019")
    return forecast(scenario, seed=0, samples=request.param).to_dict()


def render(renderable, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, highlight=False).print(renderable)
    return out.getvalue().splitlines()


def headers(lines: list[str]) -> str:
    """Every header line of every table, joined."""
    return "\n".join(line for line in lines if line.startswith("┃"))


TABLES = {
    "forecast": terminal.stored_forecast_table,
    "deal": terminal.deal_table,
    "winners": terminal.winners_table,
    "miscalculation": terminal.miscalculation_table,
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(TABLES))
def test_tables_fit_the_width_and_name_every_model_in_full(record, kind, width):
    table = TABLES[kind](record)
    assert table is not None
    lines = render(table, width)
    assert max(map(len, lines)) <= width
    assert "…" not in "\n".join(lines)
    head = headers(lines)
    models = list(record["models"]) if kind != "miscalculation" else list(record["miscalculation"])
    for name in models:
        assert f" {name} ┃" in head, name
    # every table ends with its closing border: nothing cut off on the right
    assert all(line.endswith("┓") for line in lines if line.startswith("┏"))
    assert all(line.endswith("┘") for line in lines if line.startswith("└"))


@pytest.mark.parametrize("width", WIDTHS)
def test_forecast_table_keeps_issues_and_status_quo_in_every_part(record, width):
    lines = render(terminal.stored_forecast_table(record), width)
    parts = sum(line.startswith("┏") for line in lines)
    text = "\n".join(lines)
    for issue in record["issues"]:
        assert text.count(f"│ {issue['id']} ") == parts
    head = headers(lines)
    assert head.count(" status quo ┃") + head.count(" status ┃") == parts
    assert text.count("korea-hanoi-2019 · input") == 1  # the caption, once, at the end


def test_a_wide_console_shows_one_table_of_every_model(record):
    lines = render(terminal.stored_forecast_table(record), 400)
    assert sum(line.startswith("┏") for line in lines) == 1


def test_models_spread_evenly_over_the_parts(record):
    lines = render(terminal.stored_forecast_table(record), 80)
    counts = [line.count("┳") for line in lines if line.startswith("┏")]
    assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("width", [80, 100])
def test_forecast_command_fits_a_narrow_terminal(width):
    result = CliRunner().invoke(
        app, ["forecast", "korea-hanoi-2019", "--no-store"], env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= width
    assert "…" not in result.stdout
    for name in ("compromise", "median", "eum", "nash", "smp", "exchange"):
        assert f" {name} ┃" in headers(lines)
