"""Shapley-Shubik indices of weighted voting rules with a quota and a member count.

A coalition ``S`` of ``n`` members wins when its weight reaches ``quota`` and it has at
least ``min_members`` members, or when it has at least ``n - blocking + 1`` members (a
blocking minority needs ``blocking`` members; the Lisbon rule's four). Member ``i``'s
index is the share of the ``n!`` orderings in which ``i`` turns a losing coalition into a
winning one (Shapley & Shubik 1954). Coalitions of the others are counted by size and
weight with integer weights, so the result is exact for integer weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb

import numpy as np

__all__ = ["shapley_shubik"]


def shapley_shubik(
    weights: Sequence[int], quota: int, *, min_members: int = 0, blocking: int | None = None
) -> np.ndarray:
    """Each member's Shapley-Shubik index; the indices sum to 1.

    Parameters
    ----------
    weights
        Non-negative integer weights (votes, or population in fixed units).
    quota
        Weight a winning coalition needs.
    min_members
        Members a winning coalition needs besides the weight.
    blocking
        Members a blocking minority needs: coalitions of ``n - blocking + 1`` or more
        members win whatever their weight. None: no such clause.

    Examples
    --------
    >>> shapley_shubik([1, 1, 1], 2).round(3).tolist()
    [0.333, 0.333, 0.333]
    >>> shapley_shubik([2, 1, 1], 3).round(3).tolist()
    [0.667, 0.167, 0.167]
    """
    w = np.asarray(weights, dtype=np.int64)
    n, total = len(w), int(w.sum())
    size = np.arange(n)[:, None]
    weight = np.arange(total + 1)[None, :]

    def wins(members: np.ndarray, votes: np.ndarray) -> np.ndarray:
        out = (votes >= quota) & (members >= min_members)
        if blocking is not None:
            out |= members >= n - blocking + 1
        return out

    index = np.zeros(n)
    for i in range(n):
        count = np.zeros((n, total + 1))  # coalitions of the others: size x weight
        count[0, 0] = 1.0
        for j in range(n):
            if j == i:
                continue
            shift = int(w[j])
            grown = np.zeros_like(count)
            grown[1:, shift:] = count[:-1, : total + 1 - shift]
            count += grown
        swing = ~wins(size, weight) & wins(size + 1, weight + w[i])
        per_size = np.where(swing, count, 0.0).sum(axis=1)
        index[i] = sum(per_size[k] / (n * comb(n - 1, k)) for k in range(n))
    return index
