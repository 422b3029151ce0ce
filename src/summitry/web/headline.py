"""The headline of a run's page: where each issue settles, per model, and P(deal).

It is read from the stored forecast record (:meth:`Forecast.to_dict`), so a run's page
shows it at once, before the charts are drawn again, and at the top, where a 1280x800
screen shows it without scrolling. The full tables follow in the report below it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from summitry.analysis.deal import REASON_WORDS
from summitry.report.html_parts import number
from summitry.store import RunRecord

__all__ = ["Headline", "HeadlineIssue", "headline_of"]


@dataclass(frozen=True)
class HeadlineIssue:
    """One issue's row: its scale, status quo and each model's forecast (as shown)."""

    id: str
    scale: str
    low: str
    high: str
    status_quo: str
    outcomes: tuple[str, ...]
    intervals: tuple[str, ...]


@dataclass(frozen=True)
class Headline:
    """The headline of one run: its models, one row per issue, and P(deal) per model."""

    models: tuple[str, ...]
    issues: tuple[HeadlineIssue, ...]
    p_deal: tuple[str, ...] | None
    reasons: tuple[str, ...]
    samples: int

    @property
    def what(self) -> str:
        """What a forecast cell shows."""
        if self.samples > 1:
            return f"median of {self.samples} samples (hover: 90 % interval)"
        return "outcome of one run"


def headline_of(run: RunRecord) -> Headline | None:
    """The headline of a recorded run; None when its record has no issues or models."""
    record: Mapping[str, Any] = run.result or {}
    models = tuple(record.get("models") or ())
    issues = record.get("issues") or ()
    if not models or not issues:
        return None
    rows = []
    for item in issues:
        low_end, high_end = (item.get("scale") or (0.0, 100.0))[:2]
        span = float(high_end) - float(low_end)
        cells = [(item.get("forecasts") or {}).get(m) or {} for m in models]
        rows.append(
            HeadlineIssue(
                id=str(item.get("id", "")),
                scale=f"{float(low_end):g} to {float(high_end):g}",
                low=str(item.get("low") or ""),
                high=str(item.get("high") or ""),
                status_quo=number(item.get("status_quo"), span),
                outcomes=tuple(number(c.get("outcome"), span) for c in cells),
                intervals=tuple(_interval(c.get("interval"), span) for c in cells),
            )
        )
    deal = record.get("p_deal") or None
    p_deal = reasons = None
    if deal:
        found = [deal.get(m) or {} for m in models]
        p_deal = tuple(_percent(d.get("p_deal")) for d in found)
        reasons = tuple(
            REASON_WORDS.get(d.get("top_reason") or "", "") if (d.get("p_deal") or 0) < 1 else ""
            for d in found
        )
    return Headline(models, tuple(rows), p_deal, reasons or (), run.samples)


def _interval(pair: Any, span: float) -> str:
    if not pair or len(pair) != 2:
        return ""
    return f"90 % interval {number(pair[0], span)} to {number(pair[1], span)}"


def _percent(p: Any) -> str:
    return "—" if p is None else f"{float(p):.0%}"
