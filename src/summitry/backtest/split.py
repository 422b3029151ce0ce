"""The split of the DEU development file into a tuning part and a held-out part, by proposal.

Fixed before any model was tuned (``docs/backtest.md``, "Protocol"). Issues of one
proposal are coded by the same experts at the same time and decided together, so they
are never split: whole proposals go to one part. The rule:

1. take the distinct proposal ids of the file and each proposal's procedure (that of its
   first issue);
2. for each procedure in the order ``CNS``, ``COD``: sort its proposal ids as strings,
   permute them with ``numpy.random.default_rng(SPLIT_SEED).permutation`` (one generator,
   used for the strata in that order), and send the first ``n // 2`` of the permuted ids
   to the held-out part, the rest to the tuning part.

Stratifying by procedure keeps the co-decision share, which decides the Parliament's
weight, alike in both parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summitry.io.deu import PROCEDURES, DeuIssue

__all__ = ["SPLIT_SEED", "Split", "split"]

SPLIT_SEED = 2006
"""The split's seed, fixed on writing the protocol (the year of Thomson et al.'s book)."""


@dataclass(frozen=True)
class Split:
    """Proposal ids of each part, sorted."""

    tuning: tuple[str, ...]
    held_out: tuple[str, ...]

    def part(self, issues: Sequence[DeuIssue], name: str) -> list[DeuIssue]:
        """The issues of ``name`` (``"tuning"`` or ``"held-out"``), in their order."""
        if name not in ("tuning", "held-out"):
            raise ValueError(f"unknown part '{name}'; choose tuning or held-out")
        keep = set(self.tuning if name == "tuning" else self.held_out)
        return [i for i in issues if i.proposal in keep]


def split(issues: Sequence[DeuIssue], seed: int = SPLIT_SEED) -> Split:
    """Split the proposals of ``issues`` into tuning and held-out parts (see the module)."""
    procedure: dict[str, str] = {}
    for issue in issues:
        procedure.setdefault(issue.proposal, issue.procedure)
    rng = np.random.default_rng(seed)
    held: list[str] = []
    for proc in sorted(PROCEDURES, key=lambda p: ("CNS", "COD").index(p)):
        ids = sorted(p for p, q in procedure.items() if q == proc)
        order = rng.permutation(len(ids))
        held += [ids[k] for k in order[: len(ids) // 2]]
    tuning = sorted(set(procedure) - set(held))
    return Split(tuning=tuple(tuning), held_out=tuple(sorted(held)))
