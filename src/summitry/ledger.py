"""The forecast ledger: sealed questions and their grades in one hash-chained list.

A *question* asks something that will be known by a deadline ("Will the US and North
Korea sign a written agreement on denuclearization steps by 2027-06-30?"), with a rule
that says what counts as yes, and a *kind*: ``deal`` (yes or no; each model answers with
its P(deal)) or ``issue:<id>`` (where that issue settles, on its own scale; each model
answers with its forecast median and 90 % interval). :meth:`Ledger.seal` forecasts the
scenario and appends one entry holding the question, the whole scenario, its SHA-256,
every model's answer and parameters, the seed, the number of samples, the summitry
version and the UTC time. :meth:`Ledger.grade` appends a second entry when the answer is
known. Nothing is ever changed or removed.

Every entry carries its position (``seq``, from 1), the hash of the entry before it
(``prev``; 64 zeros for the first) and its own ``hash``: the SHA-256 of its canonical JSON
(:func:`canonical`: keys sorted, no spaces, UTF-8) without the ``id`` and ``hash`` fields.
Its ``id`` is the first 12 hex digits of that hash. The ledger also records its *head*
(the last hash and the number of entries) apart from the entries, in the run store's
``ledger_meta`` table and as the last line of an export. :func:`verify_entries` walks the
chain and names the first entry that was edited, moved, inserted or deleted, including
the last one. What that proves, and what it cannot, is in docs/ledger.md.

The ledger lives in the run store's SQLite file (:class:`~summitry.store.RunStore`,
tables ``ledger`` and ``ledger_meta``), so it is found where the runs are.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from summitry.errors import ParameterError, SummitryError
from summitry.forecast import Forecast
from summitry.scenario import Scenario
from summitry.store import RunStore, StoreError

__all__ = [
    "GENESIS",
    "Ledger",
    "LedgerError",
    "Question",
    "QuestionStatus",
    "UnknownEntryError",
    "Verification",
    "canonical",
    "entry_hash",
    "parse_export",
    "parse_outcome",
    "question_body",
    "read_export",
    "statuses",
    "verify_entries",
    "verify_export",
]

GENESIS = "0" * 64
"""The ``prev`` of the first entry."""

ID_LENGTH = 12
"""An entry's id is the first 12 hex digits of its hash."""

