"""Backtests of the bargaining models on decisions whose outcome is known (the DEU data).

- :mod:`summitry.backtest.capabilities`: actors' capabilities from the treaty in force;
- :mod:`summitry.backtest.power`: Shapley-Shubik indices of the Council's voting rules;
- :mod:`summitry.backtest.run`: every model on every issue, batched;
- :mod:`summitry.backtest.stats`: errors, and the paired bootstrap against the compromise model;
- :mod:`summitry.backtest.split`: the seeded split by proposal fixed before any tuning;
- :mod:`summitry.backtest.report`: tables, JSON, Markdown, HTML and the docs' results block.
- :mod:`summitry.backtest.candidates`: the phase-2 candidates, each a grid and a forecast;
- :mod:`summitry.backtest.phase2`: tuning on the tuning part, judging on the held-out part.

See ``docs/backtest.md`` and ``docs/capabilities.md``.
"""

from __future__ import annotations

__all__: list[str] = []
