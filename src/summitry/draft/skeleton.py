"""A scenario skeleton drafted from documents: actors, issues and suggested evidence.

:func:`draft` finds the candidate actors (:mod:`summitry.draft.actors`) and issues
(:mod:`summitry.draft.issues`), ranks for every actor and issue the paragraphs that speak
to it (:mod:`summitry.draft.passages`), and writes a scenario that validates but whose
numbers are placeholders for the analyst: capability 1, position at the middle of a 0-100
scale whose anchors are left empty, salience 0.5. Each suggested passage becomes an
evidence entry whose rationale starts with :data:`SUGGESTED`, and ``metadata.draft`` lists
the documents and says that the numbers are placeholders; ``summitry validate`` warns
about both until the analyst has replaced them. With an endpoint
(:mod:`summitry.draft.proposals`), proposed numbers whose quote is found word for word
replace placeholders and cite their paragraph; the others are reported and dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from summitry import lint
from summitry.draft.actors import ActorCandidate, find_actors, mentions_actor
from summitry.draft.documents import Document
from summitry.draft.issues import IssueCandidate, find_issues
from summitry.draft.passages import Passage, PassageIndex
from summitry.errors import ParameterError
from summitry.scenario import Scenario

__all__ = ["PLACEHOLDER", "SUGGESTED", "Draft", "draft"]

SUGGESTED = lint.SUGGESTED
"""How the rationale of a suggested evidence entry starts, until the analyst confirms it."""
PLACEHOLDER = {"capability": 1.0, "position": 50.0, "salience": 0.5}
"""The placeholder numbers of a draft."""


@dataclass(frozen=True)
class Draft:
    """A drafted scenario and what it was drafted from.

    Attributes
    ----------
    data
        The scenario as plain data (it validates as a :class:`~summitry.scenario.Scenario`).
    actors, issues
        The candidates kept, in the draft's order.
    passages
        ``{(actor id, issue id): [Passage, ...]}`` the suggestions, best first.
    proposed
        Numbers an endpoint proposed whose quotes were found (:class:`Proposal`).
    dropped
        Proposals dropped, with the reason (:class:`Dropped`).
    """

    data: dict[str, Any]
    actors: tuple[ActorCandidate, ...]
    issues: tuple[IssueCandidate, ...]
    passages: dict[tuple[str, str], tuple[Passage, ...]]
    proposed: tuple[Any, ...] = field(default=())
    dropped: tuple[Any, ...] = field(default=())

    def scenario(self) -> Scenario:
        """The draft, validated."""
        return Scenario.from_dict(self.data, file=self.data.get("name"))

    def yaml_text(self) -> str:
        """The draft as YAML, with a header saying what is left to do."""
        head = (
            "# A scenario drafted by `summitry draft` (docs/draft.md). Every number is a\n"
            "# placeholder and every evidence entry a suggestion until you confirm it:\n"
            "# set capabilities, positions, saliences and scale anchors, keep or delete each\n"
            f"# evidence entry (rewrite its rationale, which starts '{SUGGESTED}'),\n"
            "# set metadata.as_of, then delete metadata.draft.\n"
        )
        return head + yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)

    def summary(self) -> dict[str, Any]:
        """What was found, as JSON-ready data."""
        return {
            "name": self.data["name"],
            "documents": self.data["metadata"]["draft"]["documents"],
            "actors": [
                {
                    "id": a.id,
                    "name": a.name,
                    "kind": a.kind,
                    "aliases": list(a.aliases),
                    "leaders": list(a.leaders),
                    "mentions": len(a.mentions),
                }
                for a in self.actors
            ],  # fmt: skip
            "issues": [
                {"id": i.id, "words": list(i.words), "mentions": len(i.mentions)}
                for i in self.issues
            ],
            "passages": [
                {
                    "actor": a,
                    "issue": i,
                    "document": p.document,
                    "paragraph": p.paragraph,
                    "score": p.score,
                    "cues": list(p.cues),
                }
                for (a, i), found in self.passages.items()
                for p in found
            ],  # fmt: skip
            "proposed": [p.__dict__ for p in self.proposed],
            "dropped": [d.__dict__ for d in self.dropped],
        }


def _snippet(text: str, words: int = 14) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def _actor_terms(actor: ActorCandidate) -> list[str]:
    return list(dict.fromkeys([actor.name, *actor.aliases, *actor.leaders]))


def draft(
    docs: Sequence[Document],
    *,
    name: str = "draft",
    max_actors: int = 12,
    max_issues: int = 8,
    per_pair: int = 3,
    endpoint: Any = None,
    today: dt.date | None = None,
) -> Draft:
    """Draft a scenario skeleton from ``docs``.

    Parameters
    ----------
    docs
        The documents, read with :func:`~summitry.draft.documents.read_documents`.
    name
        The scenario's name.
    max_actors, max_issues
        Most actors and issues kept (the most mentioned).
    per_pair
        Most passages suggested per actor and issue.
    endpoint
        An :class:`~summitry.draft.proposals.Endpoint` to propose numbers, or None.

    Raises
    ------
    ParameterError
        When the documents name no actor or no issue recurs.
    """
    names = ", ".join(d.name for d in docs)
    actors = tuple(find_actors(docs)[:max_actors])
    if not actors:
        raise ParameterError(f"no state or organisation is named in {names}; nothing to draft")
    exclude = {w for a in actors for term in _actor_terms(a) for w in term.split()}
    issues = tuple(find_issues(docs, exclude=exclude, top=max_issues))
    if not issues:
        raise ParameterError(f"no issue recurs in the demands and offers of {names}")
    index = PassageIndex(docs)
    passages: dict[tuple[str, str], tuple[Passage, ...]] = {}
    for actor in actors:
        for issue in issues:
            found = index.rank(_actor_terms(actor), list(issue.words), top=per_pair)
            found = [p for p in found if mentions_actor(actor, p.text)]  # it must name them
            if found:
                passages[(actor.id, issue.id)] = tuple(found)
    placeholders = {"capability": True, "position": True, "salience": True}
    positions: dict[str, dict[str, dict[str, float]]] = {}
    for (actor_id, issue_id), _found in passages.items():
        positions.setdefault(actor_id, {})[issue_id] = {
            "position": PLACEHOLDER["position"],
            "salience": PLACEHOLDER["salience"],
        }
    # every issue needs someone taking part: give an issue nobody was found on to the
    # actor mentioned most, so that the skeleton validates
    for issue in issues:
        if not any(issue.id in stances for stances in positions.values()) and actors:
            positions.setdefault(actors[0].id, {})[issue.id] = {
                "position": PLACEHOLDER["position"],
                "salience": PLACEHOLDER["salience"],
            }
    evidence = []
    for (actor_id, issue_id), found in passages.items():
        for rank, p in enumerate(found, start=1):
            cues = f"; cues: {', '.join(p.cues)}" if p.cues else ""
            evidence.append(
                {
                    "supports": f"positions.{actor_id}.{issue_id}",
                    "source": p.document,
                    "paragraph": p.paragraph,
                    "rationale": f"{SUGGESTED} (rank {rank}, score {p.score:.2f}{cues}): "
                    f"{_snippet(p.text)}",
                }
            )
    proposed: tuple[Any, ...] = ()
    dropped: tuple[Any, ...] = ()
    if endpoint is not None and actors and issues:
        from summitry.draft.proposals import propose

        kept, lost = propose(
            endpoint,
            docs,
            [(a.id, a.name) for a in actors],
            [(i.id, 0.0, 100.0, ", ".join(i.words)) for i in issues],
            passages={k: [(p.document, p.paragraph) for p in v] for k, v in passages.items()},
        )
        for prop in kept:
            stance = positions.setdefault(prop.actor, {}).setdefault(
                prop.issue,
                {"position": PLACEHOLDER["position"], "salience": PLACEHOLDER["salience"]},
            )
            stance[prop.field] = float(prop.value)
            evidence.append(
                {
                    "supports": f"positions.{prop.actor}.{prop.issue}.{prop.field}",
                    "source": prop.document,
                    "paragraph": prop.paragraph,
                    "rationale": f"{SUGGESTED} (proposed by {endpoint.model}, quote found "
                    f'word for word): "{prop.quote}"',
                }
            )
        proposed, dropped = tuple(kept), tuple(lost)
    day = (today or dt.date.today()).isoformat()
    data: dict[str, Any] = {
        "name": name,
        "description": (
            f"Drafted by summitry draft on {day} from {', '.join(d.name for d in docs)}. "
            "Every number is a placeholder; every evidence entry is a suggestion."
        ),
        "metadata": {
            "draft": {
                "documents": [d.name for d in docs],
                "placeholders": placeholders,
                "suggested_evidence": len(evidence),
            },
            "sources": [
                {"id": d.name, "title": d.paragraphs[0].text[:120] if d.paragraphs else d.name}
                for d in docs
            ],
        },
        "issues": [
            {
                "id": i.id,
                "description": f"Candidate issue: {', '.join(i.words[:6])}",
                "scale": {"min": 0, "max": 100, "low": "", "high": ""},
            }
            for i in issues
        ],
        "actors": [
            {"id": a.id, "name": a.name, "capability": PLACEHOLDER["capability"]} for a in actors
        ],  # fmt: skip
        "positions": positions,
        "evidence": evidence,
    }
    return Draft(data, actors, issues, passages, proposed, dropped)
