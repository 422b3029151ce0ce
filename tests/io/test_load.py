import os
import stat
from pathlib import Path

import pytest

import summitry.scenarios as bundled
from summitry.errors import ScenarioError
from summitry.io import FORMATS, detect_format, load, write_atomic

DOCS = Path(__file__).parents[2] / "docs" / "format.md"

YAML = """\
name: Tiny
description: |
  A two-actor test case.
  More words here.
issues:
  - id: x
    scale: {min: 0, max: 1}
actors:
  - {id: a, capability: 1}
  - {id: b, capability: 2}
positions:
  a: {x: {position: 0, salience: 1}}
  b: {x: {position: 1, salience: 0.5}}
"""
LONG = "actor,issue,position,salience,capability\na,x,0,1,1\nb,x,1,0.5,2\n"
EUM = "Actor,Capability,Position,Salience\na,1,0,1\nb,2,1,0.5\n"
KTAB = (
    "Tiny,Two actors,2,1,\nActor,Desc,Power,X Position,X Salience,\na,A,1,0,100,\nb,B,2,100,50,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def examples(tmp_path, monkeypatch):
    """A stand-in for the bundled scenarios folder."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    write(folder, "tiny-case.yaml", YAML)
    write(folder, "broken.yaml", "name: [\n")
    write(folder, "notes.txt", "not a scenario")
    monkeypatch.setattr(bundled, "_root", lambda: folder)
    return folder


# -- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s.yaml", YAML, "yaml"),
        ("s.YML", YAML, "yaml"),
        ("s.csv", LONG, "csv"),
        ("s.csv", EUM, "eum"),
        ("s.csv", KTAB, "ktab"),
        ("s.csv", "\ufeff" + EUM.lower(), "eum"),
        ("s.txt", KTAB, "ktab"),
        ("s.dat", EUM, "eum"),
        ("scenario", YAML, "yaml"),
        ("s.txt", "# comment\n---\nname: x\n", "yaml"),
    ],
)
def test_detect_format(name, text, expected):
    assert detect_format(name, text.lstrip("\ufeff")) == expected


def test_detect_format_unknown_csv():
    with pytest.raises(ScenarioError) as info:
        detect_format("odd.csv", "a,b,c\n1,2,3\n")
    message = str(info.value)
    assert "odd.csv" in message
    assert "line 1" in message
    for word in ("eum", "ktab", "csv", "--format"):
        assert word in message


def test_detect_format_unknown_extension_also_tries_yaml():
    with pytest.raises(ScenarioError) as info:
        detect_format("odd.txt", "just some words\n")
    assert "yaml" in str(info.value)


@pytest.mark.parametrize(("fmt", "text"), [("yaml", YAML), ("csv", LONG), ("eum", EUM)])
def test_every_format_loads_the_same_case(tmp_path, fmt, text):
    sc = load(write(tmp_path, f"case.{'yaml' if fmt == 'yaml' else 'csv'}", text))
    assert sc.actor_ids == ("a", "b")
    assert sc.actor("b").capability == 2
    assert sc.positions["b"][sc.issue_ids[0]].salience == 0.5


def test_ktab_case_loads(tmp_path):
    sc = load(write(tmp_path, "case.csv", KTAB))
    assert sc.to_arrays().salience[0, 1, 0] == 0.5


def test_format_override(tmp_path):
    path = write(tmp_path, "case.txt", LONG)
    assert load(path, format="csv").actor_ids == ("a", "b")
    assert load(path, format="CSV").actor_ids == ("a", "b")
    yaml_in_csv = write(tmp_path, "really-yaml.csv", YAML)
    assert load(yaml_in_csv, format="yaml").name == "Tiny"


def test_format_override_wins_over_detection(tmp_path):
    path = write(tmp_path, "case.csv", EUM)
    with pytest.raises(ScenarioError) as info:
        load(path, format="ktab")
    assert "case.csv" in str(info.value)
    assert "row 1" in str(info.value)


def test_unknown_format_name(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "case.yaml", YAML), format="xml")
    message = str(info.value)
    assert "unknown format 'xml'" in message
    assert ", ".join(FORMATS) in message


def test_undetectable_file_points_to_format_option(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "case.csv", "a;b;c\n1;2;3\n"))
    assert "--format" in str(info.value)
    assert "case.csv" in str(info.value)


# -- file problems -----------------------------------------------------------------------


def test_missing_file_lists_bundled_names(tmp_path, examples):
    missing = str(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError) as info:
        load(missing)
    assert info.value.file == missing
    assert "no such file or bundled scenario" in str(info.value)
    assert "tiny-case" in str(info.value)


def test_directory_is_rejected(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load(tmp_path)
    assert info.value.file == str(tmp_path)
    assert "folder" in str(info.value)


def test_non_utf8_file(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_bytes(
        YAML.encode() + "  c: {x: {position: 0, salience: 1}}  # \xe9\n".encode("latin-1")
    )
    with pytest.raises(ScenarioError) as info:
        load(path)
    message = str(info.value)
    assert "case.yaml" in message
    assert "UTF-8" in message
    assert f"line {YAML.count(chr(10)) + 1}" in message


def test_byte_order_mark_is_ignored(tmp_path):
    path = tmp_path / "case.csv"
    path.write_bytes(b"\xef\xbb\xbf" + EUM.encode())
    assert len(load(path).actors) == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "case.yaml", YAML)
    path.chmod(0)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "cannot read" in str(info.value)


def test_error_keeps_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "case.yaml", YAML.replace("capability: 2", "capability: -2"))
    with pytest.raises(ScenarioError) as info:
        load("case.yaml")
    assert info.value.file == "case.yaml"
    assert str(info.value).startswith("case.yaml, line 10 (actors[1].capability): ")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("case.yaml", YAML.replace("salience: 0.5", "salience: 5")),
        ("case.csv", LONG.replace("0.5", "500")),
        ("case.csv", EUM.replace("0.5", "5")),
        ("case.csv", KTAB.replace("50,", "150,")),
    ],
)
def test_every_reader_names_file_place_and_rule(tmp_path, name, text):
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, name, text))
    err = info.value
    assert err.file == str(tmp_path / name)
    assert err.location is not None
    assert err.location.startswith(("line ", "row "))
    assert "salience" in err.rule
    assert "lies outside" in err.rule


# -- bundled scenarios -------------------------------------------------------------------


def test_list_examples(examples):
    assert bundled.list_examples() == [("broken", ""), ("tiny-case", "A two-actor test case.")]


def test_example_path(examples):
    assert bundled.example_path("tiny-case") == examples / "tiny-case.yaml"
    assert bundled.example_path("tiny-case.yaml") == examples / "tiny-case.yaml"
    assert bundled.example_path("nope") is None
    assert bundled.example_path("../bundled/tiny-case") is None


def test_load_bundled_name(examples):
    assert load("tiny-case").name == "Tiny"


def test_file_on_disk_wins_over_bundled_name(examples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "tiny-case", YAML.replace("name: Tiny", "name: Local"))
    assert load("tiny-case").name == "Local"


def test_bundled_errors_name_the_scenario(examples):
    with pytest.raises(ScenarioError) as info:
        load("broken")
    assert info.value.file == "broken"
    assert "line " in str(info.value)


@pytest.mark.parametrize("name", [name for name, _ in bundled.list_examples()])
def test_shipped_examples_load(name):
    assert load(name).actors


# -- writing -----------------------------------------------------------------------------


def test_write_atomic_creates_and_replaces(tmp_path):
    path = tmp_path / "out.txt"
    write_atomic(path, "first\n")
    assert path.read_text() == "first\n"
    path.chmod(0o640)
    write_atomic(str(path), "second\r\nline\n")
    assert path.read_bytes() == b"second\r\nline\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_write_atomic_leaves_old_file_on_failure(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(path, 12345)  # type: ignore[arg-type]
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_write_atomic_writes_bytes_as_they_are(tmp_path):
    path = tmp_path / "chart.png"
    write_atomic(path, b"\x89PNG\r\n")
    assert path.read_bytes() == b"\x89PNG\r\n"


def test_write_atomic_missing_folder(tmp_path):
    with pytest.raises(OSError):
        write_atomic(tmp_path / "no" / "out.txt", "x")


# -- the documentation's examples --------------------------------------------------------


def doc_blocks(lang: str) -> list[str]:
    """Fenced blocks of the format page whose fence names ``lang`` ("" for none)."""
    blocks, fence, lines = [], None, []
    for line in DOCS.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("```"):
            lines.append(line)
        elif fence is None:
            fence, lines = line[3:].strip(), []
        else:
            if fence == lang:
                blocks.append("".join(lines))
            fence = None
    return blocks


def test_docs_complete_example_loads(tmp_path):
    full = next(b for b in doc_blocks("yaml") if b.startswith("name:"))
    sc = load(write(tmp_path, "talks.yaml", full))
    assert sc.actor_ids == ("us", "dprk", "russia")
    assert "testing" not in sc.positions["russia"]
    assert len(sc.evidence) == 3


@pytest.mark.parametrize(
    ("start", "fmt"), [("actor,", "csv"), ("Actor,", "eum"), ("Trade", "ktab")]
)
def test_docs_csv_examples_load(tmp_path, start, fmt):
    block = next(b for b in doc_blocks("") if b.startswith(start))
    path = write(tmp_path, "table.csv", block)
    assert detect_format(path, block) == fmt
    assert load(path).actors
