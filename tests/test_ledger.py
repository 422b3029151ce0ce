import json
import math
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from summitry.errors import ParameterError
from summitry.forecast import forecast
from summitry.ledger import (
    GENESIS,
    Ledger,
    LedgerError,
    Question,
    UnknownEntryError,
    canonical,
    entry_hash,
    parse_export,
    verify_entries,
    verify_export,
)
from summitry.ledger_scores import ledger_scores
from summitry.scenario import Scenario

DATA = Path(__file__).parent / "data"
TODAY = datetime.now(UTC).date()
LATER = (TODAY + timedelta(days=30)).isoformat()
MODELS = ["compromise", "median"]


def small_scenario() -> Scenario:
    """cli-small with a status quo on both issues, so that P(deal) is defined."""
    data = yaml.safe_load((DATA / "cli-small.yaml").read_text())
    data["issues"][1]["status_quo"] = 2
    return Scenario.from_dict(data, file="ledger-small.yaml")


@pytest.fixture
def scenario() -> Scenario:
    return small_scenario()


@pytest.fixture
def book(tmp_path) -> Ledger:
    return Ledger(tmp_path / "runs.sqlite")


def deal_question(text: str = "Will they sign?") -> Question:
    return Question.parse(text, "A signed text", LATER)


def seal(book: Ledger, scenario: Scenario, question: Question | None = None) -> dict:
    result = forecast(scenario, MODELS, samples=4, seed=1)
    return book.seal(result, question or deal_question())


@pytest.fixture
def filled(book, scenario) -> Ledger:
    """Four entries: a deal question, an issue question, a grade of the first, a question."""
    first = seal(book, scenario)
    seal(book, scenario, Question.parse("Sanctions relief?", "UN text", LATER, "issue:sanctions"))
    book.grade(first["id"], "yes", early=True, note="signed")
    seal(book, scenario, deal_question("Will they meet again?"))
    return book


# -- questions and sealing -----------------------------------------------------------------


def test_a_sealed_entry_holds_the_scenario_answers_and_its_hash(book, scenario):
    entry = seal(book, scenario)
    assert entry["seq"] == 1 and entry["prev"] == GENESIS and entry["type"] == "question"
    assert entry["hash"] == entry_hash(entry) and entry["id"] == entry["hash"][:12]
    assert entry["scenario_sha256"] == scenario.digest()
    assert Scenario.from_dict(entry["scenario"]).digest() == scenario.digest()  # re-runnable
    assert set(entry["answers"]) == set(MODELS)
    assert all(0 <= a["p_deal"] <= 1 for a in entry["answers"].values())
    assert entry["seed"] == 1 and entry["samples"] == 4 and entry["summitry_version"]
    assert entry["question"] == {
        "text": "Will they sign?",
        "rule": "A signed text",
        "deadline": LATER,
        "kind": "deal",
    }
    datetime.fromisoformat(entry["created"])
    assert book.entries() == [entry]


def test_an_issue_question_records_median_interval_and_scale(book, scenario):
    question = Question.parse("Relief?", "UN text", LATER, "issue:sanctions")
    entry = seal(book, scenario, question)
    assert entry["scale"] == [0, 100] and entry["status_quo"] == 10
    for answer in entry["answers"].values():
        low, high = answer["interval"]
        assert low <= answer["median"] <= high


def test_entries_chain_to_the_one_before(filled):
    entries = filled.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["prev"] for e in entries] == [GENESIS] + [e["hash"] for e in entries[:-1]]
    found = filled.verify()
    assert found.ok and found.count == 4 and found.head == entries[-1]["hash"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "rule", LATER), "question is empty"),
        (("q", " ", LATER), "rule is empty"),
        (("q", "rule", "2027-13-01"), "YYYY-MM-DD"),
        (("q", "rule", "30/06/2027"), "YYYY-MM-DD"),
        (("q", "rule", LATER, "issue:"), "'deal' or 'issue:ID'"),
        (("q", "rule", LATER, "value"), "'deal' or 'issue:ID'"),
    ],
)
def test_a_malformed_question_is_refused(args, message):
    with pytest.raises(ParameterError, match=message):
        Question.parse(*args)


