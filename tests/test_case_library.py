"""Every case of the library: valid, dated before its outcome, sourced before its date, and
none of the negotiations kept aside to test the method on cases it was never fitted to."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import pytest

from summitry import io
from summitry.library import BUNDLED_CASES, case_library, case_path, library_counts, load_case

CASES = case_library()
IDS = [c.id for c in CASES]

# (keywords, year): a case is one of these when a keyword appears in its id, name,
# description or venue and the year is its as_of, date or outcome year (or is in its id or name)
KEPT_ASIDE: list[tuple[tuple[str, ...], int]] = [
    (("reykjavik", "reykjavík", "höfði", "hofdi"), 1986),
    (("dayton",), 1995),
    (("kyoto",), 1997),
    (("camp david", "camp-david"), 2000),
    (("doha", "wto", "july package"), 2008),
    (("minsk",), 2015),
    (("iran", "jcpoa", "joint comprehensive plan"), 2015),
    (("stockholm",), 2019),
]


def _days(date: Any) -> tuple[dt.date, dt.date]:
    """First and last day a YYYY[-MM[-DD]] date may stand for."""
    parts = [int(p) for p in str(date).split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last)
    day = dt.date(*parts)
    return day, day


def _years(scenario) -> set[int]:
    md = scenario.metadata
    found = {_days(md[k])[0].year for k in ("as_of", "date") if md.get(k)}
    if scenario.outcome is not None:
        found.add(_days(scenario.outcome.date)[0].year)
    return found


def kept_aside(case_id: str, scenario) -> list[str]:
    """The kept-aside negotiations this case looks like, as ``keyword year``."""
    venue = str(scenario.metadata.get("venue", ""))
    text = " ".join([case_id, scenario.name, scenario.description, venue]).lower()
    label = f"{case_id} {scenario.name}".lower()
    years = _years(scenario)
    hits = []
    for keywords, year in KEPT_ASIDE:
        for word in keywords:
            if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) and (
                year in years or str(year) in label
            ):
                hits.append(f"{word} {year}")
    return hits


@pytest.fixture(scope="module")
def scenarios():
    return {c.id: load_case(c.id) for c in CASES}


def test_the_library_holds_the_bundled_korea_summits():
    for name in BUNDLED_CASES:
        assert name in IDS
        assert case_path(name) is not None
    assert case_path("no-such-case") is None
    assert case_path("../scenarios/ec-example") is None


@pytest.mark.parametrize("case_id", IDS)
def test_case_validates_and_is_loadable_by_id(case_id):
    scenario = load_case(case_id)
    assert io.load(case_id).digest() == scenario.digest()  # wherever a FILE is accepted


@pytest.mark.parametrize("case_id", IDS)
def test_case_is_dated_before_its_outcome(case_id, scenarios):
    scenario = scenarios[case_id]
    as_of = scenario.metadata.get("as_of")
    assert as_of, f"{case_id}: metadata.as_of is missing"
    if scenario.outcome is not None:
        assert _days(as_of)[1] < _days(scenario.outcome.date)[0], (
            f"{case_id}: outcome dated {scenario.outcome.date}, not after as_of {as_of}"
        )


@pytest.mark.parametrize("case_id", IDS)
def test_every_issue_has_a_status_quo(case_id, scenarios):
    missing = [i.id for i in scenarios[case_id].issues if i.status_quo is None]
    assert not missing, f"{case_id}: no status quo on {missing}"


@pytest.mark.parametrize("case_id", IDS)
def test_evidence_was_public_by_as_of(case_id, scenarios):
    scenario = scenarios[case_id]
    as_of = _days(scenario.metadata["as_of"])[1]
    published = {}
    for entry in scenario.metadata.get("sources", []):
        for key in ("id", "file"):
            if isinstance(entry, dict) and entry.get(key):
                published[str(entry[key])] = entry.get("published")
    late = []
    for k, ev in enumerate(scenario.evidence):
        if ev.source == "assumption":
            continue
        if ev.source not in published:
            late.append(f"evidence[{k}] ({ev.supports}): source '{ev.source}' is not listed")
            continue
        date = published[ev.source]
        if date and _days(date)[1] <= as_of:
            continue
        if ev.fact_date and _days(ev.fact_date)[1] <= as_of:
            continue
        late.append(f"evidence[{k}] ({ev.supports}): '{ev.source}' published {date}")
    assert not late, f"{case_id}, as_of {scenario.metadata['as_of']}: " + "; ".join(late)


@pytest.mark.parametrize("case_id", IDS)
def test_no_case_encodes_a_negotiation_kept_aside(case_id, scenarios):
    hits = kept_aside(case_id, scenarios[case_id])
    assert not hits, f"{case_id} looks like a negotiation kept aside: {hits}"


def _stub(name: str, description: str, venue: str, as_of: str):
    text = f"""\
name: {name}
description: {description}
metadata: {{as_of: "{as_of}", venue: {venue}}}
issues: [{{id: x, scale: {{min: 0, max: 1}}, status_quo: 0}}]
actors: [{{id: a, capability: 1}}]
positions: {{a: {{x: {{position: 1, salience: 1}}}}}}
"""
    from summitry.io.yaml_format import read_yaml

    return read_yaml(text, file=f"{name}.yaml")


@pytest.mark.parametrize(
    ("name", "description", "venue", "as_of", "kept"),
    [
        ("camp-david-2000", "Israeli-Palestinian summit", "Maryland", "2000-07-10", True),
        ("summit", "Barak and Arafat", "Camp David, Maryland", "2000-07-10", True),
        ("camp-david-accords", "Egypt and Israel", "Camp David", "1978-09-04", False),
        ("us-taliban", "agreement signed in Doha", "Doha, Qatar", "2020-02-20", False),
        ("wto-july", "ministerial of the Doha round", "Geneva", "2008-07-20", True),
        ("vienna-talks", "the Iran nuclear talks", "Vienna", "2015-07-01", True),
        ("minsk-ii", "Normandy format", "Minsk", "2015-02-10", True),
        ("minsk-protocol", "Trilateral Contact Group", "Minsk", "2014-09-04", False),
        ("stockholm-2019", "working-level talks", "Sweden", "2019-10-04", True),
        ("hanoi", "second summit", "Hanoi", "2019-02-26", False),
    ],
)
def test_the_guard_tells_kept_aside_cases_from_allowed_ones(name, description, venue, as_of, kept):
    scenario = _stub(name, description, venue, as_of)
    assert bool(kept_aside(name, scenario)) is kept


def test_library_counts_add_up_while_the_library_grows(scenarios):
    counts = library_counts(list(scenarios.values()))
    assert counts["cases"] == len(CASES) >= len(BUNDLED_CASES)
    assert counts["deals"] + counts["failures"] + counts["open"] == counts["cases"]
    assert counts["deals"] >= 1 and counts["failures"] >= 1  # Singapore and Hanoi
