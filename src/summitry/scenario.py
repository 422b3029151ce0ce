"""The validated, immutable description of a negotiation.

A :class:`Scenario` is built once from a file (see :mod:`summitry.io`) and never changes.
Its values stay on the scales the analyst wrote them on; :meth:`Scenario.to_arrays` turns
them into normalised :class:`~summitry.inputs.Inputs` for the models.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, Strict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from summitry._schema import Finite, Frozen, Id, NonNegative, Stance, unknown
from summitry.bounds import MAX_EVENTS
from summitry.deal_terms import terms_arrays
from summitry.errors import ScenarioError
from summitry.events import Event, apply_event
from summitry.inputs import Inputs
from summitry.lever_spec import LeverSpec, lever_path_problem
from summitry.perception import Belief, Message, belief_arrays
from summitry.terms import DATE, Link, Outcome, Ratifier, SequenceLink, TogetherLink

__all__ = [
    "Actor",
    "Evidence",
    "Issue",
    "Scale",
    "Scenario",
    "Stance",
    "Uncertainty",
    "field_path",
]


MAX_MAGNITUDE = 1e12
"""Largest scale end and capability: beyond it sums of squares overflow or lose every digit."""
MIN_WIDTH = 1e-9
"""Narrowest scale, relative to the size of its ends."""
MAX_WALK_AWAY = 1e6
"""Largest walk-away value, either sign (any value above an actor's summed salience already
means it accepts nothing)."""


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"salience_scale must be 1 or 100, not {value}")
    return value


class Scale(Frozen):
    """The scale of an issue: numeric ends and what each end means."""

    min: Finite
    max: Finite
    low: str = ""
    high: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min:g}) must be below max ({self.max:g})")
        if max(abs(self.min), abs(self.max)) > MAX_MAGNITUDE:
            raise ValueError(
                f"scale ends must lie within ±{MAX_MAGNITUDE:g} (got [{self.min:g}, "
                f"{self.max:g}]); rescale the issue"
            )
        if (self.max - self.min) < MIN_WIDTH * max(abs(self.min), abs(self.max), 1.0):
            raise ValueError(
                f"scale [{self.min:g}, {self.max:g}] is too narrow for its magnitude; "
                "rescale the issue"
            )
        return self


class Issue(Frozen):
    """One issue under negotiation."""

    id: Id
    description: str = ""
    scale: Scale
    status_quo: Finite | None = None
    status_quo_sd: NonNegative | None = None
    """Standard deviation of the status quo on the issue's scale, for Monte Carlo draws."""


class Actor(Frozen):
    """A party to the negotiation."""

    id: Id
    name: str = ""
    capability: NonNegative
    capability_sd: NonNegative | None = None
    veto: tuple[Id, ...] = ()
    present: bool = True
    """False for an actor that takes no part until an event makes it join."""
    walk_away: Finite | None = None
    """The least gain over the status quo (winners-table units) the actor needs to accept
    a package; an actor with one must accept every deal (docs/deal.md)."""
    walk_away_sd: NonNegative | None = None

    @property
    def label(self) -> str:
        """The name if given, else the id."""
        return self.name or self.id


class Uncertainty(Frozen):
    """Default uncertainty for every input that does not state its own.

    ``position`` is a fraction of each issue's scale width, ``salience`` is on the 0-1
    salience scale, ``capability`` is a fraction of each actor's capability.
    """

    position: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    salience: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)] = 0.0
    capability: Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)] = 0.0


class Evidence(Frozen):
    """A link from one input to the passage of a source that supports it.

    ``supports`` is a field path: ``positions.<actor>.<issue>[.position|.salience]``,
    ``actors.<actor>[.capability|.veto]``, ``issues.<issue>[.status_quo|.scale]``,
    ``beliefs.<observer>.<about>``, ``messages.<id>``, ``events.<id>``, ``levers.<id>``,
    or ``scenario``
    for the framing as a whole.
    """

    supports: str
    source: str
    paragraph: int | str | None = None
    rationale: str
    fact_date: Annotated[str, Field(pattern=DATE)] | None = None
    """When the fact the passage reports was public, where the source itself is dated
    after the scenario's ``as_of`` (hindsight sources may report earlier facts)."""


