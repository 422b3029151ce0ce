from summitry.draft.documents import document_from_text
from summitry.draft.issues import find_issues, sentences

DOC_A = """Ruritania demands that the embargo be lifted before talks resume.
The talks will be held in the capital. Observers praised the weather.
Freedonia offers to ease the embargo if inspectors return to the reactor.
Ruritania refuses to open the reactor to inspectors.
"""
DOC_B = """Freedonia will not lift the embargo unless the reactor is closed.
Both sides want talks. The talks continue.
Ruritania insists that the embargo must end.
"""


def _docs():
    return [document_from_text("a.txt", DOC_A), document_from_text("b.txt", DOC_B)]


def test_sentences():
    assert sentences("One thing. Two things! Three?") == ["One thing.", "Two things!", "Three?"]


def test_issues_from_cue_sentences_with_actors_excluded():
    found = find_issues(_docs(), exclude=["Ruritania", "Freedonia"], top=5)
    ids = [c.id for c in found]
    assert ids[0] == "embargo"
    assert any("reactor" in c.terms or "inspector" in c.terms for c in found)
    assert all(c.id not in {"ruritania", "freedonia", "weather"} for c in found)
    first = found[0]
    assert first.words[0] == "embargo"
    assert first.cue_sentences == 4
    assert first.mentions == (("a.txt", 1), ("a.txt", 3), ("b.txt", 1), ("b.txt", 3))
    assert len(find_issues(_docs(), exclude=["Ruritania", "Freedonia"], top=1)) == 1
    assert find_issues(_docs(), top=0) == []
    assert find_issues([]) == []


def test_generic_word_ranks_below_specific_one():
    text = "\n".join(
        [f"The forum met again on day {k}." for k in range(8)]
        + [
            "Ruritania demands tariffs be cut at the forum.",
            "Freedonia offers lower tariffs.",
        ]
    )
    found = find_issues([document_from_text("f.txt", text)], exclude=["Ruritania", "Freedonia"])
    ids = [c.id for c in found]
    assert "tariffs" in ids and "forum" in ids
    assert ids.index("tariffs") < ids.index("forum")


def test_co_occurring_terms_merge():
    text = "\n".join(
        [
            "Ruritania offers to build the railway and the pipeline.",
            "Freedonia demands the railway and the pipeline be halted.",
            "Ruritania wants fish quotas raised.",
            "Freedonia refuses higher fish quotas.",
        ]
    )
    found = find_issues([document_from_text("m.txt", text)], exclude=["Ruritania", "Freedonia"])
    groups = [set(c.terms) for c in found]
    assert {"railway", "pipelin"} in groups
    assert {"fish", "quota"} in groups


def test_a_word_used_as_a_verb_is_no_issue():
    from summitry.draft.documents import document_from_text
    from summitry.draft.issues import find_issues

    text = (
        "France demands that tariffs be lifted and wants to maintain the quota.\n"
        "Germany offers to ease tariffs if France will maintain calm.\n"
        "Italy insists tariffs fall; it can maintain its quota.\n"
    )
    found = {i.id for i in find_issues([document_from_text("t.txt", text)])}
    assert "tariffs" in found and "maintain" not in found
