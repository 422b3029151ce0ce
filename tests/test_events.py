"""Events: validation with clear errors, ordering, and the states a timeline walks through."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.errors import ScenarioError
from summitry.io import load
from summitry.timeline import run_timeline, states

BASE = """\
name: t
issues:
  - {id: x, scale: {min: 0, max: 100}, status_quo: 10}
  - {id: y, scale: {min: 0, max: 100}, status_quo: 50}
actors:
  - {id: a, capability: 1, veto: [x]}
  - {id: b, capability: 2}
  - {id: c, capability: 1, present: false}
positions:
  a: {x: {position: 20, salience: 0.8}, y: {position: 40, salience: 0.5}}
  b: {x: {position: 80, salience: 0.5}, y: {position: 70, salience: 0.5}}
  c: {x: {position: 60, salience: 0.5}, y: {position: 30, salience: 0.5}}
"""

EVENTS = """\
events:
  - id: e1
    date: "2018-03"
    label: b softens
    changes:
      - {kind: position, actor: b, issue: x, by: -20}
      - {kind: status_quo, issue: y, to: 55}
  - id: e2
    date: "2018-05-02"
    label: c joins
    changes:
      - {kind: join, actor: c}
      - {kind: veto, actor: b, issue: y, holds: true}
  - id: e3
    date: "2018-05-02"
    label: a leaves y's veto and is told something
    changes:
      - {kind: capability, actor: a, to: 3}
      - {kind: message, sender: b, audience: [a], issue: x, position: 30}
"""


def _write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_states_apply_events_in_order_and_group_a_date(tmp_path):
    sc = load(_write(tmp_path, BASE + EVENTS))
    steps = states(sc)
    assert [s.date for s in steps] == ["", "2018-03", "2018-05-02"]
    assert [e.id for e in steps[2].events] == ["e2", "e3"]
    first, after_e1, last = (s.scenario.to_arrays() for s in steps)
    assert first.position[0, 1, 0] == pytest.approx(0.8)
    assert after_e1.position[0, 1, 0] == pytest.approx(0.6)
    assert after_e1.status_quo[0, 1] == pytest.approx(0.55)
    assert not first.present[2].any() and last.present[2].all()
    assert last.veto[1, 1] and not first.veto[1, 1]
    assert last.capability[0, 0] == 3
    assert last.belief_position[0, 1, 0] == pytest.approx(0.3)  # a now believes b at 30
    assert np.isnan(last.belief_position[1, 0, 0])
    # the start is the scenario as written, without its events
    assert steps[0].scenario.events == () and sc.to_arrays().position[0, 1, 0] == 0.8


def test_a_later_event_replaces_an_earlier_belief(tmp_path):
    more = (
        EVENTS
        + """\
  - id: e4
    date: "2019"
    label: a learns better
    changes:
      - {kind: belief, observer: a, about: b, issue: x, position: 70}
