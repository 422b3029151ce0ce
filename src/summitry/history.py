"""The rounds of an iterative model, stored as each round's moving lanes only.

A lane is one issue of one sample. Most lanes settle within a few rounds while a few run
on to the round limit, so storing every lane at every round would cost far more than
the rounds actually played. :class:`History` keeps round 0 for every lane and, for each
later round, only the lanes played in it; the full ``(S, T + 1, A, I)`` array, with every
lane held at its last state, is built only when someone asks for it, and for one sample
only when only one is wanted (:class:`Rounds`). A large Monte Carlo batch may
:meth:`History.trim` its rounds to the first samples, those that traces and charts read.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["History", "Rounds", "to_lanes"]


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
    trace
        Store every round for the first ``trace`` samples only (default: every sample);
        the others keep their latest state, as after :meth:`trim`.
    """

    def __init__(
        self,
        first: Mapping[str, np.ndarray],
        keep: tuple[str, ...] | None = None,
        trace: int | None = None,
    ):
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
        self.traced = self.n_samples if trace is None else min(self.n_samples, max(0, trace))
        """Samples whose every round is kept (all, unless ``trace`` or :meth:`trim` say fewer)."""

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
        lanes = np.asarray(lanes)
        k = lanes.size if self.traced == self.n_samples else int(np.searchsorted(lanes, self._cut))
        stored = {}
        for name in self.names:
            value = np.asarray(values[name], dtype=float)
            self._latest[name][lanes] = value
            if name in self.kept:
                stored[name] = np.array(value[:k])
        self._rounds.append((lanes[:k].copy(), stored))
        self._played[lanes] = t

    def at(self, name: str, lanes: np.ndarray, rounds: np.ndarray) -> np.ndarray:
        """States of ``lanes`` at ``rounds`` (each ``(n,)``), as ``(n, A)``.

        A round after a lane stopped gives its last state.
        """
        lanes = np.asarray(lanes)
        rounds = np.minimum(np.asarray(rounds), self._played[lanes])
        latest = rounds == self._played[lanes]
        gone = ~latest & ((lanes >= self._cut) | (name not in self.kept))
        if np.any(gone):
            raise ValueError(self._forgotten(name, int(lanes[gone][0]) // self.n_issues))
        out = self._latest[name][lanes]
        for r in np.unique(rounds[~latest]):
            sel = (rounds == r) & ~latest
            if r == 0:
                out[sel] = self._first[name][lanes[sel]]
                continue
            played, values = self._rounds[r - 1]
            out[sel] = values[name][np.searchsorted(played, lanes[sel])]
        return out

    @property
    def _cut(self) -> int:
        """The first lane whose earlier rounds may have been forgotten."""
        return self.traced * self.n_issues

    def _forgotten(self, name: str, sample: int) -> str:
        if name not in self.kept:
            return f"only the latest state of '{name}' was kept; run the model with keep='all'"
        return (
            f"every round was kept for the first {self.traced:,} samples only, not for "
            f"sample {sample:,}; run fewer samples to trace them all"
        )

    def trim(self, n_samples: int) -> None:
        """Forget the rounds of samples from ``n_samples`` on; their latest states stay.

        Outcomes and stopping rounds are read before; traces and charts then read the
        first samples only, and a batch of many samples frees most of its memory.
        """
        self.traced = min(self.traced, max(0, int(n_samples)))
        cut = self._cut
        rounds = []
        for played, values in self._rounds:
            k = int(np.searchsorted(played, cut))
            if k < played.size:  # copies, so that the full arrays are freed
                played, values = played[:k].copy(), {n: v[:k].copy() for n, v in values.items()}
            rounds.append((played, values))
        self._rounds = rounds

    def unroll(self, name: str, samples: np.ndarray | None = None) -> np.ndarray:
        """``(S, T + 1, A, I)``: every lane at every round, held at its last state.

        With ``samples`` (indices), only those samples, in that order.
        """
        chosen = np.arange(self.n_samples) if samples is None else np.asarray(samples, dtype=int)
        if name not in self.kept or (chosen.size and chosen.max() >= self.traced):
            late = chosen[chosen >= self.traced]
            raise ValueError(self._forgotten(name, int(late[0]) if late.size else 0))
        lane_ids = (chosen[:, None] * self.n_issues + np.arange(self.n_issues)).ravel()
        n_t = len(self._rounds) + 1
        lanes = np.empty((lane_ids.size, n_t, self.n_actors))
        lanes[:, 0] = self._first[name][lane_ids]
        if samples is None:
            for t, (played, values) in enumerate(self._rounds, start=1):
                lanes[played, t] = values[name]
        else:
            for t, (played, values) in enumerate(self._rounds, start=1):
                at = np.clip(np.searchsorted(played, lane_ids), 0, max(played.size - 1, 0))
                hit = played[at] == lane_ids if played.size else np.zeros(lane_ids.size, bool)
                lanes[hit, t] = values[name][at[hit]]
        upto = np.minimum(np.arange(n_t)[None, :], self._played[lane_ids][:, None])
        lanes = np.take_along_axis(lanes, upto[..., None], axis=1)
        shape = (chosen.size, self.n_issues, n_t, self.n_actors)
        return np.ascontiguousarray(lanes.reshape(shape).transpose(0, 2, 3, 1))


class Rounds:
    """Every round of one quantity of a :class:`History`, built when it is read.

    Called with no argument, ``(S, T + 1, A, I)`` for every sample; with ``samples``,
    for those only. ``shape`` reshapes the actor axis (a model that plays actor x issue
    pairs as one lane gives ``(A, I)``).
    """

    def __init__(self, history: History, name: str, shape: tuple[int, int] | None = None):
        self.history, self.name, self.shape = history, name, shape

    def __call__(self, samples: np.ndarray | None = None) -> np.ndarray:
        """Every sample's rounds, or those of ``samples``."""
        full = self.history.unroll(self.name, samples)
        if self.shape is None:
            return full
        return full.reshape(full.shape[0], full.shape[1], *self.shape)

    def trim(self, n_samples: int) -> None:
        """Keep every round for the first ``n_samples`` samples only (:meth:`History.trim`)."""
        self.history.trim(n_samples)