FIELDS = {
    "question": ("seq", "type", "prev", "created", "summitry_version", "question", "scenario",
                 "scenario_sha256", "seed", "samples", "models", "answers"),
    "grade": ("seq", "type", "prev", "created", "summitry_version", "question_id", "outcome",
              "note", "early"),
}  # fmt: skip
"""Fields every entry of each type holds, besides ``id`` and ``hash``."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX = re.compile(r"[0-9a-f]+")


class LedgerError(SummitryError):
    """A ledger operation that is refused; the message says why and what to do."""


class UnknownEntryError(LedgerError, LookupError):
    """No question, or more than one, has the id (or id prefix) asked for."""


# -- questions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A question with a resolution rule and a deadline.

    Attributes
    ----------
    text
        The question, e.g. "Will the US and North Korea sign ... by 2027-06-30?".
    rule
        What counts as yes (or, for an issue question, how the value is read).
    deadline
        The last day on which the question can resolve.
    kind
        ``"deal"``: yes or no, answered by each model's P(deal). ``"issue:<id>"``: a value
        on the scale of issue ``<id>``, answered by each model's median and interval.
    """

    text: str
    rule: str
    deadline: date
    kind: str = "deal"

    @classmethod
    def parse(cls, text: str, rule: str, deadline: str, kind: str = "deal") -> Question:
        """A question from command-line text; the deadline is ``YYYY-MM-DD``.

        Raises
        ------
        ParameterError
            For empty text or rule, a deadline that is not a date, or an unknown kind.
        """
        if not text.strip():
            raise ParameterError("the question is empty; give its text with --question")
        if not rule.strip():
            raise ParameterError("the resolution rule is empty; say what counts as yes with --rule")
        try:
            when = date.fromisoformat(deadline) if _DATE.fullmatch(deadline) else None
        except ValueError:
            when = None
        if when is None:
            raise ParameterError(f"the deadline must be a date YYYY-MM-DD; got {deadline!r}")
        if kind != "deal" and not (kind.startswith("issue:") and kind[6:].strip()):
            raise ParameterError(f"the kind must be 'deal' or 'issue:ID'; got {kind!r}")
        return cls(text=text.strip(), rule=rule.strip(), deadline=when, kind=kind)

    @property
    def issue(self) -> str | None:
        """The issue id of an ``issue:<id>`` question; None for a deal question."""
        return self.kind[6:] if self.kind.startswith("issue:") else None

    def check(self, scenario: Scenario, *, today: date | None = None) -> None:
        """Refuse a question the scenario cannot answer, or whose deadline has passed.

        Raises
        ------
        ParameterError
            When the deadline is before ``today`` (UTC), the issue is not in the
            scenario, or a deal question's scenario leaves an issue without a status quo.
        """
        today = today or datetime.now(UTC).date()
        if self.deadline < today:
            raise ParameterError(
                f"the deadline {self.deadline} has passed (today is {today} UTC); a sealed "
                "forecast is made before its question resolves"
            )
        if self.issue is not None and self.issue not in scenario.issue_ids:
            known = ", ".join(scenario.issue_ids)
            raise ParameterError(
                f"scenario '{scenario.name}' has no issue '{self.issue}'; it has: {known}"
            )
        if self.issue is None and any(i.status_quo is None for i in scenario.issues):
            missing = ", ".join(i.id for i in scenario.issues if i.status_quo is None)
            raise ParameterError(
                f"a deal question needs P(deal), which needs a status quo on every issue; "
                f"scenario '{scenario.name}' has none on: {missing} (docs/deal.md)"
            )

    def to_dict(self) -> dict[str, str]:
        """``text``, ``rule``, ``deadline`` (ISO date) and ``kind``."""
        return {"text": self.text, "rule": self.rule, "deadline": self.deadline.isoformat(),
                "kind": self.kind}  # fmt: skip


def question_body(forecast: Forecast, question: Question) -> dict[str, Any]:
    """The content of a question entry, before the ledger numbers and chains it.

    Each model's answer is ``{"p_deal": p}`` for a deal question, and ``{"median": x,
    "interval": [lo, hi]}`` (the 5 % and 95 % quantiles) for an issue question; an issue
    question also records the issue's ``scale`` and ``status_quo``.
    """
    record = forecast.to_dict()
    body: dict[str, Any] = {
        "type": "question",
        "created": forecast.created or _now(),
        "summitry_version": forecast.summitry_version,
        "question": question.to_dict(),
        "scenario": forecast.scenario.model_dump(mode="json"),
        "scenario_sha256": forecast.input_sha256,
        "seed": forecast.seed,
        "samples": forecast.n_samples,
        "models": {name: m.get_params() for name, m in forecast.models.items()},
    }
    if question.issue is None:
        deal = record["p_deal"] or {}
        body["answers"] = {name: {"p_deal": deal[name]["p_deal"]} for name in forecast.models}
    else:
        issue = next(i for i in record["issues"] if i["id"] == question.issue)
        body["answers"] = {
            name: {"median": f["outcome"], "interval": f["interval"]}
            for name, f in issue["forecasts"].items()
        }
        body["scale"] = issue["scale"]
        body["status_quo"] = issue["status_quo"]
    return _plain_data(body)


# -- the chain -----------------------------------------------------------------------------


def canonical(data: Any) -> str:
    """The canonical JSON text of ``data``: keys sorted, no spaces, non-ASCII kept."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the entry's canonical JSON without its ``id`` and ``hash`` fields."""
    content = {k: v for k, v in entry.items() if k not in ("id", "hash")}
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def _chained(body: Mapping[str, Any], seq: int, prev: str) -> dict[str, Any]:
    entry = {**body, "seq": seq, "prev": prev}
    digest = entry_hash(entry)
    return {"id": digest[:ID_LENGTH], **entry, "hash": digest}


