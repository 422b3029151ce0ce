"""Phase 2 of the DEU backtest: tune candidates on the tuning part, judge them on the held-out one.

The protocol is ``docs/backtest.md`` ("Protocol for phase 2"). Two steps, each run by
``python -m summitry.backtest.report --update docs/backtest.md FILE`` with a flag:

``--tune``
    :func:`tune` every candidate of :func:`~summitry.backtest.candidates.candidates` on
    the issues with an outcome of the split's tuning part, over its grid; the lowest MAE
    wins, a tie going to the first configuration listed. The record (every configuration's
    tuning MAE and the choice) is written as JSON beside the page (:data:`RECORD`) and
    the choices into the page's tuning block.
``--held-out``
    Read the record (the choices are never made again), check that the page shows it,
    that the file is the one tuned on and that every candidate still gives the recorded
    tuning MAEs, then :func:`judge` each chosen configuration on the held-out part's
    issues with an outcome against the untuned compromise model: the MAE difference and
    its paired bootstrap interval, issues resampled and proposals resampled, at the
    Bonferroni level ``1 - 0.05 / K`` for ``K`` candidates; the win rule of the protocol.

:func:`tune` only ever passes tuning issues to a forecast, and :func:`judge` only held-out
issues; the tests check both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from summitry.backtest.candidates import Candidate, candidates, compromise_forecasts, label
from summitry.backtest.split import SPLIT_SEED, Split, split
from summitry.backtest.stats import paired_interval
from summitry.errors import ParameterError
from summitry.io.deu import DeuIssue

__all__ = [
    "ALPHA",
    "BOOTSTRAP",
    "RECORD",
    "TIE",
    "Tuned",
    "Verdict",
    "choose",
    "held_out_markdown",
    "judge",
    "part_issues",
    "record",
    "tune",
    "tuning_markdown",
]

ALPHA = 0.05
"""Chance of any false win over the ``K`` candidates (Bonferroni: ``ALPHA / K`` each)."""
BOOTSTRAP = 10_000
"""Replicates of the held-out intervals (protocol, section 3)."""
SEED = 0
"""Seed of the held-out bootstrap."""
TIE = 1e-9
"""Tuning MAEs within this (on 0-100) of the lowest count as tied with it."""
RECORD = "backtest-tuning.json"
"""The tuning record's file name, beside the page."""


def part_issues(issues: Sequence[DeuIssue], parts: Split, name: str) -> list[DeuIssue]:
    """The issues of part ``name`` that have a recorded outcome, in file order."""
    return [i for i in parts.part(issues, name) if i.outcome is not None]


def _mae(forecast: np.ndarray, outcome: np.ndarray) -> float:
    if not np.isfinite(forecast).all():
        raise ValueError("a candidate gave no forecast on some issue")
    return float(np.mean(np.abs(forecast - outcome)))


# -- tuning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tuned:
    """A candidate's tuning: every configuration's MAE on the tuning part, and the choice.

    Attributes
    ----------
    candidate
        The candidate.
    mae
        Tuning MAE of each configuration of ``candidate.grid``, in its order.
    chosen
        Index of the chosen configuration (:func:`choose`).
    n
        Tuning issues scored.
    """

    candidate: Candidate
    mae: tuple[float, ...]
    chosen: int
    n: int

    @property
    def config(self) -> Mapping[str, Any]:
        """The chosen configuration."""
        return self.candidate.grid[self.chosen]


def choose(mae: Sequence[float]) -> int:
    """Index of the lowest MAE; a tie (within :data:`TIE`) goes to the first listed."""
    best = min(mae)
    return next(k for k, m in enumerate(mae) if m <= best + TIE)


def tune(
    candidate: Candidate,
    issues: Sequence[DeuIssue],
    parts: Split,
    *,
    progress: Callable[[str], None] | None = None,
) -> Tuned:
    """Score every configuration of ``candidate`` on the tuning part's issues with an outcome.

    Only those issues reach ``candidate.forecast``; the held-out part is never touched.
    """
    tuning = part_issues(issues, parts, "tuning")
    outcome = np.array([i.outcome for i in tuning], dtype=float)
    mae = []
    for config in candidate.grid:
        mae.append(_mae(candidate.forecast(tuning, config), outcome))
        if progress is not None:
            progress(f"{candidate.key} {label(config)}: {mae[-1]:.3f}")
    return Tuned(candidate, tuple(mae), choose(mae), len(tuning))


