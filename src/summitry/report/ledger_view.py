"""The forecast ledger for people: tables of sealed questions and of running scores.

Terminal tables (rich) and JSON for ``summitry ledger list`` and ``summitry ledger
scores``; the web page (``/ledger``) shows the same rows through :func:`question_rows`
and :func:`score_rows`. Nothing here reads the store or computes a score.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.table import Table
from rich.text import Text

from summitry.ledger import QuestionStatus
from summitry.ledger_scores import ModelScore

__all__ = [
    "outcome_text",
    "question_rows",
    "questions_json",
    "questions_table",
    "score_rows",
    "scores_json",
    "scores_table",
]


def outcome_text(q: QuestionStatus) -> str:
    """``yes``, ``no`` or the graded value; ``—`` while open; ``(early)`` when graded early."""
    if q.outcome is None:
        return "—"
    text = q.outcome if isinstance(q.outcome, str) else f"{q.outcome:g}"
    return f"{text} (early)" if q.early else text


def _figure(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def question_rows(questions: Sequence[QuestionStatus]) -> list[dict[str, str]]:
    """One row of display text per question, for the web page."""
    return [
        {
            "id": q.id,
            "question": q.text,
            "rule": q.rule,
            "deadline": q.deadline,
            "kind": q.kind,
            "sealed": q.created[:10],
            "scenario": q.scenario_name,
            "status": q.status,
            "outcome": outcome_text(q),
        }
        for q in questions
    ]


def questions_table(questions: Sequence[QuestionStatus], *, caption: str = "") -> Table:
    """One row per sealed question: id, question, deadline, kind, status, outcome."""
    table = Table(caption=caption or None, caption_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("question", min_width=24, overflow="fold")
    table.add_column("deadline", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    for q in questions:
        table.add_row(
            Text(q.id, style="bold"),
            q.text,
            q.deadline,
            q.kind,
            Text(q.status, style="green" if q.status == "resolved" else ""),
            outcome_text(q),
        )
    return table


def questions_json(questions: Sequence[QuestionStatus]) -> str:
    """The questions as one JSON array in ledger order (every field of QuestionStatus)."""
    return json.dumps([asdict(q) | {"models": list(q.models)} for q in questions], indent=2) + "\n"


def score_rows(scores: Sequence[ModelScore]) -> list[dict[str, str]]:
    """One row of display text per model or baseline, for the web page."""
    return [
        {
            "model": s.model,
            "baseline": "baseline" if s.baseline else "",
            "deal_count": str(s.deal_count),
            "brier": _figure(s.brier),
            "log_score": _figure(s.log_score),
            "issue_count": str(s.issue_count),
            "mae": _figure(s.mae, 1),
        }
        for s in scores
    ]


def scores_table(scores: Sequence[ModelScore], *, caption: str = "") -> Table:
    """Per model: deal questions scored, Brier, log score; issue questions scored, MAE."""
    table = Table(
        title="Running scores over resolved questions (lower is better)",
        caption=caption or None,
        caption_justify="left",
    )
    table.add_column("model", no_wrap=True)
    table.add_column("deal qs", justify="right")
    table.add_column("Brier", justify="right")
    table.add_column("log score", justify="right")
    table.add_column("issue qs", justify="right")
    table.add_column("MAE (0-100)", justify="right")
    for row, s in zip(score_rows(scores), scores, strict=True):
        name = Text(s.model, style="dim" if s.baseline else "bold")
        if s.baseline:
            name.append(" (baseline)", style="dim")
        table.add_row(
            name, row["deal_count"], row["brier"], row["log_score"], row["issue_count"], row["mae"]
        )
    return table


def scores_json(scores: Sequence[ModelScore], *, resolved: int, questions: int) -> str:
    """``{"questions", "resolved", "models": [...]}`` as JSON text."""
    record: dict[str, Any] = {
        "questions": questions,
        "resolved": resolved,
        "models": [s.to_dict() for s in scores],
    }
    return json.dumps(record, indent=2) + "\n"
