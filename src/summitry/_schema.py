"""Field types shared by the scenario schema and its parts."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

__all__ = ["Finite", "Frozen", "Id", "NonNegative", "Stance", "unknown"]

Id = Annotated[
    str,
    Field(min_length=1, max_length=80, pattern=r"^[^.\s](?:[^.]*[^.\s])?$"),
    AfterValidator(lambda text: unicodedata.normalize("NFC", text)),
]
"""An actor or issue id: non-empty, no dots, no surrounding spaces; kept in Unicode NFC,
so that two spellings of one name (a precomposed letter or a letter and an accent) are
one id."""

Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite number; ``true`` or a string such as ``"1e3"`` is not a number."""
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]


class Frozen(BaseModel):
    """Immutable, with unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def unknown(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for a reference to an id that does not exist, listing some that do."""
    listed = ", ".join(sorted(known)[:12])
    return f"unknown {kind} '{name}' (known: {listed})"


class Stance(Frozen):
    """A position and salience on one issue, with optional uncertainty.

    Used for an actor's stances and for a ratifying body's. ``position_sd`` is on the
    issue's scale and ``salience_sd`` on the scenario's salience scale; both are standard
    deviations of a normal law truncated to the allowed range (see
    :mod:`summitry.analysis.uncertainty`).
    """

    position: Finite
    salience: NonNegative
    position_sd: NonNegative | None = None
    salience_sd: NonNegative | None = None
