"""The scenarios shipped with the package load, and every Korea input is backed by evidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from summitry.scenario import Scenario
from summitry.timeline import states

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "src" / "summitry" / "scenarios"

KOREA = ("korea-singapore-2018", "korea-hanoi-2019", "korea-2017-2019")
BUNDLED = (*KOREA, "ec-example")

SEEDS = {
    # file name -> number of non-blank lines (paragraph N is the N-th non-blank line)
    "000_360bcfc58bd5f3b7.txt": 20,
    "002_b34a1d02e1a42f2b.txt": 20,
}

KOREA_ACTORS = {"us", "dprk", "china", "rok", "russia", "japan"}
KOREA_ISSUES = {"denuclearization", "sanctions", "exercises", "peace", "economic"}

EC_INPUTS = {
    # actor id: (capability, position, salience), as in ExampleActors-input.csv
    "netherlands": (0.08, 4, 0.8),
    "belgium": (0.08, 7, 0.4),
    "luxembourg": (0.03, 4, 0.2),
    "germany": (0.16, 4, 0.8),
    "france": (0.16, 10, 0.6),
    "italy": (0.16, 10, 0.6),
    "uk": (0.16, 10, 0.9),
    "ireland": (0.05, 7, 0.1),
    "denmark": (0.05, 4, 1.0),
    "greece": (0.08, 7, 0.7),
}


def _scenario_dir() -> Path:
    if SCENARIO_DIR.is_dir():
        return SCENARIO_DIR
    import summitry  # an installed package without the source tree next to the tests

    return Path(summitry.__file__).parent / "scenarios"


def load(name: str) -> Scenario:
    path = _scenario_dir() / f"{name}.yaml"
    return Scenario.from_dict(yaml.safe_load(path.read_text(encoding="utf-8")), file=str(path))


def required_paths(sc: Scenario) -> set[str]:
    """Every numeric input that must carry its own evidence entry."""
    paths = {f"actors.{a.id}.capability" for a in sc.actors}
    paths |= {f"issues.{i.id}.status_quo" for i in sc.issues}
    for actor_id, stances in sc.positions.items():
        for issue_id in stances:
            paths.add(f"positions.{actor_id}.{issue_id}.position")
            paths.add(f"positions.{actor_id}.{issue_id}.salience")
    return paths


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_scenario_loads(name: str) -> None:
    sc = load(name)
    assert sc.name == name
    assert sc.description.strip().splitlines()[0].strip()


@pytest.mark.parametrize("name", KOREA)
def test_korea_actors_and_issues(name: str) -> None:
    sc = load(name)
    assert KOREA_ACTORS <= set(sc.actor_ids)
    assert KOREA_ISSUES <= set(sc.issue_ids)
    for issue in sc.issues:
        assert (issue.scale.min, issue.scale.max) == (0, 100)
        assert issue.scale.low and issue.scale.high
        assert issue.status_quo is not None
    for actor_id in sc.actor_ids:
        assert set(sc.positions[actor_id]) == set(sc.issue_ids), actor_id


@pytest.mark.parametrize("name", KOREA)
def test_korea_every_input_has_evidence(name: str) -> None:
    sc = load(name)
    covered = {ev.supports for ev in sc.evidence}
    missing = sorted(required_paths(sc) - covered)
    assert not missing, f"inputs without evidence: {missing}"


@pytest.mark.parametrize("name", KOREA)
def test_korea_evidence_sources(name: str) -> None:
    sc = load(name)
    for ev in sc.evidence:
        assert ev.rationale.strip(), ev.supports
        if ev.source == "assumption":
            assert ev.paragraph is None, ev.supports
            continue
        assert ev.source in SEEDS, f"{ev.supports}: unknown source {ev.source!r}"
        assert isinstance(ev.paragraph, int) and not isinstance(ev.paragraph, bool), ev.supports
        assert 1 <= ev.paragraph <= SEEDS[ev.source], f"{ev.supports}: paragraph {ev.paragraph}"


@pytest.mark.parametrize("name", KOREA)
def test_korea_veto_holders(name: str) -> None:
    sc = load(name)
    vetoes = {a.id: set(a.veto) for a in sc.actors}
    issues = set(sc.issue_ids)
    assert vetoes["us"] == issues
    assert vetoes["dprk"] == issues
    assert "sanctions" in vetoes["china"]
    assert "sanctions" in vetoes["russia"]
    assert not vetoes["rok"]
    assert not vetoes["japan"]


@pytest.mark.parametrize("name", KOREA)
def test_korea_metadata(name: str) -> None:
    meta = load(name).metadata
    assert {"date", "venue", "sources", "note"} <= set(meta)
    files = {s["file"] for s in meta["sources"]}
    assert files == set(SEEDS)
    assert "judgement" in meta["note"]


@pytest.mark.parametrize("name", KOREA)
def test_korea_messages_and_events_have_evidence(name: str) -> None:
    sc = load(name)
    covered = {ev.supports for ev in sc.evidence}
    needed = {f"messages.{m.id}" for m in sc.messages} | {f"events.{e.id}" for e in sc.events}
    assert not needed - covered, sorted(needed - covered)
    for event in sc.events:
        assert event.label.strip() and event.date


def _inputs_equal(a: Scenario, b: Scenario, *, status_quo: bool = True) -> None:
    x, y = a.to_arrays(), b.to_arrays()
    for field in ("position", "salience", "capability", "veto", "present"):
        np.testing.assert_allclose(getattr(x, field), getattr(y, field), err_msg=field)
    if status_quo:
        np.testing.assert_allclose(x.status_quo, y.status_quo)
    for field in ("belief_position", "belief_salience", "belief_capability"):
        u, v = getattr(x, field), getattr(y, field)
        assert (u is None or np.isnan(u).all()) == (v is None or np.isnan(v).all()), field
        if u is not None and v is not None:
            np.testing.assert_allclose(u, v, err_msg=field)
    s, t = x.terms, y.terms  # walk-away values, credibility, ratifiers, links
    assert (s is None) == (t is None), "terms"
    if s is not None:
        assert s.ratifiers == t.ratifiers
        for field in (
            "walk_away",
            "discount",
            "ratifier_actor",
            "ratifier_position",
            "ratifier_salience",
            "ratifier_walk_away",
            "ratifier_trigger",
        ):
            np.testing.assert_allclose(getattr(s, field), getattr(t, field), err_msg=field)
        assert [(k.id, k.kind, k.issues) for k in s.links] == [
            (k.id, k.kind, k.issues) for k in t.links
        ]
        for k, m in zip(s.links, t.links, strict=True):
            np.testing.assert_allclose(k.min_move, m.min_move, err_msg=k.id)


def test_korea_timeline_meets_the_two_summit_files() -> None:
    steps = states(load("korea-2017-2019"))
    after = {e.id: s.scenario for s in steps for e in s.events}
    # after Singapore: the Singapore file, with the status quo the summit moved
    _inputs_equal(after["singapore-summit"], load("korea-singapore-2018"), status_quo=False)
    # on the eve of Hanoi: the Hanoi file, messages included
    _inputs_equal(steps[-1].scenario, load("korea-hanoi-2019"))


def test_korea_status_quo_changes_between_summits() -> None:
    before = {i.id: i.status_quo for i in load("korea-singapore-2018").issues}
    after = {i.id: i.status_quo for i in load("korea-hanoi-2019").issues}
    assert after["exercises"] > before["exercises"]  # halted after Singapore
    assert after["peace"] > before["peace"]  # first leader summit held


def test_ec_example_matches_input_file() -> None:
    sc = load("ec-example")
    assert sc.actor_ids == tuple(EC_INPUTS)
    assert sc.issue_ids == ("emissions",)
    issue = sc.issue("emissions")
    assert (issue.scale.min, issue.scale.max) == (4, 10)
    for actor_id, (capability, position, salience) in EC_INPUTS.items():
        assert sc.actor(actor_id).capability == pytest.approx(capability)
        stance = sc.positions[actor_id]["emissions"]
        assert stance.position == pytest.approx(position)
        assert stance.salience == pytest.approx(salience)
    assert sc.metadata["outcome"] == pytest.approx(8.833)
    assert sc.metadata["bdm_forecast"] == pytest.approx(8.35)
    assert {ev.source for ev in sc.evidence} == {"ExampleActors-input.csv"}
    assert {ev.supports for ev in sc.evidence} == {f"actors.{a}" for a in EC_INPUTS}


def _date(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in str(text).split("-"))


def _known_by(when: str, as_of: str) -> bool:
    """True when ``when`` is surely on or before ``as_of`` (compared as far as both go)."""
    a, b = _date(when), _date(as_of)
    n = min(len(a), len(b))
    return a[:n] < b[:n] or (a[:n] == b[:n] and len(a) >= len(b))


@pytest.mark.parametrize("name", ["korea-singapore-2018", "korea-hanoi-2019"])
def test_korea_uses_only_what_was_known_on_its_as_of_date(name: str) -> None:
    sc = load(name)
    as_of = sc.metadata["as_of"]
    published = {s["file"]: s["published"] for s in sc.metadata["sources"]}
    for doc in sc.metadata.get("background", []):
        assert _known_by(doc["date"], as_of), doc["title"]
    for ev in sc.evidence:
        if ev.fact_date is not None:
            assert _known_by(ev.fact_date, as_of), ev.supports
        elif ev.source in published:
            assert _known_by(published[ev.source], as_of), f"{ev.supports} needs a fact_date"
