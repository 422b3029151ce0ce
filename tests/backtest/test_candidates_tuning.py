"""Phase 2: tuning sees only the tuning part, judging only the held-out part; the win rule."""

import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from summitry.backtest import phase2
from summitry.backtest.candidates import Candidate, candidates, label
from summitry.backtest.phase2 import (
    ALPHA,
    RECORD,
    Verdict,
    choose,
    judge,
    part_issues,
    tune,
    tuning_markdown,
)
from summitry.backtest.report import (
    HELD_OUT_BLOCK,
    TUNING_BLOCK,
    _block,
    main,
    update_held_out,
    update_tuning,
)
from summitry.backtest.split import split
from summitry.errors import ParameterError
from summitry.io.deu import DeuIssue, read_deu

ROOT = Path(__file__).parents[2]
SMALL = ROOT / "tests" / "data" / "deu" / "small.tsv"
DOC = ROOT / "docs" / "backtest.md"
DEVELOPMENT = ROOT / ".." / "shared" / "reference" / "deu" / "deu3-development.tsv"


def _issue(proposal: str, k: int, outcome: float | None = 50.0) -> DeuIssue:
    return DeuIssue(
        proposal=proposal,
        issue=f"{proposal}i{k}",
        procedure="COD" if proposal.startswith("d") else "CNS",
        voting="QMV",
        min_members=None,
        introduced=date(1999, 1, 1),
        positions={"com": 10.0 * k, "de": 0.0, "fr": 100.0},
        saliences={"com": 50.0, "de": 50.0, "fr": 50.0},
        reference=20.0,
        outcome=outcome,
    )


FAKE = [_issue(p, k) for p in ("d1", "d2", "d3", "d4", "d5", "n1", "n2", "n3") for k in (1, 2)]
FAKE.append(_issue("d1", 3, outcome=None))  # no outcome: never scored


class Spy:
    """A candidate whose forecast records the issues it is shown."""

    def __init__(self, value=lambda i: 40.0):
        self.seen: list[DeuIssue] = []
        self.value = value

    def forecast(self, issues, config):
        self.seen += list(issues)
        return np.array([self.value(i) + config["shift"] for i in issues], float)

    def candidate(self, number=9, key="spy"):
        grid = ({"shift": 0.0}, {"shift": 10.0}, {"shift": 10.0}, {"shift": -5.0})
        return Candidate(number, key, "records what it sees", grid, self.forecast)


def test_tuning_never_sees_a_held_out_proposal():
    parts = split(FAKE)
    spy = Spy()
    tuned = tune(spy.candidate(), FAKE, parts)
    assert spy.seen, "the objective saw no issue"
    assert {i.proposal for i in spy.seen} <= set(parts.tuning)
    assert not {i.proposal for i in spy.seen} & set(parts.held_out)
    assert all(i.outcome is not None for i in spy.seen)
    # every tuning issue with an outcome, once per configuration
    expected = [i.issue for i in part_issues(FAKE, parts, "tuning")]
    assert [i.issue for i in spy.seen] == expected * 4
    assert tuned.n == len(expected)
    # outcomes are all 50; forecasts 40 + shift: MAE 10, 0, 0, 15: the first of the tie
    assert tuned.mae == (10.0, 0.0, 0.0, 15.0)
    assert tuned.chosen == 1 and tuned.config == {"shift": 10.0}


def test_tuning_of_real_candidates_never_sees_held_out_issues(monkeypatch):
    parts = split(FAKE)
    seen = []
    import summitry.backtest.run as run

    real = run.batches

    def spy(issues, *args, **kwargs):
        seen.extend(issues)
        return real(issues, *args, **kwargs)

    monkeypatch.setattr("summitry.backtest.candidates.batches", spy)
    for c in candidates():
        if c.key in ("eum", "smp"):  # slow; the same path as nash-veto
            continue
        tune(c, FAKE, parts)
    assert seen and {i.proposal for i in seen} <= set(parts.tuning)


