"""The rounds of an iterative model, stored as each round's moving lanes only.

A lane is one issue of one sample. Most lanes settle within a few rounds while a few run
on to the round limit, so storing every lane at every round would cost far more than
the rounds actually played. :class:`History` keeps round 0 for every lane and, for each
later round, only the lanes played in it; the full ``(S, T + 1, A, I)`` array, with every
lane held at its last state, is built only when someone asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["History", "to_lanes"]


def to_lanes(x: np.ndarray) -> np.ndarray:
    """``(S, A, I)`` -> ``(S * I, A)``: one row per lane, lane number ``sample * I + issue``."""
    x = np.asarray(x, dtype=float)
    return np.ascontiguousarray(x.swapaxes(1, 2).reshape(-1, x.shape[1]))


class History:
    """Named per-actor quantities (positions and extras) of every lane over rounds.

    Parameters
    ----------
    first
        Round 0 of each quantity, ``(S, A, I)``.
    keep
        The quantities whose every round is stored (default: all of them). The others
        keep only each lane's latest state: :meth:`at` answers for them at a lane's last
        round only, and :meth:`unroll` refuses them. A Monte Carlo forecast needs only
        the final states, and the positions of earlier rounds where cycles are looked for.
    """

    def __init__(self, first: Mapping[str, np.ndarray], keep: tuple[str, ...] | None = None):
        shapes = {np.shape(v) for v in first.values()}
        if len(shapes) != 1:
            raise ValueError(f"every quantity needs the same (S, A, I) shape; got {shapes}")
        self.n_samples, self.n_actors, self.n_issues = shapes.pop()
        self.names = tuple(first)
        self.kept = self.names if keep is None else tuple(k for k in self.names if k in keep)
        self._first = {k: to_lanes(v) for k, v in first.items()}
        self._latest = {k: v.copy() for k, v in self._first.items()}
        self._rounds: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []
        self._played = np.zeros(self.n_samples * self.n_issues, dtype=np.int64)

    @property
    def n_rounds(self) -> int:
        """Rounds recorded after round 0."""
        return len(self._rounds)

    def latest(self, name: str) -> np.ndarray:
        """Every lane's latest state, ``(L, A)`` (read only by convention)."""
        return self._latest[name]

    def record(self, lanes: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """Store the next round for ``lanes`` (ascending lane numbers), ``(n, A)`` each.

        A lane is played from round 1 without a gap until it stops.
        """
        t = len(self._rounds) + 1
        if np.any(self._played[lanes] != t - 1):
            raise ValueError("a lane may only be played in consecutive rounds")
        stored = {}
        for name in self.names:
            value = np.array(values[name], dtype=float)
            self._latest[name][lanes] = value
            if name in self.kept:
                stored[name] = value
        self._rounds.append((np.asarray(lanes), stored))
        self._played[lanes] = t

    def at(self, name: str, lanes: np.ndarray, rounds: np.ndarray) -> np.ndarray:
        """States of ``lanes`` at ``rounds`` (each ``(n,)``), as ``(n, A)``.

        A round after a lane stopped gives its last state.
        """
        lanes = np.asarray(lanes)
        rounds = np.minimum(np.asarray(rounds), self._played[lanes])
        if name not in self.kept:
            if np.any(rounds != self._played[lanes]):
                raise ValueError(f"only the latest state of '{name}' was kept")
            return self._latest[name][lanes]
        out = self._first[name][lanes]
        for r in np.unique(rounds[rounds > 0]):
            sel = rounds == r
            played, values = self._rounds[r - 1]
            out[sel] = values[name][np.searchsorted(played, lanes[sel])]
        return out

    def unroll(self, name: str) -> np.ndarray:
        """``(S, T + 1, A, I)``: every lane at every round, held at its last state."""
        if name not in self.kept:
            raise ValueError(
                f"only the latest state of '{name}' was kept; run the model with keep='all'"
            )
        n_t = len(self._rounds) + 1
        lanes = np.empty((self._first[name].shape[0], n_t, self.n_actors))
        lanes[:, 0] = self._first[name]
        for t, (played, values) in enumerate(self._rounds, start=1):
            lanes[played, t] = values[name]
        upto = np.minimum(np.arange(n_t)[None, :], self._played[:, None])
        lanes = np.take_along_axis(lanes, upto[..., None], axis=1)
        shape = (self.n_samples, self.n_issues, n_t, self.n_actors)
        return np.ascontiguousarray(lanes.reshape(shape).transpose(0, 2, 3, 1))
