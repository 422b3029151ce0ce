"""Example scenarios shipped with summitry.

Each example is a YAML file in this package; its name is the file name without
``.yaml``. ``summitry.io.load("korea-hanoi-2019")`` finds one by name.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

__all__ = ["example_path", "list_examples"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _root() -> Traversable:
    return files(__name__)


def list_examples() -> list[tuple[str, str]]:
    """Return ``(name, description)`` of every bundled scenario, sorted by name.

    The description is the first line of the file's ``description``; the file is not
    validated, and one that cannot be parsed is listed with an empty description.
    """
    found = []
    for entry in _root().iterdir():
        if entry.is_file() and entry.name.endswith(".yaml"):
            found.append((entry.name[: -len(".yaml")], _first_line(entry)))
    return sorted(found)


def example_path(name: str) -> Path | None:
    """Return the file of the bundled scenario ``name`` (``.yaml`` optional), or None."""
    name = name.removesuffix(".yaml")
    if not _NAME.match(name) or ".." in name:
        return None
    wanted = f"{name}.yaml"  # looked up among the files, so no name reaches the file system
    entry = next((e for e in _root().iterdir() if e.name == wanted), None)
    return Path(str(entry)) if entry is not None and entry.is_file() else None


def _first_line(entry: Traversable) -> str:
    try:
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    text = data.get("description") if isinstance(data, dict) else None
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0] if lines else ""
