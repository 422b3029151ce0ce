"""Exceptions raised by summitry.

The tree::

    SummitryError                 root; the CLI catches it once and exits with code 2
    ├── ScenarioError (ValueError) a user mistake in a scenario file or its values
    └── ParameterError (ValueError) a model or command parameter outside its allowed values

Every message names what is wrong and where, so that a user can fix it without reading code.
"""

from __future__ import annotations

__all__ = ["ParameterError", "ScenarioError", "SummitryError"]


class SummitryError(Exception):
    """Root of every error summitry raises on purpose."""


class ScenarioError(SummitryError, ValueError):
    """A scenario that breaks a rule.

    Parameters
    ----------
    rule
        What is wrong, in words a user can act on.
    file
        The file being read, if any.
    location
        Where in the file: ``"line 12"``, ``"row 4"`` or a field path such as
        ``"positions.us.sanctions.salience"``.
    """

    def __init__(self, rule: str, *, file: str | None = None, location: str | None = None):
        self.rule = rule
        self.file = file
        self.location = location
        super().__init__(str(self))

    def with_file(self, file: str) -> ScenarioError:
        """Return a copy that names ``file`` (keeps an already named file)."""
        return ScenarioError(self.rule, file=self.file or file, location=self.location)

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.location) if part)
        return one_line(f"{where}: {self.rule}" if where else self.rule)


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes.

    A field name or value taken from a file may hold them; an error stays one line.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ParameterError(SummitryError, ValueError):
    """A parameter of a model or command that is not among its allowed values."""