def test_judging_sees_only_the_held_out_part():
    parts = split(FAKE)
    spy = Spy()
    verdicts = judge([(spy.candidate(), {"shift": 0.0})], FAKE, parts, bootstrap=200)
    assert {i.proposal for i in spy.seen} <= set(parts.held_out)
    assert [i.issue for i in spy.seen] == [i.issue for i in part_issues(FAKE, parts, "held-out")]
    assert verdicts[0].n == len(spy.seen)


def test_choose_breaks_ties_by_order():
    assert choose([2.0, 1.0, 1.0]) == 1
    assert choose([1.0 + 1e-12, 1.0]) == 0  # within the tie tolerance
    assert choose([1.0 + 1e-6, 1.0]) == 1


def _verdict(by_issue, by_proposal):
    c = Spy().candidate()
    return Verdict(c, {}, 10, 1.0, 2.0, -1.0, by_issue, by_proposal, 1 - ALPHA / 6)


def test_win_rule():
    assert _verdict((-2.0, -0.1), (-2.5, -0.05)).verdict == "yes"
    assert _verdict((-2.0, -0.1), (-2.5, 0.3)).verdict == "yes, not robust to resampling proposals"
    assert _verdict((-2.0, 0.0), (-2.5, -0.1)).verdict == "no"  # touching 0 is no win
    assert _verdict((-2.0, 0.4), (-2.5, 0.5)).verdict == "no"  # a point estimate below 0


def test_judge_uses_the_bonferroni_level_and_the_untuned_compromise():
    parts = split(FAKE)
    oracle = Spy(value=lambda i: i.outcome).candidate(1, "oracle")
    same = Candidate(2, "same", "the compromise", ({},), lambda issues, c: _compromise(issues))
    verdicts = judge([(oracle, {"shift": 0.0}), (same, {})], FAKE, parts, bootstrap=500)
    assert [v.level for v in verdicts] == [1 - 0.05 / 2] * 2
    held = part_issues(FAKE, parts, "held-out")
    base = np.mean(np.abs(_compromise(held) - 50.0))
    assert verdicts[0].compromise_mae == pytest.approx(base)
    assert verdicts[0].mae == 0.0 and verdicts[0].diff == pytest.approx(-base)
    assert verdicts[1].diff == 0.0 and verdicts[1].by_issue == (0.0, 0.0)
    assert verdicts[1].verdict == "no"
    assert verdicts[0].by_issue[1] < 0 and verdicts[0].verdict.startswith("yes")


def _compromise(issues):
    from summitry.backtest.candidates import compromise_forecasts

    return compromise_forecasts(issues)


# -- the two commands, end to end on the small file ---------------------------------------------

PAGE = """# page

<!-- backtest-tuning:begin -->
<!-- backtest-tuning:end -->

text between

<!-- backtest-held-out:begin -->
<!-- backtest-held-out:end -->
"""


@pytest.fixture
def fast(monkeypatch):
    """Only the quick candidates, so the small file tunes in a moment."""
    quick = tuple(c for c in candidates() if c.key not in ("eum", "smp"))
    monkeypatch.setattr(phase2, "candidates", lambda: quick)
    return quick


def test_held_out_refuses_before_tuning(tmp_path):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    with pytest.raises(ParameterError, match="run with --tune first"):
        update_held_out(doc, SMALL)


