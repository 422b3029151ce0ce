"""The installed version, kept apart so that ``summitry --version`` imports nothing else."""

from __future__ import annotations

import importlib.metadata

__all__ = ["summitry_version"]


def summitry_version() -> str:
    """The installed summitry version, or ``"0+unknown"`` when run from a source tree."""
    try:
        return importlib.metadata.version("summitry")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"
