from datetime import date
from pathlib import Path

import pytest

from summitry.errors import ScenarioError
from summitry.io.deu import ACTORS, IMPUTED_SALIENCE, parse_deu, read_deu

DATA = Path(__file__).parents[1] / "data" / "deu"
SMALL = DATA / "small.tsv"
SEMICOLON = DATA / "small-semicolon.csv"


def test_reads_every_row_of_the_small_file():
    issues = read_deu(SMALL)
    assert [i.issue for i in issues] == [
        "p99001i1",
        "p99001i2",
        "p99002i1",
        "p99002i2",
        "p99003i1",
    ]
    first = issues[0]
    assert first.proposal == "p99001" and first.name == "alpha"
    assert first.procedure == "CNS" and first.voting == "QMV" and first.min_members is None
    assert first.introduced == date(1999, 3, 15)
    assert first.positions == {"ep": 100.0, "fr": 100.0, "de": 0.0, "lu": 50.0}
    assert first.actors == ("ep", "fr", "de", "lu")  # the file's actor order
    assert first.saliences["ep"] == 100.0
    assert first.reference == 0.0 and first.outcome == 40.0
    assert first.row == 2


def test_blank_reference_and_outcome_are_none():
    issues = read_deu(SMALL)
    assert issues[1].reference is None and issues[1].outcome == 30.0
    assert issues[3].outcome is None


def test_qmv_with_a_member_count_is_qmv_with_min_members():
    last = read_deu(SMALL)[-1]
    assert last.voting == "QMV" and last.min_members == 10 and last.voting_code == "QMV(10)"


def test_blank_salience_with_a_position_is_imputed():
    last = read_deu(SMALL)[-1]
    assert last.imputed == ("fr",)
    assert last.saliences["fr"] == IMPUTED_SALIENCE


def test_spreadsheet_mangled_date_is_read_back_and_noted():
    last = read_deu(SMALL)[-1]
    assert last.introduced == date(1999, 5, 12)  # written 2012-05-99
    assert last.notes and "2012-05-99" in last.notes[0]


def test_iso_date_agreeing_with_the_proposal_year_is_taken_as_written():
    text = SMALL.read_text().replace('"15-03-99"', "1999-03-15", 1)
    issue = parse_deu(text, file="x.tsv")[0]
    assert issue.introduced == date(1999, 3, 15) and issue.notes == ()


@pytest.mark.parametrize(
    ("written", "expected"),
    [("15-03-99", date(1999, 3, 15)), ("15-03-05", date(2005, 3, 15)),
     ("15/03/2016", date(2016, 3, 15)), ("15.3.1999", date(1999, 3, 15))],
)  # fmt: skip
def test_day_first_dates(written, expected):
    text = SMALL.read_text().replace('"15-03-99"', f'"{written}"', 1)
    assert parse_deu(text)[0].introduced == expected


def test_semicolon_layout_with_decimal_commas_reads_the_same():
    assert read_deu(SEMICOLON) == read_deu(SMALL)


def test_a_salience_without_a_position_is_ignored():
    text = SMALL.read_text()
    head = [h.strip('"') for h in text.splitlines()[0].split("\t")]
    lines = text.splitlines()
    cells = lines[1].split("\t")
    cells[head.index("suk")] = "70"
    lines[1] = "\t".join(cells)
    issue = parse_deu("\n".join(lines))[0]
    assert "uk" not in issue.positions and "uk" not in issue.saliences


def test_header_needs_only_the_actor_columns_it_uses():
    text = (
        "prnr;isnr;proc;counvte;intro;pde;sde;pfr;sfr;rp;out\n"
        "d99001;d99001i1;COD;QMV;01-02-99;10;50;90;50;;60\n"
    )
    (issue,) = parse_deu(text)
    assert issue.positions == {"fr": 90.0, "de": 10.0}
    assert set(issue.actors) <= set(ACTORS)


def test_to_scenario_gives_a_one_issue_scenario():
    issue = read_deu(SMALL)[0]
    scenario = issue.to_scenario({"ep": 0.0, "fr": 10.0, "de": 10.0, "lu": 2.0})
    assert scenario.issue_ids == ("p99001i1",)
    assert scenario.issues[0].status_quo == 0.0
    assert scenario.actor_ids == ("ep", "fr", "de", "lu")


# -- broken rows -------------------------------------------------------------------------