class Scenario(Frozen):
    """Actors, issues, stances, metadata and evidence of one negotiation."""

    name: str = Field(min_length=1)
    description: str = ""
    salience_scale: Annotated[Literal[1, 100], BeforeValidator(_no_bool)] = 1
    issues: tuple[Issue, ...] = Field(min_length=1)
    actors: tuple[Actor, ...] = Field(min_length=1)
    positions: dict[str, dict[str, Stance]]
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    metadata: dict[str, Any] = Field(default_factory=dict)
    beliefs: tuple[Belief, ...] = ()
    messages: tuple[Message, ...] = ()
    events: tuple[Event, ...] = ()
    links: tuple[Link, ...] = ()
    ratifiers: tuple[Ratifier, ...] = ()
    outcome: Outcome | None = None
    levers: tuple[LeverSpec, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _check_consistency(self)
        return self

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any, *, file: str | None = None) -> Scenario:
        """Validate plain data (as read from YAML or JSON) into a scenario.

        Raises
        ------
        ScenarioError
            With the field path of the first rule broken.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(
                "a scenario must be a mapping with issues, actors and positions",
                file=file,
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise scenario_error(exc, file=file) from None

    # -- lookups -----------------------------------------------------------------------

    @property
    def actor_ids(self) -> tuple[str, ...]:
        """Actor ids in file order."""
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        """Issue ids in file order."""
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return next(a for a in self.actors if a.id == actor_id)

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return next(i for i in self.issues if i.id == issue_id)

    def all_beliefs(self) -> tuple[Belief, ...]:
        """Messages turned into beliefs, then the stated beliefs (a later one wins)."""
        told = tuple(b for m in self.messages for b in m.as_beliefs())
        return told + self.beliefs

    def digest(self) -> str:
        """SHA-256 of the scenario's canonical JSON: the same content gives the same hash."""
        content = self.model_dump(mode="json", exclude_defaults=True)
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    # -- arrays ------------------------------------------------------------------------

    def to_arrays(self) -> Inputs:
        """Return the scenario as a single-sample batch of normalised arrays."""
        a_index = {a: k for k, a in enumerate(self.actor_ids)}
        i_index = {i: k for k, i in enumerate(self.issue_ids)}
        n_a, n_i = len(a_index), len(i_index)
        lo = np.array([i.scale.min for i in self.issues])
        hi = np.array([i.scale.max for i in self.issues])
        position = np.full((n_a, n_i), 0.5)
        salience = np.zeros((n_a, n_i))
        present = np.zeros((n_a, n_i), dtype=bool)
        for actor_id, stances in self.positions.items():
            for issue_id, stance in stances.items():
                a, i = a_index[actor_id], i_index[issue_id]
                position[a, i] = (stance.position - lo[i]) / (hi[i] - lo[i])
                if self.actor(actor_id).present:
                    salience[a, i] = stance.salience / self.salience_scale
                    present[a, i] = True
        veto = np.zeros((n_a, n_i), dtype=bool)
        for a, actor in enumerate(self.actors):
            for issue_id in actor.veto:
                veto[a, i_index[issue_id]] = True
        status_quo = np.array(
            [np.nan if i.status_quo is None else i.status_quo for i in self.issues], dtype=float
        )
        beliefs = belief_arrays(
            self.all_beliefs(), self.actor_ids, self.issue_ids, (lo, hi), self.salience_scale
        )
        b_pos, b_sal, b_cap = beliefs if beliefs else (None, None, None)
        return Inputs(
            actors=self.actor_ids,
            issues=self.issue_ids,
            position=position[None],
            salience=salience[None],
            capability=np.array([a.capability for a in self.actors])[None],
            status_quo=((status_quo - lo) / (hi - lo))[None],
            veto=veto,
            present=present,
            scale_min=lo,
            scale_max=hi,
            meta={"scenario": self.name},
            belief_position=b_pos,
            belief_salience=b_sal,
            belief_capability=b_cap,
            terms=terms_arrays(self),
        )


