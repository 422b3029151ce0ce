"""The phase-2 candidates on small hand-made cases with known answers."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from summitry.backtest.candidates import (
    VETO_STRUCTURES,
    acceptable,
    agenda_setter,
    blend,
    candidates,
    compromise_forecasts,
    institutional_capability,
    largest_member_weight,
    model_forecasts,
    reference_points,
    veto_players,
)
from summitry.backtest.capabilities import assign
from summitry.io.deu import ACTORS, read_deu
from summitry.io.deu import DeuIssue as Issue
from summitry.models import MODELS
from summitry.models.compromise import Compromise

SMALL = Path(__file__).parents[1] / "data" / "deu" / "small.tsv"
PRE_NICE = date(1999, 3, 1)  # EU-15: de fr it uk 10, es 8, be el nl pt 5, at se 4, dk ie fi 3, lu 2
NICE_25 = date(2005, 3, 1)  # 232 of 321 votes cast by at least 13 of 25 members


def issue(
    positions: dict[str, float],
    *,
    reference: float | None = 0.0,
    voting: str = "QMV",
    procedure: str = "CNS",
    day: date = PRE_NICE,
    saliences: dict[str, float] | None = None,
    name: str = "x1i1",
) -> Issue:
    ordered = {a: positions[a] for a in ACTORS if a in positions}
    sal = {a: (saliences or {}).get(a, 50.0) for a in ordered}
    return Issue(
        proposal=name.split("i")[0],
        issue=name,
        procedure=procedure,
        voting=voting,
        min_members=None,
        introduced=day,
        positions=ordered,
        saliences=sal,
        reference=reference,
        outcome=50.0,
    )


@pytest.fixture(scope="module")
def small():
    return [i for i in read_deu(SMALL) if i.outcome is not None]


def by_key():
    return {c.key: c for c in candidates()}


# -- the list and its grids -------------------------------------------------------------------


def test_candidates_follow_the_protocol_table():
    found = {c.key: (c.number, len(c.grid)) for c in candidates()}
    expected = {
        "eum": (1, 24),
        "blend": (2, 11),
        "nash-veto": (3, 6),
        "compromise-weights": (4, 50),
        "procedural": (5, 5),
    }
    if "smp" in MODELS:
        expected["smp"] = (6, 8)
    assert found == expected
    assert [c.number for c in candidates()] == sorted(found[k][0] for k in found)


def test_grids_are_in_the_listed_order():
    c = by_key()
    assert [g["w"] for g in c["blend"].grid] == [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4,
                                                 0.45, 0.5]  # fmt: skip
    assert c["eum"].grid[0] == dict(q=0.5, risk="scholz", probability="scholz", outcome="median")
    assert c["eum"].grid[1] == dict(q=0.5, risk="scholz", probability="scholz", outcome="mean")
    assert c["eum"].grid[-1] == dict(q=1.0, risk="neutral", probability="pairwise", outcome="mean")
    assert [tuple(g.values()) for g in c["nash-veto"].grid] == [
        (v, u) for v in VETO_STRUCTURES for u in ("quadratic", "linear")
    ]
    assert c["compromise-weights"].grid[0] == dict(scheme="treaty", commission=0, parliament=0)
    assert c["compromise-weights"].grid[1] == dict(scheme="treaty", commission=0, parliament=0.5)
    assert c["procedural"].grid[-1] == {"w": 1}


def test_every_candidate_forecasts_every_issue(small):
    for c in candidates():
        for config in (c.grid[0], c.grid[-1]):
            forecast = c.forecast(small, config)
            assert forecast.shape == (len(small),) and np.isfinite(forecast).all(), c.key


# -- 2: the blend ------------------------------------------------------------------------------


def test_blend_weight_0_is_compromise_and_1_the_reference_point(small):
    compromise = compromise_forecasts(small)
    reference = reference_points(small)
    assert compromise.tolist() == [50.0, 32.0, 50.0, 50.0]
    assert np.isnan(reference[1])
    forecast = by_key()["blend"].forecast
    assert forecast(small, {"w": 0}).tolist() == compromise.tolist()
    # where there is a reference point, exactly it; where not (p99001i2), the compromise
    assert forecast(small, {"w": 1}).tolist() == [0.0, 32.0, 100.0, 50.0]
    assert forecast(small, {"w": 0.25}).tolist() == [37.5, 32.0, 62.5, 50.0]
    assert blend(np.array([10.0]), np.array([np.nan]), 0.5).tolist() == [10.0]


# -- 3: Nash with veto players ----------------------------------------------------------------


def test_veto_players_by_rule_and_procedure():
    positions = {"com": 10, "ep": 20, "de": 0, "fr": 100}
    unan_cod = issue(positions, voting="Unan", procedure="COD")
    qmv_cod = issue(positions, procedure="COD")
    unan_cns = issue(positions, voting="Unan")
    assert veto_players(unan_cod, "none") == frozenset()
    assert veto_players(unan_cod, "unanimity") == {"de", "fr"}
    assert veto_players(unan_cod, "unanimity+parliament") == {"de", "fr", "ep"}
    assert veto_players(qmv_cod, "unanimity") == frozenset()
    assert veto_players(qmv_cod, "unanimity+parliament") == {"ep"}
    assert veto_players(unan_cns, "unanimity+parliament") == {"de", "fr"}  # EP only consulted
    with pytest.raises(ValueError, match="unknown veto structure"):
        veto_players(qmv_cod, "qmv")


def nash(issues, vetoes, utility="quadratic"):
    return by_key()["nash-veto"].forecast(issues, {"vetoes": vetoes, "utility": utility})


@pytest.mark.parametrize("utility", ["quadratic", "linear"])
def test_under_unanimity_a_state_that_would_lose_blocks(utility):
    # Germany sits at the reference point: any change leaves it worse off
    positions = {"com": 100, "de": 20, "fr": 100, "it": 100}
    unan = issue(positions, reference=20, voting="Unan")
    qmv = issue(positions, reference=20)
    assert nash([unan], "unanimity", utility)[0] == pytest.approx(20.0, abs=1e-6)
    assert nash([unan], "none", utility)[0] > 50
    assert nash([qmv], "unanimity", utility)[0] == pytest.approx(nash([qmv], "none", utility)[0])
    assert nash([qmv], "unanimity", utility)[0] > 50


def test_the_parliament_blocks_under_co_decision_only_with_its_veto():
    positions = {"com": 100, "ep": 20, "de": 100, "fr": 100}
    cod = issue(positions, reference=20, procedure="COD")
    assert nash([cod], "unanimity+parliament")[0] == pytest.approx(20.0, abs=1e-6)
    assert nash([cod], "unanimity")[0] > 50


def test_a_veto_player_that_gains_lets_the_outcome_move_towards_it():
    # Germany at 40 gains from moves up to 60 (twice its distance from the reference point)
    positions = {"com": 100, "de": 40, "fr": 100, "it": 100}
    unan = issue(positions, reference=20, voting="Unan")
    x = nash([unan], "unanimity")[0]
    assert 40 < x <= 60 + 1e-6
    assert nash([unan], "none")[0] > x


def test_nash_without_a_reference_point_gives_the_compromise(small):
    for vetoes in VETO_STRUCTURES:
        forecast = nash(small, vetoes)
        assert forecast[1] == compromise_forecasts(small)[1]  # p99001i2 has no reference point


def test_issues_with_different_vetoes_are_batched_apart():
    positions = {"com": 100, "de": 20, "fr": 100, "it": 100}
    pair = [issue(positions, reference=20, voting="Unan"), issue(positions, reference=20)]
    together = nash(pair, "unanimity")
    alone = [nash([i], "unanimity")[0] for i in pair]
    assert together.tolist() == pytest.approx(alone)
    assert together[0] != pytest.approx(together[1])


# -- 4: compromise with institutional weights ---------------------------------------------------


@pytest.mark.parametrize("scheme", ["treaty", "shapley"])
def test_institutional_weights_1_1_are_the_treaty_assignment(small, scheme):
    for i in small:
        assert institutional_capability(i, scheme, 1, 1) == dict(assign(i, scheme).capability)
    forecast = by_key()["compromise-weights"].forecast
    config = {"scheme": "treaty", "commission": 1, "parliament": 1}
    assert forecast(small, config).tolist() == compromise_forecasts(small).tolist()


def test_institutional_weights_by_hand():
    # pre-Nice: the largest member state has 10 votes
    positions = {"com": 100, "ep": 80, "de": 0, "lu": 50}
    cod = issue(positions, procedure="COD")
    cns = issue(positions)
    assert largest_member_weight(cod, "treaty") == 10
    assert largest_member_weight(cod, "shapley") == pytest.approx(100 * 0.1167, abs=0.01)
    assert institutional_capability(cod, "treaty", 2, 4) == {"com": 20, "ep": 40, "de": 10, "lu": 2}
    assert institutional_capability(cns, "treaty", 2, 4) == {"com": 20, "ep": 0, "de": 10, "lu": 2}
    forecast = by_key()["compromise-weights"].forecast
    # equal saliences: (20*100 + 40*80 + 10*0 + 2*50) / (20 + 40 + 10 + 2)
    got = forecast([cod], {"scheme": "treaty", "commission": 2, "parliament": 4})
    assert got[0] == pytest.approx((2000 + 3200 + 100) / 72)
    # Commission and Parliament weight 0: the member states alone, (10*0 + 2*50) / 12
    got = forecast([cod], {"scheme": "treaty", "commission": 0, "parliament": 0})
    assert got[0] == pytest.approx(100 / 12)


# -- 5: the procedural model --------------------------------------------------------------------

EU15 = ("at", "be", "dk", "fi", "fr", "de", "el", "ie", "it", "lu", "nl", "pt", "es", "se", "uk")
BIG4 = ("fr", "de", "it", "uk")  # 40 votes
NEXT5 = ("es", "be", "el", "nl", "pt")  # 28 votes; 68 with the big four, of 87 (quota 62)


def council(at: dict[tuple[str, ...], float], rest: float = 0.0, **kw) -> dict[str, float]:
    out = dict.fromkeys(EU15, rest)
    for states, p in at.items():
        out.update(dict.fromkeys(states, p))
    return out | kw


def test_qmv_pivot_bounds_the_commission():
    # big four at 40 (accept up to 80), next five at 20 (up to 40), the rest at 0
    positions = council({BIG4: 40, NEXT5: 20}, com=100)
    one = issue(positions)
    assert acceptable(one) == (0.0, 40.0)  # 40 votes < 62 accept 80; 68 >= 62 accept 40
    assert agenda_setter(one) == 40.0
    assert agenda_setter(issue(positions | {"com": 30})) == 30.0  # inside: its own position
    assert agenda_setter(issue(positions | {"com": 0})) == 0.0


def test_unanimity_is_bounded_by_the_least_willing_state():
    positions = council({BIG4: 40, NEXT5: 20}, rest=10, com=100)
    assert agenda_setter(issue(positions, voting="Unan")) == 20.0  # states at 10 accept up to 20
    assert agenda_setter(issue(positions)) == 40.0
    positions = council({BIG4: 40, NEXT5: 20}, rest=0, com=100)
    assert agenda_setter(issue(positions, voting="Unan")) == 0.0  # states at 0 block


def test_the_parliament_must_consent_under_co_decision():
    positions = council({BIG4: 40, NEXT5: 20}, com=100, ep=10)
    assert agenda_setter(issue(positions, procedure="COD")) == 20.0
    assert agenda_setter(issue(positions, procedure="CNS")) == 40.0
    below = positions | {"ep": 0}  # the Parliament at the reference point accepts nothing
    assert agenda_setter(issue(below, procedure="COD")) == 0.0


def test_moves_down_work_alike():
    positions = council({BIG4: 60, NEXT5: 80}, rest=100, com=0)
    assert acceptable(issue(positions, reference=100)) == (60.0, 100.0)
    assert agenda_setter(issue(positions, reference=100)) == 60.0


def test_states_without_a_position_go_along():
    # only the big four coded: the eleven others (47 votes) accept any change
    positions = {"com": 100, **dict.fromkeys(BIG4, 40)}
    assert acceptable(issue(positions)) == (0.0, 80.0)
    assert agenda_setter(issue(positions, voting="Unan")) == 80.0


def test_nice_needs_a_majority_of_members_as_well():
    # the 12 largest of EU-25 cast 243 >= 232 votes but are 12 < 13 members
    votes = assign(issue({"de": 0}, day=NICE_25), "treaty").council.weights
    largest = sorted(votes, key=lambda s: -votes[s])
    twelve = {s: 50.0 for s in largest[:12]} | {s: 0.0 for s in largest[12:]}
    assert sum(votes[s] for s in largest[:12]) >= 232
    assert agenda_setter(issue(twelve | {"com": 100}, day=NICE_25)) == 0.0
    thirteen = twelve | {largest[12]: 50.0}
    assert agenda_setter(issue(thirteen | {"com": 100}, day=NICE_25)) == 100.0


def test_no_forecast_without_reference_point_or_commission():
    positions = council({BIG4: 40}, com=100)
    assert agenda_setter(issue(positions, reference=None)) is None
    no_com = {k: v for k, v in positions.items() if k != "com"}
    assert agenda_setter(issue(no_com)) is None


def test_procedural_blend_ends(small):
    forecast = by_key()["procedural"].forecast
    compromise = compromise_forecasts(small)
    assert forecast(small, {"w": 0}).tolist() == compromise.tolist()
    setter = [agenda_setter(i) for i in small]
    full = forecast(small, {"w": 1})
    for k, x in enumerate(setter):
        assert full[k] == (compromise[k] if x is None else x)


# -- 1 and 6: the models at the grid's settings -------------------------------------------------


def test_eum_candidate_runs_the_model_with_the_config(small):
    from summitry.models.eum import ExpectedUtility

    config = {"q": 0.75, "risk": "neutral", "probability": "pairwise", "outcome": "mean"}
    direct = model_forecasts(small, ExpectedUtility(**config))
    assert by_key()["eum"].forecast(small, config).tolist() == direct.tolist()


def test_model_forecasts_of_the_compromise(small):
    assert model_forecasts(small, Compromise()).tolist() == [50.0, 32.0, 50.0, 50.0]
