"""An error about a file is one line, whatever the file holds."""

from hypothesis import given
from hypothesis import strategies as st

from summitry.errors import ScenarioError
from summitry.scenario import Scenario


def test_a_field_name_with_a_line_break_stays_on_one_line():
    data = {"name": "x", "issues": [{"id": "i", "\n": 1}], "actors": [], "positions": {}}
    try:
        Scenario.from_dict(data, file="f.yaml")
    except ScenarioError as exc:
        assert str(exc) == "f.yaml, issues[0].\\n: unknown field '\\n'"
    else:
        raise AssertionError("no error")


@given(rule=st.text(), location=st.text())
def test_every_error_is_one_printable_line(rule, location):
    text = str(ScenarioError(rule, file="f.yaml", location=location or None))
    assert text.isprintable() and text.startswith("f.yaml")
