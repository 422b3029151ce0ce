"""benchmarks/web_load.py against a real server: 8 clients, 200 forecasts, no error."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "web_load.py"


def test_concurrent_clients_each_get_their_own_forecast():
    args = ["--requests", "200", "--clients", "8", "--json", "--samples", "20"]
    args += ["--models", "compromise", "--timeout", "150"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,  # the script stops itself at --timeout; this is a last resort
    )
    assert done.stdout.strip(), done.stderr
    out = json.loads(done.stdout)
    assert out["errors"] == 0, out["error_reasons"]
    assert done.returncode == 0, done.stderr
    assert out["requests"] == 200 and out["clients"] == 8
    assert out["p95_ms"] >= out["p50_ms"] > 0
    assert out["max_ms"] >= out["p95_ms"]
