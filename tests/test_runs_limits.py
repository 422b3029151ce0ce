"""`runs list` limits and JSON, and commands that fail after the forecast record nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.errors import ParameterError
from summitry.forecast import forecast
from summitry.io import load
from summitry.store import FILENAME, LIST_MAX, RunStore

DATA = Path(__file__).parent / "data"
SMALL = str(DATA / "cli-small.yaml")

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture(scope="module")
def small_forecast():
    return forecast(load(SMALL), ["median"])


@pytest.fixture
def three_runs(small_forecast) -> list[str]:
    store = RunStore()
    return [store.record(small_forecast, f"source-{k}") for k in range(3)]


# -- the store -----------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [2**63 - 1, 2**63, 10**30])
def test_a_huge_limit_lists_every_run(three_runs, limit):
    assert [r.id for r in RunStore().list(limit)] == three_runs[::-1]


def test_list_keeps_each_runs_models_in_order(small_forecast):
    store = RunStore()
    two = forecast(load(SMALL), ["median", "compromise"])
    first = store.record(two, "two")
    second = store.record(small_forecast, "one")
    listed = store.list(None)
    assert [(r.id, r.models) for r in listed] == [
        (second, ("median",)),
        (first, ("median", "compromise")),
    ]
    assert [r.id for r in store.list(1)] == [second] and store.list(0) == []


@pytest.mark.parametrize("limit", [-1, 1.5, "3", True])
def test_a_bad_limit_is_refused(three_runs, limit):
    with pytest.raises(ParameterError, match="limit"):
        RunStore().list(limit)


# -- the command ---------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [str(LIST_MAX + 1), str(2**63), str(10**30)])
def test_cli_limit_past_the_cap_is_one_clear_error(three_runs, limit):
    done = invoke("runs", "list", "--limit", limit)
    assert done.exit_code == 2
    assert isinstance(done.exception, SystemExit) and "Traceback" not in done.output
    assert "--limit" in done.output and f"{LIST_MAX}" in done.output.replace(",", "")


def test_cli_limit_at_the_cap_lists_every_run(three_runs):
    done = invoke("runs", "list", "--limit", str(LIST_MAX))
    assert done.exit_code == 0, done.output
    assert all(run_id in done.stdout for run_id in three_runs)
    assert "3 of 3 runs" in done.stdout


def test_cli_json_is_one_array_of_summaries(three_runs):
    done = invoke("runs", "list", "--json", "-n", "2")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert [r["id"] for r in data] == three_runs[:0:-1]
    assert set(data[0]) == {
        "id",
        "created",
        "scenario_name",
        "source",
        "models",
        "samples",
        "seed",
        "input_sha256",
    }
    assert data[0]["models"] == ["median"] and data[0]["source"] == "source-2"


def test_cli_json_with_no_store_is_an_empty_array(summitry_home):
    done = invoke("runs", "list", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == [] and not (summitry_home / FILENAME).exists()


# -- a failed command records nothing ------------------------------------------------------


def test_forecast_whose_output_cannot_be_written_records_nothing(tmp_path):
    done = invoke("forecast", SMALL, "-m", "median", "-o", str(tmp_path / "missing" / "f.json"))
    assert done.exit_code == 2 and done.stderr.startswith("error: ")
    assert "recorded" not in done.stderr
    assert RunStore().count() == 0
    done = invoke("forecast", SMALL, "-m", "median", "-o", str(tmp_path / "f.json"))
    assert done.exit_code == 0, done.output
    assert RunStore().count() == 1


def test_report_that_cannot_be_written_records_nothing(tmp_path):
    in_the_way = tmp_path / "report"
    in_the_way.write_text("a file, not a folder")
    args = ["report", SMALL, "-m", "median", "--drivers", "none", "-o", str(in_the_way)]
    done = invoke(*args)
    assert done.exit_code == 2 and done.stderr.startswith("error: ")
    assert RunStore().count() == 0
    assert in_the_way.read_text() == "a file, not a folder"


def test_report_that_fails_while_drawing_records_nothing(tmp_path, monkeypatch):
    from summitry.report import html as report_html

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr(report_html, "build_report", broken)
    done = invoke("report", SMALL, "-m", "median", "--drivers", "none", "-o", str(tmp_path / "o"))
    assert done.exit_code == 2 and "No space left" in done.stderr
    assert RunStore().count() == 0


def test_a_store_that_cannot_be_used_stops_before_the_output_is_written(summitry_home, tmp_path):
    (summitry_home / FILENAME).write_bytes(b"\x00not a database\n" * 100)
    out = tmp_path / "f.json"
    done = invoke("forecast", SMALL, "-m", "median", "-o", str(out))
    assert done.exit_code == 2 and "move it aside" in done.stderr
    assert not out.exists()
