"""Which inputs move each issue's outcome most: global sensitivity analysis with SALib.

Factors are each actor's position and salience on every issue it takes part in, and its
capability. Each varies uniformly over its value +/- :data:`SPAN_SD` standard deviations
(as :func:`~summitry.analysis.uncertainty.spread` resolves them), or +/-
:data:`DEFAULT_RANGE` where the input has no uncertainty, clipped to the valid range. An
input whose own standard deviation is written as 0, or whose range is empty (a capability
of 0), is held fixed. Factors are grouped, by default per actor and kind of input
(``us.position``), and indices are estimated per group: Sobol' first-order and total
indices (``N (G + 2)`` evaluations for ``G`` groups) or Morris screening (``N (G + 1)``).
The whole sample matrix runs as one batch, one :meth:`Model.run` call. With
``deal=True`` the same evaluations also rank the inputs for P(deal): whether the model's
outcome is a deal (:mod:`summitry.analysis.deal`), a 0/1 output whose variance the indices
split like an issue's. See ``docs/drivers.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from summitry.analysis.deal import deal_analysis
from summitry.analysis.uncertainty import Spread, spread
from summitry.bounds import MAX_CELLS, MAX_SAMPLES
from summitry.errors import ParameterError
from summitry.forecast import summitry_version
from summitry.inputs import Inputs
from summitry.models import Model, get_model
from summitry.scenario import Scenario

__all__ = [
    "CONF_LEVEL",
    "DEAL",
    "DEFAULT_N",
    "DEFAULT_RANGE",
    "GROUPINGS",
    "INDICES",
    "METHODS",
    "RARE",
    "SPAN_SD",
    "Drivers",
    "Factor",
    "drivers",
]

METHODS = ("sobol", "morris")
"""Sensitivity methods: variance-based Sobol' indices, or Morris elementary effects."""

GROUPINGS = ("actor-input", "actor", "input", "factor")
"""How factors are grouped: ``us.position``; ``us``; ``position``; or one per factor."""

DEFAULT_N = {"sobol": 512, "morris": 64}
"""Base samples (Sobol') or trajectories (Morris) when ``n`` is not given."""

SPAN_SD = 2.0
"""An uncertain input varies over its value +/- this many standard deviations."""

DEFAULT_RANGE = {"position": 0.1, "salience": 0.1, "capability": 0.2}
"""Half-widths for inputs without uncertainty: positions as a fraction of the issue's
scale, salience on the 0-1 scale, capability as a fraction of the actor's capability."""

CONF_LEVEL = 0.95
"""Confidence level of the bootstrap intervals."""

DEAL = "P(deal)"
"""The output that stands for P(deal) beside the issues (``drivers(..., deal=True)``)."""

INDICES = {
    "sobol": ("ST", "ST_conf", "S1", "S1_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma"),
}
"""The indices each method reports; the first ranks the groups."""

