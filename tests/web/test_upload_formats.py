"""Scenario files in every format the command line reads, sent to the API as uploads."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from summitry import io

DATA = Path(__file__).resolve().parents[1] / "data"
HOSTILE = Path(__file__).resolve().parents[1] / "hostile" / "files"

LONG = (
    "actor,issue,position,salience,capability,scale_min,scale_max,status_quo\n"
    "us,sanctions,10,0.7,1.0,0,100,10\n"
    "us,testing,95,0.9,1.0,0,100,15\n"
    "dprk,sanctions,80,1.0,0.4,,,\n"
    "dprk,testing,20,0.6,0.4,,,\n"
    "russia,sanctions,60,0.5,0.5,,,\n"
)
EUM = "Actor,Capability,Position,Salience\nNetherlands,0.08,4,0.8\nBelgium,0.08,7,0.4\n"
KTAB = (
    "Trade talks,Two dimensions,3,2,\n"
    "Actor,Description,Influence,Tariff Position,Tariff Salience,Quota Position,Quota Salience,\n"
    "A1,First actor,10,20,40,30,50,\n"
    "A2,Second actor,20,80,30,60,40,\n"
    "A3,Third actor,30,50,20,10,60,\n"
)
DECIDE = (DATA / "decide" / "cap-3x2.txt").read_text(encoding="utf-8")
FILES = {"long.csv": LONG, "eum.csv": EUM, "ktab.csv": KTAB, "cap-3x2.txt": DECIDE}
FORMAT = {"long.csv": "csv", "eum.csv": "eum", "ktab.csv": "ktab", "cap-3x2.txt": "decide"}


def _post(client, text: str | bytes, ctype: str = "text/plain", **query):
    body = text.encode() if isinstance(text, str) else text
    return client.post("/api/validate", params=query, content=body, headers={"content-type": ctype})


def _same_as_the_cli(tmp_path, name: str, content: dict) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    assert content == io.load(path).model_dump(mode="json")


@pytest.mark.parametrize("name", list(FILES))
def test_each_format_is_detected_from_the_file_as_the_cli_does(client, tmp_path, name):
    r = _post(client, FILES[name], "text/csv", content="true", filename=name)
    assert r.status_code == 200, r.text
    _same_as_the_cli(tmp_path, name, r.json()["content"])
    assert r.json()["scenario"] == ("Trade talks" if name == "ktab.csv" else Path(name).stem)


@pytest.mark.parametrize("name", list(FILES))
def test_each_format_named_by_the_format_parameter(client, tmp_path, name):
    r = _post(client, FILES[name], content="true", filename=name, format=FORMAT[name])
    assert r.status_code == 200, r.text
    _same_as_the_cli(tmp_path, name, r.json()["content"])


@pytest.mark.parametrize("ctype", ["text/csv", "text/plain", ""])
def test_csv_and_decide_without_a_file_name(client, ctype):
    for text, actors, name in (
        (LONG, 3, "scenario"),
        (EUM, 2, "scenario"),
        (KTAB, 3, "Trade talks"),
        (DECIDE, 3, "scenario"),
    ):
        r = _post(client, text, ctype)
        assert r.status_code == 200, r.text
        assert len(r.json()["actors"]) == actors and r.json()["scenario"] == name


def test_yaml_and_json_still_read_as_before(client):
    yaml_text = (DATA / "cli-small.yaml").read_bytes()
    for ctype, query in (
        ("text/plain", {}),
        ("application/yaml", {}),
        ("text/plain", {"filename": "x.yml"}),
    ):
        r = _post(client, yaml_text, ctype, **query)
        assert r.status_code == 200 and r.json()["scenario"] == "cli-small", r.text
    as_json = client.get("/api/scenarios/ec-example").text
    r = _post(client, as_json, "text/plain", filename="ec.json")
    assert r.status_code == 200 and r.json()["scenario"] == "ec-example"
    assert (
        client.post("/api/yaml", params={"filename": "ktab.csv"}, content=KTAB).status_code == 200
    )


@pytest.mark.parametrize(
    ("text", "query", "words"),
    [
        ("Actor,Capability,Position,Salience\nA,1,2,lots\n", {}, "row 2, column salience"),
        (KTAB, {"format": "eum"}, "row 1"),
        (LONG, {"format": "decide"}, "row 1"),
        ("a;b;c\n1;2;3\n", {"filename": "x.csv"}, "cannot tell the file's format"),
        ("", {"format": "csv"}, "empty"),
    ],
)
def test_a_bad_csv_file_is_422_naming_the_row(client, text, query, words):
    r = _post(client, text, "text/csv", **query)
    assert r.status_code == 422, r.text
    body = r.json()
    assert words in body["message"]
    assert body["path"] in (None, "format")


def test_deu_data_are_named_as_backtest_data(client):
    for name in ("small.tsv", "small-semicolon.csv"):
        r = _post(client, (DATA / "deu" / name).read_bytes(), "text/csv", filename=name)
        assert r.status_code == 422 and "DEU data" in r.json()["message"], r.text
        assert r.json()["path"] == "format"
        r = _post(client, (DATA / "deu" / name).read_bytes(), "text/plain")  # no file name
        assert r.status_code == 422 and "DEU data" in r.json()["message"], r.text


def test_bad_format_or_type_is_4xx(client):
    r = _post(client, LONG, "text/plain", format="xlsx")
    assert r.status_code == 422 and r.json()["path"] == "format"
    r = _post(client, LONG, "application/xml")
    assert r.status_code == 415 and "text/csv" in r.json()["message"]
    r = _post(client, b"actor,issue\n\xff\xfe", "text/csv")
    assert r.status_code == 422 and "UTF-8" in r.json()["message"]


def test_csv_uploads_keep_the_limits(make_client):
    rows = "".join(f"a{k},i,{k},0.5,1\n" for k in range(12))
    r = _post(make_client(max_actors=10), "actor,issue,position,salience,capability\n" + rows)
    assert r.status_code == 422 and r.json()["path"] == "actors"
    r = _post(make_client(max_body=100), LONG, "text/csv")
    assert r.status_code == 413


EXPECTED: dict[str, str] = json.loads((HOSTILE.parent / "expected.json").read_text())
HOSTILE_TABLES = sorted(
    f for f in HOSTILE.iterdir() if f.suffix in (".csv", ".txt") and EXPECTED[f.stem] != "VALID"
)


@pytest.mark.parametrize("path", HOSTILE_TABLES, ids=[f.name for f in HOSTILE_TABLES])
def test_hostile_csv_and_decide_files_give_a_4xx_error_body(client, path):
    r = _post(client, path.read_bytes(), "text/csv", filename=path.name)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["message"] and "Traceback" not in r.text
    assert str(HOSTILE) not in r.text


def test_mangled_csv_and_decide_files_never_give_a_5xx(client):
    rng = random.Random(16)
    alphabet = ",;\t'\"#ADPMO0123456789.-e\n xyz\r"
    for _ in range(300):
        text = list(rng.choice(list(FILES.values())))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5 and text:
                del text[min(at, len(text) - 1)]
            else:
                text.insert(at, rng.choice(alphabet))
        r = _post(client, "".join(text), rng.choice(["text/csv", "text/plain"]))
        assert r.status_code in (200, 422), r.text
        assert r.json()["message" if r.status_code == 422 else "valid"]
