"""``summitry serve`` gives its address only once the server accepts connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

uvicorn = pytest.importorskip("uvicorn")

from summitry.web import api  # noqa: E402
from summitry.web import serve as serving  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_address_is_given_once_the_server_listens_after_a_starting_line(monkeypatch):
    port = _free_port()
    monkeypatch.setattr(serving, "STARTING_AFTER", 0.1)
    real = api.create_app

    def slow(*args, **kwargs):  # a busy machine: the app takes a while to load
        time.sleep(0.6)
        return real(*args, **kwargs)

    async def main_loop(self) -> None:  # stop as soon as the server has started
        return None

    monkeypatch.setattr(api, "create_app", slow)
    monkeypatch.setattr(uvicorn.Server, "main_loop", main_loop)
    lines: list[tuple[str, bool]] = []

    def echo(line: str) -> None:
        lines.append((line, line.startswith("summitry on") and _connects(port)))

    serving.serve(host="127.0.0.1", port=port, limits={}, allowed=None, store=None, echo=echo)
    assert lines[0][0].startswith("starting the server")
    url = next(i for i, (line, _) in enumerate(lines) if line.startswith("summitry on"))
    assert lines[url] == (
        f"summitry on http://127.0.0.1:{port}/ (API: /docs; no authentication)",
        True,
    )
    assert lines[url + 1][0].startswith("answers to the hosts: localhost")
    assert not any(line.startswith("still") for line, _ in lines)


def test_a_quick_start_says_nothing_but_the_address(monkeypatch):
    async def main_loop(self) -> None:
        return None

    monkeypatch.setattr(uvicorn.Server, "main_loop", main_loop)
    lines: list[str] = []
    port = _free_port()
    serving.serve(
        host="127.0.0.1", port=port, limits={}, allowed=None, store=None, echo=lines.append
    )
    assert lines[0].startswith("summitry on http://127.0.0.1:")
    assert len(lines) == 2


def test_an_ipv6_address_is_bracketed():
    assert serving.url_of("::1", 8000) == "http://[::1]:8000/"
    assert serving.url_of("localhost", 80) == "http://localhost:80/"


@pytest.mark.slow
def test_summitry_serve_accepts_a_connection_when_it_prints_its_address(tmp_path):
    port = _free_port()
    env = {**os.environ, "SUMMITRY_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "summitry", "serve", "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    found = threading.Event()
    seen: list[str] = []
    result: dict[str, bool] = {}

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if line.startswith("summitry on"):
                result["connects"] = _connects(port)
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert found.wait(120), "".join(seen)
        assert result["connects"], "".join(seen)
    finally:
        process.terminate()
        process.wait(30)
        reader.join(5)
        assert process.stderr is not None
        process.stderr.close()


def test_a_taken_port_or_a_bad_host_is_one_line_and_exit_2():
    from typer.testing import CliRunner

    from summitry.cli import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1 port {port}: Address already in use"
    ]
    result = CliRunner().invoke(app, ["serve", "--host", "999.1.1.1", "--port", str(port)])
    assert result.exit_code == 2 and "not an address to listen on" in result.stderr
