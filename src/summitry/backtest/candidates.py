"""The candidates of phase 2 of the DEU backtest: each forecasts every issue from a configuration.

``docs/backtest.md`` ("Protocol for phase 2", section 2) lists the candidates and their
grids, fixed before any tuning. Each is a :class:`Candidate`: its number in the protocol,
a key, its grid in the order the protocol lists it, and ``forecast(issues, config)``, which
returns a forecast on 0-100 for *every* issue given. Candidates that need a reference
point give the compromise model's forecast on the issues without one, as the protocol
says, so that every candidate is scored on the same issues.

1. ``eum``: the expected-utility model with ``q``, ``risk``, ``probability`` and
   ``outcome`` from the grid (:func:`model_forecasts`).
2. ``blend``: ``(1 - w) compromise + w reference point`` (:func:`blend`).
3. ``nash-veto``: the Nash model with the veto players of each issue
   (:func:`veto_players`): none; every member state taking part when the Council decides
   by unanimity; that and the Parliament under co-decision.
4. ``compromise-weights``: the compromise model with the Commission's and, under
   co-decision, the Parliament's capability set to a multiple of the largest member
   state's weight (:func:`institutional_capability`).
5. ``procedural``: the agenda-setter model (:func:`agenda_setter`) blended with the
   compromise.
6. ``smp``: KTAB's spatial model, only when :data:`summitry.models.MODELS` has it.

Every forecast runs through :func:`summitry.backtest.run.batches`, so batching never
changes a forecast; the compromise model is the phase-1 one (defaults, ``treaty``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from summitry.backtest.capabilities import _shapley, assign
from summitry.backtest.run import batches
from summitry.io.deu import MEMBER_STATES, DeuIssue
from summitry.models import MODELS, Model
from summitry.models.compromise import Compromise
from summitry.models.eum import ExpectedUtility
from summitry.models.nash import NashBargaining

__all__ = [
    "VETO_STRUCTURES",
    "Candidate",
    "acceptable",
    "agenda_setter",
    "blend",
    "candidates",
    "compromise_forecasts",
    "institutional_capability",
    "model_forecasts",
    "reference_points",
    "veto_players",
]

Config = Mapping[str, Any]
Forecast = Callable[[Sequence[DeuIssue], Config], np.ndarray]

SEED = 0
"""Seed of every model run (the phase-1 default); only stochastic settings use it."""


@dataclass(frozen=True)
class Candidate:
    """One candidate of the protocol.

    Attributes
    ----------
    number
        Its row in the protocol's table of candidates.
    key
        Short name used in the tuning record and the tables.
    title
        What it is, in words.
    grid
        The configurations, in the order the protocol lists them (a tie in tuning goes to
        the first).
    forecast
        ``forecast(issues, config)``: ``(N,)`` forecasts on 0-100, finite on every issue.
    note
        Said beside the candidate in the tables (empty for most).
    """

    number: int
    key: str
    title: str
    grid: tuple[Config, ...]
    forecast: Forecast
    note: str = ""


def _grid(**axes: Sequence[Any]) -> tuple[Config, ...]:
    """Every combination, the first axis varying slowest (the order the protocol lists)."""
    names = list(axes)
    combos = itertools.product(*axes.values())
    return tuple(dict(zip(names, values, strict=True)) for values in combos)


def label(config: Config) -> str:
    """``a=1, b=x``: a configuration in one line."""
    return ", ".join(f"{k}={v}" for k, v in config.items())


# -- forecasts shared by the candidates -----------------------------------------------------


def model_forecasts(
    issues: Sequence[DeuIssue],
    model: Model,
    *,
    scheme: str = "treaty",
    capability: Callable[[DeuIssue], Mapping[str, float]] | None = None,
    veto: Callable[[DeuIssue], frozenset[str]] | None = None,
) -> np.ndarray:
    """``(N,)`` forecasts of ``model`` on 0-100.

    NaN where the model needs a reference point and the issue has none. The other
    arguments are those of :func:`~summitry.backtest.run.batches`.
    """
    out = np.full(len(issues), np.nan)
    for batch in batches(issues, scheme, capability=capability, veto=veto):
        if model.needs_status_quo and not batch.has_reference:
            continue
        out[list(batch.rows)] = model.run(batch.inputs, rng=SEED).outcome_on_scale()[:, 0]
    return out


def compromise_forecasts(issues: Sequence[DeuIssue]) -> np.ndarray:
    """The compromise model at its defaults, capabilities ``treaty``: the reference."""
    return model_forecasts(issues, Compromise())


def reference_points(issues: Sequence[DeuIssue]) -> np.ndarray:
    """``(N,)`` reference points on 0-100, NaN where an issue has none."""
    return np.array([np.nan if i.reference is None else i.reference for i in issues], float)


def blend(base: np.ndarray, other: np.ndarray, w: float) -> np.ndarray:
    """``(1 - w) base + w other`` where ``other`` is finite, ``base`` elsewhere.

    ``w = 0`` gives ``base`` and ``w = 1`` gives ``other`` exactly.

    >>> blend(np.array([40.0, 40.0]), np.array([80.0, np.nan]), 0.25).tolist()
    [50.0, 40.0]
    """
    return np.where(np.isfinite(other), (1 - w) * base + w * other, base)


def _fill(forecast: np.ndarray, issues: Sequence[DeuIssue]) -> np.ndarray:
    """The compromise forecast where ``forecast`` is NaN (issues without a reference point)."""
    if np.isfinite(forecast).all():
        return forecast
    return np.where(np.isfinite(forecast), forecast, compromise_forecasts(issues))


# -- 1 and 6: the expected-utility and spatial models ----------------------------------------


def _model_candidate(name: str) -> Forecast:
    def forecast(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
        return _fill(model_forecasts(issues, MODELS[name](**config)), issues)

    return forecast


def _eum(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
    return model_forecasts(issues, ExpectedUtility(**config))


# -- 2: the reference-point blend -----------------------------------------------------------


def _blend(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
    return blend(compromise_forecasts(issues), reference_points(issues), config["w"])


# -- 3: Nash bargaining with the veto players of each issue ----------------------------------

VETO_STRUCTURES: tuple[str, ...] = ("none", "unanimity", "unanimity+parliament")
"""Who must accept a change: nobody; every member state taking part when the Council
decides by unanimity; that, and the Parliament (when coded) under co-decision."""


def veto_players(issue: DeuIssue, structure: str) -> frozenset[str]:
    """The actors taking part in ``issue`` who hold a veto under ``structure``.

    Under qualified majority no single member state can block, so none holds a veto;
    under unanimity every member state taking part does. With
    ``"unanimity+parliament"`` the Parliament holds one under co-decision, where it can
    reject the act.

    Raises
    ------
    ValueError
        For an unknown structure.
    """
    if structure not in VETO_STRUCTURES:
        raise ValueError(f"unknown veto structure '{structure}'; choose from {VETO_STRUCTURES}")
    out: set[str] = set()
    if structure != "none" and issue.voting == "Unan":
        out |= {a for a in issue.actors if a in MEMBER_STATES}
    if structure == "unanimity+parliament" and issue.procedure == "COD" and "ep" in issue.actors:
        out.add("ep")
    return frozenset(out)


def _nash(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
    structure = config["vetoes"]
    model = NashBargaining(utility=config["utility"])
    nash = model_forecasts(issues, model, veto=lambda i: veto_players(i, structure))
    return _fill(nash, issues)


# -- 4: compromise with institutional weights -------------------------------------------------


def largest_member_weight(issue: DeuIssue, scheme: str) -> float:
    """The largest member state's weight in ``issue``'s Council under ``scheme``.

    ``treaty``: the largest vote (or population share); ``shapley``: the largest
    Shapley-Shubik index (%) under the issue's rule, as
    :func:`~summitry.backtest.capabilities.assign` uses for the institutions.
    """
    council = assign(issue, "treaty").council
    if scheme == "treaty":
        return council.largest
    if scheme == "shapley":
        return max(_shapley(council.name, issue.voting, issue.min_members or 0).values())
    raise ValueError(f"unknown scheme '{scheme}' for institutional weights")


def institutional_capability(
    issue: DeuIssue, scheme: str, commission: float, parliament: float
) -> dict[str, float]:
    """Capabilities of ``issue``'s actors with the institutions' weights set by multiples.

    Member states keep their weight under ``scheme``; the Commission gets ``commission``
    times the largest member state's weight, the Parliament ``parliament`` times it under
    co-decision and 0 under consultation. ``(1, 1)`` gives
    :func:`~summitry.backtest.capabilities.assign` exactly.
    """
    capability = dict(assign(issue, scheme).capability)
    top = largest_member_weight(issue, scheme)
    if "com" in capability:
        capability["com"] = commission * top
    if "ep" in capability:
        capability["ep"] = parliament * top if issue.procedure == "COD" else 0.0
    return capability


def _weights(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
    scheme, com, ep = config["scheme"], config["commission"], config["parliament"]

    def capability(issue: DeuIssue) -> dict[str, float]:
        return institutional_capability(issue, scheme, com, ep)

    # every issue has a member state with salience, so the weights never all vanish;
    # were they to, the forecast would be NaN and the compromise's is used instead
    return _fill(model_forecasts(issues, Compromise(), capability=capability), issues)


# -- 5: the procedural (agenda-setter) model --------------------------------------------------

_EPS = 1e-9
"""Weights within this of the quota reach it (the Lisbon population shares are decimals)."""


def _reach(issue: DeuIssue, side: int) -> float:
    """How far past the reference point, on ``side`` (+1 up, -1 down), the Council goes.

    A member state at ``p`` accepts ``x`` when ``|x - p| <= |rp - p|``: on ``side``, up to
    ``2 (p - rp) side`` from the reference point. States without a coded position accept
    any change (they have no stake and, under unanimity, an abstention does not block:
    Art. 205(3) TEC, Art. 238(4) TFEU). A change of ``d`` passes when the states that
    accept it win under the issue's rule: under unanimity, every state; under QMV, the
    quota of the Council table of :func:`~summitry.backtest.capabilities.assign` with
    ``treaty`` weights, its member count (at least ``QMV(n)``'s ``n``) and, under Lisbon,
    the blocking-minority clause. Returns the largest such ``d`` (0: no change passes).
    """
    council = assign(issue, "treaty").council
    rp = float(issue.reference)  # type: ignore[arg-type]
    reach = {s: math.inf for s in council.weights}
    for state, p in issue.positions.items():
        if state in reach:
            reach[state] = 2.0 * (p - rp) * side
    n = len(reach)
    if issue.voting == "Unan":
        return max(0.0, min(reach.values()))
    members = max(council.min_members, issue.min_members or 0)
    weight, count = 0.0, 0
    for state, d in sorted(reach.items(), key=lambda kv: -kv[1]):
        weight += council.weights[state]
        count += 1
        wins = weight >= council.quota - _EPS and count >= members
        if council.blocking is not None:
            wins |= count >= n - council.blocking + 1
        if wins:
            return max(0.0, d)
    return 0.0  # pragma: no cover - the whole Council always wins


def acceptable(issue: DeuIssue) -> tuple[float, float] | None:
    """The interval of outcomes that pass against the reference point (it contains it).

    The Council must accept (:func:`_reach` on each side) and, under co-decision, the
    Parliament when its position is coded: it accepts ``x`` when ``|x - ep| <= |rp - ep|``.
    None when the issue has no reference point.
    """
    if issue.reference is None:
        return None
    rp = issue.reference
    up, down = _reach(issue, +1), _reach(issue, -1)
    ep = issue.positions.get("ep")
    if issue.procedure == "COD" and ep is not None:
        up = min(up, max(0.0, 2.0 * (ep - rp)))
        down = min(down, max(0.0, 2.0 * (rp - ep)))
    return rp - down, rp + up


def agenda_setter(issue: DeuIssue) -> float | None:
    """The procedural model's forecast: the Commission's best proposal that passes.

    The Commission, as agenda setter, proposes the point of :func:`acceptable` nearest its
    own position, and it passes (Romer & Rosenthal 1978; Tsebelis 1994; Steunenberg
    1994; Crombez 1996 for the EU procedures). None when the issue has no reference point
    or no coded Commission position.
    """
    interval = acceptable(issue)
    com = issue.positions.get("com")
    if interval is None or com is None:
        return None
    low, high = interval
    return float(min(max(com, low), high))


def _procedural(issues: Sequence[DeuIssue], config: Config) -> np.ndarray:
    setter = np.array([np.nan if (x := agenda_setter(i)) is None else x for i in issues], float)
    return blend(compromise_forecasts(issues), setter, config["w"])


# -- the list ---------------------------------------------------------------------------------


def candidates() -> tuple[Candidate, ...]:
    """Every candidate of the protocol that is built, in the protocol's order.

    The spatial model (6) is included only when :data:`summitry.models.MODELS` has it.
    """
    out = [
        Candidate(
            1,
            "eum",
            "expected-utility model",
            _grid(
                q=(0.5, 0.75, 1.0),
                risk=("scholz", "neutral"),
                probability=("scholz", "pairwise"),
                outcome=("median", "mean"),
            ),
            _eum,
        ),
        Candidate(
            2,
            "blend",
            "reference-point blend",
            _grid(w=tuple(k / 20 for k in range(11))),
            _blend,
        ),
        Candidate(
            3,
            "nash-veto",
            "Nash bargaining with the actual veto structure",
            _grid(vetoes=VETO_STRUCTURES, utility=("quadratic", "linear")),
            _nash,
        ),
        Candidate(
            4,
            "compromise-weights",
            "compromise with institutional weights",
            _grid(
                scheme=("treaty", "shapley"),
                commission=(0, 0.5, 1, 2, 4),
                parliament=(0, 0.5, 1, 2, 4),
            ),
            _weights,
        ),
        Candidate(
            5,
            "procedural",
            "procedural (agenda-setter) model blended with the compromise",
            _grid(w=(0, 0.25, 0.5, 0.75, 1)),
            _procedural,
        ),
    ]
    if "smp" in MODELS:
        out.append(
            Candidate(
                6,
                "smp",
                "KTAB's spatial model of politics",
                _grid(
                    voting=("prop", "binary"),
                    victory=("linear", "square"),
                    bargain_model=("init_only", "pw_compromise"),
                ),
                _model_candidate("smp"),
                note="uncommitted work in progress when tuned",
            )
        )
    return tuple(out)
