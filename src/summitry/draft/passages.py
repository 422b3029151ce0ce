"""Passages of the documents that speak to one actor on one issue.

:class:`PassageIndex` keeps one BM25 index (bm25s, English stopwords, PyStemmer's
English stemmer) over every paragraph of every document. :meth:`PassageIndex.rank`
scores each paragraph by the BM25 score of the issue's terms, so that the same ranking
serves a drafted issue (its surface words) and a hand-built scenario's issue (its id, its
description and the words of its scale anchors): BM25 weighs each query word by how rare
it is, so the common words of a long description count for little, while a word the
issue repeats (its id, used again in the description and the anchors) counts as often as
it is repeated. Paragraphs that name the actor come before those that do not; among
them, a paragraph that names the actor more often, and one that carries stance cues
(:func:`stance_cues`), gets a bonus.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import Stemmer

from summitry.draft.documents import Document

__all__ = [
    "ACTOR_WEIGHT",
    "CUE_BONUS",
    "CUE_KINDS",
    "Passage",
    "PassageIndex",
    "actor_pattern",
    "stance_cues",
]

CUE_KINDS = ("demand", "offer", "refusal", "condition")
"""The kinds of stance cue, in the order :func:`stance_cues` reports them."""

CUE_BONUS = 0.2
"""Share added to a paragraph's BM25 score for each kind of stance cue it carries."""
ACTOR_WEIGHT = 0.5
"""Weight of the actor's prominence: the score is raised by ``ACTOR_WEIGHT * ln(1 + n)``
for a paragraph that names the actor ``n`` times."""

_CUES: dict[str, tuple[str, ...]] = {
    "demand": (
        r"demand(?:s|ed|ing)?",
        r"insist(?:s|ed|ing|ence)?",
        r"call(?:s|ed|ing)? (?:for|on)",
        r"want(?:s|ed|ing)?",
        r"seek(?:s|ing)?|sought",
        r"requir(?:e|es|ed|ing)",
        r"press(?:es|ed|ing)? (?:for|ahead)",
        r"push(?:es|ed|ing)? (?:for|toward|towards)",
        r"urg(?:e|es|ed|ing)",
        r"ask(?:s|ed|ing)? for",
        r"expect(?:s|ed|ing)? (?:\w+ )?to",
        r"(?:must|has to|have to|needs? to)",
    ),
    "offer": (
        r"offer(?:s|ed|ing)?",
        r"propos(?:e|es|ed|ing|al|als)",
        r"promis(?:e|es|ed|ing)",
        r"pledg(?:e|es|ed|ing)",
        r"(?:is|are|was|were|be|been|am) (?:ready|prepared) to",
        r"agree(?:s|d|ing)? to",
        r"willing(?:ness)?",
        r"commit(?:s|ted|ting|ment|ments)? to",
        r"concession(?:s)?",
        r"reciprocal",
        r"in good faith",
    ),
    "refusal": (
        r"refus(?:e|es|ed|ing|al)",
        r"reject(?:s|ed|ing|ion)?",
        r"rul(?:e|es|ed|ing) out",
        r"will not|won[’']t|would not|wouldn[’']t|cannot|can[’']t",
        r"no intention",
        r"(?:not|never) (?:accept|agree|allow|give up|negotiate)",
        r"unacceptable",
        r"oppos(?:e|es|ed|ing|ition)",
        r"walk(?:s|ed)? (?:away|out)",
    ),
    "condition": (
        r"if",
        r"unless",
        r"in exchange (?:for)?",
        r"in return",
        r"only (?:after|if|when|once)",
        r"provided (?:that)?",
        r"on condition",
        r"condition(?:al|ed)? (?:on|upon)",
        r"as long as",
        r"so long as",
        r"in step with",
        r"corresponding measures?",
    ),
}
_CUE_RES = {
    kind: re.compile(r"(?<![\w’'])(?:" + "|".join(pats) + r")(?![\w’])", re.IGNORECASE)
    for kind, pats in _CUES.items()
}