def test_tune_then_held_out(tmp_path, fast):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    data = update_tuning(doc, SMALL)
    record = json.loads((tmp_path / RECORD).read_text())
    assert record == data
    assert [c["key"] for c in record["candidates"]] == [c.key for c in fast]
    assert record["k"] == len(fast)
    parts = split(read_deu(SMALL))
    assert record["tuning_proposals"] == list(parts.tuning)
    text = doc.read_text()
    assert "--tune" in _block(text, TUNING_BLOCK)
    assert _block(text, HELD_OUT_BLOCK) == ""
    for c in record["candidates"]:  # the first configuration within TIE of the lowest
        maes = [g["mae"] for g in c["grid"]]
        assert c["chosen"] == min(k for k, m in enumerate(maes) if m <= min(maes) + 1e-9)
        assert c["mae"] == maes[c["chosen"]]
    update_held_out(doc, SMALL, bootstrap=200)
    text = doc.read_text()
    held = _block(text, HELD_OUT_BLOCK)
    assert "text between" in text and "--held-out" in held
    rows = [line for line in held.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(fast)
    level = f"{100 * (1 - 0.05 / len(fast)):.2f} %"
    assert level in held


def test_held_out_refuses_when_the_page_does_not_show_the_record(tmp_path, fast):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    update_tuning(doc, SMALL)
    data = json.loads((tmp_path / RECORD).read_text())
    data["candidates"][0]["mae"] += 1.0  # the record no longer matches the page
    (tmp_path / RECORD).write_text(json.dumps(data))
    with pytest.raises(ValueError, match="does not show the record"):
        update_held_out(doc, SMALL)


def test_held_out_refuses_when_a_candidate_no_longer_gives_its_tuning_maes(tmp_path, fast):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    update_tuning(doc, SMALL)
    data = json.loads((tmp_path / RECORD).read_text())
    data["candidates"][0]["grid"][-1]["mae"] += 1.0  # as if its code had changed since
    (tmp_path / RECORD).write_text(json.dumps(data))
    command = f"python -m summitry.backtest.report --update {doc.name} small.tsv --tune"
    text = doc.read_text().replace(_block(doc.read_text(), TUNING_BLOCK), "")
    begin = f"<!-- {TUNING_BLOCK}:begin -->\n"
    doc.write_text(text.replace(begin, begin + tuning_markdown(data, command)))
    with pytest.raises(ParameterError, match="no longer gives the tuning MAEs"):
        update_held_out(doc, SMALL)
    assert _block(doc.read_text(), HELD_OUT_BLOCK) == ""  # nothing scored, nothing written


def test_held_out_refuses_another_file(tmp_path, fast):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    update_tuning(doc, SMALL)
    other = tmp_path / "small.tsv"
    other.write_text(SMALL.read_text() + "\n")
    with pytest.raises(ParameterError, match="not the one the candidates were tuned on"):
        update_held_out(doc, other)


def test_main_flags(tmp_path, fast):
    doc = tmp_path / "page.md"
    doc.write_text(PAGE)
    assert main([str(SMALL), "--update", str(doc), "--tune"]) == 0
    assert (tmp_path / RECORD).exists()
    with pytest.raises(SystemExit):
        main([str(SMALL), "--update", str(doc), "--tune", "--held-out"])


# -- the page shows the committed record ---------------------------------------------------------


@pytest.mark.skipif(not (DOC.parent / RECORD).exists(), reason="phase 2 not tuned yet")
def test_docs_show_the_tuning_record():
    data = json.loads((DOC.parent / RECORD).read_text())
    command = f"python -m summitry.backtest.report --update docs/backtest.md {data['file']} --tune"
    text = DOC.read_text()
    assert _block(text, TUNING_BLOCK) == tuning_markdown(data, command)
    held = _block(text, HELD_OUT_BLOCK)
    rows = [line for line in held.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [r.split(" | ")[1].split("`")[1] for r in rows] == [c["key"] for c in data["candidates"]]
    for row, c in zip(rows, data["candidates"], strict=True):
        assert f"`{label(c['config'])}`" in row
    assert text.index(f"{TUNING_BLOCK}:end") < text.index(f"{HELD_OUT_BLOCK}:begin")
    assert text.index("### Deviations") < text.index(f"{HELD_OUT_BLOCK}:begin")
    if DEVELOPMENT.exists():
        import hashlib

        assert hashlib.sha256(DEVELOPMENT.read_bytes()).hexdigest() == data["input_sha256"]
        assert split(read_deu(DEVELOPMENT)).tuning == tuple(data["tuning_proposals"])


def test_a_bonferroni_interval_is_wider_on_the_same_draws():
    from summitry.backtest.stats import paired_interval

    diff = np.random.default_rng(1).normal(size=40)
    narrow = paired_interval(diff, np.arange(40), bootstrap=2000)
    wide = paired_interval(diff, np.arange(40), bootstrap=2000, level=1 - 0.05 / 6)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    assert paired_interval(diff, np.arange(40), bootstrap=2000, level=0.95) == narrow
