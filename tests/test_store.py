import contextlib
import json
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from summitry import store as store_module
from summitry.cli import app
from summitry.forecast import forecast
from summitry.models import MODELS, ExpectedUtility, WeightedMedian
from summitry.report import to_json
from summitry.scenario import Scenario
from summitry.store import (
    FILENAME,
    SCHEMA_VERSION,
    RunStore,
    StoreError,
    UnknownRunError,
    compare_results,
    default_store_path,
    user_data_dir,
)

DATA = Path(__file__).parent / "data"
# The small fixtures leave an issue without a status quo, so by default the models that
# bargain from it (needs_status_quo) are left out.
RUNNABLE = [name for name, cls in MODELS.items() if not cls.needs_status_quo]
SMALL = str(DATA / "cli-small.yaml")
SRC = Path(store_module.__file__).parents[1]

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture
def scenario() -> Scenario:
    return Scenario.from_dict(yaml.safe_load(Path(SMALL).read_text()), file="cli-small.yaml")


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs.sqlite")


@contextlib.contextmanager
def _db(path: Path):
    """A plain connection to the file, committed and closed at the end of the block."""
    con = sqlite3.connect(path)
    try:
        with con:
            yield con
    finally:
        con.close()


def _one_error_line(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


def _recorded_id(result) -> str:
    lines = [x for x in result.stderr.splitlines() if x.startswith("recorded as run ")]
    assert len(lines) == 1, result.stderr
    return lines[0].split()[-1]


# -- the API -------------------------------------------------------------------------------


def test_record_get_list_round_trip(store, scenario):
    fc = forecast(scenario, [WeightedMedian(tie="low"), ExpectedUtility(q=0.5)], seed=7)
    run_id = store.record(fc, "cli-small.yaml")
    assert len(run_id) == 12 and int(run_id, 16) >= 0

    record = store.get(run_id)
    assert record.id == run_id
    assert record.created == fc.created and record.created.endswith("+00:00")
    assert record.source == "cli-small.yaml"
    assert record.scenario_name == "cli-small"
    assert record.input_sha256 == scenario.digest()
    assert (record.seed, record.samples, record.rounds) == (7, 1, None)
    assert record.summitry_version == fc.summitry_version
    assert record.models == {"median": {"tie": "low"}, "eum": ExpectedUtility(q=0.5).get_params()}
    assert list(record.models) == ["median", "eum"]
    assert record.result == json.loads(to_json(fc))
    assert record.result_json() == to_json(fc)
    assert record.load_scenario() == scenario

    (summary,) = store.list()
    assert summary.id == run_id and summary.models == ("median", "eum")
    assert (summary.seed, summary.samples, summary.scenario_name) == (7, 1, "cli-small")
    assert summary.input_sha256 == scenario.digest()


def test_stored_scenario_is_complete_sorted_json_with_the_input_hash(store, scenario):
    run_id = store.record(forecast(scenario), SMALL)
    with _db(store.path) as con:
        (text,) = con.execute("SELECT scenario FROM runs WHERE id = ?", (run_id,)).fetchone()
    data = json.loads(text)
    assert data == scenario.model_dump(mode="json")
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"))
    assert Scenario.from_dict(data).digest() == store.get(run_id).input_sha256


def test_list_is_newest_first_and_limited(store, scenario):
    ids = [store.record(forecast(scenario, ["compromise"], seed=k), SMALL) for k in range(5)]
    assert [r.id for r in store.list()] == ids[::-1]
    assert [r.id for r in store.list(2)] == ids[:2:-1]
    assert len(store.list(None)) == store.count() == 5


def test_missing_file_reads_as_empty_and_is_not_created(store):
    assert store.list() == [] and store.count() == 0
    with pytest.raises(UnknownRunError, match="runs list"):
        store.get("abc")
    assert not store.path.exists()


def test_rerun_is_identical(store, scenario):
    fc = forecast(scenario, seed=3)
    run_id = store.record(fc, SMALL)
    again, same, differences = store.rerun(run_id)
    assert same and differences == []
    assert again.to_dict() == fc.to_dict()
    assert list(again.models) == RUNNABLE


def test_rerun_keeps_fixed_rounds(store, scenario):
    run_id = store.record(forecast(scenario, ["eum"], rounds=2), SMALL)
    assert store.get(run_id).rounds == 2
    again, same, _ = store.rerun(run_id)
    assert same and again.rounds == 2


def test_rerun_reports_each_changed_number(store, scenario):
    run_id = store.record(forecast(scenario, ["compromise", "eum"]), SMALL)
    with _db(store.path) as con:
        (text,) = con.execute("SELECT result FROM runs WHERE id = ?", (run_id,)).fetchone()
        data = json.loads(text)
        data["issues"][1]["forecasts"]["compromise"]["outcome"] += 1e-12
        data["summitry_version"] = "0.0.1"  # not a number: never a difference
        con.execute("UPDATE runs SET result = ? WHERE id = ?", (json.dumps(data), run_id))
    _, same, differences = store.rerun(run_id)
    assert not same
    assert len(differences) == 1
    assert differences[0].startswith("issues[inspections].forecasts.compromise.outcome: stored ")


def test_compare_results_names_added_and_missing_keys():
    assert compare_results({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}) == []
    assert compare_results({"a": 1}, {"a": 1, "c": 2}) == ["c: not stored, now 2"]
    assert compare_results({"a": 1, "c": 2}, {"a": 1}) == ["c: stored 2, now missing"]
    assert compare_results({"b": [1, 2]}, {"b": [1, 3]}) == ["b[1]: stored 2, now 3"]
    assert compare_results({"models": {"x": {"summary": "old"}}}, {"models": {"x": {}}}) == []


def test_unique_prefix_finds_the_run(store, scenario, monkeypatch):
    ids = iter(["ab12" + "0" * 28, "ab34" + "0" * 28, "cd56" + "0" * 28])
    monkeypatch.setattr(store_module.uuid, "uuid4", lambda: type("U", (), {"hex": next(ids)}))
    fc = forecast(scenario, ["compromise"])
    first, second, third = (store.record(fc, SMALL) for _ in range(3))
    assert (first, second, third) == ("ab1200000000", "ab3400000000", "cd5600000000")
    assert store.get("ab1").id == first
    assert store.get("AB34").id == second
    assert store.get("c").id == third
    assert store.get(third).id == third
    with pytest.raises(UnknownRunError, match="several run ids .*ab1200000000, ab3400000000"):
        store.get("ab")
    for unknown in ("ab5", "xyz", "%", "", "ab12000000001"):
        with pytest.raises(UnknownRunError, match="no run"):
            store.get(unknown)


def test_schema_version_is_set(store, scenario):
    store.record(forecast(scenario, ["compromise"]), SMALL)
    with _db(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
    assert {"runs", "run_models"} <= tables


def test_migration_hook_upgrades_an_older_file(store, scenario, monkeypatch):
    run_id = store.record(forecast(scenario, ["compromise"]), SMALL)

    def add_note(con):
        con.execute("ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT ''")

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, SCHEMA_VERSION, add_note)
    assert store.get(run_id).id == run_id
    with _db(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert con.execute("SELECT note FROM runs").fetchall() == [("",)]


def test_newer_schema_is_refused(store, scenario):
    store.record(forecast(scenario, ["compromise"]), SMALL)
    with _db(store.path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this summitry"):
        store.list()


def test_folder_given_as_the_store_is_refused(tmp_path, scenario):
    with pytest.raises(StoreError, match="is a folder; give the database file"):
        RunStore(tmp_path).record(forecast(scenario, ["compromise"]), SMALL)
    with pytest.raises(StoreError, match="is a folder"):
        RunStore(tmp_path).list()


def test_other_sqlite_database_is_refused(store):
    with _db(store.path) as con:
        con.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(StoreError, match="not a summitry run store"):
        store.list()


@pytest.mark.parametrize("content", [b"not a database at all\n" * 50, "truncate"])
def test_damaged_file_is_a_store_error_naming_the_path(store, scenario, content):
    if content == "truncate":
        for seed in range(20):
            store.record(forecast(scenario, ["compromise"], seed=seed), SMALL)
        content = store.path.read_bytes()[:6000]
    store.path.write_bytes(content)
    with pytest.raises(StoreError, match="move it aside") as info:
        store.list()
        store.get("00")
    assert str(store.path) in str(info.value)


def test_crash_inside_the_transaction_leaves_no_partial_record(store, scenario, monkeypatch):
    kept = store.record(forecast(scenario, ["compromise"]), SMALL)

    def crash(*args):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_module, "_insert_models", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        store.record(forecast(scenario, seed=1), SMALL)
    monkeypatch.undo()
    assert [r.id for r in store.list()] == [kept]
    with _db(store.path) as con:
        assert con.execute("SELECT count(*) FROM run_models").fetchone()[0] == 1
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killed_process_leaves_the_database_readable(store, scenario):
    kept = store.record(forecast(scenario, ["compromise"]), SMALL)
    code = f"""
import os
from summitry import io, store
from summitry.forecast import forecast
store._insert_models = lambda *args: os._exit(9)
store.RunStore({str(store.path)!r}).record(forecast(io.load({SMALL!r})), "x")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)}, capture_output=True
    )
    assert done.returncode == 9, done.stderr
    assert [r.id for r in store.list()] == [kept]
    assert store.get(kept).models == {"compromise": {}}
    with _db(store.path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_concurrent_writers_all_land(tmp_path, scenario):
    path = tmp_path / "shared.sqlite"
    fc = forecast(scenario, ["compromise", "median"])

    def write(k: int) -> list[str]:
        return [RunStore(path).record(fc, f"writer-{k}") for _ in range(5)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = [run_id for batch in pool.map(write, range(6)) for run_id in batch]
    assert len(set(ids)) == 30
    assert RunStore(path).count() == 30


# -- location ------------------------------------------------------------------------------


def test_summitry_home_decides_the_default_path(summitry_home, monkeypatch, tmp_path):
    assert default_store_path() == summitry_home / FILENAME
    assert RunStore().path == summitry_home / FILENAME
    monkeypatch.setenv("SUMMITRY_HOME", str(tmp_path / "elsewhere"))
    assert default_store_path() == tmp_path / "elsewhere" / FILENAME


def test_user_data_dir_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("SUMMITRY_HOME")
    home = Path.home()
    env = {"XDG_DATA_HOME": str(tmp_path)}
    assert user_data_dir("linux", env) == tmp_path / "summitry"
    assert user_data_dir("linux", {"XDG_DATA_HOME": "relative"}) == (
        home / ".local" / "share" / "summitry"
    )
    assert user_data_dir("linux", {}) == home / ".local" / "share" / "summitry"
    assert user_data_dir("darwin", env) == home / "Library" / "Application Support" / "summitry"
    assert user_data_dir("win32", {"LOCALAPPDATA": str(tmp_path)}) == tmp_path / "summitry"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert default_store_path() == tmp_path / "summitry" / FILENAME


# -- the command line ----------------------------------------------------------------------


def test_forecast_records_and_runs_commands_read_back(summitry_home):
    done = invoke("forecast", SMALL, "--seed", "2")
    assert done.exit_code == 0, done.output
    run_id = _recorded_id(done)
    assert (summitry_home / FILENAME).exists()

    listed = invoke("runs", "list")
    assert listed.exit_code == 0, listed.output
    for word in (run_id, "cli-small", "compromise", "eum", "1 of 1 runs", str(summitry_home)):
        assert word in listed.stdout

    shown = invoke("runs", "show", run_id[:6])
    assert shown.exit_code == 0, shown.output
    for word in (run_id, SMALL, "sha256", "tie=midpoint", "max_rounds=100"):
        assert word in shown.stdout
    table = shown.stdout[shown.stdout.index("┏") :]
    assert table == done.stdout  # same table as the forecast printed

    as_json = invoke("runs", "show", run_id, "--json")
    assert as_json.stdout == invoke("forecast", SMALL, "--seed", "2", "--json").stdout

    again = invoke("runs", "rerun", run_id[:8])
    assert again.exit_code == 0, again.output
    assert again.stdout == done.stdout + f"identical to run {run_id}\n"


def test_rerun_exits_1_with_the_differences(summitry_home):
    run_id = _recorded_id(invoke("forecast", SMALL, "-m", "median"))
    with _db(summitry_home / FILENAME) as con:
        data = json.loads(con.execute("SELECT result FROM runs").fetchone()[0])
        data["issues"][0]["forecasts"]["median"]["outcome"] = 21.0
        con.execute("UPDATE runs SET result = ?", (json.dumps(data),))
    again = invoke("runs", "rerun", run_id)
    assert again.exit_code == 1, again.output
    assert f"differs from run {run_id}:" in again.stdout
    assert "issues[sanctions].forecasts.median.outcome: stored 21.0, now 20.0" in again.stdout


def test_store_option_overrides_the_home(summitry_home, tmp_path):
    path = tmp_path / "project" / "my-runs.sqlite"
    run_id = _recorded_id(invoke("forecast", SMALL, "--store", str(path)))
    assert path.exists() and not (summitry_home / FILENAME).exists()
    assert run_id in invoke("runs", "list", "--store", str(path)).stdout
    assert invoke("runs", "show", run_id, "--store", str(path)).exit_code == 0
    assert invoke("runs", "rerun", run_id, "--store", str(path)).exit_code == 0
    assert "no runs recorded" in invoke("runs", "list").stdout


def test_created_is_true_only_for_the_object_that_made_the_file(store):
    assert not store.created
    store.check()
    assert store.created and store.path.exists()
    again = RunStore(store.path)
    again.check()
    assert not again.created


def test_the_run_that_creates_the_store_says_where_runs_are_kept(summitry_home, tmp_path):
    first = invoke("forecast", SMALL, "-m", "median")
    assert first.exit_code == 0, first.output
    lines = first.stderr.splitlines()
    assert lines[0].startswith("recorded as run ") and len(lines) == 2, first.stderr
    note = lines[1]
    assert note.startswith("note: runs are kept in ") and str(summitry_home / FILENAME) in note
    for option in ("--store PATH", "SUMMITRY_HOME", "--no-store"):
        assert option in note
    again = invoke("forecast", SMALL, "-m", "median")
    assert again.exit_code == 0 and "note:" not in again.stderr, again.stderr
    path = tmp_path / "elsewhere.sqlite"
    other = invoke("forecast", SMALL, "-m", "median", "--json", "--store", str(path))
    assert f"runs are kept in {path} " in other.stderr
    assert json.loads(other.stdout)["scenario"] == "cli-small"  # stdout stays pure JSON


def test_no_store_writes_nothing(summitry_home):
    done = invoke("forecast", SMALL, "--no-store")
    assert done.exit_code == 0, done.output
    assert "recorded" not in done.stderr and "runs are kept" not in done.stderr
    assert list(summitry_home.iterdir()) == []
    _one_error_line(invoke("forecast", SMALL, "--no-store", "--store", "x.sqlite"), "--no-store")


def test_failed_forecast_stores_nothing(summitry_home):
    _one_error_line(invoke("forecast", str(DATA / "cli-bad-salience.yaml")))
    assert list(summitry_home.iterdir()) == []
    kept = _recorded_id(invoke("forecast", SMALL, "-m", "compromise"))
    _one_error_line(invoke("forecast", str(DATA / "cli-bad-syntax.yaml")))
    _one_error_line(invoke("forecast", SMALL, "-m", "nope"))
    assert [r.id for r in RunStore().list()] == [kept]


@pytest.mark.parametrize(
    "args",
    [("runs", "list"), ("runs", "show", "abc"), ("runs", "rerun", "abc"), ("forecast", SMALL)],
)
def test_corrupt_database_is_one_error_line(summitry_home, args):
    (summitry_home / FILENAME).write_bytes(b"\x00garbage, not SQLite\n" * 100)
    result = invoke(*args)
    _one_error_line(result, str(summitry_home / FILENAME), "move it aside")
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["show", "rerun"])
def test_unknown_run_id_says_how_to_list_ids(command):
    invoke("forecast", SMALL, "-m", "compromise")
    _one_error_line(invoke("runs", command, "fffffffffff0"), "fffffffffff0", "summitry runs list")


def test_empty_store_lists_nothing():
    listed = invoke("runs", "list")
    assert listed.exit_code == 0
    assert listed.stdout.startswith("no runs recorded in ")


def test_python_example_in_the_docs_runs(summitry_home):
    text = (Path(__file__).parents[1] / "docs" / "runs.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["same"] and namespace["differences"] == []
    assert namespace["store"].path == summitry_home / FILENAME
    assert namespace["record"].id == namespace["run_id"]


@pytest.mark.parametrize("stored", [[], None, "x", {}, {"models": 5}])
def test_a_stored_result_of_another_shape_is_one_clear_error(summitry_home, stored):
    run_id = _recorded_id(invoke("forecast", SMALL, "-m", "median"))
    with _db(summitry_home / FILENAME) as con:
        con.execute("UPDATE runs SET result = ?", (json.dumps(stored),))
    shown = invoke("runs", "show", run_id)
    assert shown.exit_code == 2, shown.output
    assert "cannot read" in shown.stderr and "Traceback" not in shown.output
    assert len(shown.stderr.strip().splitlines()) == 1
