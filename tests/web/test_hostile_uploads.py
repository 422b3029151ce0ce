"""The hostile corpus (tests/hostile/files) sent to the web app: 4xx with an error body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parents[1] / "hostile"
EXPECTED: dict[str, str] = json.loads((HOSTILE / "expected.json").read_text())
BAD = sorted(f for f in (HOSTILE / "files").iterdir() if EXPECTED[f.stem] != "VALID")


@pytest.mark.parametrize("path", BAD, ids=[f.stem for f in BAD])
def test_uploading_a_hostile_file_gives_a_4xx_error_body(client, path):
    r = client.post(
        "/api/validate", content=path.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert 400 <= r.status_code < 500, r.text
    body = r.json()
    assert body["message"] and "Traceback" not in r.text
    assert str(HOSTILE) not in r.text
    assert len(r.content) < 10_000


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "x", "salience_scale": ' + "9" * 5000 + "}",
        '{"name": "x", "salience_scale": 1.' + "9" * 500 + "}",
        '{"name": "x", "salience_scale": NaN}',
        '{"name": "x", "salience_scale": Infinity}',
        '{"name": "x", "salience_scale": 1e400}',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_hostile_json_gives_422(client, text):
    r = client.post("/api/validate", content=text, headers={"content-type": "application/json"})
    assert r.status_code in (413, 422), r.text
    assert r.json()["message"]


def test_the_alias_bomb_is_refused_quickly(client):
    bomb = (HOSTILE / "files" / "alias-bomb.yaml").read_bytes()
    r = client.post("/api/validate", content=bomb, headers={"content-type": "application/yaml"})
    assert r.status_code == 422 and "alias" in r.json()["message"]
    assert len(r.content) < 2_000