# -- validation helpers ----------------------------------------------------------------


def field_path(loc: tuple[Any, ...]) -> str:
    """Render a location tuple as ``actors[2].capability`` or ``positions.us.x``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def scenario_error(exc: ValidationError, *, file: str | None = None) -> ScenarioError:
    """Turn pydantic's first error into one :class:`ScenarioError` with its field path."""
    errors = exc.errors(include_url=False)
    err = errors[0]
    if err["type"] == "missing":
        # A misspelt key shows up twice: as missing and as unknown. Name the misspelling.
        extra = [
            e for e in errors if e["type"] == "extra_forbidden" and e["loc"][:-1] == err["loc"][:-1]
        ]
        if extra:
            err = extra[0]
    loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
    # a tagged union (links by kind) puts the tag in the path: links[2].credibility.discount
    loc = tuple(
        p for k, p in enumerate(loc) if not (k > 1 and loc[0] == "links" and p in _LINK_KINDS)
    )
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    elif err["type"] == "extra_forbidden":
        msg = f"unknown field '{loc[-1]}'" if loc else "unknown field"
    elif err["type"] == "missing":
        msg = f"required field '{loc[-1]}' is missing" if loc else "a required field is missing"
    elif err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == DATE:
        msg = f"{err['input']!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"
    elif err["type"] == "string_pattern_mismatch":
        msg = (
            f"{err['input']!r} is not a valid id: use a non-empty name with no '.' "
            "and no leading or trailing spaces"
        )
    elif err["type"] in _PLAIN and loc:
        msg = f"{loc[-1]} must be {_PLAIN[err['type']].format(**err.get('ctx', {}))}"
        msg += f" (got {_shown(err['input'])})"
    elif "input" in err and not isinstance(err["input"], (dict, list)):
        msg = f"{msg} (got {_shown(err['input'])})"
    if err.get("ctx", {}).get("path"):
        loc = tuple(err["ctx"]["path"])
    return ScenarioError(msg, file=file, location=field_path(loc) or None)


