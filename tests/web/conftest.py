import threading
import time

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from summitry.web import jobs, work  # noqa: E402
from summitry.web.api import create_app  # noqa: E402
from summitry.web.limits import Limits  # noqa: E402
from summitry.web.security import DEFAULT_HOSTS  # noqa: E402

TEST_HOSTS = (*DEFAULT_HOSTS, "testserver")
"""Hosts of the test apps: TestClient and schemathesis send ``Host: testserver``."""


@pytest.fixture
def make_client(summitry_home):
    """A TestClient on a fresh app (run store under the test's SUMMITRY_HOME)."""

    def make(**limits) -> TestClient:
        return TestClient(create_app(Limits(**limits), allowed_hosts=TEST_HOSTS))

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def in_process(monkeypatch):
    """Jobs run on the server's threads, where a patch of :mod:`summitry.web.work` reaches them."""
    monkeypatch.setattr(jobs, "ISOLATE", False)


@pytest.fixture
def slow_forecast(monkeypatch, in_process):
    """Call with seconds: every forecast of the web app then sleeps that long first."""
    real = work.forecast

    def slow(seconds: float) -> None:
        def slowed(*args, **kwargs):
            time.sleep(seconds)
            return real(*args, **kwargs)

        monkeypatch.setattr(work, "forecast", slowed)

    return slow


@pytest.fixture
def gated(monkeypatch, in_process):
    """Forecasts of the web app wait for ``gate`` after saying they have ``entered``."""
    gate, entered = threading.Event(), threading.Event()
    real = work.forecast

    def held(*args, **kwargs):
        entered.set()
        assert gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(work, "forecast", held)
    yield gate, entered
    gate.set()
