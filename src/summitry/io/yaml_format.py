"""Read a scenario written in YAML, and write one.

The text is parsed with a safe loader, checked for repeated keys, validated by
:meth:`summitry.scenario.Scenario.from_dict`, and every error is given the line of the
YAML it concerns: ``line 42 (positions.us.sanctions.salience)``.

Two departures from PyYAML's defaults keep files unsurprising: a key given twice in one
mapping is an error instead of silently keeping the last value, and only ``true`` and
``false`` are booleans (as in YAML 1.2), so an id such as ``no`` (Norway) or ``on`` stays
a string.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from summitry.errors import ScenarioError
from summitry.scenario import Scenario

__all__ = ["line_of", "read_yaml", "to_yaml"]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader whose booleans are only true/false."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that :func:`read_yaml` reads back to the same scenario.

    Fields left at their defaults are left out; strings YAML would read as something
    else (``no``, a date) are quoted.
    """
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes text of several lines as a block (``|``)."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def read_yaml(text: str, *, file: str | None = None) -> Scenario:
    """Parse YAML text and validate it into a scenario.

    Parameters
    ----------
    text
        The whole file.
    file
        Shown in error messages.

    Raises
    ------
    ScenarioError
        For an empty file, a YAML syntax error, a repeated key, or any rule of the
        scenario; the location gives the line.
    """
    if not text.strip():
        raise ScenarioError("file is empty", file=file)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = None
        if root is not None:
            _check_tree(root, file)
            data = loader.construct_document(root)
    except ScenarioError:
        raise
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text[: exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError(
            f"the file holds a control character (code {code:#04x}) that YAML does not allow",
            file=file,
            location=f"line {line}",
        ) from None
    except yaml.YAMLError as exc:  # other errors without a mark
        first = str(exc).splitlines()[0] if str(exc) else "the text is not valid YAML"
        raise ScenarioError(f"YAML error: {first}", file=file) from None
    except (ValueError, OverflowError, RecursionError) as exc:  # a value no type can hold
        raise ScenarioError(
            f"a value cannot be read: {str(exc).splitlines()[0]}", file=file
        ) from None
    finally:
        loader.dispose()
    if root is None or data is None:
        raise ScenarioError("file is empty: it holds no data", file=file)
    try:
        return Scenario.from_dict(data, file=file)
    except ScenarioError as exc:
        path = exc.location or ""
        line = line_of(root, path)
        location = f"line {line} ({path})" if path else f"line {line}"
        raise ScenarioError(exc.rule, file=exc.file or file, location=location) from None


def line_of(root: yaml.Node, path: str) -> int:
    """Return the 1-based line of the deepest node that ``path`` reaches in ``root``.

    ``path`` is a field path such as ``positions.us.sanctions.salience`` or
    ``actors[2].capability``. When a step is missing (a required field, say), the line of
    the last node found is returned.
    """
    node, line = root, root.start_mark.line + 1
    for step in _steps(path):
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    child, line = value, key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(node.value):
                child = node.value[step]
                line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _steps(path: str) -> list[str | int]:
    """Split ``actors[2].capability`` into ``["actors", 2, "capability"]``."""
    steps: list[str | int] = []
    for part in path.split(".") if path else []:
        indices: list[int] = []
        while (m := re.search(r"\[(\d+)\]$", part)) is not None:
            indices.insert(0, int(m.group(1)))
            part = part[: m.start()]
        if part:
            steps.append(part)
        steps.extend(indices)
    return steps


MAX_DIGITS = 100
"""Most digits a number in a scenario file may have (Python refuses integers of over 4,300
digits, and no scenario needs more than a few)."""
MAX_NODES = 1_000_000
"""Most YAML nodes (mappings, lists and values) a scenario file may hold."""
_NUMBERISH = re.compile(r"^[-+]?[0-9_.,eE]+$")


def _check_tree(root: yaml.Node, file: str | None) -> None:
    """Refuse aliases, repeated keys, overlong numbers and oversized trees before building.

    An alias makes one node appear in several places; nested aliases can make a small file
    stand for billions of values (an "alias bomb"), so scenario files may not use them.
    """
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise ScenarioError(
                f"the value anchored on line {node.start_mark.line + 1} is used again through "
                "an alias (*name); anchors and aliases are not allowed in scenario files, "
                "write each value out",
                file=file,
                location=f"line {node.start_mark.line + 1}",
            )
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise ScenarioError(
                f"the file holds more than {MAX_NODES:,} values", file=file, location="line 1"
            )
        if isinstance(node, yaml.ScalarNode):
            digits = sum(c.isdigit() for c in node.value)
            if not node.style and digits > MAX_DIGITS and _NUMBERISH.match(node.value):
                raise ScenarioError(
                    f"a number with {digits} digits; numbers may have at most {MAX_DIGITS}",
                    file=file,
                    location=f"line {node.start_mark.line + 1}",
                )
        elif isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                stack.append(value)
                stack.append(key)
                if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                    continue
                line = key.start_mark.line + 1
                if (key.tag, key.value) in first:
                    raise ScenarioError(
                        f"duplicate key '{key.value}' (already given on line "
                        f"{first[key.tag, key.value]}); each key may appear once per mapping",
                        file=file,
                        location=f"line {line}",
                    )
                first[key.tag, key.value] = line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _syntax_error(exc: yaml.MarkedYAMLError, file: str | None) -> ScenarioError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "the text is not valid YAML"
    if problem.startswith("but ") and exc.context:  # e.g. "... single document ... but found"
        problem = f"{exc.context} {problem}"
    if "tab" in problem or "'\\t'" in problem:
        problem += " (indent with spaces, not tabs)"
    location = None
    if mark is not None:
        location = f"line {mark.line + 1}"
        problem += f" (column {mark.column + 1})"
    return ScenarioError(f"YAML syntax error: {problem}", file=file, location=location)
