"""Every user mistake listed for the file formats ends the same way on the command line:
exit code 2, one line naming the file, the place and the rule, no traceback, no output."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from summitry.cli import app

GOOD = """\
name: t
issues:
  - id: x
    scale: {min: 0, max: 10}
actors:
  - {id: a, capability: 1}
  - {id: b, capability: 2}
positions:
  a: {x: {position: 2, salience: 0.5}}
  b: {x: {position: 8, salience: 1.0}}
"""

# (file name, content, where, rule)
CASES = [
    ("empty.yaml", "", "empty.yaml", "empty"),
    ("syntax.yaml", "name: t\nissues: [\n", "line", ""),
    ("unknown-actor.yaml", GOOD.replace("  b: {x:", "  zz: {x:"), "positions.zz", "unknown actor"),
    ("unknown-issue.yaml", GOOD.replace("b: {x: {", "b: {y: {"), "positions.b.y", "unknown issue"),
    ("dup-actor.yaml", GOOD.replace("{id: b,", "{id: a,"), "actors[1].id", "duplicate actor"),
    ("salience.yaml", GOOD.replace("salience: 1.0", "salience: 1.5"), "line 10", "salience 1.5"),
    (
        "salience100.yaml",
        "salience_scale: 100\n" + GOOD.replace("salience: 1.0", "salience: 150"),
        "positions.b.x.salience",
        "[0, 100]",
    ),
    ("neg-cap.yaml", GOOD.replace("capability: 2", "capability: -2"), "actors[1]", "0 or more"),
    (
        "zero-cap.yaml",
        GOOD.replace("capability: 2", "capability: 0").replace("capability: 1", "capability: 0"),
        "actors",
        "every capability is zero",
    ),
    ("nan.yaml", GOOD.replace("position: 8", "position: .nan"), "line 10", "finite"),
    ("inf.yaml", GOOD.replace("capability: 2", "capability: .inf"), "line 7", "finite"),
    ("outside.yaml", GOOD.replace("position: 8", "position: 12"), "line 10", "outside"),
    ("scale.yaml", GOOD.replace("max: 10", "max: 0"), "issues[0].scale", "below max"),
    ("missing.yaml", GOOD.replace(", salience: 1.0", ""), "positions.b.x", "salience"),
    ("columns.csv", "actor,issue,pos,salience,capability\na,x,1,1,1\n", "row 1", "column"),
    (
        "count.csv",
        "s,d,3,1\nname,desc,cap,dim,sal\na,,1,10,50\nb,,1,90,50\n",
        "row 1",
        "3",
    ),
]


@pytest.mark.parametrize(("name", "content", "where", "rule"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["validate", "forecast"])
def test_user_mistake_gives_one_clear_line_and_exit_2(
    tmp_path, command, name, content, where, rule
):
    path = tmp_path / name
    path.write_text(content)
    out = tmp_path / "result.json"
    args = [command, str(path)] + (["-o", str(out)] if command == "forecast" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: ") and name in line
    assert where in line and rule in line, line
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("suffix", ["", ".yaml"])
@pytest.mark.parametrize("command", ["validate", "forecast"])
def test_a_name_too_long_for_the_file_system_is_one_clear_line(command, suffix):
    name = "a" * 300 + suffix  # neither a file nor a bundled scenario; stat() refuses it
    result = CliRunner().invoke(
        app, [command, name, "--no-store"][: 3 if command == "forecast" else 2]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot read the file" in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_an_output_name_too_long_is_one_clear_line(tmp_path):
    out = tmp_path / ("a" * 300 + ".json")
    result = CliRunner().invoke(app, ["forecast", "ec-example", "--no-store", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "cannot write the output file" in result.stderr and "too long" in result.stderr


def test_a_belief_that_leaves_an_issue_without_weight_in_a_view_is_refused(tmp_path):
    content = GOOD.replace("salience: 0.5}}", "salience: 0}}") + (
        "beliefs:\n  - {observer: a, about: b, capability: 0}\n"
    )  # a cares about nothing; in a's view b, the only actor who cares, has no capability
    path = tmp_path / "view.yaml"
    path.write_text(content)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "beliefs[0].capability" in line and "in 'a's view no actor takes part in 'x'" in line
    path.write_text(content.replace("capability: 0}", "capability: 0.5}"))
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0


def test_a_report_folder_holding_other_files_is_refused_with_the_reason(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["report", "ec-example", "-o", str(folder), "--no-store"])
    assert result.exit_code == 2, result.output
    assert "holds files that are not part of a report (notes.txt)" in result.stderr
    assert "give a file name" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    "args",
    [
        ["advise", "ec-example", "-a", "germany", "-n", "5", "--no-flips", "--no-responses",
         "-o", "{tmp}/out.json", "--chart", "{tmp}/missing/x.png"],
        ["sweep", "ec-example", "-v", "actors.germany.capability=1:2:2", "-m", "compromise",
         "-o", "{tmp}/out.json", "--chart", "{tmp}/missing/x.png"],
        ["forecast", "ec-example", "--no-store", "-o", "{tmp}/missing/out.json"],
    ],
)  # fmt: skip
def test_every_output_is_checked_before_any_is_written(tmp_path, args):
    args = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "missing does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_with_a_line_break_stays_one_line(tmp_path):
    out = tmp_path / "no\nsuch" / "x.json"
    result = CliRunner().invoke(app, ["forecast", "ec-example", "--no-store", "-o", str(out)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "no\\nsuch" in result.stderr


def test_backtest_markdown_onto_a_folder_is_refused_before_running(tmp_path):
    deu = "tests/data/deu/small.tsv"
    result = CliRunner().invoke(app, ["backtest", deu, "--markdown", str(tmp_path)])
    assert result.exit_code == 2 and "is a folder; give a file name" in result.stderr


def test_a_broken_pdf_is_one_line_without_the_pdf_readers_notes(tmp_path):
    import subprocess
    import sys

    pdf = tmp_path / "bad.pdf"
    pdf.write_bytes(b"%PDF-1.4\ngarbage")
    # a fresh interpreter: pytest's own log capture would hide what Python prints
    done = subprocess.run(
        [sys.executable, "-m", "summitry", "draft", str(pdf), "-o", str(tmp_path / "d.yaml")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "400"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {pdf}: cannot read the PDF: Stream has ended unexpectedly"
    ]