def _shown(value: Any) -> str:
    """A rejected value as the message shows it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


_LINK_KINDS = ("together", "sequence", "credibility")
_PLAIN = {
    "greater_than_equal": "{ge:g} or more",
    "less_than_equal": "{le:g} or less",
    "greater_than": "more than {gt:g}",
    "finite_number": "a finite number",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "text",
}


def _fail(path: tuple[Any, ...], message: str) -> None:
    # A plain ValueError raised in a model validator loses its place; the path travels in
    # the error's context and scenario_error() puts it back.
    raise PydanticCustomError("consistency", "{message}", {"message": message, "path": list(path)})


def _check_consistency(sc: Scenario) -> None:
    """Cross-field rules: unique ids, known references, values within their ranges."""
    issues = {}
    for k, issue in enumerate(sc.issues):
        if issue.id in issues:
            _fail(("issues", k, "id"), f"duplicate issue id '{issue.id}'")
        issues[issue.id] = issue
        sq, scale = issue.status_quo, issue.scale
        if sq is not None and not scale.min <= sq <= scale.max:
            _fail(
                ("issues", k, "status_quo"),
                f"status_quo {sq:g} lies outside the scale [{scale.min:g}, {scale.max:g}]",
            )
    actors = {}
    for k, actor in enumerate(sc.actors):
        if actor.id in actors:
            _fail(("actors", k, "id"), f"duplicate actor id '{actor.id}'")
        actors[actor.id] = actor
        for v, issue_id in enumerate(actor.veto):
            if issue_id not in issues:
                _fail(("actors", k, "veto", v), _unknown("issue", issue_id, issues))
    for k, actor in enumerate(sc.actors):
        if actor.capability > MAX_MAGNITUDE or (actor.capability_sd or 0) > MAX_MAGNITUDE:
            field = "capability" if actor.capability > MAX_MAGNITUDE else "capability_sd"
            _fail(
                ("actors", k, field),
                f"{field} must be at most {MAX_MAGNITUDE:g}; "
                "capabilities are relative, so scale them down",
            )
        for field in ("walk_away", "walk_away_sd"):
            value = getattr(actor, field)
            if value is not None and abs(value) > MAX_WALK_AWAY:
                _fail(("actors", k, field), f"{field} must lie within ±{MAX_WALK_AWAY:g}")
    if not any(a.capability > 0 for a in sc.actors):
        _fail(("actors",), "every capability is zero; at least one actor needs capability > 0")
    top = float(sc.salience_scale)
    for actor_id, stances in sc.positions.items():
        if actor_id not in actors:
            _fail(("positions", actor_id), _unknown("actor", actor_id, actors))
        for issue_id, stance in stances.items():
            path = ("positions", actor_id, issue_id)
            if issue_id not in issues:
                _fail(path, _unknown("issue", issue_id, issues))
            scale = issues[issue_id].scale
            if not scale.min <= stance.position <= scale.max:
                _fail(
                    (*path, "position"),
                    f"position {stance.position:g} lies outside the issue's scale "
                    f"[{scale.min:g}, {scale.max:g}]",
                )
            if stance.salience > top:
                _fail(
                    (*path, "salience"),
                    f"salience {stance.salience:g} lies outside [0, {top:g}]"
                    + ("; declare salience_scale: 100 for a 0-100 scale" if top == 1 else ""),
                )
    cap, sal = _weights(sc, actors)
    for issue_id in _unweighted(sc, actors, issues, cap, sal):
        _fail(
            ("positions",),
            f"issue '{issue_id}' has no actor taking part with both capability and "
            "salience above zero",
        )
    _check_beliefs(sc, actors, issues)
    _check_terms(sc, actors, issues)
    _check_events(sc)
    _check_levers(sc, actors, issues)
    for k, ev in enumerate(sc.evidence):
        problem = _evidence_target_problem(ev.supports, sc, actors, issues)
        if problem:
            _fail(("evidence", k, "supports"), problem)


_unknown = unknown


def _check_levers(sc: Scenario, actors: Mapping[str, Actor], issues: Mapping[str, Issue]) -> None:
    """Levers have unique ids, belong to known actors and edit paths a lever may edit."""
    links = {link.id: link.kind for link in sc.links}
    messages = {m.id for m in sc.messages}
    seen: set[str] = set()
    for k, lever in enumerate(sc.levers):
        if lever.id in seen:
            _fail(("levers", k, "id"), f"duplicate lever id '{lever.id}'")
        seen.add(lever.id)
        if lever.actor not in actors:
            _fail(("levers", k, "actor"), _unknown("actor", lever.actor, actors))
        if not (lever.set or lever.by or lever.drop):
            _fail(("levers", k), "a lever changes something: give set, by or drop")
        for field in ("set", "by", "drop"):
            paths = getattr(lever, field)
            for path in paths:
                problem = lever_path_problem(
                    path, actors=actors, issues=issues, links=links, messages=messages,
                    drop=field == "drop",
                )  # fmt: skip
                if problem:
                    _fail(("levers", k, field, path), problem)
                if field != "drop" and path.startswith("positions."):
                    _, actor_id, issue_id, _ = path.split(".")
                    if issue_id not in sc.positions.get(actor_id, {}):
                        _fail(
                            ("levers", k, field, path),
                            f"'{actor_id}' has no stance on '{issue_id}' to change",
                        )


def _check_beliefs(sc: Scenario, actors: Mapping[str, Actor], issues: Mapping[str, Issue]) -> None:
    """Beliefs and messages name known actors and issues and stay within their ranges."""
    top = float(sc.salience_scale)
    entries = [(("beliefs", k), b, "observer") for k, b in enumerate(sc.beliefs)]
    ids: set[str] = set()
    for k, m in enumerate(sc.messages):
        if m.id in ids:
            _fail(("messages", k, "id"), f"duplicate message id '{m.id}'")
        ids.add(m.id)
        for n, name in enumerate(m.audience):
            if name not in actors:
                _fail(("messages", k, "audience", n), _unknown("actor", name, actors))
            if name == m.sender:
                _fail(("messages", k, "audience", n), "an actor does not send itself messages")
        entries += [(("messages", k), b, "sender") for b in m.as_beliefs()]
    for path, b, who in entries:
        for field, name in (("observer", b.observer), ("about", b.about)):
            field = who if path[0] == "messages" and field == "about" else field
            if name not in actors:
                _fail((*path, field), _unknown("actor", name, actors))
        if path[0] == "beliefs" and b.observer == b.about:
            _fail(
                (*path, "about"), "an actor knows its own stance: observer and about are the same"
            )
        if b.issue is None:
            continue
        if b.issue not in issues:
            _fail((*path, "issue"), _unknown("issue", b.issue, issues))
        if b.issue not in sc.positions.get(b.about, {}):
            _fail((*path, "issue"), f"'{b.about}' has no stance on '{b.issue}' to believe in")
        scale = issues[b.issue].scale
        if b.position is not None and not scale.min <= b.position <= scale.max:
            _fail(
                (*path, "position"),
                f"position {b.position:g} lies outside the issue's scale "
                f"[{scale.min:g}, {scale.max:g}]",
            )
        if b.salience is not None and b.salience > top:
            _fail((*path, "salience"), f"salience {b.salience:g} lies outside [0, {top:g}]")
    _check_views(sc, actors, issues, entries)


def _weights(
    sc: Scenario, actors: Mapping[str, Actor]
) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Each actor's capability and each stance's salience, ``(actor, issue)``, as written."""
    cap = {a: actors[a].capability for a in actors}
    sal = {(a, i): st.salience for a, stances in sc.positions.items() for i, st in stances.items()}
    return cap, sal


