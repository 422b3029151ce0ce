import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from summitry.cli import app
from summitry.ledger import GENESIS

DATA = Path(__file__).parent / "data"
LATER = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
FAST = ("-n", "4", "-m", "compromise", "-m", "median")

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "160"})


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    data = yaml.safe_load((DATA / "cli-small.yaml").read_text())
    data["issues"][1]["status_quo"] = 2
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "ledger" / "runs.sqlite"


def seal(store: Path, scenario_file: Path, *extra: str, question: str = "Will they sign?"):
    return invoke(
        "seal", scenario_file, "--question", question, "--rule", "A signed text",
        "--deadline", LATER, "--store", store, *FAST, *extra,
    )  # fmt: skip


def sealed(store: Path, scenario_file: Path, *extra: str) -> str:
    result = seal(store, scenario_file, *extra)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def count(store: Path) -> int:
    con = sqlite3.connect(store)
    try:
        return con.execute("SELECT count(*) FROM ledger").fetchone()[0]
    finally:
        con.close()


def assert_one_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- the commands --------------------------------------------------------------------------


def test_seal_prints_the_id_and_the_ledger_lists_it(store, scenario_file):
    result = seal(store, scenario_file)
    assert result.exit_code == 0, result.output
    qid = result.stdout.strip()
    assert len(qid) == 12 and int(qid, 16) >= 0
    assert f"summitry grade {qid} --outcome yes|no" in result.stderr
    listed = invoke("ledger", "list", "--store", store)
    assert listed.exit_code == 0, listed.output
    for word in (qid, "Will they sign?", LATER, "deal", "open", "1 question, 0 resolved"):
        assert word in listed.stdout
    rows = json.loads(invoke("ledger", "list", "--json", "--store", store).stdout)
    assert [(r["id"], r["status"], r["outcome"]) for r in rows] == [(qid, "open", None)]
    assert rows[0]["models"] == ["compromise", "median"]


def test_the_ledger_follows_summitry_home(summitry_home, scenario_file):
    result = invoke("seal", scenario_file, "--question", "q", "--rule", "r", "--deadline",
                    LATER, *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert count(summitry_home / "runs.sqlite") == 1
    assert result.stdout.strip() in invoke("ledger", "list").stdout


def test_grade_then_scores(store, scenario_file):
    qid = sealed(store, scenario_file)
    issue = sealed(store, scenario_file, "--kind", "issue:sanctions")
    result = invoke(
        "grade", qid[:6], "--outcome", "yes", "--early", "--note", "x", "--store", store
    )
    assert result.exit_code == 0, result.output
    assert f"graded question {qid} early, before its deadline: yes" in result.stdout
    assert invoke("grade", issue, "--outcome", "35", "--early", "--store", store).exit_code == 0
    listed = invoke("ledger", "list", "--store", store).stdout
    assert "resolved" in listed and "yes (early)" in listed and "35 (early)" in listed
    table = invoke("ledger", "scores", "--store", store)
    assert table.exit_code == 0, table.output
    for word in ("Brier", "log score", "MAE (0-100)", "compromise", "chance (baseline)"):
        assert word in table.stdout
    record = json.loads(invoke("ledger", "scores", "--json", "--store", store).stdout)
    assert record["questions"] == 2 and record["resolved"] == 2
    rows = {row["model"]: row for row in record["models"]}
    assert rows["chance"]["brier"] == 0.25 and rows["compromise"]["deal_count"] == 1
    assert rows["status quo"]["mae"] == pytest.approx(25.0)  # |10 - 35| on a 0-100 scale


def test_export_and_verify(store, scenario_file, tmp_path):
    qid = sealed(store, scenario_file)
    invoke("grade", qid, "--outcome", "no", "--early", "--store", store)
    verified = invoke("ledger", "verify", "--store", store)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith("ledger intact: 2 entries (head ")
    head = verified.stdout.split("head ")[1].rstrip(")\n")
    printed = invoke("ledger", "export", "--store", store)
    lines = printed.stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[-1]) == {"count": 2, "head": head}
    path = tmp_path / "out.jsonl"
    assert invoke("ledger", "export", "-o", path, "--store", store).exit_code == 0
    assert path.read_text() == printed.stdout
    result = invoke("ledger", "verify", path)
    assert result.exit_code == 0 and "ledger intact: 2 entries" in result.stdout
    for where in (("--store", store), (path,)):
        ok = invoke("ledger", "verify", *where, "--head", head[:12])
        assert ok.exit_code == 0, ok.output
        rewritten = invoke("ledger", "verify", *where, "--head", "ab" * 32)
        assert rewritten.exit_code == 1 and "the published head" in rewritten.stdout


