"""The timeline as JSON-ready data and as a terminal table.

:func:`timeline_record` reduces each step's forecast to what the timeline shows: every
model's outcome and interval per issue, P(deal), and the miscalculation scores where
actors hold beliefs. :func:`timeline_table` prints one model's column of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from summitry.analysis.deal import reason_text
from summitry.timeline import TimelineStep

__all__ = ["timeline_json", "timeline_record", "timeline_table"]


def timeline_record(steps: Sequence[TimelineStep]) -> dict[str, Any]:
    """The timeline as plain data: one entry per step, in date order."""
    first = steps[0].forecast
    out: dict[str, Any] = {
        "scenario": first.scenario.name,
        "seed": first.seed,
        "samples": first.n_samples,
        "summitry_version": first.summitry_version,
        "models": list(first.models),
        "issues": [
            {
                "id": i.id,
                "scale": [i.scale.min, i.scale.max],
                "low": i.scale.low,
                "high": i.scale.high,
            }
            for i in first.scenario.issues
        ],
        "steps": [],
    }
    for ts in steps:
        rec = ts.forecast.to_dict()
        deal = rec["p_deal"] or {}
        misc = rec["miscalculation"] or {}
        out["steps"].append(
            {
                "date": ts.step.date,
                "events": [
                    {"id": e.id, "label": e.label, "date_note": e.date_note} for e in ts.step.events
                ],
                "input_sha256": rec["input_sha256"],
                "status_quo": {i["id"]: i["status_quo"] for i in rec["issues"]},
                "forecasts": {
                    model: {
                        i["id"]: {
                            "outcome": i["forecasts"][model]["outcome"],
                            "interval": i["forecasts"][model]["interval"],
                        }
                        for i in rec["issues"]
                    }
                    for model in out["models"]
                },
                "p_deal": {m: d["p_deal"] for m, d in deal.items()} or None,
                "top_blocker": {m: d["top_blocker"] for m, d in deal.items()} or None,
                "reasons": {
                    m: {r: v["share"] for r, v in d["reasons"].items()} for m, d in deal.items()
                }
                or None,
                "why": {m: reason_text(d) for m, d in deal.items()} or None,
                "miscalculation": {
                    m: {r["actor"]: r["score"] for r in rows} for m, rows in misc.items()
                }
                or None,
            }
        )
    return out


def timeline_json(record: dict[str, Any]) -> str:
    """The timeline record as indented JSON."""
    return json.dumps(record, indent=2) + "\n"


def timeline_table(record: dict[str, Any], model: str) -> Table:
    """One row per step: its date and events, ``model``'s forecast per issue, P(deal)."""
    samples = record["samples"]
    table = Table(
        title=f"{record['scenario']}: forecast after each event ({model})",
        caption=f"seed {record['seed']} · {samples} sample{'s' if samples != 1 else ''}"
        + (" · median [5%, 95%]" if samples > 1 else "")
        + " · sq: status quo where it moved",
        caption_justify="left",
    )
    table.add_column("date", no_wrap=True)
    table.add_column("event", ratio=2)
    for issue in record["issues"]:
        table.add_column(issue["id"], justify="right")
    has_deal = any(s["p_deal"] for s in record["steps"])
    if has_deal:
        table.add_column("P(deal)", justify="right")
    previous_sq: dict[str, Any] = {}
    for step in record["steps"]:
        label = "; ".join(e["label"] for e in step["events"]) or "start (inputs as written)"
        cells: list[Any] = [step["date"] or "-", label]
        for issue in record["issues"]:
            cell = step["forecasts"][model][issue["id"]]
            text = Text(_fmt(cell["outcome"]), style="bold")
            if samples > 1:
                lo, hi = cell["interval"]
                text.append(f"\n[{_fmt(lo)}, {_fmt(hi)}]", style="dim")
            sq = step["status_quo"][issue["id"]]
            if sq is not None and issue["id"] in previous_sq and sq != previous_sq[issue["id"]]:
                text.append(f"\nsq {_fmt(sq)}", style="yellow")
            previous_sq[issue["id"]] = sq
            cells.append(text)
        if has_deal:
            p = (step["p_deal"] or {}).get(model)
            why = (step.get("why") or {}).get(model)
            text = Text("-" if p is None else f"{p:.0%}", style="bold")
            if why:
                text.append(f"\n{why}", style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"