def test_a_question_the_scenario_cannot_answer_is_refused(scenario):
    with pytest.raises(ParameterError, match="no issue 'tariffs'"):
        Question.parse("q", "r", LATER, "issue:tariffs").check(scenario)
    with pytest.raises(ParameterError, match="has passed"):
        Question.parse("q", "r", "2020-01-01").check(scenario)
    data = scenario.model_dump(mode="json")
    data["issues"][1]["status_quo"] = None
    with pytest.raises(ParameterError, match="status quo on every issue.*inspections"):
        deal_question().check(Scenario.from_dict(data))


# -- grading -------------------------------------------------------------------------------


def test_grading_twice_is_refused(book, scenario):
    qid = seal(book, scenario)["id"]
    book.grade(qid, "no", early=True)
    with pytest.raises(LedgerError, match=r"graded on .*\(outcome no\); a grade is final"):
        book.grade(qid, "yes", early=True)
    assert len(book.entries()) == 2


def test_grading_an_unknown_id_or_a_grade_is_refused(book, scenario):
    qid = seal(book, scenario)["id"]
    gid = book.grade(qid[:5], "yes", early=True)["id"]
    for unknown in ("ffffffffffff", "xyz", ""):
        with pytest.raises(UnknownEntryError, match="no question"):
            book.grade(unknown, "yes", early=True)
    with pytest.raises(UnknownEntryError, match="is a grade, not a question"):
        book.grade(gid, "yes", early=True)


def test_grading_before_the_deadline_needs_early(book, scenario):
    entry = seal(book, scenario)
    deadline = date.fromisoformat(LATER)
    for today in (TODAY, deadline):
        with pytest.raises(LedgerError, match="--early"):
            book.grade(entry["id"], "yes", today=today)
    grade = book.grade(entry["id"], "yes", today=deadline + timedelta(days=1))
    assert grade["early"] is False and grade["outcome"] == "yes"


def test_an_early_grade_says_so(book, scenario):
    grade = book.grade(seal(book, scenario)["id"], " YES ", early=True, note=" a source ")
    assert grade["early"] is True and grade["outcome"] == "yes" and grade["note"] == "a source"


@pytest.mark.parametrize(
    ("kind", "outcome", "message"),
    [
        ("deal", "maybe", "answered yes or no"),
        ("deal", "1", "answered yes or no"),
        ("issue:sanctions", "yes", "scale 0 to 100"),
        ("issue:sanctions", "nan", "scale 0 to 100"),
        ("issue:sanctions", "100.5", "outside the scale"),
        ("issue:sanctions", "-1", "outside the scale"),
    ],
)
def test_an_outcome_that_does_not_fit_is_refused(book, scenario, kind, outcome, message):
    qid = seal(book, scenario, Question.parse("q", "r", LATER, kind))["id"]
    with pytest.raises(ParameterError, match=message):
        book.grade(qid, outcome, early=True)
    assert len(book.entries()) == 1


def test_a_refused_grade_creates_no_store(tmp_path):
    book = Ledger(tmp_path / "none" / "runs.sqlite")
    with pytest.raises(UnknownEntryError):
        book.grade("abc", "yes", early=True)
    assert not (tmp_path / "none").exists()


def test_statuses(filled):
    first, second, third = filled.questions()
    assert (first.status, first.outcome, first.early, first.note) == (
        "resolved",
        "yes",
        True,
        "signed",
    )
    assert (second.status, second.outcome, second.kind) == ("open", None, "issue:sanctions")
    assert third.text == "Will they meet again?" and third.models == tuple(MODELS)


# -- tampering in the store ----------------------------------------------------------------


def tamper(path: Path, *statements: tuple) -> None:
    """Run SQL on the file as someone editing it by hand would (triggers dropped first)."""
    con = sqlite3.connect(path)
    with con:
        con.execute("DROP TRIGGER IF EXISTS ledger_no_update")
        con.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
        for sql, *args in statements:
            con.execute(sql, *args)
    con.close()


def rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT seq, id, type, question, hash, entry FROM ledger").fetchall()
    finally:
        con.close()


def edited(text: str, **changes) -> str:
    entry = json.loads(text)
    for key, value in changes.items():
        entry[key] = value
    return canonical(entry)


def forged(previous: dict, seq: int) -> dict:
    """A self-consistent grade-free question entry following ``previous``."""
    entry = {k: v for k, v in previous.items() if k not in ("id", "hash")}
    entry["question"] = {**entry["question"], "text": "forged"}
    entry["seq"], entry["prev"] = seq, previous["hash"]
    digest = entry_hash(entry)
    return {"id": digest[:12], **entry, "hash": digest}


def insert_row(entry: dict) -> tuple:
    return (
        "INSERT INTO ledger (seq, id, type, question, hash, entry) VALUES (?, ?, ?, ?, ?, ?)",
        (entry["seq"], entry["id"], entry["type"], entry.get("question_id", entry["id"]),
         entry["hash"], canonical(entry)),
    )  # fmt: skip


def test_the_store_refuses_update_and_delete(filled):
    con = sqlite3.connect(filled.path)
    try:
        for sql in ("UPDATE ledger SET type = 'grade'", "DELETE FROM ledger WHERE seq = 4"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(sql)
    finally:
        con.close()
    assert filled.verify().ok


def test_an_edited_field_is_detected(filled):
    text = rows(filled.path)[1][5]
    answers = json.loads(text)["answers"]
    answers["median"]["median"] = 99.0
    tamper(
        filled.path, ("UPDATE ledger SET entry = ? WHERE seq = 2", (edited(text, answers=answers),))
    )
    found = filled.verify()
    assert found.position == 2
    assert "entry 2" in found.problem and "does not match its hash (edited)" in found.problem


def test_an_edited_question_text_is_detected(filled):
    text = rows(filled.path)[0][5]
    question = {**json.loads(text)["question"], "text": "Will they never sign?"}
    tamper(
        filled.path,
        ("UPDATE ledger SET entry = ? WHERE seq = 1", (edited(text, question=question),)),
    )
    assert filled.verify().position == 1
    with pytest.raises(LedgerError, match="broken at entry 1"):
        filled.entries()
    with pytest.raises(LedgerError, match="broken"):  # nothing is added to a broken ledger
        seal(filled, small_scenario())


def test_an_edited_column_is_detected(filled):
    tamper(filled.path, ("UPDATE ledger SET hash = ? WHERE seq = 3", ("0" * 64,)))
    found = filled.verify()
    assert found.position == 3 and "damaged or edited" in found.problem


def test_a_reordered_entry_is_detected(filled):
    (_, *second), (_, *third) = rows(filled.path)[1:3]
    swap = "UPDATE ledger SET id = ?, type = ?, question = ?, hash = ?, entry = ? WHERE seq = ?"
    tamper(
        filled.path,
        ("UPDATE ledger SET id = 'moving' WHERE seq = 2",),
        (swap, (*second, 3)),
        (swap, (*third, 2)),
    )
    found = filled.verify()
    assert found.position == 2 and "out of order (moved)" in found.problem


def test_a_deleted_middle_entry_is_detected(filled):
    tamper(filled.path, ("DELETE FROM ledger WHERE seq = 2",))
    found = filled.verify()
    assert found.position == 2 and "entry 2 was deleted" in found.problem


def test_a_deleted_last_entry_is_detected(filled):
    tamper(filled.path, ("DELETE FROM ledger WHERE seq = 4",))
    found = filled.verify()
    assert not found.ok and "records 4 entries but 3 are here: the last 1 was deleted" in (
        found.problem
    )


def test_an_inserted_entry_is_detected(filled):
    entries = filled.entries()
    fake = forged(entries[1], 3)
    renumber = [("UPDATE ledger SET seq = seq + 10 WHERE seq >= 3",),
                ("UPDATE ledger SET seq = seq - 9 WHERE seq >= 13",)]  # fmt: skip
    tamper(filled.path, *renumber, insert_row(fake))
    found = filled.verify()
    assert found.position == 4 and "a second entry 3: an entry was inserted" in found.problem


def test_an_entry_appended_without_summitry_is_detected(filled):
    fake = forged(filled.entries()[-1], 5)
    tamper(filled.path, insert_row(fake))
    assert "entries were added without summitry" in filled.verify().problem


def test_a_lost_head_is_detected(filled):
    tamper(filled.path, ("DELETE FROM ledger_meta",))
    assert "no head is recorded" in filled.verify().problem


# -- exported files ------------------------------------------------------------------------


@pytest.fixture
def exported(filled, tmp_path) -> Path:
    path = tmp_path / "ledger.jsonl"
    path.write_text(filled.export(), encoding="utf-8")
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def rewrite(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_an_export_is_one_entry_per_line_then_the_head(filled, exported):
    lines = lines_of(exported)
    entries = filled.entries()
    assert [json.loads(line) for line in lines[:-1]] == entries
    assert json.loads(lines[-1]) == {"count": 4, "head": entries[-1]["hash"]}
    found = verify_export(exported)
    assert found.ok and found.count == 4


def test_an_empty_ledger_exports_its_head(book, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text(book.export())
    assert json.loads(path.read_text()) == {"count": 0, "head": GENESIS}
    assert verify_export(path).ok


def test_tampering_in_an_export_is_detected(exported):
    original = lines_of(exported)
    entry = json.loads(original[0])
    entry["answers"]["compromise"]["p_deal"] = 0.5
    bad_head = canonical({"count": 4, "head": "0" * 64})
    cases = {
        "does not match its hash (edited)": [canonical(entry), *original[1:]],
        "out of order (moved)": [original[0], original[2], original[1], *original[3:]],
        "entry 2 was deleted": [original[0], *original[2:]],
        "the last 1 was deleted": [*original[:3], original[4]],
        "no head line": original[:4],
        "entries were added without summitry": [*original[:4],
                                                canonical(forged(json.loads(original[3]), 5)),
                                                original[4]],
        "a second entry 2: an entry was inserted": [original[0],
                                                    canonical(forged(json.loads(original[0]), 2)),
                                                    *original[1:]],
        "line 3 is a head line before the end": [*original[:2], original[4], *original[2:4]],
        "line 2: not a ledger entry": [original[0], "{not json", *original[2:]],
        "the end was edited or replaced": [*original[:4], bad_head],
    }  # fmt: skip
    for message, lines in cases.items():
        rewrite(exported, lines)
        found = verify_export(exported)
        assert not found.ok and message in found.problem, (message, found.problem)


def test_an_unreadable_export_is_one_error(tmp_path):
    with pytest.raises(LedgerError, match="cannot read"):
        verify_export(tmp_path / "missing.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(LedgerError, match="not UTF-8"):
        verify_export(tmp_path / "bin.jsonl")


def test_parse_export_keeps_bad_lines_for_the_check():
    entries, head, fault = parse_export(f'x\n{{"count": 0, "head": "{GENESIS}"}}\n\n')
    assert entries == ["x"] and head == {"count": 0, "head": GENESIS} and fault is None


def test_verify_entries_on_nothing_is_intact():
    assert verify_entries([], None).ok
    assert verify_entries([], {"count": 0, "head": GENESIS}).ok


# -- scores --------------------------------------------------------------------------------


def test_scores_of_a_sealed_and_graded_ledger(book, scenario):
    first = seal(book, scenario)
    book.grade(first["id"], "yes", early=True)
    scores = {s.model: s for s in ledger_scores(book.entries())}
    for name in MODELS:
        p = first["answers"][name]["p_deal"]
        assert scores[name].deal_count == 1
        assert scores[name].brier == pytest.approx((p - 1) ** 2)
        assert scores[name].log_score == pytest.approx(-math.log(min(max(p, 1e-6), 1 - 1e-6)))
    assert scores["chance"].brier == 0.25 and scores["chance"].baseline
