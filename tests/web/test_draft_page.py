"""The /draft page and POST /api/draft: documents in, a reviewed scenario skeleton out."""

from __future__ import annotations

import re
import threading
import time

import yaml

from summitry.scenario import Scenario

OSLO = """Oslo talks on fisheries and tariffs
Norway demands a larger fishing quota in the northern waters and rejects any cut to it.
Iceland offers a smaller fishing quota for two years if Norway lowers its fish tariffs.
Norway is willing to lower its fish tariffs on salmon if the fishing quota stays as it is.
"""
REYKJAVIK = """Reykjavik statement
Iceland insists that the fishing quota be shared by catch history and refuses a fixed split.
Norway proposes to cut fish tariffs by half and demands a longer fishing quota in return.
Iceland will accept lower fish tariffs only with a fair fishing quota for its fleet.
"""


def _files(*docs: tuple[str, str | bytes]):
    return [("files", (n, t.encode() if isinstance(t, str) else t)) for n, t in docs]


def _draft(client, *docs, name: str = "north sea"):
    return client.post("/draft", files=_files(*docs), data={"name": name})


def test_two_documents_give_actors_issues_and_numbered_passages(client):
    assert 'href="/draft"' in client.get("/").text  # in the top bar
    form = client.get("/draft")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    r = _draft(client, ("oslo.txt", OSLO), ("reykjavik.txt", REYKJAVIK))
    assert r.status_code == 200, r.text
    assert re.search(r"/draft/[0-9a-f]{16}$", str(r.url))
    html = r.text
    assert "Draft: north sea" in html
    for actor in ("nor", "isl"):
        assert f'<tr data-actor="{actor}">' in html
    issues = re.findall(r'<tr data-issue="([^"]+)">', html)
    assert issues and any("quota" in i or "fish" in i for i in issues), issues
    assert re.search(r"(oslo|reykjavik)\.txt, paragraph [2-4]<", html)
    assert "cues:" in html and 'class="placeholder"' in html
    assert "Norway demands a larger fishing quota" in html


def test_the_yaml_download_is_a_scenario(client):
    r = _draft(client, ("oslo.txt", OSLO), ("reykjavik.txt", REYKJAVIK))
    y = client.get(f"{r.url}/yaml")
    assert y.status_code == 200
    assert y.headers["content-type"].startswith("application/yaml")
    assert y.headers["content-disposition"] == 'attachment; filename="north-sea.yaml"'
    scenario = Scenario.from_dict(yaml.safe_load(y.text))
    assert scenario.name == "north sea" and {"nor", "isl"} <= set(scenario.actor_ids)
    assert 'data-draft="' in r.text and "Open in the editor" in r.text
    assert client.get("/draft/0000000000000000").status_code == 404
    assert client.get("/draft/0000000000000000/yaml").status_code == 404


def test_an_html_document_is_read_by_its_blocks(client):
    page = "<html><head><title>Talks</title></head><body>" + "".join(
        f"<p>{line}</p>" for line in OSLO.splitlines()[1:]
    )
    r = _draft(client, ("oslo.html", page), ("reykjavik.md", REYKJAVIK))
    assert r.status_code == 200, r.text
    assert re.search(r"oslo\.html, paragraph \d+<", r.text)


def test_document_text_is_escaped(client):
    hostile = OSLO + "Norway demands a fishing quota <script>alert(1)</script> now.\n"
    r = _draft(client, ("oslo.txt", hostile), ("reykjavik.txt", REYKJAVIK), name="<b>x</b>")
    assert r.status_code == 200, r.text
    assert "<script>alert" not in r.text and "<b>x</b>" not in r.text
    assert "&lt;b&gt;x&lt;/b&gt;" in r.text


def test_each_bad_upload_is_a_4xx_with_its_rule(client):
    cases = [
        ([], 422, "no document"),
        ([("notes.doc", "Norway")], 415, "notes.doc: the suffix '.doc' is not read"),
        ([("oslo.txt", b"\xffNorway\xfe")], 422, "oslo.txt: not UTF-8 text"),
        ([("talks.pdf", b"%PDF-1.4 not really")], 422, "talks.pdf: cannot read the PDF"),
        ([(f"d{i}.txt", OSLO) for i in range(21)], 422, "21 documents; a draft reads at most 20"),
        ([("plain.txt", "The weather was fine.\nIt rained later.\n")], 422, "no state"),
        ([("one.txt", "Norway said hello.\n")], 422, "no issue recurs"),
        ([("a.txt", OSLO), ("a.txt", REYKJAVIK)], 422, "two documents are named 'a.txt'"),
    ]
    for docs, status, words in cases:
        r = client.post("/draft", files=_files(*docs) or None, data={"name": "x"})
        assert r.status_code == status, (words, r.text)
        assert r.headers["content-type"].startswith("text/html")
        error = re.search(r'id="draft-error">(.*?)</p>', r.text)
        assert error and words.replace("'", "&#39;") in error.group(1), (words, r.text)
        api = client.post("/api/draft", files=_files(*docs) or None, data={"name": "x"})
        assert api.status_code == status and words in api.json()["message"], api.text


def test_the_api_gives_the_summary_and_the_yaml(client):
    r = client.post("/api/draft", files=_files(("oslo.txt", OSLO), ("reykjavik.txt", REYKJAVIK)))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "draft" and body["documents"] == ["oslo.txt", "reykjavik.txt"]
    assert {a["id"] for a in body["actors"]} >= {"nor", "isl"}
    assert body["issues"] and body["passages"]
    assert {"actor", "issue", "document", "paragraph", "cues"} <= set(body["passages"][0])
    Scenario.from_dict(yaml.safe_load(body["yaml"]))
    assert "multipart/form-data" in str(client.get("/openapi.json").json()["paths"]["/api/draft"])


def test_the_host_and_origin_checks_and_headers_apply(client):
    docs = _files(("oslo.txt", OSLO), ("reykjavik.txt", REYKJAVIK))
    r = client.post("/draft", files=docs, headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/draft", files=docs, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert client.get("/draft", headers={"host": "evil.example"}).status_code == 400
    page = client.get("/draft")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_a_body_over_the_limit_is_413(make_client):
    client = make_client(max_body=2000)
    r = client.post("/api/draft", files=_files(("big.txt", OSLO * 20)))
    assert r.status_code == 413


def test_a_draft_is_held_to_the_time_limit_and_the_workers(make_client, monkeypatch, in_process):
    from summitry.web import draft_pages

    gate = threading.Event()
    real = draft_pages.read_uploads

    def held(files):
        assert gate.wait(30)
        return real(files)

    monkeypatch.setattr(draft_pages, "read_uploads", held)
    client = make_client(timeout=0.5, workers=1, queue=0)
    docs = _files(("oslo.txt", OSLO), ("reykjavik.txt", REYKJAVIK))
    r = client.post("/api/draft", files=docs)
    assert r.status_code == 422, r.text
    assert "time limit of 0.5 s" in r.json()["message"] and r.json()["path"] == "files"
    assert "fewer or shorter documents" in r.json()["message"]
    busy = client.post("/draft", files=docs, data={"name": "x"})  # the stopped one still reads
    assert busy.status_code == 429 and "busy" in busy.text
    gate.set()
    deadline = time.monotonic() + 30
    while (r := client.post("/api/draft", files=docs)).status_code == 429:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert r.status_code == 200, r.text