def record(
    tuned: Sequence[Tuned],
    issues: Sequence[DeuIssue],
    parts: Split,
    *,
    file: str | Path,
    sha256: str,
) -> dict[str, Any]:
    """The tuning as JSON-ready data: the file, the split, and each candidate's grid and choice."""
    tuning = part_issues(issues, parts, "tuning")
    outcome = np.array([i.outcome for i in tuning], dtype=float)
    return {
        "file": PurePath(file).name,
        "input_sha256": sha256,
        "split_seed": SPLIT_SEED,
        "tuning_proposals": list(parts.tuning),
        "held_out_proposals": list(parts.held_out),
        "tuning_issues": len(tuning),
        "compromise_mae": _mae(compromise_forecasts(tuning), outcome),
        "k": len(tuned),
        "candidates": [
            {
                "number": t.candidate.number,
                "key": t.candidate.key,
                "title": t.candidate.title,
                "note": t.candidate.note,
                "code_sha256": _code_sha256(t.candidate.key),
                "chosen": t.chosen,
                "config": dict(t.config),
                "mae": t.mae[t.chosen],
                "grid": [
                    {"config": dict(c), "mae": m}
                    for c, m in zip(t.candidate.grid, t.mae, strict=True)
                ],
            }
            for t in tuned
        ],
    }


def _code_sha256(key: str) -> str:
    """For a candidate built on work in progress (``smp``), a digest of its model's code."""
    if key != "smp":
        return ""
    import summitry.models.smp as module

    folder = Path(module.__file__).parent
    digest = hashlib.sha256()
    for name in ("smp.py", "_smp_turn.py"):
        path = folder / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def tuning_markdown(data: Mapping[str, Any], command: str) -> str:
    """The page's tuning block from a record: each candidate's choice and tuning MAE."""
    k = data["k"]
    lo, hi = _percentiles(k)
    lines = [
        f"Generated by `{command}`; the record with every configuration's tuning MAE is "
        f"[`{RECORD}`]({RECORD}). Tuning part: {data['tuning_issues']} issues with an "
        f"outcome from {len(data['tuning_proposals'])} proposals (split seed "
        f"{data['split_seed']}); file `{data['file']}`, SHA-256 "
        f"`{data['input_sha256'][:16]}...`. The compromise model (defaults, `treaty`) has "
        f"tuning MAE {data['compromise_mae']:.2f}.",
        "",
        "| # | candidate | configurations | chosen configuration | tuning MAE | "
        "grid's tuning MAEs (lowest - highest) |",
        "|--:|---|--:|---|--:|--:|",
    ]
    for c in data["candidates"]:
        maes = [g["mae"] for g in c["grid"]]
        title = f"`{c['key']}`, {c['title']}" + (f" ({c['note']})" if c["note"] else "")
        lines.append(
            f"| {c['number']} | {title} | {len(c['grid'])} | `{label(c['config'])}` | "
            f"{c['mae']:.2f} | {min(maes):.2f} - {max(maes):.2f} |"
        )
    lines += [
        "",
        f"K = {k} candidates are judged on the held-out part, so each interval there is the "
        f"two-sided {100 * (1 - ALPHA / k):.2f} % interval (percentiles {lo:.2f} and "
        f"{hi:.2f}).",
    ]
    smp = [c for c in data["candidates"] if c["code_sha256"]]
    for c in smp:
        lines.append(
            f"The `{c['key']}` model was tuned on its code with SHA-256 "
            f"`{c['code_sha256'][:16]}...` (`models/smp.py` and `models/_smp_turn.py`)."
        )
    return "\n".join(lines) + "\n"


def _percentiles(k: int) -> tuple[float, float]:
    tail = 100 * ALPHA / k / 2
    return tail, 100 - tail


