import hashlib
import re
from datetime import date
from pathlib import Path

import pytest

from summitry.backtest.report import SPLIT_BLOCK, _split_markdown
from summitry.backtest.split import SPLIT_SEED, split
from summitry.io.deu import DeuIssue, read_deu

DEVELOPMENT = Path(__file__).parents[2] / ".." / "shared" / "reference" / "deu"
DEVELOPMENT = DEVELOPMENT / "deu3-development.tsv"
DOC = Path(__file__).parents[2] / "docs" / "backtest.md"


def _issue(proposal: str, k: int) -> DeuIssue:
    return DeuIssue(
        proposal=proposal,
        issue=f"{proposal}i{k}",
        procedure="COD" if proposal.startswith("d") else "CNS",
        voting="QMV",
        min_members=None,
        introduced=date(1999, 1, 1),
        positions={"de": 0.0},
        saliences={"de": 50.0},
        outcome=50.0,
    )


FAKE = [_issue(p, k) for p in ("d1", "d2", "d3", "d4", "d5", "n1", "n2", "n3") for k in (1, 2)]


def test_seed_is_fixed():
    assert SPLIT_SEED == 2006


def test_split_is_pinned_on_a_made_up_file():
    parts = split(FAKE)
    assert parts.held_out == ("d2", "d5", "n2")
    assert parts.tuning == ("d1", "d3", "d4", "n1", "n3")


def test_split_is_deterministic_and_by_proposal():
    one, two = split(FAKE), split(list(reversed(FAKE)))
    assert one == two
    assert not set(one.tuning) & set(one.held_out)
    assert set(one.tuning) | set(one.held_out) == {i.proposal for i in FAKE}
    tuning, held = one.part(FAKE, "tuning"), one.part(FAKE, "held-out")
    assert len(tuning) + len(held) == len(FAKE)
    for issue in held:  # every issue of a held-out proposal is held out
        assert issue.proposal in one.held_out


def test_split_halves_each_procedure():
    parts = split(FAKE)
    held = parts.held_out
    assert sum(p.startswith("d") for p in held) == 5 // 2
    assert sum(p.startswith("n") for p in held) == 3 // 2


def test_part_names():
    with pytest.raises(ValueError, match="unknown part"):
        split(FAKE).part(FAKE, "test")


@pytest.mark.skipif(not DEVELOPMENT.exists(), reason="the DEU development file is not here")
def test_split_of_the_development_file_is_pinned():
    parts = split(read_deu(DEVELOPMENT))
    assert (len(parts.tuning), len(parts.held_out)) == (49, 48)
    digest = hashlib.sha256(",".join(parts.held_out).encode()).hexdigest()
    assert digest[:16] == HELD_OUT_SHA256
    assert parts.held_out[:4] == ("a04163", "d00067", "d04167", "d05183")


HELD_OUT_SHA256 = "b96e72aa1f3e456f"


@pytest.mark.skipif(not DEVELOPMENT.exists(), reason="the DEU development file is not here")
def test_docs_list_the_split_of_the_development_file():
    from summitry.backtest.run import run_backtest

    text = DOC.read_text()
    block = re.search(rf"<!-- {SPLIT_BLOCK}:begin -->\n(.*)<!-- {SPLIT_BLOCK}:end -->", text, re.S)
    assert block is not None
    result = run_backtest(DEVELOPMENT, ["compromise"], bootstrap=100)
    assert block.group(1) == _split_markdown(result)
