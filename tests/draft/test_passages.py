from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.draft.documents import document_from_text
from summitry.draft.passages import PassageIndex, actor_pattern, stance_cues

TEXT_A = """Negotiators met again in the capital.
Ruritania demands that all sanctions be lifted before any talks.
Sanctions on grain exports remain in force, officials said.
Ruritania hosted a trade fair last week.
"""
TEXT_B = """The weather was mild during the visit.
Freedonia is ready to ease sanctions if inspectors return.
"""


def _docs():
    return [document_from_text("a.txt", TEXT_A), document_from_text("b.txt", TEXT_B)]


def test_actor_and_issue_outrank_issue_only():
    got = PassageIndex(_docs()).rank(["Ruritania"], ["sanctions"], top=3)
    assert [(p.document, p.paragraph) for p in got][0] == ("a.txt", 2)
    assert {(p.document, p.paragraph) for p in got} == {("a.txt", 2), ("a.txt", 3), ("b.txt", 2)}
    assert all(p.score > 0 for p in got)
    assert "demand" in got[0].cues


def test_top_is_respected_and_empty_query_gives_nothing():
    index = PassageIndex(_docs())
    assert len(index.rank(["Ruritania"], ["sanctions"], top=1)) == 1
    assert index.rank(["Ruritania"], [], top=3) == []
    assert index.rank(["Ruritania"], ["the of and"], top=3) == []
    assert index.rank(["Ruritania"], ["sanctions"], top=0) == []
    assert PassageIndex([]).rank(["Ruritania"], ["sanctions"]) == []


def test_stance_cues():
    assert stance_cues("They demand a full halt.") == ("demand",)
    assert stance_cues("We are ready to talk.") == ("offer",)
    assert stance_cues("They rejected the plan.") == ("refusal",)
    assert stance_cues("Only after a freeze, in exchange for aid.") == ("condition",)
    assert stance_cues("The weather was mild during the visit.") == ()
    assert stance_cues("Sniffing and offsets are unlisted words.") == ()


def test_acronym_is_case_sensitive():
    pattern = actor_pattern(["US", "United States"])
    assert pattern.search("talks with the US began")
    assert pattern.search("the united states said")
    assert not pattern.search("let us begin")
    assert actor_pattern([" "]) is None


PARAS = [
    "Ruritania wants sanctions lifted.",
    "Sanctions stay, officials said.",
    "Ruritania rejects any sanctions relief.",
    "Freedonia offers to ease sanctions on grain.",
    "Nothing was said about trade.",
    "Ruritania will not discuss grain sanctions.",
]


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(3)))
def test_document_order_changes_only_ties(order):
    chunks = [PARAS[0:2], PARAS[2:4], PARAS[4:6]]
    docs = [document_from_text(f"d{k}.txt", "\n".join(c)) for k, c in enumerate(chunks)]
    base = PassageIndex(docs).rank(["Ruritania"], ["sanctions relief"], top=6)
    other = PassageIndex([docs[k] for k in order]).rank(["Ruritania"], ["sanctions relief"], top=6)
    assert sorted((p.document, p.paragraph) for p in base) == sorted(
        (p.document, p.paragraph) for p in other
    )
    assert [round(p.score, 9) for p in base] == [round(p.score, 9) for p in other]
