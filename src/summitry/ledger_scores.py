"""Running scores of the forecast ledger: how each model's sealed answers fared.

Over the resolved questions of a ledger (:mod:`summitry.ledger`), per model:

* deal questions: the mean Brier score and the mean log score of its P(deal) against
  the outcome (1 for yes, 0 for no), with the number of questions;
* issue questions: the mean absolute error of its median against the graded value, each
  error on a 0-100 version of that issue's scale (10 = a tenth of the scale), so that
  issues on different scales can be averaged; with the number of questions.

The scoring rules are those of :mod:`summitry.analysis.scoring`, which ``summitry
calibrate`` uses too (the log score clips probabilities to [1e-6, 1 - 1e-6]). Two plain
baselines stand beside the models: ``chance`` says 50 % on every deal question, ``status
quo`` says every issue stays where it is. A model is scored only on the questions it
answered, so counts can differ between rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from summitry.analysis.scoring import absolute_error, brier, log_score

__all__ = ["BASELINES", "ModelScore", "ledger_scores"]

BASELINES = ("chance", "status quo")
"""Rows that are plain baselines, not models."""


@dataclass(frozen=True)
class ModelScore:
    """One row of :func:`ledger_scores`; a figure is None where nothing was scored."""

    model: str
    baseline: bool
    deal_count: int
    brier: float | None
    log_score: float | None
    issue_count: int
    mae: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data, in field order."""
        return asdict(self)


def ledger_scores(entries: Iterable[Mapping[str, Any]]) -> list[ModelScore]:
    """Scores per model over the graded questions of ``entries`` (in ledger order).

    Models come in the order they first appear in the ledger, then the baselines.
    """
    entries = list(entries)
    questions = {e["id"]: e for e in entries if e["type"] == "question"}
    deal: dict[str, list[tuple[float, int]]] = {}
    issue: dict[str, list[float]] = {}
    for e in entries:
        if e["type"] == "question":
            for name in e["answers"]:
                deal.setdefault(name, [])
                issue.setdefault(name, [])
            continue
        q = questions[e["question_id"]]
        if q["question"]["kind"] == "deal":
            y = int(e["outcome"] == "yes")
            for name, answer in q["answers"].items():
                deal[name].append((answer["p_deal"], y))
            deal.setdefault("chance", []).append((0.5, y))
        else:
            scale = (q["scale"][0], q["scale"][1])
            value = float(e["outcome"])
            for name, answer in q["answers"].items():
                if answer["median"] is not None:
                    issue[name].append(absolute_error(answer["median"], value, scale))
            if q.get("status_quo") is not None:
                issue.setdefault("status quo", []).append(
                    absolute_error(q["status_quo"], value, scale)
                )
    names = [n for n in dict.fromkeys([*deal, *issue]) if n not in BASELINES]
    rows = []
    for name in [*names, *BASELINES]:
        pairs, errors = deal.get(name, []), issue.get(name, [])
        if name in BASELINES and not pairs and not errors:
            continue
        p = np.array([pair[0] for pair in pairs], dtype=float)
        y = np.array([pair[1] for pair in pairs], dtype=float)
        rows.append(
            ModelScore(
                model=name,
                baseline=name in BASELINES,
                deal_count=len(pairs),
                brier=brier(p, y) if pairs else None,
                log_score=log_score(p, y) if pairs else None,
                issue_count=len(errors),
                mae=float(np.mean(errors)) if errors else None,
            )
        )
    return rows
