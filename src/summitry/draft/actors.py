"""Candidate actors found in documents: states, organisations and their leaders.

Rule-based and offline. A state is named by a name pycountry gives it (``name``,
``common_name``, ``official_name``; inverted forms such as "Korea, Republic of" are left
out) or by a form in the bundled ``aliases.yaml`` (short forms, demonyms, capitals);
an organisation by a form in that file. Forms match case-sensitively on word
boundaries and the longest form wins ("North Korean" is not also "Korean"), so "US"
is not "us" and a plain "Korea" names no state. Three rules keep place names from
counting where they do not stand for a government:

- a form directly after a capitalised word in mid-sentence is part of another name
  ("Air China", "New Mexico", "George Washington") and does not count;
- a state's name or capital directly before a meeting word ("the Singapore summit",
  "the Hanoi talks") names a venue and does not count;
- a capital alone, or a state's name only ever used as a place ("in Malaysia", "flew to
  Singapore"), does not make a state an actor: they only add mentions to a state the
  documents also name otherwise.

Leaders come from the documents, not from a list: a person name (two or more
capitalised words, hyphenated parts allowed) next to a title tied to an actor in the
same sentence ("Chinese President Xi Jinping", "South Korea's president Moon Jae-in",
"Kim Jong-un, North Korea's leader", "Moon Jae-in, the president of South Korea") is
that actor's; a name seen with titles of several actors goes to the most frequent.
Every written form of a mapped name is then an alias, and so is the bare family name
("Xi", "Kim", "Trump") when no other mapped person of another actor shares it. A
person name never seen with a title is no actor (and its words count for none).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from summitry.draft.documents import Document

__all__ = ["ActorCandidate", "find_actors", "mentions_actor"]


@dataclass(frozen=True)
class ActorCandidate:
    """An actor the documents name.

    ``id`` is the lower-case ISO 3166 alpha-3 code of a state or an organisation's
    lower-case acronym; ``aliases`` are the forms found in the documents (most frequent
    first); ``leaders`` the person names mapped to it; ``mentions`` the
    ``(document name, paragraph number)`` pairs where any alias occurs, each once, in
    document order.
    """

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    leaders: tuple[str, ...]
    mentions: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Form:
    id: str | None  # None: a person name that maps to no actor (blocks its words)
    role: str  # name, demonym, capital, org, leader, surname, person


_TITLE_CORE = (
    r"(?:[Pp]resident|[Ll]eader|[Pp]rime [Mm]inister|[Pp]remier|[Cc]hairman|"
    r"[Ss]ecretary of [Ss]tate|[Ss]ecretary-[Gg]eneral|[Dd]irector-[Gg]eneral|"
    r"[Mm]inister|[Kk]ing|[Qq]ueen|[Cc]hancellor|[Ee]nvoy|[Aa]mbassador)"
)
_TITLE_WORDS = {
    "president", "leader", "prime", "minister", "premier", "chairman", "chairwoman",
    "foreign", "secretary", "state", "king", "queen", "chancellor", "envoy",
    "ambassador", "deputy", "vice", "supreme", "general", "special", "senior", "former",
    "mr", "mrs", "ms", "dr", "sir", "secretary-general", "director-general", "director",
    "defense", "defence", "trade", "finance", "emperor", "crown", "prince", "princess",
}  # fmt: skip
_STOP_WORDS = {
    "the", "a", "an", "in", "on", "at", "as", "but", "and", "or", "if", "when", "while",
    "this", "that", "these", "those", "its", "his", "her", "their", "our", "we", "it",
    "he", "she", "they", "only", "yet", "last", "most", "some", "both", "even", "for",
    "from", "to", "of", "with", "by", "after", "before", "despite", "although", "since",
    "moreover", "however", "then", "so", "not", "no", "all", "any", "each", "every",
    "unless", "whether", "what", "where", "who", "how", "why", "there", "here", "one",
}  # fmt: skip
_MEETING = re.compile(
    r"\s+(?:[Ss]ummits?|[Tt]alks|[Cc]onferences?|[Mm]eetings?|[Dd]eclarations?|"
    r"[Ss]tatements?|[Aa]ccords?|[Aa]greements?|[Ff]orums?|[Cc]ommuniqu[ée]s?|"
    r"[Pp]rocess|[Rr]ound)\b"
)
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|to|from|via|across|through|near|into|inside|within|around)\s+(?:the\s+)?$"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;][\"”’)\]]*\s+|[\"“‘(\[]\s*)$")
_WORD = re.compile(r"\w+(?:-\w+)*")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_]*(?:-[^\W\d_]+)*")
_TITLE_BEFORE = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+){0,2}?" + _TITLE_CORE + r",?\s+$")
_TITLE_OF_END = re.compile(r"\b" + _TITLE_CORE + r"\s+of\s+(?:the\s+)?$")
_TITLE_AFTER = re.compile(r"^(?:['’]s)?\s+(?:[\w-]+\s+){0,2}?" + _TITLE_CORE + r"\b")
_TITLE_OF_AFTER = re.compile(
    r"^,\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?" + _TITLE_CORE + r"\s+of\s+(?:the\s+)?$"
)
_COMMA_THE = re.compile(r"^,\s+(?:the\s+)?$")


def _variants(form: str) -> list[str]:
    out = [form]
    if "'" in form:
        out.append(form.replace("'", "’"))
    return out


@lru_cache(maxsize=1)
def _base() -> tuple[dict[str, _Form], dict[str, tuple[str, str]]]:
    """Forms from aliases.yaml and pycountry, and each id's (name, kind)."""
    import pycountry

    text = resources.files("summitry.draft").joinpath("aliases.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    forms: dict[str, _Form] = {}
    info: dict[str, tuple[str, str]] = {}

    def add(form: str, ident: str, role: str) -> None:
        for v in _variants(form.strip()):
            if v and v not in forms:
                forms[v] = _Form(ident, role)

    for ident, entry in (data.get("states") or {}).items():
        info[ident] = (entry["name"], "state")
        add(entry["name"], ident, "name")
        for form in entry.get("short") or ():
            add(form, ident, "name")
        for form in entry.get("demonyms") or ():
            add(form, ident, "demonym")
            if form.endswith(("an", "i")):
                add(form + "s", ident, "demonym")
        for form in entry.get("capitals") or ():
            add(form, ident, "capital")
    for ident, entry in (data.get("organisations") or {}).items():
        info[ident] = (entry["name"], "organisation")
        add(entry["name"], ident, "org")
        for form in entry.get("short") or ():
            add(form, ident, "org")
    for country in pycountry.countries:
        ident = country.alpha_3.lower()
        names = [getattr(country, f, None) for f in ("common_name", "name", "official_name")]
        names = [n for n in names if n and "," not in n and "(" not in n]
        names = [n[4:] if n.startswith("the ") else n for n in names]
        if ident not in info:
            info[ident] = (names[0] if names else country.name, "state")
        for n in names:
            add(n, ident, "name")
    return forms, info


def _matcher(forms: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted(set(forms), key=lambda f: (-len(f), f))
    body = "|".join(re.escape(f) for f in alternatives)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


@lru_cache(maxsize=1)
def _base_matcher() -> re.Pattern[str]:
    return _matcher(_base()[0])


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    surface: str
    form: _Form


def _mid_sentence_capital_before(text: str, start: int, kept: list[_Span]) -> bool:
    """Whether a capitalised word that is not a title precedes ``start`` mid-sentence."""
    m = re.search(r"([^\W\d_][\w’'-]*) $", text[:start])
    if not m or not m.group(1)[0].isupper():
        return False
    word = m.group(1)
    if word.lower() in _TITLE_WORDS or word.lower() in _STOP_WORDS:
        return False
    if kept and kept[-1].end == m.end(1):
        return False
    return not _SENTENCE_START.search(text[: m.start(1)])


def _spans(text: str, pattern: re.Pattern[str], forms: dict[str, _Form]) -> list[_Span]:
    """Alias occurrences in ``text`` after the rules that leave out other names."""
    kept: list[_Span] = []
    for m in pattern.finditer(text):
        form = forms[m.group(0)]
        span = _Span(m.start(), m.end(), m.group(0), form)
        if form.id is None:  # a person name mapped to no actor
            kept.append(span)
            continue
        if form.role not in ("leader", "surname") and _mid_sentence_capital_before(
            text, m.start(), kept
        ):
            continue
        if (
            form.role in ("name", "capital")
            and _base()[1].get(form.id, ("", ""))[1] == "state"
            and not text[: m.start()].endswith(("-", "–"))
            and _MEETING.match(text, m.end())
        ):
            continue
        if form.role == "name" and _PLACE_BEFORE.search(text[: m.start()]):
            span = _Span(span.start, span.end, span.surface, _Form(form.id, "place"))
        kept.append(span)
    return kept


def _person_runs(text: str, spans: list[_Span]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Runs of two or more capitalised name words that are no alias, title or stop word."""
    covered = [(s.start, s.end) for s in spans if s.form.id is not None]
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    current: list[re.Match[str]] = []

    def close() -> None:
        if len(current) >= 2:
            runs.append((current[0].start(), current[-1].end(), tuple(w.group(0) for w in current)))
        current.clear()

    for w in _WORD.finditer(text):
        word = w.group(0)
        ok = (
            _NAME_WORD.fullmatch(word) is not None
            and word[0].isupper()
            and not word.isupper()
            and len(word) >= 2
            and word.lower() not in _TITLE_WORDS
            and word.lower() not in _STOP_WORDS
            and not any(a < w.end() and w.start() < b for a, b in covered)
        )
        if ok and current and text[current[-1].end() : w.start()] != " ":
            close()
        if ok:
            current.append(w)
        else:
            close()
    close()
    return runs


def _titled_actor(text: str, start: int, end: int, spans: list[_Span]) -> str | None:
    """The actor a title next to the name at ``text[start:end]`` ties it to, if any."""
    actors = [s for s in spans if s.form.id is not None and s.form.role != "surname"]
    before = [s for s in actors if s.end <= start]
    if before:
        s = before[-1]
        gap = text[s.end : start]
        if _TITLE_BEFORE.match(gap):
            return s.form.id
        if re.fullmatch(r",?\s+", gap) and _TITLE_OF_END.search(text[: s.start]):
            return s.form.id
    after = [s for s in actors if s.start >= end]
    if after:
        s = after[0]
        gap = text[end : s.start]
        if _COMMA_THE.match(gap) and _TITLE_AFTER.match(text[s.end :]):
            return s.form.id
        if _TITLE_OF_AFTER.match(gap):
            return s.form.id
    return None


def _name_key(words: Sequence[str]) -> str:
    return " ".join(words).replace("-", " ").lower()


def find_actors(docs: Sequence[Document], *, min_mentions: int = 1) -> list[ActorCandidate]:
    """Candidate actors named in ``docs``, most mentioned first (ties by id).

    An actor's mention count is the number of paragraphs where any of its aliases
    occurs; candidates with fewer than ``min_mentions`` are left out.
    """
    base_forms, info = _base()
    base = _base_matcher()
    paragraphs = [(d.name, p.number, p.text) for d in docs for p in d.paragraphs]

    # Pass 1: person names and the titles that tie them to actors.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    words_of: dict[str, tuple[str, ...]] = {}
    run_spans: list[list[tuple[int, int]]] = []
    for _, _, text in paragraphs:
        spans = _spans(text, base, base_forms)
        runs = _person_runs(text, spans)
        run_spans.append([(a, b) for a, b, _ in runs])
        for a, b, words in runs:
            key = _name_key(words)
            surfaces[key][text[a:b]] += 1
            words_of.setdefault(key, words)
            actor = _titled_actor(text, a, b, spans)
            if actor is not None:
                votes[key][actor] += 1
    mapped = {key: c.most_common(1)[0][0] for key, c in votes.items()}

    # Family names: the first or last word, whichever stands alone more often.
    def standalone(token: str) -> int:
        pat = re.compile(r"(?<!\w)" + re.escape(token) + r"(?!\w)")
        n = 0
        for (_, _, text), runs in zip(paragraphs, run_spans, strict=True):
            n += sum(1 for m in pat.finditer(text) if not any(a <= m.start() < b for a, b in runs))
        return n

    family: dict[str, str] = {}
    for key in mapped:
        words = words_of[key]
        first, last = words[0], words[-1]
        counts = {last: standalone(last), first: standalone(first)}
        if counts[last] >= counts[first] and counts[last] > 0:
            family[key] = last
        elif counts[first] > 0:
            family[key] = first
        else:
            family[key] = first if "-" in last else last
    owners: dict[str, set[str]] = defaultdict(set)
    for key, token in family.items():
        owners[token].add(mapped[key])

    forms = dict(base_forms)
    for key, sf in surfaces.items():
        for surface in sf:
            if surface not in forms:
                forms[surface] = _Form(mapped.get(key), "leader" if key in mapped else "person")
    for key, token in family.items():
        if len(owners[token]) == 1 and token not in forms and len(token) >= 2:
            forms[token] = _Form(mapped[key], "surname")

    # Pass 2: every alias occurrence.
    pattern = _matcher(forms)
    found: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[tuple[str, str], int] = {}
    where: dict[str, dict[tuple[str, int], None]] = defaultdict(dict)
    roles: dict[str, set[str]] = defaultdict(set)
    order = 0
    for doc_name, number, text in paragraphs:
        for s in _spans(text, pattern, forms):
            if s.form.id is None:
                continue
            found[s.form.id][s.surface] += 1
            first_seen.setdefault((s.form.id, s.surface), order)
            order += 1
            where[s.form.id][(doc_name, number)] = None
            roles[s.form.id].add(s.form.role)

    leaders: dict[str, Counter[str]] = defaultdict(Counter)
    for key, actor in mapped.items():
        surface = surfaces[key].most_common(1)[0][0]
        leaders[actor][surface] += sum(surfaces[key].values())

    out = []
    for ident, counter in found.items():
        if roles[ident] <= {"capital", "place"}:
            continue
        mentions = tuple(where[ident])
        if len(mentions) < min_mentions:
            continue
        aliases = sorted(counter, key=lambda a: (-counter[a], first_seen[(ident, a)]))
        name, kind = info.get(ident, (ident, "state"))
        out.append(
            ActorCandidate(
                id=ident,
                name=name,
                kind=kind,
                aliases=tuple(aliases),
                leaders=tuple(n for n, _ in leaders[ident].most_common()),
                mentions=mentions,
            )
        )
    out.sort(key=lambda c: (-len(c.mentions), c.id))
    return out


def mentions_actor(candidate: ActorCandidate, text: str) -> bool:
    """Whether ``text`` names ``candidate`` by any of its aliases or leaders.

    The same rules as :func:`find_actors` apply: case-sensitive forms on word
    boundaries, the longest form winning over the bundled forms of other actors.
    """
    base_forms, _ = _base()
    forms = dict(base_forms)
    changed = False
    for alias in (*candidate.aliases, *candidate.leaders):
        known = forms.get(alias)
        if known is None or known.id != candidate.id:
            forms[alias] = _Form(candidate.id, "leader")
            changed = True
    pattern = _matcher(forms) if changed else _base_matcher()
    return any(s.form.id == candidate.id for s in _spans(text, pattern, forms))