def _unweighted(
    sc: Scenario,
    actors: Mapping[str, Actor],
    issues: Mapping[str, Issue],
    cap: Mapping[str, float],
    sal: Mapping[tuple[str, str], float],
) -> list[str]:
    """The issues on which no present actor has capability and salience both above zero."""

    def weight(issue_id: str) -> float:
        taking_part = (a for a in sc.positions if (a, issue_id) in sal and actors[a].present)
        return sum(cap[a] * sal[(a, issue_id)] for a in taking_part)

    return [issue_id for issue_id in issues if not weight(issue_id) > 0]


def _check_views(
    sc: Scenario,
    actors: Mapping[str, Actor],
    issues: Mapping[str, Issue],
    entries: list[tuple[tuple[Any, ...], Belief, str]],
) -> None:
    """Rule 12 in every observer's view: beliefs leave each issue someone who takes part."""
    later_wins = [e for e in entries if e[0][0] == "messages"] + [
        e for e in entries if e[0][0] == "beliefs"
    ]  # the order of Scenario.all_beliefs
    true_cap, true_sal = _weights(sc, actors)
    for observer in dict.fromkeys(b.observer for _, b, _ in later_wins):
        mine = [(path, b) for path, b, _ in later_wins if b.observer == observer]
        cap, sal = dict(true_cap), dict(true_sal)
        for _, b in mine:
            if b.capability is not None:
                cap[b.about] = b.capability
            if b.issue is not None and b.salience is not None:
                sal[(b.about, b.issue)] = b.salience
        for issue_id in _unweighted(sc, actors, issues, cap, sal):
            path = next(  # the last belief that took weight away from the issue
                (*p, "salience") if b.issue == issue_id and b.salience is not None else
                (*p, "capability")
                for p, b in reversed(mine)
                if (b.issue == issue_id and b.salience is not None)
                or (b.capability is not None and issue_id in sc.positions.get(b.about, {}))
            )  # fmt: skip
            _fail(
                path,
                f"in '{observer}'s view no actor takes part in '{issue_id}' with both "
                "capability and salience above zero (rule 12 holds in every view)",
            )


def _check_state_after(data: dict[str, Any], k: int, event: Event) -> None:
    """The scenario after event ``k`` obeys every rule a file must obey."""
    try:
        Scenario.model_validate({**data, "events": ()})
    except ValidationError as exc:
        inner = scenario_error(exc)
        where = f" at {inner.location}" if inner.location else ""
        _fail(
            ("events", k),
            f"after event '{event.id}' the scenario breaks a rule{where}: {inner.rule}",
        )


