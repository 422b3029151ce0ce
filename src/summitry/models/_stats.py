"""Weighted statistics over the actor axis, shared by several models."""

from __future__ import annotations

import numpy as np

__all__ = ["TIE_RULES", "weighted_mean", "weighted_median"]

TIE_RULES = ("midpoint", "low", "high")
"""How a weighted median is settled when two positions tie (each with exactly half the votes)."""


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Mean of ``x`` weighted by ``w`` over axis 1: ``(S, A, I) -> (S, I)``."""
    return np.sum(w * x, axis=1) / np.sum(w, axis=1)


def weighted_median(x: np.ndarray, w: np.ndarray, tie: str = "midpoint") -> np.ndarray:
    """Weighted median of ``x`` over axis 1: ``(S, A, I) -> (S, I)``.

    In one dimension this is the pairwise (Condorcet) winner among the positions when
    each actor votes with weight ``w`` for the nearer one. When the votes split exactly
    in half between two neighbouring positions, ``tie`` picks the lower, the higher or
    their midpoint. Actors with zero weight never decide the result.
    """
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    total = cum[:, -1:, :]
    half = 0.5 * total
    eps = 1e-12 * total
    k_lo = np.argmax(cum >= half - eps, axis=1)[:, None, :]
    k_hi = np.argmax(cum > half + eps, axis=1)[:, None, :]
    lo = np.take_along_axis(xs, k_lo, axis=1)[:, 0, :]
    hi = np.take_along_axis(xs, k_hi, axis=1)[:, 0, :]
    if tie == "low":
        return lo
    if tie == "high":
        return hi
    return 0.5 * (lo + hi)
