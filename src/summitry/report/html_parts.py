"""Small pieces of HTML shared by the report's pages: escaped text, tables, numbers."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["escape", "number", "table"]


def escape(value: Any) -> str:
    """Any value as escaped HTML text."""
    return html.escape(str(value), quote=True)


def table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """A table from already escaped cells."""
    attr = f' class="{cls}"' if cls else ""
    out = [f"<table{attr}><thead><tr>", *(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows]
    return "".join(out) + "</tbody></table>"


def number(x: Any, span: float = 100.0, *, signed: bool = False) -> str:
    """About four significant digits relative to a scale of width ``span``; "—" for none."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    digits = max(0, 3 - math.floor(math.log10(span))) if span > 0 else 1
    return f"{float(x):{'+' if signed else ''}.{digits}f}"
