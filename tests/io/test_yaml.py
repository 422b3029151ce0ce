from pathlib import Path

import pytest
import yaml

from summitry import io, scenarios
from summitry.errors import ScenarioError
from summitry.io import load
from summitry.io.yaml_format import line_of, read_yaml, to_yaml
from summitry.scenario import Scenario

VALID = """\
name: Test summit
description: |
  Two sides and a broker.
  Second line.
salience_scale: 1
metadata:
  date: 2019-02-27
issues:
  - id: sanctions
    description: relief from sanctions
    scale: {min: 0, max: 10, low: none, high: full}
    status_quo: 0
  - id: arms
    scale: {min: 0, max: 100}
actors:
  - id: us
    name: United States
    capability: 1.0
    veto: [sanctions]
  - id: nk
    capability: 0.5
  - id: no
    capability: 0.2
positions:
  us:
    sanctions: {position: 2, salience: 0.9}
    arms: {position: 90, salience: 0.8}
  nk:
    sanctions: {position: 10, salience: 1.0}
    arms: {position: 10, salience: 0.9}
  no:
    sanctions:
      position: 6
      salience: 0.4
evidence:
  - supports: positions.us.sanctions.position
    source: 002_b34a1d02e1a42f2b.txt
    paragraph: 9
    rationale: no concrete agreement on denuclearisation at the first summit
"""


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, text))
    return info.value


def line_no(text: str, snippet: str, nth: int = 1) -> int:
    hits = [k + 1 for k, line in enumerate(text.splitlines()) if snippet in line]
    return hits[nth - 1]


def changed(old: str, new: str, nth: int = 1) -> str:
    parts = VALID.split(old)
    assert len(parts) > nth, f"{old!r} occurs fewer than {nth} times"
    return old.join(parts[:nth]) + new + old.join(parts[nth:])


def assert_error(err: ScenarioError, line: int, *words: str) -> None:
    text = str(err)
    assert "case.yaml" in text
    assert f"line {line}" in text
    for word in words:
        assert word in text


def test_valid_file_loads(tmp_path):
    sc = load(write(tmp_path, VALID))
    assert sc.name == "Test summit"
    assert sc.actor_ids == ("us", "nk", "no")  # 'no' stays a string
    assert sc.issue_ids == ("sanctions", "arms")
    assert sc.issue("sanctions").scale.high == "full"
    assert sc.actor("us").veto == ("sanctions",)
    assert sc.positions["no"]["sanctions"].salience == 0.4
    assert "arms" not in sc.positions["no"]  # absent from an issue
    assert sc.evidence[0].paragraph == 9
    arrays = sc.to_arrays()
    assert not arrays.present[2, 1]


def test_empty_file(tmp_path):
    err = error_for(tmp_path, "  \n\n")
    assert "case.yaml" in str(err)
    assert "file is empty" in str(err)


@pytest.mark.parametrize("text", ["# nothing yet\n", "---\n", "~\n"])
def test_file_without_data_is_empty(tmp_path, text):
    assert "file is empty" in str(error_for(tmp_path, text))


def test_syntax_error_names_line(tmp_path):
    text = "name: x\nissues:\n  - id: a\n    scale: {min: 0, max: 1\nactors: []\n"
    err = error_for(tmp_path, text)
    assert "YAML syntax error" in str(err)
    assert err.location is not None and err.location.startswith("line ")
    assert int(err.location.split()[1]) in (4, 5)


def test_second_document_is_rejected(tmp_path):
    err = error_for(tmp_path, "name: x\n---\nname: y\n")
    assert_error(err, 2, "single document")


def test_mapping_value_error_line(tmp_path):
    err = error_for(tmp_path, "name: x\ndescription: a: b\n")
    assert_error(err, 2, "YAML syntax error")


def test_tab_indentation_hint(tmp_path):
    err = error_for(tmp_path, "name: x\n\tissues: 3\n")
    assert_error(err, 2, "YAML syntax error")


def test_top_level_must_be_mapping(tmp_path):
    err = error_for(tmp_path, "- a\n- b\n")
    assert_error(err, 1, "must be a mapping")


def test_unknown_actor_in_positions(tmp_path):
    text = changed("  nk:\n    sanctions", "  ru:\n    sanctions")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "  ru:"), "unknown actor 'ru'", "(positions.ru)")


def test_unknown_issue_in_positions(tmp_path):
    text = changed("    arms: {position: 10", "    trade: {position: 10")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "trade:"), "unknown issue 'trade'", "positions.nk.trade")


def test_duplicate_actor_id(tmp_path):
    text = changed("  - id: nk", "  - id: us")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "- id: us", 2), "duplicate actor id 'us'", "actors[1].id")


def test_duplicate_issue_id(tmp_path):
    text = changed("  - id: arms", "  - id: sanctions")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "- id: sanctions", 2), "duplicate issue id 'sanctions'")


def test_duplicate_yaml_key(tmp_path):
    text = changed("  nk:\n", "  us:\n    arms: {position: 1, salience: 1}\n  nk:\n")
    err = error_for(tmp_path, text)
    first = line_no(text, "  us:")
    assert_error(
        err, line_no(text, "  us:", 2), "duplicate key 'us'", f"already given on line {first}"
    )


def test_duplicate_nested_yaml_key(tmp_path):
    text = changed("      salience: 0.4\n", "      salience: 0.4\n      salience: 0.5\n")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "salience: 0.5"), "duplicate key 'salience'")