# -- the held-out part ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One chosen configuration scored on the held-out part against the compromise model.

    Attributes
    ----------
    candidate, config
        The candidate and its chosen configuration.
    n
        Held-out issues scored (every one with an outcome).
    mae, compromise_mae
        The candidate's and the untuned compromise model's MAE on them.
    diff
        ``mae - compromise_mae``.
    by_issue, by_proposal
        Paired bootstrap intervals of ``diff`` at ``level``, issues resampled and
        proposals resampled.
    level
        ``1 - ALPHA / K``.
    identical
        True when the forecasts equal the compromise model's on every issue scored.
    """

    candidate: Candidate
    config: Mapping[str, Any]
    n: int
    mae: float
    compromise_mae: float
    diff: float
    by_issue: tuple[float, float]
    by_proposal: tuple[float, float]
    level: float
    identical: bool = False

    @property
    def wins(self) -> bool:
        """The protocol's win: the issue-resampled interval lies entirely below 0."""
        return self.by_issue[1] < 0

    @property
    def robust(self) -> bool:
        """A win whose proposal-resampled interval lies below 0 as well."""
        return self.wins and self.by_proposal[1] < 0

    @property
    def verdict(self) -> str:
        """``yes``, ``yes, not robust to resampling proposals`` or ``no``."""
        if not self.wins:
            return "no"
        return "yes" if self.robust else "yes, not robust to resampling proposals"


def judge(
    chosen: Sequence[tuple[Candidate, Mapping[str, Any]]],
    issues: Sequence[DeuIssue],
    parts: Split,
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = SEED,
) -> list[Verdict]:
    """Score each ``(candidate, configuration)`` once on the held-out part (protocol 3-4).

    Only the held-out part's issues with an outcome reach the forecasts. ``K`` is
    ``len(chosen)``.
    """
    if not chosen:
        raise ParameterError("no candidate to judge")
    held = part_issues(issues, parts, "held-out")
    outcome = np.array([i.outcome for i in held], dtype=float)
    reference = compromise_forecasts(held)
    base = np.abs(reference - outcome)
    by_issue = np.arange(len(held))
    proposals: dict[str, int] = {}
    by_proposal = np.array([proposals.setdefault(i.proposal, len(proposals)) for i in held])
    level = 1 - ALPHA / len(chosen)
    out = []
    for candidate, config in chosen:
        forecast = candidate.forecast(held, config)
        error = np.abs(forecast - outcome)
        mae = _mae(forecast, outcome)
        d = error - base
        out.append(
            Verdict(
                candidate=candidate,
                config=dict(config),
                n=len(held),
                mae=mae,
                compromise_mae=float(np.mean(base)),
                diff=float(np.mean(d)),
                by_issue=paired_interval(d, by_issue, bootstrap=bootstrap, seed=seed, level=level),
                by_proposal=paired_interval(
                    d, by_proposal, bootstrap=bootstrap, seed=seed, level=level
                ),
                level=level,
                identical=bool(np.array_equal(forecast, reference)),
            )
        )
    return out


