"""Candidate issues of a negotiation: the recurring subjects of demands and offers.

Rule-based, in four steps:

1. **Cue sentences.** Each paragraph is cut into sentences; a sentence is kept when it
   carries a stance cue (:func:`summitry.draft.passages.stance_cues`) or a bargaining
   verb (lift, ease, halt, suspend, freeze, dismantle, declare, sign, build, open...).
2. **Content words.** From every sentence, the tokens of letters that are at least
   :data:`MIN_LENGTH` long, not stopwords, not cue or bargaining words, not in
   ``exclude`` (the caller's actor names and aliases, compared word by word and in any
   case), not written in capitals only, and not capitalised in mid-sentence (a proper
   name); a capitalised first word of a sentence is kept only when the same word is
   written in lower case somewhere in the documents. The words are stemmed with
   PyStemmer's English stemmer.
3. **Score.** A stem found in fewer than :data:`MIN_PARAGRAPHS` paragraphs is no
   subject, and one used as a verb in more than half of its occurrences (after "to", a
   modal, a subject pronoun or an adverb such as "still": "to maintain", "will build")
   names an action, not a subject: both are left out. Each
   other stem scores ``(paragraphs + documents + near) * idf``: the number
   of distinct paragraphs and of distinct documents in which it occurs within cue
   sentences, plus the number of cue sentences in which it follows a cue within
   :data:`NEAR` words (the object of a demand or an offer), times
   ``idf = ln(1 + N / df)``, with N the number of paragraphs and df the number of
   paragraphs in which the stem occurs at all, so that a word found
   everywhere ranks below a specific one ("sanctions").
4. **Merge.** Stems are taken in order of score; a stem joins the first candidate
   already formed whose head (its first stem) shares at least
   :data:`MERGE_SHARE` of the cue sentences of each of the two (``shared /
   max(n_head, n_stem) >= MERGE_SHARE``); otherwise it heads a new candidate. So
   words that keep appearing together ("rail", "pipeline", "projects") become one
   issue. Its head, which names it, is the stem in the most cue sentences, then the
   one in the fewest paragraphs, then the longest.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bm25s.stopwords import STOPWORDS_EN

from summitry.draft.documents import Document
from summitry.draft.passages import _CUE_RES, _stemmer, stance_cues

__all__ = [
    "BARGAINING_VERBS",
    "MERGE_SHARE",
    "MIN_LENGTH",
    "MIN_PARAGRAPHS",
    "IssueCandidate",
    "cue_sentence",
    "find_issues",
    "sentences",
]

MIN_LENGTH = 4
"""Shortest word taken as an issue term."""
MERGE_SHARE = 0.6
"""Share of shared cue sentences above which two stems make one candidate."""
SPECIFICITY = 1.0
"""Power of the idf in a stem's score."""
MAX_TERMS = 6
"""Most stems in one candidate."""
NEAR = 6
"""Most words between a cue and a word said to be near it."""

BARGAINING_VERBS = (
    "lift", "ease", "halt", "suspend", "freeze", "dismantle", "declare", "sign", "build",
    "open", "close", "end", "stop", "resume", "remove", "reduce", "withdraw", "allow",
    "grant", "exchange", "negotiate", "verify", "inspect", "impose", "relax", "restore",
    "recognise", "recognize", "normalize", "normalise", "abandon", "accept", "give",
)  # fmt: skip
"""Verbs of bargaining: a sentence with one of them (any inflection) is a cue sentence."""

_VERB_RE = re.compile(
    r"(?<![\w’'])(?:"
    + "|".join(rf"{re.escape(v[:-1] if v.endswith('e') else v)}\w{{0,4}}" for v in BARGAINING_VERBS)
    + r")(?![\w’])",
    re.IGNORECASE,
)