@dataclass(frozen=True)
class Verification:
    """What :func:`verify_entries` found.

    Attributes
    ----------
    count
        Number of entries read.
    head
        Hash of the last entry (:data:`GENESIS` for an empty ledger).
    problem
        None when the chain is intact; else what is wrong, naming the first broken entry.
    position
        Position (from 1) of the first broken entry, None when intact or when the fault
        lies with the recorded head.
    """

    count: int
    head: str
    problem: str | None = None
    position: int | None = None

    @property
    def ok(self) -> bool:
        """True when the chain is intact."""
        return self.problem is None


def verify_entries(
    entries: Sequence[Any],
    head: Mapping[str, Any] | None,
    *,
    label: str = "entry",
    expect_head: bool = True,
) -> Verification:
    """Walk the chain and report the first entry that was edited, moved, inserted or deleted.

    Parameters
    ----------
    entries
        The entries in stored order, as parsed JSON (anything else counts as damaged).
    head
        The recorded head, ``{"head": hash, "count": n}``, or None when none was found.
    label
        How a position is named in the message (``"entry"`` or ``"line"``).
    expect_head
        When true, a missing head is a fault unless there are no entries.
    """
    prev, seen_seq, questions, graded = GENESIS, set(), {}, set()
    numbered = {e.get("seq") for e in entries if isinstance(e, dict)}
    for k, entry in enumerate(entries, 1):
        broken = functools.partial(_broken, label, k, entry, prev)
        if not isinstance(entry, dict) or entry.get("type") not in FIELDS:
            return broken("not a ledger entry (damaged or edited)")
        missing = [f for f in (*FIELDS[entry["type"]], "id", "hash") if f not in entry]
        if missing:
            return broken(f"lacks {', '.join(missing)} (edited)")
        try:
            digest = entry_hash(entry)
        except (TypeError, ValueError):
            return broken("holds a value JSON cannot carry (edited)")
        if digest != entry["hash"]:
            return broken("its content does not match its hash (edited)")
        if entry["id"] != digest[:ID_LENGTH]:
            return broken(f"its id is not the start of its hash {digest[:ID_LENGTH]} (edited)")
        seq = entry["seq"]
        if seq != k:
            if seq in seen_seq:
                what = f"a second entry {seq}: an entry was inserted before it"
            elif isinstance(seq, int) and seq > k and k not in numbered:
                what = f"it is entry {seq} of the chain, so entry {k} was deleted"
            else:
                what = f"it is entry {seq} of the chain, out of order (moved)"
            return broken(what)
        if entry["prev"] != prev:
            return broken(
                "it does not follow the entry before it (its prev is "
                f"{str(entry['prev'])[:12]}, not {prev[:12]}): inserted, moved or deleted"
            )
        if entry["type"] == "grade":
            if entry["question_id"] not in questions:
                return broken(f"it grades '{entry['question_id']}', no question before it")
            if entry["question_id"] in graded:
                return broken(f"a second grade of question {entry['question_id']}")
            graded.add(entry["question_id"])
        else:
            questions[entry["id"]] = entry
        seen_seq.add(seq)
        prev = entry["hash"]
    n = len(entries)
    if head is None:
        if expect_head and n:
            return Verification(n, prev, "no head is recorded, so the end cannot be checked")
        return Verification(n, prev)
    count, last = head.get("count"), head.get("head")
    if count != n and isinstance(count, int) and count > n:
        return Verification(
            n, prev, f"the head records {count} entries but {n} are here: the last "
            f"{count - n} {'was' if count - n == 1 else 'were'} deleted"
        )  # fmt: skip
    if count != n:
        return Verification(
            n, prev, f"the head records {count} entries but {n} are here: entries were "
            "added without summitry"
        )  # fmt: skip
    if last != prev:
        return Verification(
            n, prev, f"the last entry's hash {prev[:12]} is not the recorded head "
            f"{str(last)[:12]}: the end was edited or replaced"
        )  # fmt: skip
    return Verification(n, prev)


def _broken(label: str, k: int, entry: Any, prev: str, what: str) -> Verification:
    name = entry.get("id") if isinstance(entry, dict) else None
    where = f"{label} {k}" + (f" ({name})" if isinstance(name, str) else "")
    return Verification(k - 1, prev, f"{where}: {what}", k)