def held_out_markdown(
    verdicts: Sequence[Verdict], data: Mapping[str, Any], command: str, bootstrap: int
) -> str:
    """The page's held-out block: one row per candidate, with both intervals and the verdict."""
    k = len(verdicts)
    level = 100 * (1 - ALPHA / k)
    n = verdicts[0].n
    lines = [
        f"Generated by `{command}` from the choices in [`{RECORD}`]({RECORD}). Paired "
        f"bootstrap of the MAE difference, {bootstrap} replicates, seed {SEED}; "
        f"two-sided {level:.2f} % intervals (Bonferroni, K = {k}). Untuned compromise "
        f"(defaults, `treaty`) on the same {n} issues: MAE {verdicts[0].compromise_mae:.2f}.",
        "",
        f"| # | candidate | chosen configuration | n | MAE | MAE - compromise | "
        f"{level:.2f} % interval, issues resampled | {level:.2f} % interval, proposals "
        "resampled | beats the compromise? |",
        "|--:|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for v in verdicts:
        c = v.candidate
        title = f"`{c.key}`" + (f" ({c.note})" if c.note else "")
        lines.append(
            f"| {c.number} | {title} | `{label(v.config)}` | {v.n} | {v.mae:.2f} | "
            f"{v.diff:+.2f} | {_interval(v.by_issue)} | {_interval(v.by_proposal)} | "
            f"{v.verdict} |"
        )
    held = data["held_out_proposals"]
    for c in data["candidates"]:
        if c["code_sha256"]:
            now = _code_sha256(c["key"])
            same = "the same code" if now == c["code_sha256"] else "code changed since tuning"
            lines += [
                "",
                f"The `{c['key']}` model was scored with its code at SHA-256 `{now[:16]}...` "
                f"({same}; it gave the recorded tuning MAEs of its whole grid again before "
                "the held-out part was scored).",
            ]
    lines += [
        "",
        f"Held-out part: {n} issues with an outcome from {len(held)} proposals, file "
        f"`{data['file']}`, SHA-256 `{data['input_sha256'][:16]}...`. {_summary(verdicts)}",
    ]
    return "\n".join(lines) + "\n"


def _summary(verdicts: Sequence[Verdict]) -> str:
    """The verdicts in words."""
    wins = [v for v in verdicts if v.wins]
    if wins:
        said = "; ".join(f"`{v.candidate.key}` ({v.verdict})" for v in wins)
        out = f"Beats the compromise model: {said}."
    else:
        out = (
            "No candidate beats the compromise model: no issue-resampled interval lies "
            "entirely below 0."
        )
    same = [f"`{v.candidate.key}`" for v in verdicts if v.identical]
    if same:
        out += (
            f" Tuning chose the compromise itself for {_words(same)}: "
            "the chosen configuration forecasts exactly the compromise on every held-out issue."
        )
    return out


def _words(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _interval(interval: tuple[float, float]) -> str:
    lo, hi = interval
    return f"[{lo:+.2f}, {hi:+.2f}]"


# -- the two steps, for the report's command ---------------------------------------------------


def run_tuning(
    issues: Sequence[DeuIssue],
    *,
    file: str | Path,
    sha256: str,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Tune every built candidate; return the record (:func:`record`)."""
    parts = split(issues)
    tuned = [tune(c, issues, parts, progress=progress) for c in candidates()]
    return record(tuned, issues, parts, file=file, sha256=sha256)


def run_held_out(
    issues: Sequence[DeuIssue],
    data: Mapping[str, Any],
    *,
    sha256: str,
    bootstrap: int = BOOTSTRAP,
    progress: Callable[[str], None] | None = None,
) -> list[Verdict]:
    """Judge the configurations chosen in the record ``data`` on the held-out part.

    The choices are the record's. Before anything is scored on the held-out part, each
    candidate's grid is scored again on the tuning part, and must give the recorded
    tuning MAEs (within :data:`TIE`): a model whose code changed since tuning in a way
    that changes its forecasts would void its choice. A change that leaves them alone (a
    reformatted file) does not; the digest of the ``smp`` code, recorded when tuned, is
    then information only.

    Raises
    ------
    ParameterError
        When the file, the split or a candidate's grid or tuning MAEs differ from the
        record, or a recorded candidate is not built.
    """
    if data["input_sha256"] != sha256:
        raise ParameterError("the file is not the one the candidates were tuned on")
    parts = split(issues)
    if list(parts.tuning) != data["tuning_proposals"]:
        raise ParameterError("the split differs from the one the candidates were tuned on")
    built = {c.key: c for c in candidates()}
    chosen = []
    for entry in data["candidates"]:
        candidate = built.get(entry["key"])
        if candidate is None:
            raise ParameterError(f"candidate '{entry['key']}' was tuned but is not built now")
        grid = [dict(c) for c in candidate.grid]
        if grid != [g["config"] for g in entry["grid"]] or grid[entry["chosen"]] != entry["config"]:
            raise ParameterError(f"the grid of candidate '{entry['key']}' changed since tuning")
        again = tune(candidate, issues, parts, progress=progress)  # the tuning part only
        recorded = [g["mae"] for g in entry["grid"]]
        if any(abs(a - b) > TIE for a, b in zip(again.mae, recorded, strict=True)):
            raise ParameterError(
                f"candidate '{entry['key']}' no longer gives the tuning MAEs of the record "
                "(its code changed since tuning), so its choice is void"
            )
        chosen.append((candidate, entry["config"]))
    return judge(chosen, issues, parts, bootstrap=bootstrap)


def read_record(path: str | Path) -> dict[str, Any]:
    """The tuning record at ``path``."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def record_json(data: Mapping[str, Any]) -> str:
    """The record as indented JSON ending in a newline."""
    return json.dumps(data, indent=2) + "\n"
