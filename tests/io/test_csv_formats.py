from pathlib import Path

import pytest

from summitry.errors import ScenarioError
from summitry.io import load

REFERENCE = Path(__file__).parents[2] / ".." / "shared" / "reference"

LONG = """\
actor,issue,position,salience,capability,scale_min,scale_max,status_quo
us,sanctions,2,0.9,1.0,0,10,0
us,arms,90,0.8,1.0,,,
nk,sanctions,10,1.0,0.5,0,10,0
nk,arms,10,0.9,0.5,,,
cn,sanctions,6,0.4,0.8,,,
"""

EUM = """\
Actor,Capability,Position,Salience
Netherlands,0.08,4,0.8
Belgium,0.08,7,0.4
U.K.,0.16,10,0.9
"""

KTAB = """\
Test case ,"A small KTAB file", 3, 2,
Actor, Description, Influence, Trade Position, Trade Salience, Arms Position, Arms Salience,
A1, First actor,   10, 20, 40, 30, 50,
A2, Second actor,  20, 80, 30, 60, 40 ,
"A3", Third actor, 30, 50, 20, 10, 60,
"""


def write(tmp_path: Path, text: str, name: str = "case.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str, fmt: str | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, text), format=fmt)
    message = str(info.value)
    assert "case.csv" in message
    return message


def reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not found at {path}")
    return path


# -- long CSV ----------------------------------------------------------------------------


def test_long_csv_loads(tmp_path):
    sc = load(write(tmp_path, LONG))
    assert sc.name == "case"
    assert sc.actor_ids == ("us", "nk", "cn")
    assert sc.issue_ids == ("sanctions", "arms")
    assert sc.salience_scale == 1
    sanctions, arms = sc.issues
    assert (sanctions.scale.min, sanctions.scale.max, sanctions.status_quo) == (0, 10, 0)
    assert (arms.scale.min, arms.scale.max, arms.status_quo) == (10, 90, None)
    assert sc.actor("nk").capability == 0.5
    assert "arms" not in sc.positions["cn"]
    assert sc.positions["us"]["arms"].salience == 0.8


def test_long_csv_header_is_case_and_order_free(tmp_path):
    text = " Salience , ACTOR,Issue,capability,position\n0.5,a,x,1,0\n0.5,b,x,1,1\n"
    sc = load(write(tmp_path, text))
    assert sc.positions["b"]["x"].position == 1


def test_long_csv_salience_on_0_100(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,50,1\nb,x,1,100,1\nc,x,1,0.5,1\n"
    sc = load(write(tmp_path, text))
    assert sc.salience_scale == 100
    assert sc.to_arrays().salience[0, 0, 0] == 0.5


def test_long_csv_salience_above_100(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,50,1\nb,x,1,150,1\n"
    message = error_for(tmp_path, text)
    assert "row 3, column salience" in message
    assert "salience 150 lies outside [0, 100]" in message


def test_long_csv_salience_above_one_alone_means_0_100(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,0.5,1\nb,x,1,2,1\n"
    assert load(write(tmp_path, text)).salience_scale == 100


def test_long_csv_dotted_names_become_ids(tmp_path):
    text = "actor,issue,position,salience,capability\nU.S.,x,0,1,1\nDPRK,x,1,1,1\n"
    sc = load(write(tmp_path, text))
    assert sc.actor_ids == ("U_S_", "DPRK")
    assert sc.actor("U_S_").name == "U.S."


def test_long_csv_ids_that_collide(tmp_path):
    text = "actor,issue,position,salience,capability\nU.S,x,0,1,1\nU_S,x,1,1,1\n"
    message = error_for(tmp_path, text)
    assert "row 3, column actor" in message
    assert "same id 'U_S'" in message


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("actor,issue,position,weight,capability", ["missing salience", "unknown 'weight'"]),
        ("actor,issue,position,salience", ["missing capability"]),
        ("actor,issue,position,salience,capability,salience", ["repeated salience"]),
    ],
)
def test_long_csv_wrong_columns(tmp_path, header, words):
    message = error_for(tmp_path, header + "\na,x,0,1,1\n", fmt="csv")
    assert "row 1" in message
    assert "expected actor, issue, position, salience, capability" in message
    assert f"found {header.replace(',', ', ')}" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("cell", "rule"),
    [("abc", "'abc' is not a number"), ("nan", "not a finite number"), ("inf", "not a finite")],
)
@pytest.mark.parametrize("column", ["position", "salience", "capability"])
def test_long_csv_bad_numbers(tmp_path, cell, rule, column):
    row = {"position": "0", "salience": "1", "capability": "1"} | {column: cell}
    text = (
        "actor,issue,position,salience,capability\nb,x,1,1,1\n"
        f"a,x,{row['position']},{row['salience']},{row['capability']}\n"
    )
    message = error_for(tmp_path, text)
    assert f"row 3, column {column}" in message
    assert rule in message


def test_long_csv_missing_salience(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1\nb,x,1,,1\n"
    message = error_for(tmp_path, text)
    assert "row 3, column salience" in message
    assert "salience is empty" in message


def test_long_csv_short_row_is_missing_cells(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1\nb,x,1\n"
    assert "row 3, column capability: capability is empty" in error_for(tmp_path, text)


def test_long_csv_long_row(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1,9\n"
    message = error_for(tmp_path, text)
    assert "row 2" in message
    assert "6 cells" in message


def test_long_csv_duplicate_row(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1\nb,x,1,1,1\n\na,x,1,1,1\n"
    message = error_for(tmp_path, text)
    assert "row 5" in message  # the blank line still counts
    assert "already appear together on row 2" in message


def test_long_csv_capability_must_agree(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1\na,y,0,1,2\nb,x,1,1,1\n"
    message = error_for(tmp_path, text)
    assert "row 3, column capability" in message
    assert "capability 2 here but 1 on row 2" in message


def test_long_csv_scale_must_agree(tmp_path):
    text = (
        "actor,issue,position,salience,capability,scale_min,scale_max\n"
        "a,x,0,1,1,0,10\nb,x,1,1,1,-5,10\n"
    )
    message = error_for(tmp_path, text)
    assert "row 3, column scale_min" in message
    assert "give each issue one scale_min" in message


def test_long_csv_equal_positions_need_a_scale(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,5,1,1\nb,x,5,1,1\n"
    message = error_for(tmp_path, text)
    assert "row 2" in message
    assert "give scale_min and scale_max" in message


def test_long_csv_scale_min_not_below_max(tmp_path):
    text = (
        "actor,issue,position,salience,capability,scale_min,scale_max\n"
        "a,x,5,1,1,10,10\nb,x,5,1,1,,\n"
    )
    message = error_for(tmp_path, text)
    assert "row 2, column scale_min (issues[0].scale)" in message
    assert "must be below max" in message


def test_long_csv_position_outside_scale(tmp_path):
    text = (
        "actor,issue,position,salience,capability,scale_min,scale_max\n"
        "a,x,5,1,1,0,10\nb,x,12,1,1,0,10\n"
    )
    message = error_for(tmp_path, text)
    assert "row 3, column position (positions.b.x.position)" in message
    assert "position 12 lies outside the issue's scale [0, 10]" in message


def test_long_csv_status_quo_outside_scale(tmp_path):
    text = (
        "actor,issue,position,salience,capability,scale_min,scale_max,status_quo\n"
        "a,x,5,1,1,0,10,\nb,x,6,1,1,0,10,20\n"
    )
    message = error_for(tmp_path, text)
    assert "row 2" in message or "row 3" in message
    assert "status_quo 20 lies outside" in message


def test_long_csv_negative_capability(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,1\nb,x,1,1,-1\n"
    message = error_for(tmp_path, text)
    assert "row 3, column capability (actors[1].capability)" in message
    assert "capability must be 0 or more" in message


def test_long_csv_all_capabilities_zero(tmp_path):
    text = "actor,issue,position,salience,capability\na,x,0,1,0\nb,x,1,1,0\n"
    message = error_for(tmp_path, text)
    assert "row 1, column capability" in message
    assert "every capability is zero" in message


def test_long_csv_header_only(tmp_path):
    message = error_for(tmp_path, "actor,issue,position,salience,capability\n", fmt="csv")
    assert "no data rows" in message


def test_csv_empty_file(tmp_path):
    for fmt in ("csv", "eum", "ktab"):
        assert "file is empty" in error_for(tmp_path, "\n \n", fmt=fmt)


# -- eum CSV -----------------------------------------------------------------------------


def test_eum_csv_loads(tmp_path):
    sc = load(write(tmp_path, EUM))
    assert sc.issue_ids == ("issue",)
    assert sc.issues[0].description == ""
    assert (sc.issues[0].scale.min, sc.issues[0].scale.max) == (4, 10)
    assert sc.actor_ids == ("Netherlands", "Belgium", "U_K_")
    assert sc.actor("U_K_").name == "U.K."
    assert sc.positions["Belgium"]["issue"].salience == 0.4


def test_eum_csv_wrong_header(tmp_path):
    message = error_for(tmp_path, "Actor,Power,Position,Salience\na,1,0,1\n", fmt="eum")
    assert "row 1" in message
    assert "expected actor, capability, position, salience" in message


def test_eum_csv_duplicate_actor(tmp_path):
    message = error_for(tmp_path, EUM + "Belgium,0.1,5,0.5\n")
    assert "row 5, column actor (actors[3].id)" in message
    assert "duplicate actor id 'Belgium'" in message


def test_eum_csv_salience_above_one(tmp_path):
    message = error_for(tmp_path, EUM.replace("0.4", "40"))
    assert "row 3, column salience" in message
    assert "salience 40 lies outside [0, 1]" in message


def test_eum_csv_inf(tmp_path):
    message = error_for(tmp_path, EUM.replace("0.16,10", "inf,10"))
    assert "row 4, column capability" in message
    assert "not a finite number" in message


def test_eum_reference_example_actors():
    sc = load(reference("eum", "ExampleActors-input.csv"))
    assert len(sc.actors) == 10
    assert sc.actor_ids[:3] == ("Netherlands", "Belgium", "Luxembourg")
    assert (sc.issues[0].scale.min, sc.issues[0].scale.max) == (4, 10)
    assert sc.actor("Germany").capability == 0.16
    assert sc.positions["France"]["issue"].position == 10
    assert sc.positions["Denmark"]["issue"].salience == 1.0


def test_eum_reference_sultan():
    sc = load(reference("eum", "Sultan-input.csv"))
    assert len(sc.actors) == 17
    assert "RELIGIOUS LEADERS" in sc.actor_ids
    assert "EUR/JPN" in sc.actor_ids
    assert (sc.issues[0].scale.min, sc.issues[0].scale.max) == (12.85, 14.25)
    assert sc.actor("FAHD").capability == 1.05


# -- KTAB CSV ----------------------------------------------------------------------------


def test_ktab_csv_loads_with_trailing_commas_spaces_and_quotes(tmp_path):
    sc = load(write(tmp_path, KTAB))
    assert sc.name == "Test case"
    assert sc.description == "A small KTAB file"
    assert sc.salience_scale == 100
    assert sc.issue_ids == ("Trade Position", "Arms Position")
    assert all((i.scale.min, i.scale.max) == (0, 100) for i in sc.issues)
    assert sc.actor_ids == ("A1", "A2", "A3")
    assert sc.actor("A3").capability == 30
    assert sc.positions["A2"]["Arms Position"].salience == 40
    assert sc.metadata["actor_descriptions"]["A1"] == "First actor"


def test_ktab_crlf_and_extra_first_row_cells(tmp_path):
    text = KTAB.replace(" 3, 2,", " 3, 2, 0,,,,").replace("\n", "\r\n")
    assert len(load(write(tmp_path, text)).actors) == 3


def test_ktab_declared_actor_count_mismatch(tmp_path):
    message = error_for(tmp_path, KTAB.replace(" 3, 2,", " 4, 2,"))
    assert "row 1" in message
    assert "declares 4 actors but the file has 3 actor rows" in message


def test_ktab_declared_dimension_count_mismatch_in_header(tmp_path):
    message = error_for(tmp_path, KTAB.replace(" 3, 2,", " 3, 3,"), fmt="ktab")
    assert "row 2" in message
    assert "3 dimension(s)" in message


def test_ktab_row_with_wrong_cell_count(tmp_path):
    message = error_for(tmp_path, KTAB.replace("60, 40 ,", "60,"))
    assert "row 4" in message
    assert "row has 6 cells" in message


def test_ktab_counts_must_be_whole_numbers(tmp_path):
    message = error_for(tmp_path, KTAB.replace(" 3, 2,", " three, 2,"), fmt="ktab")
    assert "row 1" in message
    assert "number of actors 'three'" in message
    message = error_for(tmp_path, KTAB.replace(" 3, 2,", " " + "9" * 5000 + ", 2,"), fmt="ktab")
    assert "row 1" in message and "not a whole number from 1 to 999,999,999" in message


def test_ktab_position_outside_0_100(tmp_path):
    message = error_for(tmp_path, KTAB.replace("30, 50, 20, 10", "30, 150, 20, 10"))
    assert "row 5, column Trade Position (positions.A3.Trade Position.position)" in message
    assert "position 150 lies outside the issue's scale [0, 100]" in message


def test_ktab_nan_salience(tmp_path):
    message = error_for(tmp_path, KTAB.replace("60, 40 ,", "60, nan ,"))
    assert "row 4, column Arms Salience" in message
    assert "not a finite number" in message


def test_ktab_dimension_names_become_unique_ids(tmp_path):
    text = KTAB.replace("Trade Position", "Dim.A").replace("Arms Position", "Dim.A")
    assert load(write(tmp_path, text)).issue_ids == ("Dim_A", "Dim_A_2")


KTAB_FILES = sorted(p.name for p in (REFERENCE / "ktab").glob("*.csv"))


@pytest.mark.parametrize("name", KTAB_FILES or ["(reference folder missing)"])
def test_ktab_reference_files_load(name):
    path = reference("ktab", name)
    with path.open(encoding="utf-8") as fh:
        declared = int(fh.readline().split(",")[2])
    sc = load(path)
    assert len(sc.actors) == declared
    assert sc.salience_scale == 100
    for stances in sc.positions.values():
        assert set(stances) == set(sc.issue_ids)


def test_ktab_reference_values():
    sc = load(reference("ktab", "SOE-Pol-Comp.csv"))
    assert sc.name == "China Policy/Competitive; scen 2"
    assert len(sc.actors) == 13
    assert sc.issue_ids == ("Policy Position", "Competitive Position")
    assert sc.actor("LK").capability == 60.2
    assert sc.positions["WY"]["Competitive Position"].position == 60
    assert sc.positions["WY"]["Policy Position"].salience == 49

    six = load(reference("ktab", "dummyData_6Dim.csv"))
    assert (len(six.actors), len(six.issues)) == (27, 6)
    assert six.positions["AA26"]["Dim5 Position"].salience == 6.67

    three = load(reference("ktab", "dummyData_3Dim.csv"))
    assert three.description == "Dummy scenario to test reading format"
    assert three.actor("SActor-02").capability == 129.643

    for n in (40, 80, 160):
        assert len(load(reference("ktab", f"dummyData-a{n:03d}.csv")).actors) == n


def test_an_eum_actor_on_two_rows_is_named_as_a_duplicate(tmp_path):
    text = "Actor,Capability,Position,Salience\nus,10,50,0.5\nus,10,40,0.5\n"
    message = error_for(tmp_path, text)
    assert "row 3, column actor" in message and "duplicate" in message, message
