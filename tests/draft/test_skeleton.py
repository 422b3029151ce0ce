"""summitry draft and summitry evidence: the skeleton, the suggestions, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from summitry import lint
from summitry.cli import app
from summitry.draft import proposals
from summitry.draft.check import suggest_evidence
from summitry.draft.documents import document_from_text, read_documents
from summitry.draft.skeleton import PLACEHOLDER, SUGGESTED, draft
from summitry.scenario import Scenario

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEED_FILES = ["000_360bcfc58bd5f3b7.txt", "002_b34a1d02e1a42f2b.txt"]

NOTE = """Talks on the border
Germany demands that tariffs on steel be lifted before any quota is agreed.
France offers to ease tariffs on steel if Germany accepts a quota on imports.
Germany refuses a quota on imports unless tariffs on steel are lifted first.
The weather in Brussels was mild.
France insists on a quota on imports and will not lift tariffs on steel alone.
"""


def docs():
    return [document_from_text("note.txt", NOTE)]


def test_the_skeleton_validates_with_placeholders_and_suggested_evidence():
    result = draft(docs(), name="steel")
    sc = result.scenario()
    assert {a.id for a in result.actors} >= {"deu", "fra"}
    assert sc.actor("deu").capability == PLACEHOLDER["capability"]
    stances = [st for by in sc.positions.values() for st in by.values()]
    assert stances and all(st.position == 50 and st.salience == 0.5 for st in stances)
    assert all(i.scale.low == "" and i.scale.high == "" for i in sc.issues)
    assert sc.evidence and all(ev.rationale.startswith(SUGGESTED) for ev in sc.evidence)
    for ev in sc.evidence:
        actor = ev.supports.split(".")[1]
        text = docs()[0].paragraph(ev.paragraph).text
        assert {"deu": "Germany", "fra": "France"}.get(actor, "") in text
    said = lint.warnings(sc)
    assert any("metadata.draft" in w for w in said) and any("suggestions" in w for w in said)
    assert "Brussels" not in {i.id for i in result.issues}
    assert result.yaml_text().startswith("# A scenario drafted by `summitry draft`")


def test_a_document_naming_no_actor_gives_one_clear_error():
    with pytest.raises(Exception, match="nothing to draft"):
        draft([document_from_text("empty.txt", "The weather was mild.\nIt rained.")])


def test_proposals_replace_placeholders_and_cite_their_quote(monkeypatch):
    def fake(endpoint, docs, actors, issues, *, passages=None, max_chars=60_000):
        issue = issues[0][0]
        kept = proposals.Proposal(
            "deu", issue, "position", 80.0, "Germany demands that tariffs on steel",
            "note.txt", 2,
        )  # fmt: skip
        lost = proposals.Dropped({"actor": "fra", "quote": "made up"}, "quote not found")
        return [kept], [lost]

    monkeypatch.setattr(proposals, "propose", fake)
    endpoint = proposals.Endpoint(url="http://127.0.0.1:9/v1", model="m")
    result = draft(docs(), endpoint=endpoint)
    sc = result.scenario()
    issue = result.issues[0].id
    assert sc.positions["deu"][issue].position == 80
    cited = [ev for ev in sc.evidence if ev.supports == f"positions.deu.{issue}.position"]
    assert cited and cited[0].paragraph == 2 and "word for word" in cited[0].rationale
    assert [d.why for d in result.dropped] == ["quote not found"]


SCENARIO = {
    "name": "steel",
    "issues": [
        {"id": "tariffs", "description": "Tariffs on steel", "scale": {"min": 0, "max": 100}},
        {"id": "quota", "description": "A quota on imports", "scale": {"min": 0, "max": 100}},
    ],
    "actors": [
        {"id": "germany", "name": "Germany", "capability": 1.0},
        {"id": "france", "name": "France", "capability": 1.0},
    ],
    "positions": {
        "germany": {
            "tariffs": {"position": 0, "salience": 0.9},
            "quota": {"position": 10, "salience": 0.5},
        },
        "france": {
            "tariffs": {"position": 60, "salience": 0.4},
            "quota": {"position": 90, "salience": 0.8},
        },
    },  # fmt: skip
    "evidence": [
        {
            "supports": "positions.germany.tariffs",
            "source": "note.txt",
            "paragraph": 2,
            "rationale": "fits",
        },
        {
            "supports": "positions.france.quota.position",
            "source": "note.txt",
            "paragraph": 5,
            "rationale": "the weather line names neither",
        },
        {
            "supports": "positions.france.tariffs",
            "source": "note.txt",
            "paragraph": 40,
            "rationale": "no such paragraph",
        },
    ],  # fmt: skip
}


def test_evidence_suggests_passages_and_flags_what_does_not_fit():
    found = suggest_evidence(Scenario.from_dict(SCENARIO), docs())
    missing = {(s.actor, s.issue): s for s in found.suggestions}
    assert ("germany", "tariffs") not in missing
    assert missing[("france", "quota")].fields == ("salience",)
    best = missing[("germany", "quota")].passages[0]
    assert "Germany" in best.text and "quota" in best.text
    flags = {f.index: f.why for f in found.flags}
    assert set(flags) == {1, 2}
    assert "does not name 'france'" in flags[1] and "does not speak of 'quota'" in flags[1]
    assert "not 40" in flags[2]
    assert found.checked == 3


def test_cli_draft_writes_a_valid_file_and_evidence_reports(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    out = tmp_path / "steel.yaml"
    r = CliRunner().invoke(app, ["draft", str(note), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "written to" in r.stdout
    Scenario.from_dict(yaml.safe_load(out.read_text()))
    r = CliRunner().invoke(app, ["draft", str(note), "--json"])
    assert {a["id"] for a in json.loads(r.stdout)["actors"]} >= {"deu", "fra"}
    sc = tmp_path / "sc.yaml"
    sc.write_text(yaml.safe_dump(SCENARIO))
    r = CliRunner().invoke(app, ["evidence", str(sc), str(note), "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["flags"]) == 2


def test_cli_bad_documents_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "d.yaml"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00 not text")
    for args in (["draft", str(bad), "-o", str(out)],
                 ["draft", str(tmp_path / "missing.txt"), "-o", str(out)]):  # fmt: skip
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2
        assert r.output.startswith("error: ") and len(r.output.strip().splitlines()) == 1
        assert not out.exists()
    empty = tmp_path / "empty.txt"
    empty.write_text("Nothing here names a state.\n")
    r = CliRunner().invoke(app, ["draft", str(empty), "-o", str(out)])
    assert r.exit_code == 2 and "nothing to draft" in r.output and not out.exists()
    r = CliRunner().invoke(app, ["draft", str(empty), "--llm"], env={"SUMMITRY_LLM_URL": ""})
    assert r.exit_code == 2 and "SUMMITRY_LLM_URL" in r.output


def test_the_seed_documents_meet_the_yardstick():
    if not all((SEEDS / f).is_file() for f in SEED_FILES):
        pytest.skip("the seed documents are not beside the repository")
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "draft_yardstick.py"
    spec = importlib.util.spec_from_file_location("draft_yardstick", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.measure(read_documents([SEEDS / f for f in SEED_FILES]))
    assert figures["actors_found"] == figures["actors"]
    assert figures["issues_covered"] >= 4
    assert figures["top3_share"] >= 0.70