def test_salience_above_one(tmp_path):
    text = changed("salience: 0.9}", "salience: 1.5}")
    err = error_for(tmp_path, text)
    assert_error(
        err,
        line_no(text, "salience: 1.5"),
        "(positions.us.sanctions.salience)",
        "salience 1.5 lies outside [0, 1]",
    )


def test_salience_above_hundred_on_declared_scale(tmp_path):
    text = changed("salience_scale: 1", "salience_scale: 100").replace(
        "salience: 0.9}", "salience: 150}", 1
    )
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "salience: 150"), "salience 150 lies outside [0, 100]")


def test_salience_scale_must_be_1_or_100(tmp_path):
    err = error_for(tmp_path, changed("salience_scale: 1", "salience_scale: 10"))
    assert_error(err, 5, "salience_scale")


def test_negative_salience(tmp_path):
    text = changed("salience: 0.9}", "salience: -0.1}")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "salience: -0.1"), "salience must be 0 or more")


def test_negative_capability(tmp_path):
    text = changed("capability: 0.5", "capability: -0.5")
    err = error_for(tmp_path, text)
    assert_error(
        err, line_no(text, "capability: -0.5"), "actors[1].capability", "must be 0 or more"
    )


def test_all_capabilities_zero(tmp_path):
    text = (
        VALID.replace("capability: 1.0", "capability: 0")
        .replace("0.5", "0")
        .replace("capability: 0.2", "capability: 0")
    )
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "actors:"), "every capability is zero")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("capability: 0.5", "capability: .nan"),
        ("capability: 0.5", "capability: .inf"),
        ("position: 2,", "position: .nan,"),
        ("salience: 0.9}", "salience: .inf}"),
        ("status_quo: 0", "status_quo: -.inf"),
    ],
)
def test_nan_and_inf_rejected(tmp_path, old, new):
    text = changed(old, new)
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, new), "finite")


def test_position_outside_scale(tmp_path):
    text = changed("position: 2,", "position: 12,")
    err = error_for(tmp_path, text)
    assert_error(
        err,
        line_no(text, "position: 12"),
        "positions.us.sanctions.position",
        "position 12 lies outside the issue's scale [0, 10]",
    )


def test_status_quo_outside_scale(tmp_path):
    text = changed("status_quo: 0", "status_quo: 11")
    err = error_for(tmp_path, text)
    # The issue's own line, or the status_quo line once the path names the field.
    lines = {line_no(text, "- id: sanctions"), line_no(text, "status_quo")}
    assert any(f"line {n} (" in str(err) for n in lines)
    assert "case.yaml" in str(err)
    assert "status_quo 11 lies outside" in str(err)


@pytest.mark.parametrize("bounds", ["{min: 10, max: 10}", "{min: 10, max: 0}"])
def test_scale_min_not_below_max(tmp_path, bounds):
    text = changed("{min: 0, max: 100}", bounds)
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, bounds), "issues[1].scale", "must be below max")


def test_missing_salience(tmp_path):
    text = changed("{position: 90, salience: 0.8}", "{position: 90}")
    err = error_for(tmp_path, text)
    assert_error(
        err,
        line_no(text, "arms: {position: 90}"),
        "(positions.us.arms.salience)",
        "required field 'salience' is missing",
    )


def test_unknown_field(tmp_path):
    text = changed("    capability: 0.2", "    capability: 0.2\n    clout: 3")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "clout"), "unknown field 'clout'")


def test_veto_on_unknown_issue(tmp_path):
    text = changed("veto: [sanctions]", "veto: [sanctions, trade]")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "veto:"), "unknown issue 'trade'", "actors[0].veto[1]")


def test_evidence_path_must_name_an_input(tmp_path):
    text = changed("supports: positions.us.sanctions.position", "supports: positions.us")
    err = error_for(tmp_path, text)
    assert_error(err, line_no(text, "supports:"), "evidence[0].supports", "must name an actor")


def test_unsafe_tag_rejected(tmp_path):
    text = changed("name: Test summit", "name: !!python/object:os.system x")
    err = error_for(tmp_path, text)
    assert_error(err, 1, "YAML")


def test_line_of_stops_at_deepest_node():
    root = yaml.compose("a:\n  b:\n    - x: 1\n    - y: 2\nc: 3\n")
    assert line_of(root, "a.b[1].y") == 4
    assert line_of(root, "a.b[1].missing") == 4
    assert line_of(root, "a.b[7]") == 2
    assert line_of(root, "c") == 5
    assert line_of(root, "") == 1


@pytest.mark.parametrize("name", [n for n, _ in scenarios.list_examples()])
def test_to_yaml_reads_back_to_the_same_scenario(name):
    scenario = io.load(scenarios.example_path(name))
    text = to_yaml(scenario)
    back = read_yaml(text)
    assert back.model_dump() == scenario.model_dump()
    assert back.digest() == scenario.digest()


def test_to_yaml_quotes_what_would_read_as_something_else():
    data = {
        "name": "no",
        "description": "first line\nsecond line",
        "issues": [{"id": "on", "scale": {"min": 0, "max": 1}, "status_quo": 0.5}],
        "actors": [{"id": "no", "capability": 1}, {"id": "2018-06-12", "capability": 2}],
        "positions": {
            "no": {"on": {"position": 0.2, "salience": 1}},
            "2018-06-12": {"on": {"position": 0.9, "salience": 1}},
        },
    }
    scenario = Scenario.from_dict(data)
    text = to_yaml(scenario)
    assert "description: |" in text
    assert read_yaml(text).model_dump() == scenario.model_dump()
