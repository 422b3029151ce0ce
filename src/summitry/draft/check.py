"""Evidence for an existing scenario: passages for the values without any, and doubts.

:func:`suggest_evidence` ranks, for every stance whose position or salience no evidence
entry supports, the paragraphs of the documents that speak to that actor on that issue
(:class:`~summitry.draft.passages.PassageIndex`), and flags every evidence entry that
cites one of the documents at a paragraph that does not name the actor, or does not speak
of the issue, it supports (or a paragraph the document does not have).

An actor is named by its id, its name, and the aliases and leaders that
:func:`~summitry.draft.actors.find_actors` finds in the documents for the same state or
organisation (matched by name, or by the country pycountry finds for the name). An issue
is spoken of by the words of its id, description and scale anchors, less stopwords and
actors' names, compared by their stems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from summitry.draft.actors import ActorCandidate, find_actors, mentions_actor
from summitry.draft.documents import Document
from summitry.draft.passages import Passage, PassageIndex, _stemmer
from summitry.scenario import Scenario

__all__ = [
    "EvidenceCheck",
    "Flag",
    "Suggestion",
    "actor_terms",
    "issue_terms",
    "issue_words",
    "match_actor",
    "stems",
    "suggest_evidence",
]

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@dataclass(frozen=True)
class Suggestion:
    """Passages for a stance whose ``fields`` (position, salience) have no evidence."""

    actor: str
    issue: str
    fields: tuple[str, ...]
    passages: tuple[Passage, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "supports": f"positions.{self.actor}.{self.issue}",
            "fields": list(self.fields),
            "passages": [
                {
                    "document": p.document,
                    "paragraph": p.paragraph,
                    "score": p.score,
                    "cues": list(p.cues),
                    "text": p.text,
                }
                for p in self.passages
            ],  # fmt: skip
        }


@dataclass(frozen=True)
class Flag:
    """An evidence entry (``index`` in the file) whose paragraph does not fit what it supports."""

    index: int
    supports: str
    source: str
    paragraph: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class EvidenceCheck:
    """What :func:`suggest_evidence` found."""

    scenario: str
    documents: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]
    flags: tuple[Flag, ...]
    checked: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "scenario": self.scenario,
            "documents": list(self.documents),
            "checked": self.checked,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "flags": [f.to_dict() for f in self.flags],
        }


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def match_actor(
    actor_id: str, name: str, candidates: Sequence[ActorCandidate]
) -> ActorCandidate | None:
    """The candidate for the same state or organisation as a scenario actor, or None."""
    wanted = {_norm(actor_id), _norm(name)} - {""}
    for c in candidates:
        forms = {_norm(c.id), _norm(c.name), *(_norm(a) for a in c.aliases)}
        if wanted & forms:
            return c
    try:
        import pycountry

        found = pycountry.countries.lookup(name or actor_id)
    except LookupError:
        return None
    return next((c for c in candidates if c.id == found.alpha_3.lower()), None)


def actor_terms(
    scenario: Scenario, actor_id: str, candidates: Sequence[ActorCandidate]
) -> list[str]:
    """What names a scenario actor in a text: its id, name, and its candidate's aliases."""
    actor = scenario.actor(actor_id)
    terms = [actor_id, actor.name] if actor.name else [actor_id]
    found = match_actor(actor_id, actor.name, candidates)
    if found is not None:
        terms += [found.name, *found.aliases, *found.leaders]
    return list(dict.fromkeys(t for t in terms if t))


