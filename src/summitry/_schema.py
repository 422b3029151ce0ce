"""Field types shared by the scenario schema and its parts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Finite", "Frozen", "Id", "NonNegative", "unknown"]

Id = Annotated[
    str,
    Field(min_length=1, max_length=80, pattern=r"^[^.\s](?:[^.]*[^.\s])?$"),
]
"""An actor or issue id: non-empty, no dots, no surrounding spaces."""

Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Frozen(BaseModel):
    """Immutable, with unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for a reference to an id that does not exist, listing some that do."""
    listed = ", ".join(sorted(known)[:12])
    return f"unknown {kind} '{name}' (known: {listed})"
