"""The reader of decide-exchange-model input files (format ``decide``)."""

from pathlib import Path

import pytest

from summitry.errors import ScenarioError
from summitry.io import detect_format, load

DECIDE = Path(__file__).parents[1] / "data" / "decide"

# decide's own sample style: tab separated, every cell in single quotes
QUOTED = """\
'#A'\t'NL'\t'Netherlands'\t'founder'
'#A'\t'BE'\t'Belgium'\t''
'#A'\t'DE'\t'Germany'\t''
'#P'\t'tax'\t'Carbon tax'\t'euro per tonne'
'#M'\t'tax'\t0\t'none'
'#M'\t'tax'\t50\t'high'
'#P'\t'fund'\t'Climate fund'\t''
'#D'\t'NL'\t'tax'\t40\t0.8\t0.3
'#D'\t'BE'\t'tax'\t20\t0.5\t0.2
'#D'\t'DE'\t'tax'\t10\t0.9\t0.6
'#D'\t'NL'\t'fund'\t70\t0.4\t0.3
'#D'\t'DE'\t'fund'\t30\t0.6\t0.6
"""

# the Copenhagen data set's style: tabs, no quotes, a description and comments
PLAIN = """\
#O\tTwo-issue talks
#/\tData collected on 1 May
#A\tUSA\tUnited States
#A\tEU (incl Norway)\tEuropean Union
#P\tTreaty\tNew treaty or extension
#P\tMoney\tFunding
#/\tActor\tIssue\tposition\tsalience\tpower
#D\tUSA\tTreaty\t10\t0.9\t0.26
#D\tEU (incl Norway)\tTreaty\t50\t0.4\t0.156
#D\tUSA\tMoney\t20\t0.5\t0.26
#D\tEU (incl Norway)\tMoney\t80\t0.7\t0.156
"""


def write(tmp_path: Path, text: str, name: str = "case.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, text), format="decide")
    assert info.value.file.endswith("case.txt")
    return info.value


def test_quoted_file_loads(tmp_path):
    sc = load(write(tmp_path, QUOTED))
    assert sc.name == "case"
    assert sc.actor_ids == ("NL", "BE", "DE")
    assert sc.actor("NL").name == "Netherlands" and sc.actor("NL").capability == 0.3
    assert sc.issue_ids == ("tax", "fund")
    tax, fund = sc.issues
    assert (tax.scale.min, tax.scale.max, tax.description) == (0, 50, "Carbon tax")
    assert (fund.scale.min, fund.scale.max) == (0, 100)  # no #M rows: decide's 0-100
    assert sc.salience_scale == 1
    assert sc.positions["NL"]["tax"].position == 40
    assert sc.positions["DE"]["fund"].salience == 0.6
    assert "fund" not in sc.positions["BE"]  # no #D row: BE takes no part in it
    assert sc.metadata["actor_comments"] == {"NL": "founder"}
    assert sc.metadata["issue_comments"] == {"tax": "euro per tonne"}
    inputs = sc.to_arrays()
    assert not inputs.present[1, 1] and inputs.present[1, 0]


def test_plain_file_with_description_and_comments(tmp_path):
    sc = load(write(tmp_path, PLAIN, "talks.csv"))
    assert sc.description == "Two-issue talks"
    assert sc.actor_ids == ("USA", "EU (incl Norway)")
    assert sc.actor("EU (incl Norway)").name == "European Union"


@pytest.mark.parametrize("sep", [";", ","])
def test_semicolons_and_commas(tmp_path, sep):
    sc = load(write(tmp_path, PLAIN.replace("\t", sep)))
    assert sc.positions["USA"]["Money"].position == 20


def test_extra_cells_join_the_comment(tmp_path):
    text = QUOTED.replace("'#A'\t'BE'\t'Belgium'\t''", "'#A'\t'BE'\t'Belgium'\t'a'\t'b'")
    assert load(write(tmp_path, text)).metadata["actor_comments"]["BE"] == "a b"


@pytest.mark.parametrize("name", ["cap-3x2", "random-8x4", "scales-6x5"])
def test_reference_inputs_load(name):
    sc = load(DECIDE / f"{name}.txt")
    assert sc.metadata["source_format"] == "decide"
    assert len(sc.actors) >= 3


def test_detection(tmp_path):
    for text in (QUOTED, PLAIN, PLAIN.replace("\t", ";")):
        for name in ("a.txt", "a.csv", "a"):
            assert detect_format(name, text) == "decide"


def test_detection_leaves_other_csv_alone():
    assert detect_format("a.csv", "actor,issue,position,salience,capability\n") == "csv"
    assert detect_format("a.txt", "# a comment\nname: x\n") == "yaml"


def test_salience_above_one_means_0_100(tmp_path):
    sc = load(write(tmp_path, QUOTED.replace("\t0.8\t0.3", "\t80\t0.3")))
    assert sc.salience_scale == 100


# -- errors: the row, the column and the rule --------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("'#A'\t'BE'", "'#X'\t'BE'", "row 2, column 1", "unknown row code '#X'"),
        ("\t40\t0.8", "\tforty\t0.8", "row 8, column 4 (position)", "'forty' is not a number"),
        ("\t20\t0.5\t0.2", "\t20\t\t0.2", "row 9, column 5 (salience)", "salience is empty"),
        ("\t20\t0.5\t0.2", "\t20\t0.5\tinf", "row 9, column 6 (power)", "not a finite number"),
        ("'#D'\t'BE'", "'#D'\t'FR'", "row 9, column 2 (actor)", "actor 'FR' has no #A row"),
        ("'BE'\t'tax'", "'BE'\t'vat'", "row 9, column 3 (issue)", "issue 'vat' has no #P row"),
        ("'#M'\t'tax'\t50", "'#M'\t'tx'\t50", "row 6, column 2 (issue)", "issue 'tx'"),
        ("'#A'\t'BE'\t'Belgium'", "'#A'\t'NL'\t'Belgium'", "row 2, column 2 (actor)", "already"),
        ("\t70\t0.4\t0.3", "\t70\t0.4\t0.5", "row 11, column 6 (power)", "power 0.5 here but 0.3"),
        ("'#A'\t''\t'Belgium'", "'#A'\t''\t'Belgium'", None, None),
    ],
)
def test_errors_name_row_column_and_rule(tmp_path, old, new, where, words):
    if where is None:  # an empty id
        text = QUOTED.replace("'#A'\t'BE'", "'#A'\t''")
        err = error_for(tmp_path, text)
        assert err.location == "row 2, column 2 (actor)" and "empty" in err.rule
        return
    assert old in QUOTED
    err = error_for(tmp_path, QUOTED.replace(old, new, 1))
    assert err.location == where
    assert words in err.rule


