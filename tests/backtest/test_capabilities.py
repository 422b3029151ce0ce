from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from summitry.backtest.capabilities import COUNCILS, SCHEMES, assign, council_for
from summitry.backtest.power import shapley_shubik
from summitry.errors import ParameterError, ScenarioError
from summitry.io.deu import MEMBER_STATES, read_deu

SMALL = Path(__file__).parents[1] / "data" / "deu" / "small.tsv"
BY_NAME = {c.name: c for c in COUNCILS}


@pytest.mark.parametrize(
    ("name", "members", "total", "quota", "min_members"),
    [
        ("pre-nice-15", 15, 87, 62, 0),
        ("accession-25", 25, 124, 88, 0),
        ("nice-25", 25, 321, 232, 13),
        ("nice-27", 27, 345, 255, 14),
        ("nice-28", 28, 352, 260, 15),
    ],
)
def test_council_vote_tables(name, members, total, quota, min_members):
    council = BY_NAME[name]
    assert len(council.weights) == members
    assert council.total == total
    assert council.quota == quota and council.min_members == min_members
    assert set(council.weights) <= set(MEMBER_STATES)


def test_lisbon_population_shares():
    lisbon = BY_NAME["lisbon-28"]
    assert set(lisbon.weights) == set(MEMBER_STATES)
    assert lisbon.total == pytest.approx(100.0, abs=0.02)
    assert lisbon.quota == 65.0 and lisbon.min_members == 16 and lisbon.blocking == 4
    assert max(lisbon.weights, key=lisbon.weights.get) == "de"


def test_periods_follow_each_other_without_gaps():
    for before, after in zip(COUNCILS, COUNCILS[1:], strict=False):
        assert (after.start - before.end).days == 1


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(1996, 2, 7), "pre-nice-15"),
        (date(2004, 4, 30), "pre-nice-15"),
        (date(2004, 5, 1), "accession-25"),
        (date(2004, 10, 31), "accession-25"),
        (date(2004, 11, 1), "nice-25"),
        (date(2007, 1, 1), "nice-27"),
        (date(2013, 7, 1), "nice-28"),
        (date(2014, 11, 1), "lisbon-28"),
        (date(2017, 9, 13), "lisbon-28"),
    ],
)
def test_council_in_force_on_a_day(day, name):
    council, advanced = council_for(day)
    assert council.name == name and not advanced


def test_acceding_states_coded_early_advance_the_table():
    council, advanced = council_for(date(2005, 12, 1), frozenset({"de", "bu", "ro"}))
    assert council.name == "nice-27" and advanced
    council, advanced = council_for(date(2012, 9, 26), frozenset({"cr"}))
    assert council.name == "nice-28" and advanced


def test_no_table_before_1995():
    with pytest.raises(ScenarioError, match="tables start on 1 January 1995"):
        council_for(date(1994, 12, 31))


def test_treaty_scheme_on_the_small_file():
    first, _, cod, _, last = read_deu(SMALL)
    # consultation: the Parliament is only consulted
    assert assign(first).capability == {"ep": 0.0, "fr": 10.0, "de": 10.0, "lu": 2.0}
    # co-decision: Commission and Parliament as the largest member state
    assert assign(cod).capability == {"com": 10.0, "ep": 10.0, "de": 10.0}
    assert assign(last).council.name == "pre-nice-15"


def test_lisbon_institutions_get_the_largest_share():
    issue = replace(read_deu(SMALL)[2], introduced=date(2016, 5, 25))
    capability = assign(issue).capability
    assert capability == {"com": 15.93, "ep": 15.93, "de": 15.93}


def test_equal_scheme():
    issue = read_deu(SMALL)[0]
    assert assign(issue, "equal").capability == dict.fromkeys(issue.actors, 1.0)


def test_unknown_scheme():
    with pytest.raises(ParameterError, match="unknown capability scheme 'votes'"):
        assign(read_deu(SMALL)[0], "votes")
    assert SCHEMES == ("treaty", "shapley", "equal")


def test_shapley_pre_nice_matches_the_published_indices():
    weights = list(BY_NAME["pre-nice-15"].weights.values())
    index = 100 * shapley_shubik(weights, 62)
    expected = [11.67] * 4 + [9.55] + [5.52] * 4 + [4.54] * 2 + [3.53] * 3 + [2.07]
    assert index == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize("name", [c.name for c in COUNCILS])
def test_shapley_indices_sum_to_one_and_respect_the_weights(name):
    council = BY_NAME[name]
    scale = 100 if council.kind == "population" else 1
    weights = [round(w * scale) for w in council.weights.values()]
    quota = (
        int(np.ceil(0.65 * sum(weights))) if council.kind == "population" else int(council.quota)
    )
    index = shapley_shubik(
        weights, quota, min_members=council.min_members, blocking=council.blocking
    )
    assert index.sum() == pytest.approx(1.0)
    order = np.argsort(weights, kind="stable")
    assert np.all(np.diff(index[order]) >= -1e-12)  # more weight, never less power


def test_shapley_small_games():
    assert shapley_shubik([2, 1, 1], 3) == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    # a member count makes small members pivotal too
    assert shapley_shubik([3, 1, 1], 3, min_members=2) == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    # the blocking-minority clause: any two of three win whatever their weight
    assert shapley_shubik([10, 1, 1], 11, blocking=2) == pytest.approx([1 / 3] * 3)


def test_shapley_scheme_under_unanimity_is_equal():
    cod = read_deu(SMALL)[2]  # Unan, pre-Nice
    capability = assign(cod, "shapley").capability
    assert capability["de"] == pytest.approx(100 / 15)
    assert capability["com"] == capability["ep"] == capability["de"]


def test_shapley_scheme_under_qmv():
    first = read_deu(SMALL)[0]
    capability = assign(first, "shapley").capability
    assert capability["de"] == pytest.approx(11.666, abs=1e-3)
    assert capability["lu"] == pytest.approx(2.069, abs=1e-3)
    assert capability["ep"] == 0.0