MAX_LINKED_ISSUES = 10
"""Most issues that links and ratifiers may name together (the zone of agreement is
searched on every way of holding them at the status quo: 2**n cases at most)."""


def _check_terms(sc: Scenario, actors: Mapping[str, Actor], issues: Mapping[str, Issue]) -> None:
    """Links, ratifiers and the recorded outcome name known actors and issues, in range."""
    ids: dict[str, str] = {}
    for head in ("links", "ratifiers"):
        for k, item in enumerate(getattr(sc, head)):
            if item.id in ids:
                _fail((head, k, "id"), f"id '{item.id}' is already used by {ids[item.id]}")
            if head == "ratifiers" and item.id in actors:
                _fail((head, k, "id"), f"ratifier id '{item.id}' is already an actor's id")
            ids[item.id] = f"{head}[{k}]"
    for k, link in enumerate(sc.links):
        at = ("links", k)
        if link.kind == "credibility":
            if link.actor not in actors:
                _fail((*at, "actor"), _unknown("actor", link.actor, actors))
            if link.issue not in issues:
                _fail((*at, "issue"), _unknown("issue", link.issue, issues))
            if link.issue not in sc.positions.get(link.actor, {}):
                _fail((*at, "issue"), f"'{link.actor}' has no stance on '{link.issue}'")
            continue
        named = link.issues
        field = "issues" if isinstance(link, TogetherLink) else None
        for n, issue_id in enumerate(named):
            where = (*at, field, n) if field else (*at, ("first", "then")[n])
            if issue_id not in issues:
                _fail(where, _unknown("issue", issue_id, issues))
            if issue_id in named[:n]:
                _fail(where, f"issue '{issue_id}' is named twice in the link")
        for issue_id, move in link.min_move.items():
            if issue_id not in named:
                _fail((*at, "min_move", issue_id), f"'{issue_id}' is not an issue of this link")
            scale = issues[issue_id].scale
            if move > scale.max - scale.min:
                _fail(
                    (*at, "min_move", issue_id),
                    f"min_move {move:g} is wider than the issue's scale "
                    f"[{scale.min:g}, {scale.max:g}]",
                )
        if isinstance(link, SequenceLink) and set(link.min_move) - {link.first}:
            _fail((*at, "min_move"), "a sequence link's min_move applies to its 'first' issue")
    top = float(sc.salience_scale)
    for k, r in enumerate(sc.ratifiers):
        at = ("ratifiers", k)
        for field in ("of", "actor"):
            name = getattr(r, field)
            if name is not None and name not in actors:
                _fail((*at, field), _unknown("actor", name, actors))
        for issue_id, stance in r.positions.items():
            if issue_id not in issues:
                _fail((*at, "positions", issue_id), _unknown("issue", issue_id, issues))
            scale = issues[issue_id].scale
            if not scale.min <= stance.position <= scale.max:
                _fail(
                    (*at, "positions", issue_id, "position"),
                    f"position {stance.position:g} lies outside the issue's scale "
                    f"[{scale.min:g}, {scale.max:g}]",
                )
            if stance.salience > top:
                _fail(
                    (*at, "positions", issue_id, "salience"),
                    f"salience {stance.salience:g} lies outside [0, {top:g}]",
                )
        for n, issue_id in enumerate(r.issues):
            if issue_id not in issues:
                _fail((*at, "issues", n), _unknown("issue", issue_id, issues))
        if r.actor is not None and not sc.positions.get(r.actor):
            _fail((*at, "actor"), f"'{r.actor}' has no stances to ratify with")
    linked = {i for link in sc.links if link.kind != "credibility" for i in link.issues}
    linked |= {i for r in sc.ratifiers for i in ratifier_issues(sc, r)}
    if len(linked) > MAX_LINKED_ISSUES:
        _fail(
            ("links",),
            f"links and ratifiers name {len(linked)} issues; at most {MAX_LINKED_ISSUES} "
            "can be searched for a zone of agreement",
        )
    if (sc.links or sc.ratifiers) and any(i.status_quo is None for i in sc.issues):
        _fail(
            ("links" if sc.links else "ratifiers",),
            "links and ratifiers need a status quo on every issue",
        )
    if sc.outcome is not None:
        for issue_id, rec in sc.outcome.issues.items():
            if issue_id not in issues:
                _fail(("outcome", "issues", issue_id), _unknown("issue", issue_id, issues))
            scale = issues[issue_id].scale
            if not scale.min <= rec.value <= scale.max:
                _fail(
                    ("outcome", "issues", issue_id, "value"),
                    f"value {rec.value:g} lies outside the issue's scale "
                    f"[{scale.min:g}, {scale.max:g}]",
                )


