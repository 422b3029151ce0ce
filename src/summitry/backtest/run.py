"""Run every bargaining model and the baselines on every DEU issue with a recorded outcome.

Each DEU issue is one sample with one issue. The model inputs keep who takes part per
actor and issue, shared by all samples (:class:`~summitry.inputs.Inputs.present` is
``(A, I)``), so issues are grouped by the set of actors coded on them (and by whether they
have a reference point): one batch per group, every issue of the group one sample, and one
``model.run`` per batch. Padding absent actors with zero capability instead would let them
take part in the expected-utility and spatial models' bargaining, which changes the
forecasts; grouping keeps every model exact.

Models that need a status quo (``needs_status_quo``) run only on the issues with a
reference point. The baselines need no model: the reference point alone, and the
unweighted median and mean of the positions of the actors taking part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from summitry.backtest.capabilities import assign
from summitry.backtest.stats import Score, score
from summitry.bounds import MAX_BOOTSTRAP
from summitry.errors import ParameterError, ScenarioError
from summitry.inputs import Inputs
from summitry.io.deu import ACTORS, DeuIssue, read_deu
from summitry.models import MODELS, Model, get_model

__all__ = ["BASELINES", "REFERENCE_MODEL", "Backtest", "Batch", "batches", "run_backtest"]

REFERENCE_MODEL = "compromise"
"""The model every other is compared with."""

BASELINES: tuple[str, ...] = ("reference-point", "median-actor", "mean-actor")
"""Forecasts without a model: the status quo, the unweighted median and mean position."""

CLUSTERS = ("issue", "proposal")


@dataclass(frozen=True, eq=False)
class Batch:
    """Issues that share their actors (and having a reference point or not).

    Attributes
    ----------
    rows
        Positions of the issues in the backtest's list of scored issues.
    inputs
        One sample per issue, one issue axis entry, the shared actors.
    has_reference
        True when every issue of the batch has a reference point.
    """

    rows: tuple[int, ...]
    inputs: Inputs
    has_reference: bool


def batches(
    issues: Sequence[DeuIssue],
    scheme: str = "treaty",
    *,
    capability: Callable[[DeuIssue], Mapping[str, float]] | None = None,
    veto: Callable[[DeuIssue], Collection[str]] | None = None,
) -> list[Batch]:
    """Group ``issues`` by their actors and reference point; build each group's inputs.

    Positions, saliences and the reference point are divided by 100; capabilities come
    from :func:`~summitry.backtest.capabilities.assign` with ``scheme``.

    Parameters
    ----------
    capability
        Each issue's capabilities by actor, instead of ``assign(issue, scheme)``.
    veto
        Each issue's veto players (actor codes; those not taking part are ignored). The
        model inputs hold vetoes per actor, shared by a batch, so the issues are grouped
        by their veto players as well. None: no veto players.
    """
    groups: dict[tuple[tuple[str, ...], bool, frozenset[str]], list[int]] = {}
    for k, issue in enumerate(issues):
        vetoes = frozenset(veto(issue)) & set(issue.actors) if veto else frozenset()
        groups.setdefault((issue.actors, issue.reference is not None, vetoes), []).append(k)
    out = []
    for (actors, has_reference, vetoes), rows in groups.items():
        members = [issues[k] for k in rows]
        position = np.array([[[m.positions[a]] for a in actors] for m in members]) / 100
        salience = np.array([[[m.saliences[a]] for a in actors] for m in members]) / 100
        weights = [capability(m) if capability else assign(m, scheme).capability for m in members]
        capability_ = np.array([[w[a] for a in actors] for w in weights])
        reference = [np.nan if m.reference is None else m.reference / 100 for m in members]
        inputs = Inputs(
            actors=actors,
            issues=("issue",),
            position=position,
            salience=salience,
            capability=capability_,
            status_quo=np.array(reference)[:, None],
            veto=np.array([[a in vetoes] for a in actors], dtype=bool),
            present=np.ones((len(actors), 1), dtype=bool),
            scale_min=np.zeros(1),
            scale_max=np.full(1, 100.0),
            meta={"scenario": "deu", "issues": [m.issue for m in members]},
        )
        out.append(Batch(tuple(rows), inputs, has_reference))
    order = {a: k for k, a in enumerate(ACTORS)}
    out.sort(key=lambda b: (-len(b.rows), [order[a] for a in b.inputs.actors]))
    return out


@dataclass(frozen=True, eq=False)
class Backtest:
    """What :func:`run_backtest` returns.

    Attributes
    ----------
    file, sha256
        The file read and the SHA-256 of its bytes.
    issues
        The scored issues (those with a recorded outcome), in file order.
    skipped
        Issues without a recorded outcome, kept out of every score.
    predictions
        ``(N,)`` forecasts on 0-100 by model or baseline name; NaN where it did not run.
    kinds
        ``"model"`` or ``"baseline"`` by name.
    scores
        :class:`~summitry.backtest.stats.Score` by name.
    scheme, seed, bootstrap, cluster
        The settings.
    n_batches
        How many batches each model ran.
    """

    file: str
    sha256: str
    issues: tuple[DeuIssue, ...]
    skipped: tuple[DeuIssue, ...]
    predictions: dict[str, np.ndarray]
    kinds: dict[str, str]
    scores: dict[str, Score]
    scheme: str
    seed: int
    bootstrap: int
    cluster: str
    n_batches: int
    params: dict[str, dict] = field(default_factory=dict)

    @property
    def outcome(self) -> np.ndarray:
        """``(N,)`` recorded outcomes."""
        return np.array([i.outcome for i in self.issues], dtype=float)

    def rescore(self, cluster: str) -> Backtest:
        """The same forecasts with the bootstrap resampling by ``cluster`` instead."""
        if cluster not in CLUSTERS:
            raise ParameterError(f"unknown cluster '{cluster}'; choose from: {', '.join(CLUSTERS)}")
        scores = _scores(self.issues, self.predictions, self.bootstrap, self.seed, cluster)
        return replace(self, scores=scores, cluster=cluster)

    def counts(self) -> dict[str, int]:
        """How many issues and proposals were read, scored, skipped and repaired."""
        every = (*self.issues, *self.skipped)
        return {
            "issues": len(every),
            "proposals": len({i.proposal for i in every}),
            "scored": len(self.issues),
            "scored_proposals": len({i.proposal for i in self.issues}),
            "skipped_no_outcome": len(self.skipped),
            "scored_with_reference": sum(i.reference is not None for i in self.issues),
            "imputed_saliences": sum(len(i.imputed) for i in self.issues),
            "dates_repaired": sum(bool(i.notes) for i in every),
            "council_advanced": sum(assign(i, self.scheme).advanced for i in self.issues),
            "batches": self.n_batches,
        }


def run_backtest(
    file: str | Path,
    models: Sequence[str] | None = None,
    *,
    scheme: str = "treaty",
    seed: int = 0,
    bootstrap: int = 2000,
    cluster: str = "issue",
    issues: Sequence[DeuIssue] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Forecast every DEU issue with a recorded outcome with each model and baseline.

    Parameters
    ----------
    file
        A DEU file (:func:`~summitry.io.deu.read_deu`).
    models
        Model names; default every model in :data:`summitry.models.MODELS`. The compromise
        model always runs: every other is compared with it.
    scheme
        Capability scheme (:data:`~summitry.backtest.capabilities.SCHEMES`).
    seed
        Seed for the models that draw random numbers and for the bootstrap.
    bootstrap
        Bootstrap replicates of the paired MAE difference to the compromise model.
    cluster
        ``"issue"``: resample issues; ``"proposal"``: resample proposals with all their
        issues (see :func:`~summitry.backtest.stats.paired_interval`).
    issues
        The issues, when already read (``file`` then only names them).
    progress
        Called with ``(done, total)`` after each model has run on each batch.

    Raises
    ------
    ScenarioError
        For a broken file.
    ParameterError
        For an unknown model, scheme or cluster, or ``bootstrap`` below 100.
    """
    if cluster not in CLUSTERS:
        raise ParameterError(f"unknown cluster '{cluster}'; choose from: {', '.join(CLUSTERS)}")
    if bootstrap < 100 or bootstrap > MAX_BOOTSTRAP:
        raise ParameterError(f"--bootstrap must be from 100 to {MAX_BOOTSTRAP:,}; got {bootstrap}")
    chosen = _models(models)
    path = Path(file)
    every = list(read_deu(path) if issues is None else issues)
    scored = tuple(i for i in every if i.outcome is not None)
    skipped = tuple(i for i in every if i.outcome is None)
    if not scored:
        raise ScenarioError("no issue has a recorded outcome ('out')", file=str(file))
    groups = batches(scored, scheme)
    predictions = _baselines(scored)
    kinds = dict.fromkeys(predictions, "baseline")
    steps = [(m, b) for m in chosen for b in groups if b.has_reference or not m.needs_status_quo]
    done = 0
    for model in chosen:
        out = np.full(len(scored), np.nan)
        for batch in groups:
            if model.needs_status_quo and not batch.has_reference:
                continue
            trajectory = model.run(batch.inputs, rng=seed)
            out[list(batch.rows)] = trajectory.outcome_on_scale()[:, 0]
            done += 1
            if progress is not None:
                progress(done, len(steps))
        predictions[model.name] = out
        kinds[model.name] = "model"
    names = [m.name for m in chosen] + list(BASELINES)
    predictions = {n: predictions[n] for n in names}
    return Backtest(
        file=str(file),
        sha256=_sha256(path) if issues is None else "",
        issues=scored,
        skipped=skipped,
        predictions=predictions,
        kinds={n: kinds[n] for n in names},
        scores=_scores(scored, predictions, bootstrap, seed, cluster),
        scheme=scheme,
        seed=seed,
        bootstrap=bootstrap,
        cluster=cluster,
        n_batches=len(groups),
        params={m.name: m.get_params() for m in chosen},
    )


