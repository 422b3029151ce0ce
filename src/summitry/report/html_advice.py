"""The report's advice section: one actor's best levers, flips and replies (docs/advise.md).

Built from :meth:`summitry.advise.Advice.to_dict`, so a stored record renders the same
as a live one. :mod:`summitry.report.html` places it after the drivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from summitry.report.html_parts import escape as _e
from summitry.report.html_parts import table

__all__ = ["TOP", "advice_html"]

TOP = 8
"""Levers shown."""


def _signed(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:+.{digits}f}"


def _pp(x: float | None) -> str:
    return "" if x is None else f"<br><span class=dim>{100 * x:+.1f} pp</span>"


def _value(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}"


def advice_html(record: Mapping[str, Any], figure: str = "", top: int = TOP) -> str:
    """The section's HTML: caption, chart, levers, flips, replies and notes."""
    models = list(record["models"])
    effects = {(e["lever"], e["model"]): e for e in record["effects"]}
    base = "; ".join(
        f"{_e(m)} P(deal) "
        + ("—" if b["p_deal"] is None else f"{100 * b['p_deal']:.0f} %")
        + f", utility {b['utility']:.3f}"
        for m, b in record["baseline"].items()
    )
    out = [
        f"<p>What <b>{_e(record['actor'])}</b> can do, ranked by the mean change in its "
        "utility of the settled outcome over the models (winners-table units), with the "
        f"change in P(deal) below each figure. {int(record['samples']):,} common draws, seed "
        f"{_e(record['seed'])}. Without any lever: {base}. Method and limits: "
        "docs/advise.md.</p>",
        figure,
    ]
    rows = []
    for rank, lever in enumerate(record["levers"][:top], start=1):
        label = _e(lever["label"])
        if lever.get("sources"):
            label += f"<br><span class=dim>from {_e(', '.join(lever['sources']))}</span>"
        cells = [str(rank), label, _e(lever["kind"])]
        for m in models:
            e = effects[(lever["id"], m)]
            cells.append(_signed(e["utility"]) + _pp(e["p_deal_change"]))
        cells.append(f"{lever['robust']} of {len(models)}")
        rows.append(cells)
    out.append(table(["#", "lever", "kind", *map(_e, models), "helps in"], rows, "num"))
    if record["flips"]:
        rows = []
        for f in record["flips"]:
            if f["issue"] is None:
                cells = ["<span class=dim>no single-issue move</span>", "—", "—", "—", "—"]
            else:
                cells = [
                    _e(f["issue"]), _value(f["start"]), _value(f["to"]),
                    _signed(f["move"], 2), "yes" if f["deal_after"] else "no",
                ]  # fmt: skip
            rows.append([_e(f["model"]), _e(f["method"]), _e(f["blocker"]), *cells])
        head = ["model", "method", "blocker", "issue", "from", "to", "move", "deal after"]
        out.append("<h3>Smallest concession that flips each blocker</h3>")
        out.append(table(head, rows, "num"))
    if record["responses"]:
        rows = [
            [
                _e(r["model"]),
                _e(r["responder"]),
                _e(r["label"]),
                _signed(r["responder_gain"]),
                _signed(r["actor_before"]),
                _signed(r["actor_after"]),
            ]  # fmt: skip
            for r in record["responses"]
        ]
        actor = _e(record["actor"])
        head = ["model", "responder", "its best reply", "its gain", f"{actor} before",
                f"{actor} after"]  # fmt: skip
        out.append(
            f"<h3>Replies to the best lever</h3><p class=dim>On "
            f"{_e(record['response_samples'])} draws.</p>"
        )
        out.append(table(head, rows, "num"))
    out += [f"<p class=dim>{_e(line)}</p>" for line in record.get("notes", [])]
    return "\n".join(part for part in out if part)