_RESAMPLES = 100  # bootstrap resamples for the intervals
RARE = 100
"""P(deal) gets a note where fewer evaluations than this are deals, or are not."""
_LEVELS = 4  # Morris grid levels
_KINDS = ("position", "salience", "capability")

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, what)`` before each stage of the work."""


@dataclass(frozen=True)
class Factor:
    """One varied input with its range, on the scenario's own scales.

    ``issue`` is None for a capability. Positions are on the issue's scale, salience on
    the scenario's salience scale, capability in its own units.
    """

    name: str
    group: str
    actor: str
    kind: str
    issue: str | None
    value: float
    low: float
    high: float


@dataclass(frozen=True, eq=False)
class Drivers:
    """What :func:`drivers` returns: sensitivity indices per issue and group.

    Attributes
    ----------
    issues, groups
        The issues analysed and the groups of inputs.
    indices
        Index name -> ``(O, G)`` array over :attr:`outputs` (the issues, then P(deal) when
        ``deal``) and groups; names per method in :data:`INDICES`. Sobol' indices are
        shares of the output's variance; ``*_conf`` are the half-widths of the bootstrap
        intervals at :data:`CONF_LEVEL`. Morris values are on the issue's scale (change of
        the outcome over a factor's whole range), for P(deal) on [0, 1]; ``sigma`` is NaN
        for groups of more than one factor.
    deal, p_deal
        Whether P(deal) was analysed too (:data:`DEAL`), and the share of evaluations
        that are deals (None without).
    factors
        The varied inputs and their ranges; ``fixed`` names the inputs held fixed.
    notes
        Output (issue or :data:`DEAL`) -> a remark where the indices could not be
        estimated as usual.
    conf_level
        Confidence level of the intervals.
    n, evaluations
        Base samples (Sobol') or trajectories (Morris), and model evaluations made.
    """

    scenario: str
    input_sha256: str
    model: str
    params: Mapping[str, Any]
    method: str
    grouping: str
    n: int
    evaluations: int
    seed: int
    issues: tuple[str, ...]
    groups: tuple[str, ...]
    indices: Mapping[str, np.ndarray]
    factors: tuple[Factor, ...]
    fixed: tuple[str, ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)
    conf_level: float = CONF_LEVEL
    deal: bool = False
    p_deal: float | None = None

    def __post_init__(self) -> None:
        frozen = {}
        for name, values in self.indices.items():
            array = np.array(values, dtype=float)
            array.setflags(write=False)
            frozen[name] = array
        object.__setattr__(self, "indices", MappingProxyType(frozen))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes)))

    @property
    def outputs(self) -> tuple[str, ...]:
        """What the indices are of: the issues, then :data:`DEAL` when analysed."""
        return self.issues + ((DEAL,) if self.deal else ())

    @property
    def rank_by(self) -> str:
        """The index that orders the groups: ``ST`` (Sobol') or ``mu_star`` (Morris)."""
        return INDICES[self.method][0]

    def ranked(self, issue: str, *, top: int | None = None) -> list[dict[str, Any]]:
        """Rows ``{"group", <index>: value, ...}`` for one output, largest driver first.

        ``issue`` is an issue id or :data:`DEAL`. Ties keep the group order; groups whose
        index is NaN come last. ``top`` keeps only the first rows.
        """
        try:
            i = self.outputs.index(issue)
        except ValueError:
            known = ", ".join(self.outputs)
            raise ParameterError(f"unknown issue '{issue}'; known: {known}") from None
        key = self.indices[self.rank_by][i]
        order = sorted(range(len(self.groups)), key=lambda g: (np.isnan(key[g]), -key[g]))
        rows = []
        for g in order[:top]:
            row: dict[str, Any] = {"group": self.groups[g]}
            row.update({name: _plain(self.indices[name][i, g]) for name in INDICES[self.method]})
            rows.append(row)
        return rows

    def top_driver(self, issue: str) -> str:
        """The group that moves ``issue`` (an issue id or :data:`DEAL`) most."""
        return str(self.ranked(issue, top=1)[0]["group"])

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data in a fixed key order (NaN as None)."""
        return {
            "scenario": self.scenario,
            "input_sha256": self.input_sha256,
            "seed": self.seed,
            "summitry_version": summitry_version(),
            "model": {"name": self.model, "params": dict(self.params)},
            "method": self.method,
            "grouping": self.grouping,
            "n": self.n,
            "evaluations": self.evaluations,
            "conf_level": self.conf_level,
            "rank_by": self.rank_by,
            "factors": [
                {k: getattr(f, k) for k in ("name", "group", "value", "low", "high")}
                for f in self.factors
            ],
            "fixed": list(self.fixed),
            "issues": [
                {"id": issue, "note": self.notes.get(issue), "drivers": self.ranked(issue)}
                for issue in self.issues
            ],
            "deal": {
                "p_deal": self.p_deal,
                "note": self.notes.get(DEAL),
                "drivers": self.ranked(DEAL),
            }
            if self.deal
            else None,
        }


def _plain(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


# -- factors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Design:
    """Factors, their normalised bounds ``(D, 2)`` and where each goes in the inputs."""

    factors: tuple[Factor, ...]
    fixed: tuple[str, ...]
    bounds: np.ndarray
    kind: np.ndarray  # (D,) index into _KINDS
    actor: np.ndarray  # (D,)
    issue: np.ndarray  # (D,), -1 for capability


def _range(kind: str, value: float, sd: float) -> tuple[float, float]:
    """Normalised ``(low, high)`` of one input: +/- SPAN_SD sd, else the default, clipped."""
    if kind == "capability":
        half = SPAN_SD * sd if sd > 0 else DEFAULT_RANGE[kind] * value
        return max(value - half, 0.0), value + half
    half = SPAN_SD * sd if sd > 0 else DEFAULT_RANGE[kind]
    return max(value - half, 0.0), min(value + half, 1.0)


def _inputs(
    scenario: Scenario, base: Inputs, sd: Spread, a: int
) -> Iterator[tuple[str, int, float, float, bool]]:
    """Actor ``a``'s inputs as ``(kind, issue index or -1, value, sd, stated exact)``."""
    actor = scenario.actors[a]
    stances = scenario.positions.get(actor.id, {})
    for kind, values, sds in (
        ("position", base.position[0], sd.position),
        ("salience", base.salience[0], sd.salience),
    ):
        for i, issue in enumerate(scenario.issues):
            if issue.id in stances:
                exact = getattr(stances[issue.id], f"{kind}_sd") == 0
                yield kind, i, float(values[a, i]), float(sds[a, i]), exact
    value, exact = float(base.capability[0, a]), actor.capability_sd == 0
    yield "capability", -1, value, float(sd.capability[a]), exact


def _design(scenario: Scenario, grouping: str) -> _Design:
    """Every varied input, its range and its group, in actor, kind, issue order."""
    base, sd = scenario.to_arrays(), spread(scenario)
    lo, width = base.scale_min, base.scale_max - base.scale_min

    def on_scale(kind: str, i: int, v: float) -> float:
        if kind == "position":
            v = float(lo[i] + width[i] * v)
        elif kind == "salience":
            v *= scenario.salience_scale
        return float(f"{v:.12g}")  # drop the noise of the round trip through [0, 1]

    factors, bounds, where, fixed = [], [], [], []
    for a, actor in enumerate(scenario.actors):
        for kind, i, value, s, exact in _inputs(scenario, base, sd, a):
            issue = None if i < 0 else scenario.issue_ids[i]
            name = f"{actor.id}.{kind}" + ("" if issue is None else f".{issue}")
            low, high = _range(kind, value, s)
            if exact or not high > low:
                fixed.append(name)
                continue
            group = {"actor-input": f"{actor.id}.{kind}", "actor": actor.id, "input": kind}
            factors.append(
                Factor(
                    name=name,
                    group=group.get(grouping, name),
                    actor=actor.id,
                    kind=kind,
                    issue=issue,
                    value=on_scale(kind, i, value),
                    low=on_scale(kind, i, low),
                    high=on_scale(kind, i, high),
                )
            )
            bounds.append((low, high))
            where.append((_KINDS.index(kind), a, i))
    targets = np.array(where, dtype=int).reshape(-1, 3)
    return _Design(
        factors=tuple(factors),
        fixed=tuple(fixed),
        bounds=np.array(bounds, dtype=float).reshape(-1, 2),
        kind=targets[:, 0],
        actor=targets[:, 1],
        issue=targets[:, 2],
    )


def _batch(base: Inputs, design: _Design, x: np.ndarray, seed: int) -> Inputs:
    """One sample per row of ``x`` ``(S, D)``: the varied entries set, the rest as in ``base``."""
    s = x.shape[0]
    batch = base.repeat(s)  # the status quo and deal terms too, one row per sample
    arrays = {
        "position": np.array(batch.position),
        "salience": np.array(batch.salience),
        "capability": np.array(batch.capability),
    }
    for k, kind in enumerate(_KINDS):
        cols = np.flatnonzero(design.kind == k)
        if k == 2:
            arrays[kind][:, design.actor[cols]] = x[:, cols]
        else:
            arrays[kind][:, design.actor[cols], design.issue[cols]] = x[:, cols]
    return replace(batch, meta={**base.meta, "seed": seed, "samples": s}, **arrays)


# -- the analysis --------------------------------------------------------------------------


def _check(model: str | Model, method: str, n: int | None, seed: int, groups: str) -> Model:
    chosen = get_model(model) if isinstance(model, str) else model
    if not isinstance(chosen, Model):
        raise ParameterError(f"model must be a name or a Model; got {type(model).__name__}")
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if groups not in GROUPINGS:
        raise ParameterError(f"groups must be one of {', '.join(GROUPINGS)}; got {groups!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer; got {seed!r}")
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 4 <= n <= MAX_SAMPLES:
            raise ParameterError(f"samples must be an integer from 4 to {MAX_SAMPLES:,}; got {n!r}")
        if method == "sobol" and n & (n - 1):
            below = 1 << (int(n).bit_length() - 1)
            raise ParameterError(
                f"Sobol' samples must be a power of 2 (e.g. {below} or {2 * below}); got {n}"
            )
    return chosen


def _check_size(*, base_count: int, method: str, n_groups: int, scenario: Scenario) -> None:
    """Refuse a design whose evaluations exceed the bounds of one forecast's batch."""
    runs = base_count * (n_groups + (2 if method == "sobol" else 1))
    cells = runs * len(scenario.actors) * len(scenario.issues)
    if runs > MAX_SAMPLES or cells > MAX_CELLS:
        raise ParameterError(
            f"samples: {base_count:,} {'base samples' if method == 'sobol' else 'trajectories'} "
            f"of {n_groups} groups make {runs:,} model runs ({cells:,} values); one batch "
            f"takes at most {MAX_SAMPLES:,} runs and {MAX_CELLS:,} values; use fewer samples"
        )


def drivers(
    scenario: Scenario,
    model: str | Model = "compromise",
    *,
    method: str = "sobol",
    n: int | None = None,
    seed: int = 0,
    groups: str = "actor-input",
    deal: bool = False,
    progress: Progress | None = None,
) -> Drivers:
    """Rank the inputs that move each issue's outcome most, and P(deal) if asked.

    Parameters
    ----------
    scenario
        A validated scenario.
    model
        Model name or :class:`~summitry.models.Model`; the compromise model by default
        (closed form, so thousands of evaluations take milliseconds).
    method
        ``"sobol"``: first-order (S1) and total (ST) Sobol' indices, ``n (G + 2)``
        evaluations. ``"morris"``: Morris screening (mu*, sigma), ``n (G + 1)``.
    n
        Base samples for Sobol' (a power of 2) or trajectories for Morris; default
        :data:`DEFAULT_N`.
    seed
        Seeds SALib's sampler, its bootstrap and the model, so that the same seed gives
        the same numbers.
    groups
        One of :data:`GROUPINGS`; ``"actor-input"`` gives ``3 A`` groups or fewer.
    deal
        Also rank the inputs for P(deal), output :data:`DEAL`: each evaluation's outcome
        is a deal or not (:func:`~summitry.analysis.deal.deal_analysis`). Needs a status
        quo on every issue; the deal tests cost more than a closed-form model's run.
    progress
        Called as ``progress(done, total, what)`` before each stage.

    Returns
    -------
    Drivers

    Raises
    ------
    ParameterError
        For an unknown model, method or grouping, a bad ``n`` or ``seed``, fewer than
        two groups of varied inputs, or ``deal`` without a status quo on every issue.
    """
    chosen = _check(model, method, n, seed, groups)
    if deal and any(issue.status_quo is None for issue in scenario.issues):
        missing = ", ".join(i.id for i in scenario.issues if i.status_quo is None)
        raise ParameterError(
            f"P(deal) needs a status quo on every issue; none on {missing} (docs/deal.md)"
        )
    n = int(DEFAULT_N[method] if n is None else n)
    design = _design(scenario, groups)
    names = [f.name for f in design.factors]
    labels = list(dict.fromkeys(f.group for f in design.factors))
    if len(labels) < 2:
        raise ParameterError(
            f"fewer than two groups of varied inputs ({', '.join(labels) or 'none'}); "
            "nothing to rank (try groups='factor')"
        )
    _check_size(base_count=n, method=method, n_groups=len(labels), scenario=scenario)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": design.bounds.tolist(),
        "groups": [f.group for f in design.factors],
    }
    sampler_seed, bootstrap_seed = np.random.SeedSequence(int(seed)).spawn(2)
    total = 2 + len(scenario.issues) + deal
    tell = progress or (lambda done, total, what: None)
    tell(0, total, f"sampling ({method})")
    if method == "sobol":
        x = sobol_sample.sample(
            problem, n, calc_second_order=False, seed=np.random.default_rng(sampler_seed)
        )
    else:
        x = morris_sample.sample(
            problem, n, num_levels=_LEVELS, seed=np.random.default_rng(sampler_seed)
        )
    base = scenario.to_arrays()
    tell(1, total, f"{chosen.name} on {x.shape[0]} samples")
    batch = _batch(base, design, x, int(seed))
    with np.errstate(divide="ignore", invalid="ignore"):
        outcome = chosen.run(batch, rng=int(seed)).outcome
    boot = int(bootstrap_seed.generate_state(1)[0]) or 1  # SALib treats seed 0 as "unseeded"
    out, notes, p_deal = {}, {}, None
    ys = [(issue.id, outcome[:, i], float(base.scale_max[i] - base.scale_min[i]))
          for i, issue in enumerate(scenario.issues)]  # fmt: skip
    if deal:
        tell(2, total, f"deal or no deal in {x.shape[0]} samples")
        found_deal = deal_analysis(batch, outcome)
        assert found_deal is not None  # every issue has a status quo
        ys.append((DEAL, found_deal.deal.astype(float), 1.0))
        p_deal = found_deal.p_deal
    for k, (label, y, width) in enumerate(ys):
        tell(2 + k + deal, total, f"indices for {label}")
        found, note = _indices(method, problem, x, y, boot, width)
        for name, values in found.items():
            out.setdefault(name, []).append(values)
        if label == DEAL:
            note = _deal_note(y) or note
        if note:
            notes[label] = note
    tell(total, total, "done")
    return Drivers(
        scenario=scenario.name,
        input_sha256=scenario.digest(),
        model=chosen.name,
        params=chosen.get_params(),
        method=method,
        grouping=groups,
        n=n,
        evaluations=int(x.shape[0]),
        seed=int(seed),
        issues=scenario.issue_ids,
        groups=tuple(labels),
        indices={name: np.stack(rows) for name, rows in out.items()},
        factors=design.factors,
        fixed=design.fixed,
        notes=notes,
        deal=deal,
        p_deal=p_deal,
    )


def _deal_note(y: np.ndarray) -> str:
    """A remark where the evaluations hold too few deals, or too few without, to rank by."""
    hits = int(np.sum(y))
    if hits in (0, y.size):
        return f"every evaluation {'is' if hits else 'is not'} a deal within these ranges"
    if min(hits, y.size - hits) < RARE:
        return (
            f"{hits} of {y.size} evaluations are deals, too few of one kind for precise "
            "indices; raise --samples"
        )
    return ""


def _indices(
    method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int, width: float
) -> tuple[dict[str, np.ndarray], str]:
    """SALib's estimates ``(G,)`` for one issue's outcomes ``y``, and a note if any.

    Morris values are put on the issue's scale (``width``). An undefined outcome gives
    NaN, an outcome that never moves gives zero; both with a note. Bootstrap draws that
    happen to be constant give NaN intervals, not warnings.
    """
    n_groups = len(dict.fromkeys(problem["groups"]))
    y = np.ascontiguousarray(y, dtype=float)
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        note = (
            f"outcome undefined in {bad} of {y.size} evaluations (e.g. every weight at zero); "
            "narrow the salience or capability ranges"
        )
        return {name: np.full(n_groups, np.nan) for name in INDICES[method]}, note
    if np.ptp(y) <= 1e-12:
        zero = {name: np.zeros(n_groups) for name in INDICES[method]}
        if "sigma" in zero:
            zero["sigma"][:] = np.nan  # undefined for groups, as SALib leaves it
        return zero, "the outcome does not move within these ranges"
    common = {"num_resamples": _RESAMPLES, "conf_level": CONF_LEVEL, "seed": seed}
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "sobol":
            found = sobol_analyze.analyze(problem, y, calc_second_order=False, **common)
        else:
            found = morris_analyze.analyze(problem, x, y, num_levels=_LEVELS, **common)
    scale = width if method == "morris" else 1.0
    return {name: np.asarray(found[name], dtype=float) * scale for name in INDICES[method]}, ""