# Words that carry no subject of their own: function words beyond bm25s' short list,
# reporting verbs, vague nouns, and the cue and bargaining words themselves.
_GENERIC = frozenset(
    """
    about above across after again against almost along already also although always
    among another anyone anything around away back because become been before being
    below beside besides between both cannot could does doing done down during each
    either else enough even ever every first from further given have having here
    hence however itself just last least less like made make makes making many might
    more most much must neither never next none nothing often once only other others
    ours over own perhaps quite rather really said same says second several shall
    should since some something soon still than that their them themselves then there
    therefore these they thing things third this those though through thus together
    toward towards under until upon very were what whatever when where whether which
    while whom whose will with within without would year years yet your time times
    told tell tells according including include includes certain way ways part fact
    well able likely unlikely possible number lot kind sort point case today week
    month months weeks side sides instead also mostly already new good great big high
    long little small large major important clear clearly real rather former latter
    based seen seem seems seemed appear appears appeared known want wants wanted
    demand demands demanded insist insisted call called calls seek seeks sought
    require requires required press pressed offer offers offered propose proposed
    proposal promise promised pledge pledged ready agree agreed willing refuse refused
    reject rejected rule ruled intention unless exchange return provided condition
    conditional conditions need needs needed expect expected urge urged
    attention detail details substance indicate indicates judgment judgments
    expectation expectations actual move moves brought closer sense view views
    negotiation negotiations talks agreement agreements deal deals compromise
    compromises concession concessions process processes summit summits meeting
    meetings progress outcome outcomes statement statements position positions
    step steps issue issues question questions matter matters role interest interests
    """.split()
) | frozenset(STOPWORDS_EN)