def _scores(
    issues: Sequence[DeuIssue],
    predictions: dict[str, np.ndarray],
    bootstrap: int,
    seed: int,
    cluster: str,
) -> dict[str, Score]:
    """Score every forecast against the outcomes, paired with the compromise model's."""
    truth = np.array([i.outcome for i in issues], dtype=float)
    clusters = _clusters(issues, cluster)
    reference = predictions[REFERENCE_MODEL]
    return {
        name: score(forecast, truth, reference, bootstrap=bootstrap, seed=seed, clusters=clusters)
        for name, forecast in predictions.items()
    }


def _models(names: Sequence[str] | None) -> list[Model]:
    """The models to run, the compromise model first; every model by default."""
    wanted = list(MODELS) if not names else list(dict.fromkeys(names))
    if REFERENCE_MODEL not in wanted:
        wanted.insert(0, REFERENCE_MODEL)
    return [get_model(name) for name in wanted]


def _baselines(issues: Sequence[DeuIssue]) -> dict[str, np.ndarray]:
    """Forecasts without a model, on 0-100 (NaN where an issue has no reference point)."""
    positions = [np.array(list(i.positions.values())) for i in issues]
    return {
        "reference-point": np.array(
            [np.nan if i.reference is None else i.reference for i in issues], dtype=float
        ),
        "median-actor": np.array([np.median(p) for p in positions]),
        "mean-actor": np.array([np.mean(p) for p in positions]),
    }


def _clusters(issues: Sequence[DeuIssue], cluster: str) -> np.ndarray:
    """``(N,)`` cluster number of each issue: itself, or its proposal."""
    if cluster == "issue":
        return np.arange(len(issues))
    index: dict[str, int] = {}
    return np.array([index.setdefault(i.proposal, len(index)) for i in issues])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
