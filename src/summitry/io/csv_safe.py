"""Cells of the CSV files summitry writes, made safe to open in a spreadsheet.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return) as a formula, so a text cell such as an actor id
``=HYPERLINK(...)`` would run when the file is opened. Every CSV writer passes its cells
through :func:`safe_cell`, which puts a single quote ``'`` before such text (the OWASP
rule for CSV injection). Only text is changed: numbers, ``None`` and the like pass as they
are, so a negative outcome ``-0.5`` stays a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a text cell as a formula."""


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    >>> safe_cell("=1+1"), safe_cell("-x"), safe_cell("us"), safe_cell(-0.5)
    ("'=1+1", "'-x", 'us', -0.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]