# -- status of questions -------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionStatus:
    """One sealed question and, once graded, its outcome.

    ``outcome`` is ``"yes"``/``"no"`` for a deal question and a number for an issue
    question; None while open.
    """

    id: str
    seq: int
    text: str
    rule: str
    deadline: str
    kind: str
    created: str
    scenario_name: str
    models: tuple[str, ...]
    status: str
    outcome: str | float | None = None
    graded: str | None = None
    early: bool = False
    note: str = ""


def statuses(entries: Iterable[Mapping[str, Any]]) -> list[QuestionStatus]:
    """Every question in ledger order, with its grade where there is one."""
    grades = {e["question_id"]: e for e in entries if e["type"] == "grade"}
    out = []
    for e in entries:
        if e["type"] != "question":
            continue
        g = grades.get(e["id"])
        q = e["question"]
        out.append(
            QuestionStatus(
                id=e["id"], seq=e["seq"], text=q["text"], rule=q["rule"],
                deadline=q["deadline"], kind=q["kind"], created=e["created"],
                scenario_name=e["scenario"].get("name", ""), models=tuple(e["answers"]),
                status="open" if g is None else "resolved",
                outcome=None if g is None else g["outcome"],
                graded=None if g is None else g["created"],
                early=bool(g and g["early"]), note="" if g is None else g["note"],
            )
        )  # fmt: skip
    return out


# -- the ledger in the run store -----------------------------------------------------------


