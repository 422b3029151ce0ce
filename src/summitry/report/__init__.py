"""Ways to show a forecast: terminal renderables and machine-readable records.

:mod:`~summitry.report.terminal` builds rich tables; :mod:`~summitry.report.json_report`
writes the deterministic JSON record of a forecast and the CSV of a trace.
"""

from __future__ import annotations

from summitry.report.json_report import to_json, trace_csv
from summitry.report.terminal import (
    example_list,
    forecast_table,
    model_list,
    scenario_summary,
    trace_view,
)

__all__ = [
    "example_list",
    "forecast_table",
    "model_list",
    "scenario_summary",
    "to_json",
    "trace_csv",
    "trace_view",
]
