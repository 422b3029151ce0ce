"""The sweep table: every column header distinct and readable at any width."""

import io

import pytest
from rich.console import Console

import summitry
from summitry.report.sweep_view import sweep_table
from summitry.sweep import Vary, sweep

PATHS = (
    "positions.us.sanctions.salience",
    "positions.us.sanctions.position",
    "positions.dprk.sanctions.position",
)


@pytest.fixture(scope="module")
def result():
    varies = [Vary.parse(f"{PATHS[0]}=0:1:2"), *(Vary.parse(f"{p}=0,40") for p in PATHS[1:])]
    return sweep(summitry.load("korea-hanoi-2019"), varies, models=["compromise"], samples=3)


def columns(lines: list[str]) -> list[str]:
    """Each column's header, its lines joined."""
    rows = [line.strip("┃").split("┃") for line in lines if line.startswith("┃")]
    return ["".join(row[k].strip() for row in rows) for k in range(len(rows[0]))]


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_headers_are_distinct_whole_and_named_below(result, width):
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(sweep_table(result, "compromise"))
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= width
    heads = columns(lines)
    assert len(set(heads)) == len(heads)
    assert heads == ["v1", "v2", "v3", *result.issues, "P(deal)"]
    assert "…" not in "\n".join(lines)
    for k, path in enumerate(PATHS, start=1):
        assert f"v{k}  {path}" in [line.rstrip() for line in lines]
