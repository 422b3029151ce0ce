"""Proposals from an OpenAI-compatible endpoint, against a fake server on a loopback port."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from summitry.draft.documents import document_from_text
from summitry.draft.proposals import (
    MAX_PROPOSALS,
    Endpoint,
    Proposal,
    find_quote,
    propose,
    verify,
)
from summitry.errors import ParameterError

KEY = "sk-test-secret-0123456789"

DOC = document_from_text(
    "hanoi.txt",
    "The summit opened in Hanoi on 27 February.\n"
    "\n"
    "Washington insisted that sanctions stay in place until full denuclearization.\n"
    "Pyongyang wants the sanctions lifted, and calls the issue \u201cits first priority\u201d.\n"
    "Both sides said a peace declaration was within reach \u2014 eventually.\n",
)
OTHER = document_from_text("notes.md", "Seoul backs an early peace declaration strongly.\n")
DOCS = [DOC, OTHER]
ACTORS = [("us", "United States"), ("dprk", "North Korea"), ("rok", "South Korea")]
ISSUES = [
    ("sanctions", 0.0, 100.0, "Relief from UN sanctions."),
    ("peace", 0.0, 100.0, "A declaration ending the war."),
]


class FakeServer(HTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.status = 200
        self.reply: bytes = b""
        self.delay = 0.0

    def answer(self, content: str) -> None:
        body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
        self.status, self.reply = 200, json.dumps(body).encode()

    def handle_error(self, request, client_address):  # a client that gave up is fine
        pass

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: FakeServer = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length", 0))
        server.requests.append(
            {
                "path": self.path,
                "headers": dict(self.headers),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        if server.delay:
            time.sleep(server.delay)
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(server.reply)))
        self.end_headers()
        self.wfile.write(server.reply)

    def log_message(self, format, *args):
        pass


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SUMMITRY_LLM_API_KEY", raising=False)


@pytest.fixture
def server():
    srv = FakeServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join()


def proposal(actor="us", issue="sanctions", field="position", value=10, quote=None):
    return {
        "actor": actor,
        "issue": issue,
        "field": field,
        "value": value,
        "quote": quote or "sanctions stay in place until full denuclearization",
    }


def run(server, proposals, **kwargs):
    server.answer(json.dumps({"proposals": proposals}))
    return propose(Endpoint(server.url, "test-model"), DOCS, ACTORS, ISSUES, **kwargs)


def test_good_proposals_are_kept_with_their_place_and_the_request_is_as_asked(server, monkeypatch):
    monkeypatch.setenv("SUMMITRY_LLM_API_KEY", KEY)
    kept, dropped = run(
        server,
        [
            proposal(),
            # typographic quotes and dashes, case and spacing differ from the text
            proposal("dprk", "sanctions", "salience", 1, 'Calls the issue  "its first priority"'),
            proposal("us", "peace", "position", 60, "a peace declaration was within reach - "),
            proposal("rok", "peace", "salience", 0.8, "backs an early peace declaration"),
        ],
    )
    assert dropped == []
    assert kept[0] == Proposal(
        "us", "sanctions", "position", 10.0,
        "sanctions stay in place until full denuclearization", "hanoi.txt", 2,
    )  # fmt: skip
    assert [(p.document, p.paragraph) for p in kept[1:]] == [
        ("hanoi.txt", 3),
        ("hanoi.txt", 4),
        ("notes.md", 1),
    ]
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    body = request["body"]
    assert body["model"] == "test-model"
    assert body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    user = body["messages"][1]["content"]
    assert "[hanoi.txt ¶2] Washington insisted that sanctions stay in place" in user
    assert "[notes.md ¶1] Seoul backs an early peace declaration strongly." in user
    assert "sanctions: [0, 100]" in user and "dprk: North Korea" in user


def test_no_key_no_authorization_header(server):
    run(server, [])
    assert "Authorization" not in server.requests[0]["headers"]


def test_only_the_given_passages_are_sent(server):
    run(server, [], passages={("us", "sanctions"): [("hanoi.txt", 2), ("missing.txt", 1)]})
    user = server.requests[0]["body"]["messages"][1]["content"]
    assert "[hanoi.txt ¶2]" in user
    assert "¶1]" not in user and "¶3]" not in user and "Seoul" not in user


def test_document_text_is_cut_at_max_chars_with_a_note(server):
    run(server, [], max_chars=60)
    user = server.requests[0]["body"]["messages"][1]["content"]
    assert "[hanoi.txt ¶1] The summit opened" in user
    assert "Washington" not in user
    assert "cut here after 60 characters" in user


def test_a_quote_not_in_the_documents_is_dropped(server):
    bad = proposal(quote="sanctions will be lifted next year")
    kept, dropped = run(server, [bad])
    assert kept == []
    assert [(d.proposal, d.why) for d in dropped] == [(bad, "quote not found in any document")]


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        (proposal(actor="x"), "unknown actor 'x'"),
        (proposal(issue="trade"), "unknown issue 'trade'"),
        (proposal(field="capability"), "field 'capability' is neither position nor salience"),
        (proposal(value=140), "value 140 outside the scale [0, 100]"),
        (proposal(field="salience", value=1.5), "value 1.5 outside the salience range [0, 1]"),
        (proposal(value="high"), "not a number: 'high'"),
        (proposal(value=None), "not a number: None"),
        (proposal(value=True), "not a number: True"),
        (proposal(quote="in place"), "quote too short to check (2 words; at least 4)"),
        ({"actor": "us", "issue": "sanctions"}, "missing field, value, quote"),
    ],
)
def test_invalid_proposals_are_dropped_with_their_reason(server, entry, why):
    kept, dropped = run(server, [entry, proposal()])
    assert len(kept) == 1
    assert [(d.proposal, d.why) for d in dropped] == [(entry, why)]


def test_verify_drops_non_finite_values_non_objects_repeats_and_counts_the_unread():
    scales = {"sanctions": (0.0, 100.0)}
    kept, dropped = verify(
        [proposal(value=float("nan")), "text", proposal(), proposal(value=20)],
        DOCS, ["us"], scales,
    )  # fmt: skip
    assert len(kept) == 1 and kept[0].value == 10
    assert [d.why for d in dropped] == [
        "value nan is not a finite number",
        "not an object",
        "repeats the position of us on sanctions",
    ]
    kept, dropped = verify([proposal()] * (MAX_PROPOSALS + 5), DOCS, ["us"], scales)
    assert len(kept) == 1
    assert len(dropped) == MAX_PROPOSALS
    assert dropped[-1].why == "5 proposals beyond the first 1,000"


def test_find_quote_needs_word_boundaries_and_one_paragraph():
    assert find_quote("WASHINGTON INSISTED THAT SANCTIONS", DOCS) == ("hanoi.txt", 2)
    assert find_quote("ashington insisted that sanctions", DOCS) is None
    assert find_quote("full denuclearization. Pyongyang wants", DOCS) is None
    assert find_quote("“its first priority”", DOCS) == ("hanoi.txt", 3)
    assert find_quote("   ", DOCS) is None


def test_fenced_json_is_parsed(server):
    text = json.dumps({"proposals": [proposal()]})
    server.answer(f"Here are the numbers:\n```json\n{text}\n```\nThat is all.")
    kept, dropped = propose(Endpoint(server.url, "m"), DOCS, ACTORS, ISSUES)
    assert [p.value for p in kept] == [10] and dropped == []


def test_a_json_object_within_prose_is_parsed(server):
    server.answer("Sure. " + json.dumps({"proposals": [proposal()]}) + " Done.")
    kept, _ = propose(Endpoint(server.url, "m"), DOCS, ACTORS, ISSUES)
    assert len(kept) == 1


def check_error(exc_info, url):
    message = str(exc_info.value)
    assert f"{url}/chat/completions" in message
    assert KEY not in message and "\n" not in message
    assert exc_info.value.__cause__ is None
    return message


def test_a_reply_that_is_not_json_is_an_error(server, monkeypatch):
    monkeypatch.setenv("SUMMITRY_LLM_API_KEY", KEY)
    server.answer("I cannot help with that.")
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint(server.url, "m"), DOCS, ACTORS, ISSUES)
    assert "not JSON" in check_error(exc_info, server.url)

    server.status, server.reply = 200, b"<html>gateway</html>"
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint(server.url, "m"), DOCS, ACTORS, ISSUES)
    assert "the response is not JSON" in check_error(exc_info, server.url)


def test_http_500_is_an_error(server, monkeypatch):
    monkeypatch.setenv("SUMMITRY_LLM_API_KEY", KEY)
    server.status = 500
    server.reply = json.dumps({"error": {"message": f"model crashed; key {KEY}"}}).encode()
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint(server.url, "m"), DOCS, ACTORS, ISSUES)
    message = check_error(exc_info, server.url)
    assert "HTTP 500" in message and "model crashed" in message


def test_a_refused_connection_is_an_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint(url, "m", api_key=KEY), DOCS, ACTORS, ISSUES)
    assert "connection refused" in check_error(exc_info, url)


def test_a_slow_server_is_an_error(server):
    server.answer("{}")
    server.delay = 0.5
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint(server.url, "m", api_key=KEY, timeout_s=0.1), DOCS, ACTORS, ISSUES)
    assert "no answer within 0.1 s" in check_error(exc_info, server.url)


def test_endpoint_from_env(monkeypatch):
    for name in ("SUMMITRY_LLM_URL", "SUMMITRY_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert Endpoint.from_env() is None
    monkeypatch.setenv("SUMMITRY_LLM_URL", "http://127.0.0.1:8080/v1")
    with pytest.raises(ParameterError, match="SUMMITRY_LLM_MODEL"):
        Endpoint.from_env()
    monkeypatch.setenv("SUMMITRY_LLM_MODEL", "local")
    monkeypatch.setenv("SUMMITRY_LLM_API_KEY", KEY)
    endpoint = Endpoint.from_env()
    assert endpoint == Endpoint("http://127.0.0.1:8080/v1", "local", KEY)
    assert KEY not in repr(endpoint)


def test_a_url_with_credentials_or_another_scheme_is_refused_without_showing_them():
    with pytest.raises(ParameterError) as exc_info:
        propose(Endpoint("http://me:hunter2@127.0.0.1:9/v1", "m"), DOCS, ACTORS, ISSUES)
    message = str(exc_info.value)
    assert "hunter2" not in message and "SUMMITRY_LLM_API_KEY" in message
    assert "http://127.0.0.1:9/v1/chat/completions" in message
    with pytest.raises(ParameterError, match="http:// or https://"):
        propose(Endpoint("file:///etc", "m"), DOCS, ACTORS, ISSUES)


def test_draft_with_llm_end_to_end_keeps_quoted_numbers_and_reports_the_rest(server, tmp_path):
    import yaml
    from typer.testing import CliRunner

    from summitry.cli import app

    note = tmp_path / "note.txt"
    note.write_text(
        "Germany demands that tariffs on steel be lifted before any quota is agreed.\n"
        "France offers to ease tariffs on steel if Germany accepts a quota on imports.\n"
        "Germany refuses a quota on imports unless tariffs on steel are lifted first.\n"
    )
    good = {"actor": "deu", "issue": "tariffs", "field": "position", "value": 90,
            "quote": "Germany demands that tariffs on steel be lifted"}  # fmt: skip
    bad = {"actor": "fra", "issue": "tariffs", "field": "position", "value": 20,
           "quote": "France has always hated steel tariffs"}  # fmt: skip
    server.answer(json.dumps({"proposals": [good, bad]}))
    out = tmp_path / "d.yaml"
    env = {"SUMMITRY_LLM_URL": server.url, "SUMMITRY_LLM_MODEL": "test-model"}
    r = CliRunner().invoke(app, ["draft", str(note), "-o", str(out), "--llm"], env=env)
    assert r.exit_code == 0, r.output
    assert "dropped proposal: quote not found" in r.stdout
    data = yaml.safe_load(out.read_text())
    assert data["positions"]["deu"]["tariffs"]["position"] == 90
    assert data["positions"]["fra"]["tariffs"]["position"] == 50  # still the placeholder
    cited = [e for e in data["evidence"] if e["supports"] == "positions.deu.tariffs.position"]
    assert cited[0]["paragraph"] == 1 and "test-model" in cited[0]["rationale"]