def stance_cues(text: str) -> tuple[str, ...]:
    """The kinds of stance cue in ``text``: any of ``CUE_KINDS``, each once, in that order.

    The cues are a small lexicon of regular expressions: demands ("demand", "insist",
    "call for", "seek", "require", "press for"...), offers ("offer", "propose", "pledge",
    "be ready to", "agree to", "willing"...), refusals ("refuse", "reject", "rule out",
    "will not", "no intention"...) and conditions ("if", "unless", "in exchange for",
    "in return", "only after", "provided that"...).
    """
    return tuple(kind for kind in CUE_KINDS if _CUE_RES[kind].search(text))


@dataclass(frozen=True)
class Passage:
    """One paragraph ranked for an actor and an issue."""

    document: str
    paragraph: int
    text: str
    score: float
    cues: tuple[str, ...]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def _tokens(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stemmed tokens of each text without English stopwords (as bm25s)."""
    if not texts:
        return []
    out = bm25s.tokenize(
        list(texts),
        lower=True,
        stopwords="en",
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )
    return [list(t) for t in out]


def actor_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern matching any of ``terms`` as a phrase on word boundaries, or None.

    A term written in capitals only (an acronym such as "US" or "DPRK") matches in
    that case only, so that "US" does not match the pronoun "us"; other terms match in
    any case. Spaces in a term match any run of white space.
    """
    parts = []
    for term in terms:
        term = " ".join(term.split())
        if not term:
            continue
        body = r"\s+".join(re.escape(word) for word in term.split(" "))
        letters = [c for c in term if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            parts.append(body)
        else:
            parts.append(f"(?i:{body})")
    if not parts:
        return None
    # longest first, so that "United States" is tried before "United"
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


class PassageIndex:
    """One BM25 index over every paragraph of every document, in document order."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._where: list[tuple[str, int, str]] = [
            (doc.name, par.number, par.text) for doc in docs for par in doc.paragraphs
        ]
        self._cues = [stance_cues(text) for _, _, text in self._where]
        self._retriever: bm25s.BM25 | None = None
        if self._where:
            self._retriever = bm25s.BM25()
            self._retriever.index(_tokens([t for _, _, t in self._where]), show_progress=False)

    def __len__(self) -> int:
        return len(self._where)

    def issue_scores(self, issue_terms: Sequence[str]) -> list[float]:
        """The BM25 score of each paragraph for the issue terms (the query), in order.

        A stemmed query word counts as often as the terms use it, so the words an
        issue keeps coming back to weigh most.
        """
        if self._retriever is None:
            return []
        query = [tok for toks in _tokens(list(issue_terms)) for tok in toks]
        ids = self._retriever.get_tokens_ids(query)
        if not ids:
            return [0.0] * len(self._where)
        scores = self._retriever.get_scores(ids)
        return [float(s) for s in scores]

    def rank(
        self, actor_terms: Sequence[str], issue_terms: Sequence[str], *, top: int = 3
    ) -> list[Passage]:
        """The ``top`` paragraphs that speak to an actor on an issue, best first.

        ``actor_terms`` are the actor's surface forms ("United States", "U.S.",
        "Washington", "Trump"); ``issue_terms`` are words or phrases of the issue (a
        drafted issue's words, or a hand-built issue's id, description and anchors).
        Paragraphs that name the actor and match the issue come first, then those that
        match the issue only; within each group by the BM25 score of the issue terms
        (:meth:`issue_scores`), raised by :data:`CUE_BONUS` for each kind of stance cue
        and by :data:`ACTOR_WEIGHT` times the log of one plus the number of times the
        paragraph names the actor; ties in document order.
        Only paragraphs with a score above zero are returned; with no actor terms every
        matching paragraph is in one group.
        """
        if top <= 0 or not self._where:
            return []
        scores = self.issue_scores(issue_terms)
        pattern = actor_pattern(actor_terms)
        ranked = []
        for k, (base, (_, _, text)) in enumerate(zip(scores, self._where, strict=True)):
            if base <= 0:
                continue
            named = len(pattern.findall(text)) if pattern is not None else 0
            score = base * (1.0 + CUE_BONUS * len(self._cues[k]))
            score *= 1.0 + ACTOR_WEIGHT * math.log1p(named)
            ranked.append((named == 0, -score, k))
        ranked.sort()
        out = []
        for _, neg, k in ranked[:top]:
            name, number, text = self._where[k]
            out.append(Passage(name, number, text, -neg, self._cues[k]))
        return out