def _stopwords() -> set[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return set(STOPWORDS_EN_PLUS)


def issue_terms(scenario: Scenario, issue_id: str) -> list[str]:
    """What speaks of a scenario issue: its id, description and scale anchors, as texts.

    :meth:`~summitry.draft.passages.PassageIndex.rank` tokenizes them (a word the texts
    repeat weighs more); :func:`issue_words` gives their content words.
    """
    issue = scenario.issue(issue_id)
    texts = [issue_id.replace("-", " ").replace("_", " "), issue.description,
             issue.scale.low or "", issue.scale.high or ""]  # fmt: skip
    return [t for t in texts if t]


def issue_words(scenario: Scenario, issue_id: str) -> list[str]:
    """The content words of :func:`issue_terms`, less stopwords and actors' names."""
    names = {w.lower() for a in scenario.actors for w in _WORD.findall(f"{a.id} {a.name}")}
    stop = _stopwords() | names
    words = _WORD.findall(" ".join(issue_terms(scenario, issue_id)))
    return list(dict.fromkeys(w.lower() for w in words if w.lower() not in stop and len(w) > 2))


def stems(words: Iterable[str]) -> set[str]:
    """The English stems of ``words``, lower-cased (the stemmer the passages use)."""
    stemmer = _stemmer()
    return {stemmer.stemWord(w.lower()) for w in words}


def _paragraphs(doc: Document, where: int | str | None) -> list[int] | None:
    """The paragraph numbers an evidence ``paragraph`` names (``4`` or ``"4-6"``)."""
    if isinstance(where, int):
        return [where]
    if isinstance(where, str):
        m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", where)
        if m:
            lo = int(m.group(1))
            hi = int(m.group(2) or lo)
            return list(range(lo, hi + 1)) if hi >= lo and hi - lo < 1000 else None
    return None


def suggest_evidence(
    scenario: Scenario, docs: Sequence[Document], *, top: int = 3
) -> EvidenceCheck:
    """Passages for every stance without evidence, and flags on doubtful evidence."""
    candidates = find_actors(docs)
    index = PassageIndex(docs)
    by_name = {d.name: d for d in docs}
    covered: dict[tuple[str, str], set[str]] = {}
    for ev in scenario.evidence:
        parts = ev.supports.split(".")
        if parts[0] == "positions" and len(parts) >= 3:
            fields = {"position", "salience"} if len(parts) == 3 else {parts[3]}
            covered.setdefault((parts[1], parts[2]), set()).update(fields)
    a_terms = {a: actor_terms(scenario, a, candidates) for a in scenario.actor_ids}
    i_terms = {i: issue_terms(scenario, i) for i in scenario.issue_ids}
    i_stems = {i: stems(issue_words(scenario, i)) for i in scenario.issue_ids}
    suggestions = []
    for actor_id, stances in scenario.positions.items():
        for issue_id in stances:
            missing = tuple(
                f for f in ("position", "salience")
                if f not in covered.get((actor_id, issue_id), set())
            )  # fmt: skip
            if not missing:
                continue
            found = index.rank(a_terms[actor_id], i_terms[issue_id], top=top)
            suggestions.append(Suggestion(actor_id, issue_id, missing, tuple(found)))
    flags = []
    checked = 0
    for k, ev in enumerate(scenario.evidence):
        doc = by_name.get(ev.source)
        if doc is None:
            continue
        numbers = _paragraphs(doc, ev.paragraph)
        if numbers is None:
            continue
        checked += 1
        texts = [doc.paragraph(n) for n in numbers]
        if any(t is None for t in texts):
            why = f"{doc.name} has {len(doc.paragraphs)} paragraphs, not {ev.paragraph}"
            flags.append(Flag(k, ev.supports, ev.source, str(ev.paragraph), why))
            continue
        text = " ".join(t.text for t in texts if t is not None)
        parts = ev.supports.split(".")
        actor_id = issue_id = None
        if parts[0] in ("positions", "actors") and len(parts) >= 2:
            actor_id = parts[1]
        if parts[0] == "positions" and len(parts) >= 3:
            issue_id = parts[2]
        if parts[0] == "issues" and len(parts) >= 2:
            issue_id = parts[1]
        problems = []
        if actor_id in a_terms and not _names_actor(a_terms[actor_id], candidates, text):
            problems.append(f"does not name '{actor_id}'")
        if issue_id in i_terms and not (i_stems[issue_id] & stems(_WORD.findall(text))):
            problems.append(f"does not speak of '{issue_id}'")
        if problems:
            why = f"paragraph {ev.paragraph} " + " and ".join(problems)
            flags.append(Flag(k, ev.supports, ev.source, str(ev.paragraph), why))
    return EvidenceCheck(
        scenario.name, tuple(d.name for d in docs), tuple(suggestions), tuple(flags), checked
    )


def _names_actor(terms: Sequence[str], candidates: Sequence[ActorCandidate], text: str) -> bool:
    probe = ActorCandidate(
        id="probe", name=terms[0], kind="state", aliases=tuple(terms), leaders=(), mentions=()
    )
    return mentions_actor(probe, text)