"""
    )
    last = states(load(_write(tmp_path, BASE + more)))[-1].scenario.to_arrays()
    assert last.belief_position[0, 1, 0] == pytest.approx(0.7)


def test_timeline_forecasts_every_step(tmp_path):
    sc = load(_write(tmp_path, BASE + EVENTS))
    steps = run_timeline(sc, ["median"], seed=0)
    medians = [s.forecast.outcomes()["median"]["x"] for s in steps]
    assert medians == [80.0, 60.0, 20.0]  # a (capability 3 from e3) outweighs b and c


BAD = [
    (
        "unknown actor",
        "{kind: position, actor: zz, issue: x, by: 1}",
        "changes[0].actor",
        "unknown actor 'zz'",
    ),
    (
        "unknown issue",
        "{kind: position, actor: a, issue: zz, by: 1}",
        "changes[0].issue",
        "unknown issue 'zz'",
    ),
    (
        "audience",
        "{kind: message, sender: a, audience: [zz], issue: x, position: 5}",
        "audience[0]",
        "unknown actor",
    ),
    (
        "off scale",
        "{kind: position, actor: a, issue: x, by: 90}",
        "changes[0].by",
        "scale [0, 100]",
    ),
    ("neither", "{kind: position, actor: a, issue: x}", "changes[0]", "exactly one of 'to'"),
    ("join twice", "{kind: join, actor: a}", "changes[0].actor", "already takes part"),
    ("bad kind", "{kind: coup, actor: a}", "changes[0]", "kind"),
]


@pytest.mark.parametrize(("case", "change", "where", "rule"), BAD, ids=[b[0] for b in BAD])
def test_an_invalid_event_gives_one_clear_line_and_exit_2(tmp_path, case, change, where, rule):
    text = (
        BASE
        + f'events:\n  - id: e1\n    date: "2018"\n    label: l\n    changes:\n      - {change}\n'
    )
    path = _write(tmp_path, text, "bad.yaml")
    with pytest.raises(ScenarioError) as err:
        load(path)
    assert where in str(err.value) and rule in str(err.value), str(err.value)
    result = CliRunner().invoke(app, ["timeline", str(path)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("error: ") and "bad.yaml" in line and "events[0]" in line, line
    assert len(line.splitlines()) == 1 and "Traceback" not in result.output


def test_an_event_out_of_date_order_is_refused_with_its_line(tmp_path):
    text = BASE + EVENTS.replace(
        'date: "2018-05-02"\n    label: c joins', 'date: "2017-12"\n    label: c joins'
    )
    path = _write(tmp_path, text, "order.yaml")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "events[1].date" in result.stderr or "line" in result.stderr
    assert "comes before the previous event's (2018-03)" in result.stderr


def test_a_coarse_date_may_sit_on_either_side_of_a_finer_one(tmp_path):
    text = BASE + EVENTS.replace(
        'date: "2018-05-02"\n    label: c joins', 'date: "2018-03-30"\n    label: c joins'
    )
    text = text.replace('date: "2018-05-02"', 'date: "2018-03"')
    steps = states(load(_write(tmp_path, text)))
    assert [s.date for s in steps] == ["", "2018-03", "2018-03-30", "2018-03"]


def test_event_messages_and_beliefs_obey_the_top_level_rules(tmp_path):
    for change, rule in [
        ("{kind: message, sender: a, audience: [a], issue: x, position: 5}", "itself"),
        ("{kind: message, sender: a, audience: [b], issue: x, position: 500}", "scale"),
        ("{kind: belief, observer: a, about: a, capability: 2}", "itself"),
        ("{kind: belief, observer: a, about: b, issue: y, salience: 3}", "salience 3"),
    ]:
        text = (
            BASE
            + 'events:\n  - id: e1\n    date: "2018"\n    label: l\n'
            + f"    changes:\n      - {change}\n"
        )
        with pytest.raises(ScenarioError, match=rule):
            load(_write(tmp_path, text))


def test_a_milestone_may_change_nothing(tmp_path):
    text = BASE + 'events:\n  - {id: m, date: "2018", label: talks begin}\n'
    steps = states(load(_write(tmp_path, text)))
    assert (
        steps[1].scenario.to_arrays().position.tolist()
        == steps[0].scenario.to_arrays().position.tolist()
    )


def test_a_date_must_be_a_year_month_or_day(tmp_path):
    path = _write(tmp_path, BASE + EVENTS.replace('"2018-03"', '"March 2018"'), "date.yaml")
    with pytest.raises(ScenarioError, match="date"):
        load(path)


def test_duplicate_event_ids_are_refused(tmp_path):
    path = _write(tmp_path, BASE + EVENTS.replace("id: e2", "id: e1"), "dup.yaml")
    with pytest.raises(ScenarioError, match="duplicate event id 'e1'"):
        load(path)


def test_timeline_command_prints_a_row_per_date(tmp_path):
    path = _write(tmp_path, BASE + EVENTS)
    result = CliRunner().invoke(
        app, ["timeline", str(path), "-m", "median"], env={"COLUMNS": "150"}
    )
    assert result.exit_code == 0, result.output
    assert "2018-03" in result.output and "c joins; a leaves" in result.output
    assert "start" in result.output and "80.0" in result.output


def test_timeline_without_events_explains(tmp_path):
    result = CliRunner().invoke(app, ["timeline", str(_write(tmp_path, BASE))])
    assert result.exit_code == 2 and "has no events" in result.stderr
