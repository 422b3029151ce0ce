"""A corpus of hostile and careless scenario files, run through every command that reads one.

Each file in ``files/`` breaks one rule (or is valid but hostile, marked ``VALID`` in
``expected.json``). Every command must end with exit code 2 and one line naming the file
and the rule, write nothing and record no run; no input may hang, crash or exhaust memory.
docs/security.md says what is promised.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.analysis.uncertainty import sample
from summitry.bounds import MAX_CELLS, MAX_SAMPLES
from summitry.errors import ParameterError
from summitry.io import MAX_FILE_BYTES, load

HERE = Path(__file__).parent
FILES = sorted((HERE / "files").iterdir())
EXPECTED: dict[str, str] = json.loads((HERE / "expected.json").read_text())
BAD = [f for f in FILES if EXPECTED[f.stem] != "VALID"]
VALID = [f for f in FILES if EXPECTED[f.stem] == "VALID"]
runner = CliRunner()


def invoke(*args: str):
    from summitry.cli import app

    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


def one_clear_line(result, name: str, words: str = "") -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert name in lines[0]
    assert words.lower() in lines[0].lower()


def runs_recorded(home: Path) -> int:
    db = next(home.rglob("*.sqlite*"), None) if home.exists() else None
    if db is None:
        return 0
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


def test_the_corpus_is_large_and_every_file_has_an_expectation():
    assert len(FILES) >= 60
    assert {f.stem for f in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", BAD, ids=[f.stem for f in BAD])
def test_validate_names_the_file_and_the_rule(path):
    one_clear_line(invoke("validate", str(path)), path.name, EXPECTED[path.stem])


@pytest.mark.parametrize("path", BAD, ids=[f.stem for f in BAD])
def test_every_command_refuses_it_writes_nothing_and_records_nothing(path, tmp_path, summitry_home):
    out = tmp_path / "out"
    commands = [
        ["forecast", str(path), "-m", "compromise"],
        ["forecast", str(path), "-m", "compromise", "--json", "-o", str(out / "f.json")],
        ["timeline", str(path), "-m", "compromise"],
        ["report", str(path), "-m", "compromise", "-o", str(out / "report")],
        ["sweep", str(path), "-m", "compromise", "-v", "actors.a.capability=1:2:2"],
        ["score", str(path), "-m", "compromise"],
        ["compare", str(path), "korea-hanoi-2019", "-m", "compromise"],
        ["compare", "korea-hanoi-2019", str(path), "-m", "compromise", "-o", str(out / "c.json")],
    ]
    for args in commands:
        result = invoke(*args)
        one_clear_line(result, path.name)
    assert not out.exists() or not any(out.iterdir())
    assert runs_recorded(summitry_home) == 0


@pytest.mark.parametrize("path", VALID, ids=[f.stem for f in VALID])
def test_valid_but_hostile_files_forecast(path):
    result = invoke("forecast", str(path), "-m", "compromise", "--no-store")
    assert result.exit_code == 0, result.output
    result = invoke("compare", str(path), str(path), "-m", "compromise")
    assert result.exit_code == 0 and "no change from A to B" in result.stdout, result.output


def test_special_files_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        if not Path(target).exists():
            continue
        one_clear_line(invoke("validate", target), target, "not a regular file")
    one_clear_line(invoke("validate", str(tmp_path)), tmp_path.name, "folder")
    one_clear_line(invoke("validate", str(tmp_path / "missing.yaml")), "missing.yaml", "no such")


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    one_clear_line(invoke("validate", str(big)), "big.yaml", "limited to")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["forecast", "korea-hanoi-2019", "--samples", str(MAX_SAMPLES + 1)], "--samples"),
        (["forecast", "korea-hanoi-2019", "--seed", str(2**63)], "--seed"),
        (["forecast", "korea-hanoi-2019", "--seed", "-1"], "--seed"),
        (["trace", "korea-hanoi-2019", "-m", "eum", "--rounds", "1000000"], "--rounds"),
        (
            [
                "sweep",
                "korea-hanoi-2019",
                "-v",
                "actors.us.capability=0:1",
                "--design",
                "random",
                "--variants",
                "10000000",
            ],
            "--variants",
        ),
        (["timeline", "korea-2017-2019", "--samples", "0"], "--samples"),
    ],
)
def test_sizes_past_their_caps_are_usage_errors(args, words):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output


def test_the_library_refuses_batches_past_the_caps():
    scenario = load("korea-hanoi-2019")
    with pytest.raises(ParameterError, match="samples must be an integer"):
        sample(scenario, MAX_SAMPLES + 1)
    with pytest.raises(ParameterError, match="samples must be an integer"):
        sample(scenario, True)
    cells = len(scenario.actors) * len(scenario.issues)
    if MAX_CELLS // cells < MAX_SAMPLES:
        with pytest.raises(ParameterError, match="values in one batch"):
            sample(scenario, MAX_CELLS // cells + 1)


def test_a_grid_past_the_variant_cap_is_refused():
    result = invoke(
        "sweep",
        "korea-hanoi-2019",
        "-m",
        "compromise",
        *[x for k in range(7) for x in ("-v", f"positions.us.economic.salience=0:1:{10 + k}")],
    )
    assert result.exit_code == 2, result.output
    assert "variants" in result.output


def test_output_paths_that_cannot_be_written_give_one_line(tmp_path):
    folder = tmp_path / "here"
    folder.mkdir()
    result = invoke("forecast", "korea-hanoi-2019", "-m", "compromise", "--json", "-o", str(folder))
    one_clear_line(result, str(folder), "it is a folder")
    missing = tmp_path / "no" / "such" / "f.json"
    result = invoke(
        "forecast", "korea-hanoi-2019", "-m", "compromise", "--json", "-o", str(missing)
    )
    if result.exit_code == 2:  # as root the folders may simply be made
        one_clear_line(result, str(missing.parent))
    assert not [p for p in folder.iterdir()]  # no temporary file left behind


def test_an_empty_file_name_says_so():
    one_clear_line(invoke("validate", ""), "", "no file given")
