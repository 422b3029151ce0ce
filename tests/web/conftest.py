import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from summitry.web.api import create_app  # noqa: E402
from summitry.web.limits import Limits  # noqa: E402


@pytest.fixture
def make_client(summitry_home):
    """A TestClient on a fresh app (run store under the test's SUMMITRY_HOME)."""

    def make(**limits) -> TestClient:
        return TestClient(create_app(Limits(**limits)))

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
