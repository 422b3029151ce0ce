"""Fuzz the REST API against its own OpenAPI schema with schemathesis's checks."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from summitry.web.api import create_app  # noqa: E402
from summitry.web.limits import Limits  # noqa: E402
from summitry.web.security import DEFAULT_HOSTS  # noqa: E402

pytestmark = pytest.mark.slow

# Low limits keep every generated forecast small and fast, and few jobs in the background.
LIMITS = Limits(
    max_body=20_000, max_actors=6, max_issues=4, max_samples=3, timeout=20, workers=1, queue=1
)


# schemathesis and TestClient send `Host: testserver`, which the default allowlist refuses.
HOSTS = (*DEFAULT_HOSTS, "testserver")

# The app reads SUMMITRY_HOME per request, so runs land in each test's own folder.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(LIMITS, allowed_hosts=HOSTS))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_check_holds_for_every_operation(case):
    """Every schemathesis check: no 5xx, documented status codes, content types and bodies
    matching the schema, Allow headers, negative data rejected, and so on.

    One check is left out: ``positive_data_acceptance`` expects any body the schema allows
    to be accepted, but a scenario's rules (docs/format.md) are the server's validation,
    which JSON Schema cannot express; the schema says only "an object".
    """
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


# Schema fuzzing rarely builds a valid scenario; these vary the numbers of a valid one.
_BASE = {
    "name": "fuzz",
    "issues": [
        {"id": "a", "scale": {"min": 0, "max": 100}, "status_quo": 10},
        {"id": "b", "scale": {"min": -5, "max": 5}},
    ],
    "actors": [
        {"id": "x", "capability": 1, "veto": ["a"]},
        {"id": "y", "capability": 1},
        {"id": "z", "capability": 1},
    ],
}
_number = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 1, 0.5, 100, -1, 1e-300]),
)


@st.composite
def _scenarios(draw):
    data = {**_BASE, "actors": [{**a, "capability": draw(_number)} for a in _BASE["actors"]]}
    data["positions"] = {
        a["id"]: {
            i["id"]: {"position": draw(_number), "salience": draw(_number)} for i in _BASE["issues"]
        }
        for a in _BASE["actors"]
    }
    data["issues"] = [{**_BASE["issues"][0], "status_quo": draw(_number)}, _BASE["issues"][1]]
    return data


@pytest.fixture(scope="module")
def fuzz_client():
    from fastapi.testclient import TestClient

    return TestClient(create_app(LIMITS, allowed_hosts=HOSTS))


@given(scenario=_scenarios(), samples=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_varied_numbers_never_give_a_server_error(fuzz_client, scenario, samples, seed):
    r = fuzz_client.post("/api/validate", json=scenario)
    assert r.status_code in (200, 422), r.text
    body = {"scenario": scenario, "models": ["compromise", "median", "eum"], "samples": samples}
    r = fuzz_client.post("/api/forecast", json={**body, "seed": seed})
    assert r.status_code in (200, 422), r.text
