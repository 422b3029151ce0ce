from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def summitry_home(tmp_path_factory, monkeypatch) -> Path:
    """Point SUMMITRY_HOME at a fresh folder so no test touches the real run store."""
    home = tmp_path_factory.mktemp("summitry-home")
    monkeypatch.setenv("SUMMITRY_HOME", str(home))
    return home
