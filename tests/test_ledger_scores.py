import math

import pytest

from summitry.ledger_scores import ledger_scores


def question(qid, answers, kind="deal", **extra):
    return {"type": "question", "id": qid, "question": {"kind": kind}, "answers": answers, **extra}


def grade(qid, outcome):
    return {"type": "grade", "question_id": qid, "outcome": outcome}


ENTRIES = [
    question("a", {"m1": {"p_deal": 0.8}, "m2": {"p_deal": 0.3}}),
    question("b", {"m1": {"p_deal": 0.4}, "m2": {"p_deal": 0.9}}),
    question(
        "c",
        {"m1": {"median": 20.0, "interval": [10, 30]}, "m2": {"median": 40.0, "interval": [0, 50]}},
        kind="issue:x",
        scale=[0, 50],
        status_quo=0.0,
    ),
    question("d", {"m3": {"p_deal": 1.0}}),
    question("e", {"m1": {"p_deal": 0.5}}),  # never graded: not scored
    grade("a", "yes"),
    grade("b", "no"),
    grade("c", 25.0),
    grade("d", "no"),
]


def test_scores_against_hand_computed_values():
    scores = {s.model: s for s in ledger_scores(ENTRIES)}
    assert list(scores) == ["m1", "m2", "m3", "chance", "status quo"]
    m1, m2, m3 = scores["m1"], scores["m2"], scores["m3"]
    # m1: a 0.8 yes, b 0.4 no -> (0.04 + 0.16) / 2; (-ln 0.8 - ln 0.6) / 2
    assert (m1.deal_count, m1.issue_count) == (2, 1)
    assert m1.brier == pytest.approx(0.10)
    assert m1.log_score == pytest.approx((0.22314355131 + 0.51082562377) / 2)
    # m2: a 0.3 yes, b 0.9 no -> (0.49 + 0.81) / 2; (-ln 0.3 - ln 0.1) / 2
    assert m2.brier == pytest.approx(0.65)
    assert m2.log_score == pytest.approx((1.20397280433 + 2.30258509299) / 2)
    # issue c on [0, 50], graded 25: m1 |20 - 25| / 50 * 100 = 10, m2 |40 - 25| -> 30
    assert m1.mae == pytest.approx(10.0) and m2.mae == pytest.approx(30.0)
    # m3 said 1.0 and it did not happen: Brier 1, log score clipped at 1e-6
    assert (m3.deal_count, m3.brier, m3.issue_count, m3.mae) == (1, 1.0, 0, None)
    assert m3.log_score == pytest.approx(-math.log(1e-6)) == pytest.approx(13.815510558)
    chance, still = scores["chance"], scores["status quo"]
    assert chance.baseline and chance.deal_count == 3 and chance.brier == pytest.approx(0.25)
    assert chance.log_score == pytest.approx(math.log(2))
    assert still.baseline and still.issue_count == 1 and still.mae == pytest.approx(50.0)


def test_no_grade_no_score():
    rows = ledger_scores(ENTRIES[:5])
    assert [(s.model, s.deal_count, s.brier, s.mae) for s in rows] == [
        ("m1", 0, None, None),
        ("m2", 0, None, None),
        ("m3", 0, None, None),
    ]