class Ledger:
    """The forecast ledger kept in a run store's SQLite file.

    Parameters
    ----------
    store
        A :class:`~summitry.store.RunStore`, or its file; default
        :func:`~summitry.store.default_store_path` (``$SUMMITRY_HOME/runs.sqlite``).

    Entries are only ever appended (:meth:`seal`, :meth:`grade`), each in one
    transaction that also moves the recorded head; the file's triggers refuse an UPDATE
    or DELETE of a ledger row.
    """

    def __init__(self, store: RunStore | str | Path | None = None):
        self.store = store if isinstance(store, RunStore) else RunStore(store)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self.store.path

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------

    def _rows(self, con: Any) -> tuple[list[Any], dict[str, Any] | None]:
        """Entries (parsed; a damaged row as its text) and the recorded head, or None."""
        if con is None:
            return [], None
        rows = con.execute(
            "SELECT id, type, question, hash, entry FROM ledger ORDER BY seq"
        ).fetchall()
        entries: list[Any] = []
        for row_id, kind, question, digest, text in rows:
            try:
                entry = json.loads(text)
            except (json.JSONDecodeError, TypeError):
                entries.append(text)
                continue
            if not isinstance(entry, dict) or (row_id, kind, digest) != (
                entry.get("id"),
                entry.get("type"),
                entry.get("hash"),
            ):
                entry = {"id": row_id, "damaged": True}  # the row's columns were edited
            elif question != entry.get("question_id", row_id):
                entry = {"id": row_id, "damaged": True}
            entries.append(entry)
        meta = dict(con.execute("SELECT key, value FROM ledger_meta").fetchall())
        head = None
        if "head" in meta:
            try:
                head = {"head": meta["head"], "count": int(meta.get("count", "-1"))}
            except ValueError:
                head = {"head": meta["head"], "count": None}
        return entries, head

    def entries(self) -> list[dict[str, Any]]:
        """Every entry in order, after checking the chain.

        Raises
        ------
        LedgerError
            When the chain is broken (:meth:`verify` says where).
        """
        with self.store.connect() as con:
            entries, head = self._rows(con)
        self._intact(entries, head)
        return entries

    def verify(self) -> Verification:
        """Check every entry and the recorded head (see :func:`verify_entries`)."""
        with self.store.connect() as con:
            entries, head = self._rows(con)
        return verify_entries(entries, head)

    def questions(self) -> list[QuestionStatus]:
        """Every sealed question in ledger order, with its status and outcome."""
        return statuses(self.entries())

    def export(self) -> str:
        """The ledger as JSON Lines: one entry per line, then ``{"count": n, "head": hash}``.

        Raises
        ------
        LedgerError
            When the chain is broken: a broken ledger is not exported as if it were sound.
        """
        entries = self.entries()
        head = entries[-1]["hash"] if entries else GENESIS
        lines = [canonical(e) for e in entries] + [canonical({"count": len(entries), "head": head})]
        return "\n".join(lines) + "\n"

    def find(self, question_id: str) -> dict[str, Any]:
        """The question entry with this id, or the only one whose id starts with it.

        Raises
        ------
        UnknownEntryError
            When no question matches, several do, or the id is a grade's.
        """
        return _find(self.entries(), question_id, self.path)

    # -- writing ---------------------------------------------------------------------------

    def seal(self, forecast: Forecast, question: Question) -> dict[str, Any]:
        """Append a question with every model's answer from ``forecast``; return the entry.

        Raises
        ------
        ParameterError
            When the scenario cannot answer the question or its deadline has passed.
        LedgerError
            When the ledger's chain is broken (nothing is appended to a broken ledger).
        """
        question.check(forecast.scenario)
        return self._append(question_body(forecast, question))

    def grade(
        self,
        question_id: str,
        outcome: str,
        *,
        note: str = "",
        early: bool = False,
        today: date | None = None,
    ) -> dict[str, Any]:
        """Append the grade of a question; return the grade entry.

        Parameters
        ----------
        question_id
            The question's id or a unique start of it.
        outcome
            ``yes`` or ``no`` for a deal question; a number on the issue's scale for an
            issue question.
        note
            Free text kept with the grade (a source for the outcome, say).
        early
            Allow grading on or before the deadline day (recorded in the entry).
        today
            The UTC date; default today.

        Raises
        ------
        UnknownEntryError
            For an unknown or ambiguous id, or the id of a grade.
        LedgerError
            When the question is graded already, or it is too early without ``early``.
        ParameterError
            For an outcome that does not fit the question.
        """
        today = today or datetime.now(UTC).date()

        def body(entries: list[dict[str, Any]]) -> dict[str, Any]:
            question = _find(entries, question_id, self.path)
            qid = question["id"]
            done = next((e for e in entries if e["type"] == "grade" and e["question_id"] == qid),
                        None)  # fmt: skip
            if done is not None:
                raise LedgerError(
                    f"question {qid} was graded on {done['created'][:10]} (outcome "
                    f"{_outcome_text(done['outcome'])}); a grade is final and cannot be "
                    "repeated or changed"
                )
            deadline = date.fromisoformat(question["question"]["deadline"])
            if today <= deadline and not early:
                raise LedgerError(
                    f"question {qid} resolves by {deadline} (today is {today} UTC); to grade "
                    "it before its deadline has passed, add --early (the grade records it)"
                )
            return {
                "type": "grade",
                "created": _now(),
                "summitry_version": _version(),
                "question_id": qid,
                "outcome": parse_outcome(question, outcome),
                "note": note.strip(),
                "early": today <= deadline,
            }

        body(self.entries())  # refuse before the store file is even created
        return self._append(body)

    def _append(self, body: Any) -> dict[str, Any]:
        """Append one entry in one transaction; ``body`` is the content or makes it."""
        with self.store.connect(create=True) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                entries, head = self._rows(con)
                self._intact(entries, head)
                content = body(entries) if callable(body) else body
                prev = entries[-1]["hash"] if entries else GENESIS
                entry = _chained(content, len(entries) + 1, prev)
                con.execute(
                    "INSERT INTO ledger (seq, id, type, question, hash, entry) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (entry["seq"], entry["id"], entry["type"],
                     entry.get("question_id", entry["id"]), entry["hash"], canonical(entry)),
                )  # fmt: skip
                con.executemany(
                    "INSERT OR REPLACE INTO ledger_meta (key, value) VALUES (?, ?)",
                    [("head", entry["hash"]), ("count", str(entry["seq"]))],
                )
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        return entry

    def _intact(self, entries: Sequence[Any], head: Mapping[str, Any] | None) -> None:
        found = verify_entries(entries, head)
        if not found.ok:
            raise LedgerError(
                f"the ledger in {self.path} is broken at {found.problem}; "
                "`summitry ledger verify` checks it (docs/ledger.md)"
            )


# -- exported files ------------------------------------------------------------------------


