import os
from pathlib import Path

import pytest
from hypothesis import settings

# Every run draws the same hypothesis examples, so a commit passes or fails on its own
# merits; explore fresh examples locally with --hypothesis-profile=explore.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# The model tests check the compiled kernels, the build every large batch runs; small
# batches would otherwise run the same source interpreted (tests/models/test_kernels.py
# holds the two builds to the same numbers). Set SUMMITRY_KERNELS to test another build.
os.environ.setdefault("SUMMITRY_KERNELS", "compiled")


@pytest.fixture(autouse=True)
def summitry_home(tmp_path_factory, monkeypatch) -> Path:
    """Point SUMMITRY_HOME at a fresh folder so no test touches the real run store."""
    home = tmp_path_factory.mktemp("summitry-home")
    monkeypatch.setenv("SUMMITRY_HOME", str(home))
    return home