MIN_PARAGRAPHS = 1
"""Paragraphs a word must occur in (anywhere) to count; short sources name a subject once."""
_VERB_CONTEXT = frozenset(
    "to will would can could must should may might shall it they he she we i you "
    "not never also still already just often always has have had does do did".split()
)
_NOT_NOUN = ("ly", "ed", "ing", "ive", "ous", "ful", "able", "ible", "less")
_TOKEN = re.compile(r"[^\W\d_]+(?:[’'][^\W\d_]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class IssueCandidate:
    """One candidate issue found in the documents."""

    id: str
    terms: tuple[str, ...]
    words: tuple[str, ...]
    mentions: tuple[tuple[str, int], ...]
    cue_sentences: int


def sentences(text: str) -> list[str]:
    """The sentences of a paragraph (split after ., ! or ? before a capital or digit)."""
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def cue_sentence(sentence: str) -> bool:
    """Whether a sentence carries a stance cue or a bargaining verb."""
    return bool(stance_cues(sentence)) or _VERB_RE.search(sentence) is not None


def _slug(word: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-") or "issue"


def _excluded_words(exclude: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for name in exclude:
        for tok in _TOKEN.findall(name):
            out.add(tok.lower())
    return out


def _cue_positions(sentence: str) -> list[int]:
    """Character offsets at which a stance cue or a bargaining verb ends."""
    ends = [m.end() for m in _VERB_RE.finditer(sentence)]
    for pattern in _CUE_RES.values():
        ends.extend(m.end() for m in pattern.finditer(sentence))
    return sorted(ends)


def _content_words(
    sentence: str, lowercase_seen: set[str], excluded: set[str]
) -> list[tuple[str, str, bool, bool]]:
    """(stem, surface word, near a cue, used as a verb) of each content word of a sentence.

    A word is used as a verb when ``to``, a modal or a subject pronoun comes just before
    it ("to maintain", "will build", "they ease").

    A word is near a cue when at most :data:`NEAR` words separate it from a stance cue
    or a bargaining verb before it (the object of a demand or an offer).
    """
    cue_ends = _cue_positions(sentence)
    starts = [m.start() for m in _TOKEN.finditer(sentence)]
    tokens = [m.group(0) for m in _TOKEN.finditer(sentence)]
    out = []
    for k, match in enumerate(_TOKEN.finditer(sentence)):
        word = match.group(0)
        low = word.lower()
        if "’" in low or "'" in low:  # possessives and contractions: keep the stem part
            low = re.split(r"[’']", low)[0]
            word = word[: len(low)]
        if len(low) < MIN_LENGTH or low in _GENERIC or low in excluded or _VERB_RE.fullmatch(low):
            continue
        if any(p.fullmatch(low) for p in _CUE_RES.values()):
            continue
        if word.isupper():
            continue
        if word[0].isupper() and (k > 0 or low not in lowercase_seen):
            continue
        if low.endswith(_NOT_NOUN):  # adverbs, participles, adjectives
            continue
        before = [e for e in cue_ends if e <= match.start()]
        near = bool(before) and sum(1 for x in starts if before[-1] <= x < match.start()) <= NEAR
        verb = k > 0 and tokens[k - 1].lower() in _VERB_CONTEXT
        out.append((_stemmer().stemWord(low), low, near, verb))
    return out


def find_issues(
    docs: Sequence[Document], *, exclude: Iterable[str] = (), top: int = 8
) -> list[IssueCandidate]:
    """Candidate issues of the documents, best first (see the module's description).

    ``exclude`` lists names that are never issues (pass every actor alias: "China",
    "Trump"). Returns at most ``top`` candidates.
    """
    if top <= 0:
        return []
    excluded = _excluded_words(exclude)
    lowercase_seen = {
        tok
        for doc in docs
        for par in doc.paragraphs
        for tok in _TOKEN.findall(par.text)
        if tok.islower()
    }
    n_paragraphs = 0
    par_df: Counter[str] = Counter()  # paragraphs in which a stem occurs at all
    where: dict[str, list[tuple[str, int]]] = defaultdict(list)  # occurrences anywhere
    cue_pars: dict[str, set[tuple[str, int]]] = defaultdict(set)
    cue_docs: dict[str, set[str]] = defaultdict(set)
    cue_sents: dict[str, set[int]] = defaultdict(set)  # ids of cue sentences
    cue_near: dict[str, set[int]] = defaultdict(set)  # ... where it is near the cue
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    order: dict[str, int] = {}
    uses: Counter[str] = Counter()  # occurrences of a stem's words
    verb_uses: Counter[str] = Counter()  # ... of which used as a verb
    sentence_id = 0
    for doc in docs:
        for par in doc.paragraphs:
            n_paragraphs += 1
            seen_here: set[str] = set()
            for sent in sentences(par.text):
                words = _content_words(sent, lowercase_seen, excluded)
                is_cue = cue_sentence(sent)
                for stem, word, near, verb in words:
                    order.setdefault(stem, len(order))
                    surface[stem][word] += 1
                    uses[stem] += 1
                    verb_uses[stem] += verb
                    if stem not in seen_here:
                        seen_here.add(stem)
                        par_df[stem] += 1
                        where[stem].append((doc.name, par.number))
                    if is_cue:
                        cue_pars[stem].add((doc.name, par.number))
                        cue_docs[stem].add(doc.name)
                        cue_sents[stem].add(sentence_id)
                        if near:
                            cue_near[stem].add(sentence_id)
                sentence_id += 1

    scores = {}
    for stem in cue_sents:
        if par_df[stem] < MIN_PARAGRAPHS or verb_uses[stem] * 2 > uses[stem]:
            continue  # a subject recurs, and is spoken of as a thing, not an action
        idf = math.log(1.0 + n_paragraphs / par_df[stem])
        spread = len(cue_pars[stem]) + len(cue_docs[stem]) + len(cue_near[stem])
        scores[stem] = spread * idf**SPECIFICITY
    ranked = sorted(scores, key=lambda s: (-scores[s], order[s]))

    groups: list[list[str]] = []
    for stem in ranked:
        for group in groups:
            head = group[0]
            shared = len(cue_sents[head] & cue_sents[stem])
            small, big = sorted((len(cue_sents[head]), len(cue_sents[stem])))
            if (
                len(group) < MAX_TERMS
                and shared >= 1
                and shared / small >= MERGE_SHARE
                and shared / big >= MERGE_SHARE
            ):
                group.append(stem)
                break
        else:
            if len(groups) < top:
                groups.append([stem])

    out = []
    for group in groups:
        # the head: the stem in the most cue sentences, then the rarest, then the longest
        head = max(group, key=lambda s: (len(cue_sents[s]), -par_df[s], len(s), -order[s]))
        group = [head] + [s for s in group if s != head]
        counts: Counter[str] = Counter()
        for stem in group:
            counts.update(surface[stem])
        rank_of = {stem: k for k, stem in enumerate(group)}
        stem_of = {w: s for s in group for w in surface[s]}
        words = sorted(counts, key=lambda w: (-counts[w], rank_of[stem_of[w]], w))
        head_word = surface[group[0]].most_common(1)[0][0]
        mention_set = {m for stem in group for m in where[stem]}
        mentions = tuple(m for doc in docs for m in _doc_order(doc, mention_set))
        n_cue = len(set().union(*(cue_sents[s] for s in group)))
        out.append(IssueCandidate(_slug(head_word), tuple(group), tuple(words), mentions, n_cue))
    return out


def _doc_order(doc: Document, mentions: set[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(doc.name, p.number) for p in doc.paragraphs if (doc.name, p.number) in mentions]
