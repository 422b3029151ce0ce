from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.draft.actors import ActorCandidate, find_actors, mentions_actor
from summitry.draft.documents import Document, document_from_text, read_document

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_FILES = ["000_360bcfc58bd5f3b7.txt", "002_b34a1d02e1a42f2b.txt"]

TITLED = """U.S. President Donald Trump met the North Korean leader Kim Jong-un in Hanoi.
Kim Jong-un, North Korea's leader, later met Chinese President Xi Jinping in Beijing.
Russian President Vladimir Putin and South Korea's president Moon Jae-in spoke.
Trump said Kim and Xi agreed; Putin and Moon were told. Kim Jong-nam was not there.
"""


def by_id(actors: list[ActorCandidate]) -> dict[str, ActorCandidate]:
    return {a.id: a for a in actors}


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    if not all((SEEDS / f).is_file() for f in SEED_FILES):
        pytest.skip("the seed documents are not beside the repository")
    return [read_document(SEEDS / f) for f in SEED_FILES]


def test_seed_documents_give_the_six_states(seeds):
    actors = by_id(find_actors(seeds))
    assert {"usa", "prk", "chn", "kor", "rus", "jpn"} <= set(actors)
    assert actors["prk"].name == "North Korea" and actors["prk"].kind == "state"
    assert {"North Korea", "North Korean", "DPRK", "Pyongyang"} <= set(actors["prk"].aliases)
    assert {"US", "U.S.", "United States", "Washington"} <= set(actors["usa"].aliases)
    assert "Moon Jae-in" in actors["kor"].leaders
    assert "Sergey Lavrov" in actors["rus"].leaders
    assert "unsc" in actors and actors["unsc"].kind == "organisation"
    # a state named only as a place is no candidate
    assert "mys" not in actors
    counts = [len(a.mentions) for a in actors.values()]
    assert counts == sorted(counts, reverse=True)
    mentions = actors["prk"].mentions
    assert len(set(mentions)) == len(mentions)
    assert list(mentions) == sorted(mentions, key=lambda m: (SEED_FILES.index(m[0]), m[1]))


def test_leaders_are_mapped_from_titles_and_their_family_names_follow():
    actors = by_id(find_actors([document_from_text("t.txt", TITLED)]))
    assert actors["usa"].leaders == ("Donald Trump",)
    assert actors["prk"].leaders == ("Kim Jong-un",)
    assert actors["chn"].leaders == ("Xi Jinping",)
    assert actors["rus"].leaders == ("Vladimir Putin",)
    assert actors["kor"].leaders == ("Moon Jae-in",)
    for ident, family in [("usa", "Trump"), ("prk", "Kim"), ("chn", "Xi"), ("kor", "Moon")]:
        assert family in actors[ident].aliases
    # paragraph 4 names every leader by family name only
    for ident in ["usa", "prk", "chn", "rus", "kor"]:
        assert ("t.txt", 4) in actors[ident].mentions
    assert "Kim Jong-nam" not in actors["prk"].aliases


def test_a_name_never_seen_with_a_title_is_no_actor():
    actors = find_actors([document_from_text("t.txt", "Jane Roe met John Doe in Paris.")])
    assert actors == []


def test_korean_peninsula_names_no_state():
    text = "Peace on the Korean peninsula matters to every Korean family.\nKorea is divided."
    assert find_actors([document_from_text("t.txt", text)]) == []


def test_north_korean_is_not_also_south_or_plain_korean():
    actors = by_id(find_actors([document_from_text("t.txt", "A North Korean envoy spoke.")]))
    assert set(actors) == {"prk"}
    assert actors["prk"].aliases == ("North Korean",)


def test_us_is_case_sensitive():
    assert find_actors([document_from_text("t.txt", "Let us talk, said one of us.")]) == []
    actors = by_id(find_actors([document_from_text("t.txt", "The US will talk.")]))
    assert set(actors) == {"usa"}


def test_organisations_are_found():
    text = "The IAEA inspected the site.\nThe European Union and the EU Council met; NATO did not."
    actors = by_id(find_actors([document_from_text("t.txt", text)]))
    assert actors["iaea"].kind == "organisation"
    assert actors["iaea"].mentions == (("t.txt", 1),)
    assert set(actors["eu"].aliases) == {"European Union", "EU"}
    assert "nato" in actors


def test_min_mentions_keeps_the_frequent():
    text = "China spoke.\nChina again.\nJapan once."
    actors = find_actors([document_from_text("t.txt", text)], min_mentions=2)
    assert [a.id for a in actors] == ["chn"]


def test_mentions_actor():
    actors = by_id(find_actors([document_from_text("t.txt", TITLED)]))
    prk, usa = actors["prk"], actors["usa"]
    assert mentions_actor(prk, "Pyongyang rejected the offer.")
    assert mentions_actor(prk, "Kim left early.")
    assert not mentions_actor(prk, "Seoul rejected the offer.")
    assert not mentions_actor(prk, "The Korean peninsula.")
    assert mentions_actor(usa, "Trump left early.")
    assert mentions_actor(usa, "The US left early.")
    assert not mentions_actor(usa, "He left us early.")


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(first=names, second=names)
def test_renaming_documents_changes_only_the_names_in_mentions(first, second):
    if first == second:
        return
    texts = [TITLED, "Beijing and Washington met.\nThe EU watched. Japan was silent."]
    before = find_actors([document_from_text(n, t) for n, t in zip("ab", texts, strict=True)])
    after = find_actors(
        [document_from_text(n, t) for n, t in zip([first, second], texts, strict=True)]
    )
    rename = {"a": first, "b": second}
    assert [(a.id, a.aliases, a.leaders) for a in before] == [
        (a.id, a.aliases, a.leaders) for a in after
    ]
    for x, y in zip(before, after, strict=True):
        assert tuple((rename[d], n) for d, n in x.mentions) == y.mentions