def ratifier_issues(sc: Scenario, r: Ratifier) -> tuple[str, ...]:
    """The issues whose move needs the ratifier's consent (its own list, else its stances)."""
    if r.issues:
        return r.issues
    stances = r.positions if r.actor is None else sc.positions.get(r.actor, {})
    return tuple(i for i in sc.issue_ids if i in stances)


def _check_events(sc: Scenario) -> None:
    """Unique ids, dates in order, and every change applicable in turn."""
    if len(sc.events) > MAX_EVENTS:
        _fail(("events",), f"{len(sc.events):,} events; a scenario may hold at most {MAX_EVENTS:,}")
    ids: set[str] = set()
    previous = None
    data = sc.model_dump(mode="json", exclude={"events", "evidence", "outcome"})
    for k, event in enumerate(sc.events):
        if event.id in ids:
            _fail(("events", k, "id"), f"duplicate event id '{event.id}'")
        ids.add(event.id)
        if previous is not None and event.before(previous):
            _fail(
                ("events", k, "date"),
                f"date {event.date} comes before the previous event's ({previous.date}); "
                "list events in date order",
            )
        previous = event
        data = apply_event(data, k, event, _fail)
        _check_state_after(data, k, event)


_EVIDENCE_FIELDS = {
    "positions": {"position", "salience", "position_sd", "salience_sd"},
    "actors": {"capability", "capability_sd", "veto", "name", "walk_away", "walk_away_sd"},
    "issues": {"status_quo", "status_quo_sd", "scale", "description"},
}


def _evidence_target_problem(
    supports: str, sc: Scenario, actors: Mapping[str, Any], issues: Mapping[str, Any]
) -> str | None:
    parts = supports.split(".")
    head = parts[0]
    if head in ("scenario", "metadata", "uncertainty", "outcome"):
        return None
    if head in ("messages", "events", "links", "ratifiers", "levers"):
        known = {x.id for x in getattr(sc, head)}
        if len(parts) != 2 or parts[1] not in known:
            listed = ", ".join(sorted(known)[:12])
            return f"'{supports}' must be {head}.<id> with a known id (known: {listed})"
        return None
    if head == "beliefs":
        if len(parts) < 3 or parts[1] not in actors or parts[2] not in actors:
            return f"'{supports}' must be beliefs.<observer>.<about> with known actors"
        return None
    if head not in _EVIDENCE_FIELDS:
        return (
            f"'{supports}' is not an input path; start with positions., actors., issues., "
            "beliefs., messages., events., links., ratifiers., levers., scenario, metadata or "
            "outcome"
        )
    rest = parts[1:]
    if head == "positions":
        if len(rest) < 2:
            return f"'{supports}' must name an actor and an issue: positions.<actor>.<issue>"
        if rest[0] not in actors:
            return _unknown("actor", rest[0], actors)
        if rest[1] not in issues:
            return _unknown("issue", rest[1], issues)
        rest = rest[2:]
    else:
        known = actors if head == "actors" else issues
        if not rest:
            return f"'{supports}' must name an {head[:-1]}"
        if rest[0] not in known:
            return _unknown(head[:-1], rest[0], known)
        rest = rest[1:]
    if len(rest) > 1 or (rest and rest[0] not in _EVIDENCE_FIELDS[head]):
        allowed = ", ".join(sorted(_EVIDENCE_FIELDS[head]))
        return f"'{supports}' names an unknown field; allowed after the id: {allowed}"
    return None