def _edit(column: str, value: str, row: int = 1) -> str:
    lines = SMALL.read_text().splitlines()
    head = [h.strip('"') for h in lines[0].split("\t")]
    cells = lines[row].split("\t")
    cells[head.index(column)] = value
    lines[row] = "\t".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (_edit("pde", "abc"), "row 2, column pde", "position 'abc' is not a number"),
        (_edit("sfr", "120"), "row 2, column sfr", "salience 120 lies outside [0, 100]"),
        (_edit("sfr", "-5"), "row 2, column sfr", "lies outside [0, 100]"),
        (_edit("out", "101", row=2), "row 3, column out", "outcome 101 lies outside"),
        (_edit("rp", "x"), "row 2, column rp", "reference point 'x' is not a number"),
        (_edit("intro", '"31-02-99"'), "row 2, column intro", "not a valid date"),
        (_edit("intro", '"March 1999"'), "row 2, column intro", "is not a date"),
        (_edit("proc", '"SYN"'), "row 2, column proc", "procedure 'SYN' is not one of"),
        (_edit("counvte", '"majority"'), "row 2, column counvte", "voting rule 'majority'"),
        (_edit("isnr", '"p99001i1"', row=2), "row 3, column isnr", "already appears on row 2"),
        (_edit("prnr", '""'), "row 2, column prnr", "prnr is empty"),
    ],
)
def test_broken_cells_name_file_row_and_column(text, where, words):
    with pytest.raises(ScenarioError) as info:
        parse_deu(text, file="bad.tsv")
    message = str(info.value)
    assert message.startswith(f"bad.tsv, {where}: "), message
    assert words in message
    assert "\n" not in message


def test_row_with_the_wrong_number_of_cells():
    with pytest.raises(ScenarioError, match=r"broken-columns.csv, row 3: row has 74 cells"):
        read_deu(DATA / "broken-columns.csv")


def test_broken_salience_file():
    with pytest.raises(ScenarioError, match=r"row 4, column sde: salience 120 lies outside"):
        read_deu(DATA / "broken-salience.tsv")


def test_an_issue_without_any_position():
    lines = SMALL.read_text().splitlines()
    head = [h.strip('"') for h in lines[0].split("\t")]
    cells = lines[2].split("\t")
    for k, name in enumerate(head):
        if name.startswith("p") and name[1:] in ACTORS:
            cells[k] = ""
    lines[2] = "\t".join(cells)
    with pytest.raises(ScenarioError, match="row 3, column p<actor>: no actor has a position"):
        parse_deu("\n".join(lines))


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("prnr;isnr;proc;counvte;intro;pde;sde;rp", "missing columns: out"),
        ("prnr;isnr;proc;counvte;intro;pde;sde;pde;rp;out", "repeated columns: pde"),
        ("prnr;isnr;proc;counvte;intro;pde;sfr;rp;out", "column sfr has no partner pfr"),
        ("prnr;isnr;proc;counvte;intro;rp;out", "no actor columns"),
        ("prnr", "one column"),
    ],
)
def test_broken_headers(header, words):
    with pytest.raises(ScenarioError, match=words) as info:
        parse_deu(header + "\n", file="h.csv")
    assert "h.csv, row 1" in str(info.value)


def test_empty_file_and_header_only():
    with pytest.raises(ScenarioError, match="file is empty"):
        parse_deu("  \n")
    with pytest.raises(ScenarioError, match="header but no data rows"):
        parse_deu(SMALL.read_text().splitlines()[0] + "\n")


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read the file"):
        read_deu(tmp_path / "none.tsv")
    with pytest.raises(ScenarioError, match="is a folder"):
        read_deu(tmp_path)


def test_every_salience_zero_is_refused_with_its_row():
    text = (
        "prnr;isnr;proc;counvte;intro;pcom;scom;pfr;sfr;rp;out\n"
        "p99001;i1;CNS;QMV;15-03-99;100;0;0;0;0;40\n"
    )
    with pytest.raises(ScenarioError, match="row 2, column s<actor>: every actor with a"):
        parse_deu(text, file="z.csv")


@pytest.mark.parametrize("cell", ["QMV(" + "9" * 5000 + ")", "QMV(1234567)"])
def test_an_overlong_member_count_is_a_bad_voting_rule(cell):
    with pytest.raises(ScenarioError, match="column counvte: voting rule"):
        parse_deu(_edit("counvte", f'"{cell}"'), file="v.tsv")


def test_special_oversized_and_unnamable_files_are_refused_before_reading(tmp_path):
    import os

    from summitry.io import MAX_FILE_BYTES

    fifo = tmp_path / "pipe.tsv"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_deu(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_deu("/dev/zero")
    big = tmp_path / "big.tsv"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError, match="DEU files are limited to"):
        read_deu(big)
    with pytest.raises(ScenarioError, match="cannot read the file: File name too long"):
        read_deu(tmp_path / ("a" * 300 + ".tsv"))
