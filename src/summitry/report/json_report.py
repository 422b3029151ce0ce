"""Machine-readable records of a forecast: JSON for the forecast, CSV for a trace.

Both are deterministic: the same scenario and seed give the same bytes. Floats are
written with ``repr`` (JSON does so by default), so that they read back exactly. Text
cells of the CSV that a spreadsheet would read as a formula get a leading ``'``
(:mod:`summitry.io.csv_safe`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from summitry.io.csv_safe import safe_cell, safe_row

if TYPE_CHECKING:
    from summitry.forecast import Forecast

__all__ = ["to_json", "trace_csv"]

TRACE_COLUMNS = ("round", "actor", "issue", "position")
"""The leading columns of a trace; model-specific extras follow in name order."""


def to_json(forecast: Forecast, *, created: bool = False) -> str:
    """The forecast as indented JSON text ending in a newline (keys in a fixed order)."""
    return json.dumps(forecast.to_dict(created=created), indent=2, sort_keys=False) + "\n"


def trace_csv(forecast: Forecast, model: str, *, sample: int = 0) -> str:
    """One model's trace as CSV text: round, actor, issue, position, then extras.

    Rows follow :meth:`Forecast.trace_rows`; floats are written with ``repr``. Every
    issue has a row for every round: after an issue has stopped, its last state repeats.
    Actor and issue ids that a spreadsheet would read as a formula (``=``, ``+``, ``-``,
    ``@``...) are written with a leading ``'``; numbers are written as they are.
    """
    columns = (*TRACE_COLUMNS, *sorted(forecast.trajectory(model).extras))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(safe_row(columns))
    for row in forecast.trace_rows(model, sample=sample):
        writer.writerow(
            [repr(v) if isinstance(v, float) else safe_cell(v) for v in map(row.get, columns)]
        )
    return out.getvalue()