def parse_export(text: str) -> tuple[list[Any], dict[str, Any] | None, str | None]:
    """Entries, head line and any fault of the layout of an exported JSON Lines file.

    A line that is not JSON is kept as its text (:func:`verify_entries` reports it); the
    head line must be the last line, and only the last.
    """
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    parsed: list[Any] = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            parsed.append(line)
    heads = [
        k for k, e in enumerate(parsed, 1) if isinstance(e, dict) and set(e) == {"count", "head"}
    ]
    if heads and heads[0] != len(parsed):
        return parsed, None, f"line {heads[0]} is a head line before the end of the file"
    if not heads:
        return parsed, None, None
    return parsed[:-1], parsed[-1], None


def verify_export(path: str | Path) -> Verification:
    """Verify an exported ledger file (see :meth:`Ledger.export`).

    Raises
    ------
    LedgerError
        When the file cannot be read, or is not UTF-8 text.
    """
    text = read_export(path)
    entries, head, fault = parse_export(text)
    if fault is not None:
        return Verification(0, GENESIS, fault)
    found = verify_entries(entries, head, label="line", expect_head=False)
    if found.ok and head is None:
        return Verification(
            found.count, found.head, "the file has no head line (its last line), so entries "
            "may have been cut from its end"
        )  # fmt: skip
    return found


def read_export(path: str | Path) -> str:
    """The text of an exported ledger file.

    Raises
    ------
    LedgerError
        When the file cannot be read, or is not UTF-8 text.
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LedgerError(f"{path} is not a ledger export: it is not UTF-8 text") from None
    except OSError as exc:
        raise LedgerError(f"cannot read {path}: {exc.strerror or exc}") from None


# -- helpers -------------------------------------------------------------------------------


def parse_outcome(question: Mapping[str, Any], outcome: str) -> str | float:
    """The outcome as the ledger keeps it: ``yes``/``no``, or a number on the issue's scale.

    Raises
    ------
    ParameterError
        When the outcome does not fit the question's kind or lies outside the scale.
    """
    kind = question["question"]["kind"]
    text = outcome.strip().lower()
    if kind == "deal":
        if text not in ("yes", "no"):
            raise ParameterError(
                f"question {question['id']} is answered yes or no; got {outcome!r}"
            )
        return text
    low, high = question["scale"]
    try:
        value = float(text) if "_" not in text else math.nan  # Python reads 1_0 as 10
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ParameterError(
            f"question {question['id']} asks for a value of issue '{kind[6:]}' on its scale "
            f"{low:g} to {high:g}; got {outcome!r}"
        )
    if not low <= value <= high:
        raise ParameterError(
            f"{value:g} is outside the scale of issue '{kind[6:]}' ({low:g} to {high:g})"
        )
    return value


def _find(entries: Sequence[Mapping[str, Any]], question_id: str, path: Path) -> dict[str, Any]:
    key = question_id.strip().lower()
    matches = [e for e in entries if _HEX.fullmatch(key) and e["id"].startswith(key)]
    questions = [e for e in matches if e["type"] == "question"]
    if len(questions) == 1:
        return dict(questions[0])
    if len(matches) == 1:
        raise UnknownEntryError(
            f"{matches[0]['id']} is a grade, not a question; give the question's id "
            "(`summitry ledger list`)"
        )
    if not questions:
        raise UnknownEntryError(
            f"no question '{question_id}' in the ledger in {path}; `summitry ledger list` "
            "shows the ids"
        )
    shown = ", ".join(e["id"] for e in questions[:5])
    raise UnknownEntryError(f"'{question_id}' starts several question ids ({shown}); give more")


def _outcome_text(outcome: Any) -> str:
    return outcome if isinstance(outcome, str) else f"{outcome:g}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version() -> str:
    from summitry.forecast import summitry_version

    return summitry_version()


def _plain(value: Any) -> Any:
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"cannot seal a value of type {type(value).__name__}")


def _plain_data(data: Any) -> Any:
    """``data`` as the JSON parser gives it back, so a sealed entry hashes the same when read."""
    try:
        return json.loads(json.dumps(data, default=_plain, allow_nan=False))
    except ValueError as exc:
        raise StoreError(f"a value cannot be sealed: {exc}") from None