def test_position_outside_the_marked_scale(tmp_path):
    err = error_for(tmp_path, QUOTED.replace("\t40\t0.8", "\t60\t0.8"))
    assert err.location.startswith("row 8, column 4")
    assert "lies outside the issue's scale [0, 50]" in err.rule


def test_salience_out_of_range(tmp_path):
    err = error_for(tmp_path, QUOTED.replace("\t0.8\t0.3", "\t-0.8\t0.3"))
    assert err.location.startswith("row 8, column 5")


def test_duplicate_stance(tmp_path):
    err = error_for(tmp_path, QUOTED + "'#D'\t'NL'\t'tax'\t45\t0.8\t0.3\n")
    assert err.location == "row 13" and "already have a #D row (row 8)" in err.rule


def test_one_mark_is_not_a_scale(tmp_path):
    err = error_for(tmp_path, QUOTED.replace("'#M'\t'tax'\t0\t'none'\n", ""))
    assert err.location.startswith("row 5, column 3")
    assert "scale min" in err.rule


def test_empty_and_rowless_files(tmp_path):
    assert "empty" in error_for(tmp_path, "\n\n").rule
    assert "no #D row" in error_for(tmp_path, QUOTED.split("'#D'")[0]).rule
    assert "no issue" in error_for(tmp_path, "'#A'\t'a'\t'a'\n").rule


def test_issue_without_stances(tmp_path):
    err = error_for(tmp_path, QUOTED + "'#P'\t'extra'\t'Nobody cares'\n")
    assert "issue 'extra' has no actor" in err.rule


def test_docs_example_loads(tmp_path):
    text = (Path(__file__).parents[2] / "docs" / "format.md").read_text(encoding="utf-8")
    block = text.split("## decide input")[1].split("```")[1].lstrip("\n")
    sc = load(write(tmp_path, block))
    assert sc.actor_ids == ("NL", "DE") and sc.issue("tax").scale.max == 50