def test_verify_names_the_first_broken_entry(store, scenario_file, tmp_path):
    for _ in range(3):
        sealed(store, scenario_file)
    path = tmp_path / "out.jsonl"
    invoke("ledger", "export", "-o", path, "--store", store)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    result = invoke("ledger", "verify", path)
    assert result.exit_code == 1
    assert "ledger broken" in result.stdout and "line 2" in result.stdout
    assert "entry 2 was deleted" in result.stdout
    con = sqlite3.connect(store)
    with con:
        con.execute("DROP TRIGGER ledger_no_delete")
        con.execute("DELETE FROM ledger WHERE seq = 3")
    con.close()
    result = invoke("ledger", "verify", "--store", store)
    assert result.exit_code == 1 and "the last 1 was deleted" in result.stdout
    assert_one_error(invoke("ledger", "list", "--store", store), "broken")


def test_an_empty_ledger(store):
    assert "no questions sealed" in invoke("ledger", "list", "--store", store).stdout
    assert "no question resolved yet" in invoke("ledger", "scores", "--store", store).stdout
    assert invoke("ledger", "verify", "--store", store).stdout == "ledger intact: 0 entries " + (
        f"(head {GENESIS})\n"
    )
    assert invoke("ledger", "list", "--json", "--store", store).stdout == "[]\n"
    assert not store.exists()


# -- bad input: one error line, exit 2, nothing written ------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"--deadline": "2027-02-30"}, ("YYYY-MM-DD",)),
        ({"--deadline": "2020-01-01"}, ("has passed",)),
        ({"--question": "  "}, ("question is empty",)),
        ({"--rule": ""}, ("rule is empty",)),
        ({"--kind": "yesno"}, ("'deal' or 'issue:ID'",)),
        ({"--kind": "issue:tariffs"}, ("no issue 'tariffs'",)),
        ({"-m": "oracle"}, ("oracle",)),
        ({"FILE": "missing.yaml"}, ("missing.yaml",)),
        ({"FILE": str(DATA / "cli-small.yaml")}, ("status quo on every issue",)),
    ],
)
def test_seal_refuses_bad_input(store, scenario_file, change, words):
    args = {"FILE": str(scenario_file), "--question": "q", "--rule": "r", "--deadline": LATER,
            "-m": "compromise"}  # fmt: skip
    args.update(change)
    flat = [args.pop("FILE")] + [part for item in args.items() for part in item]
    assert_one_error(invoke("seal", *flat, "-n", "2", "--store", store), *words)
    assert not store.parent.exists()


def test_grade_refuses_bad_input(store, scenario_file):
    qid = sealed(store, scenario_file)
    issue = sealed(store, scenario_file, "--kind", "issue:sanctions")
    gid = invoke("grade", qid, "--outcome", "yes", "--early", "--store", store).stdout.split()[-1]
    cases = [
        ((qid, "--outcome", "no", "--early"), ("graded on", "final")),
        (("ffffffffffff", "--outcome", "yes", "--early"), ("no question 'ffffffffffff'",)),
        ((gid.rstrip(")"), "--outcome", "yes", "--early"), ("is a grade, not a question",)),
        ((issue, "--outcome", "35"), ("--early",)),
        ((issue, "--outcome", "yes", "--early"), ("scale 0 to 100",)),
        ((issue, "--outcome", "101", "--early"), ("outside the scale",)),
        ((issue, "--outcome", "1_0", "--early"), ("scale 0 to 100", "got '1_0'")),
    ]
    for args, words in cases:
        assert_one_error(invoke("grade", *args, "--store", store), *words)
    assert count(store) == 3
    assert_one_error(invoke("grade", "abc", "--outcome", "yes", "--store", store.parent / "x"))
    assert not (store.parent / "x").exists()


def test_ledger_commands_refuse_bad_input(store, scenario_file, tmp_path):
    sealed(store, scenario_file)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe")
    cases = [
        (("ledger", "list", "--store", folder), ("is a folder",)),
        (("ledger", "scores", "--store", folder), ("is a folder",)),
        (("ledger", "export", "--store", folder), ("is a folder",)),
        (("ledger", "verify", "--store", folder), ("is a folder",)),
        (("ledger", "verify", tmp_path / "missing.jsonl"), ("cannot read",)),
        (("ledger", "verify", binary), ("not UTF-8",)),
        (("ledger", "verify", binary, "--store", store), ("not both",)),
        (("ledger", "verify", "--store", store, "--head", "xyz"), ("12 to 64 hex digits",)),
        (("ledger", "export", "-o", folder, "--store", store), ("is a folder",)),
        (("ledger", "export", "-o", tmp_path / "no" / "x.jsonl", "--store", store), ("no",)),
    ]
    for args, words in cases:
        assert_one_error(invoke(*args), *words)
    assert not (tmp_path / "no").exists() and list(folder.iterdir()) == []
    assert count(store) == 1
