"""Read scenario files into a validated :class:`~summitry.scenario.Scenario`.

>>> from summitry.io import load
>>> scenario = load("korea-hanoi-2019")            # doctest: +SKIP
>>> scenario = load("my-case.csv", format="csv")   # doctest: +SKIP

Formats (see ``docs/format.md``): ``yaml`` (summitry's own), ``csv`` (one row per actor
and issue), ``eum`` (the expected-utility replications' table), ``ktab`` (KTAB's
spatial-model CSV) and ``decide`` (the decide-exchange-model input file). Every problem
is raised as a :class:`~summitry.errors.ScenarioError` naming the file, the place and
the rule.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from summitry.errors import ScenarioError

if TYPE_CHECKING:
    from summitry.scenario import Scenario

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "check_targets",
    "detect_format",
    "is_folder",
    "load",
    "read_limited",
    "write_atomic",
]

FORMATS: tuple[str, ...] = ("yaml", "csv", "eum", "ktab", "decide")

_READERS: dict[str, tuple[str, str]] = {
    "yaml": ("summitry.io.yaml_format", "read_yaml"),
    "csv": ("summitry.io.csv_formats", "read_long_csv"),
    "eum": ("summitry.io.csv_formats", "read_eum_csv"),
    "ktab": ("summitry.io.csv_formats", "read_ktab_csv"),
    "decide": ("summitry.io.decide_format", "read_decide"),
}
"""The reader of each format: module and function, imported when a file is read (the
readers load pydantic and numpy, which ``summitry --help`` and ``--version`` do without)."""


def _reader(fmt: str) -> Callable[..., Scenario]:
    module, name = _READERS[fmt]
    reader: Callable[..., Scenario] = getattr(importlib.import_module(module), name)
    return reader


_LOOKS_LIKE_MAPPING = re.compile(r"^(?:---|\{|[^\s#:,][^:,]*:(?:\s|$))")


def load(source: str | os.PathLike[str], *, format: str | None = None) -> Scenario:
    """Read and validate a scenario.

    Parameters
    ----------
    source
        A file path, or the name of a bundled scenario (see
        :func:`summitry.scenarios.list_examples`) when no such file exists.
    format
        One of :data:`FORMATS`; detected from the file when None.

    Raises
    ------
    ScenarioError
        For a missing or unreadable file, an unknown format, or any rule broken; the
        error names the file as given.
    """
    shown = os.fspath(source)
    if not shown.strip():
        raise ScenarioError("no file given: name a scenario file or a bundled scenario")
    if format is not None and format.lower() not in FORMATS:
        raise ScenarioError(
            f"unknown format '{format}'; use one of {', '.join(FORMATS)}", file=shown
        )
    text = _read_text(_resolve(shown), shown)
    try:
        fmt = format.lower() if format else detect_format(shown, text)
        return _reader(fmt)(text, file=shown)
    except ScenarioError as exc:
        raise exc.with_file(shown) from None


def detect_format(path: str | os.PathLike[str], text: str) -> str:
    """Tell the format of a file from its extension and, for CSV, its first row.

    ``.yaml`` and ``.yml`` are YAML. A ``.csv`` file is eum when its header starts with
    ``Actor,Capability,Position,Salience``, ktab when its first row has four or more cells
    of which the third and fourth are whole numbers, and long csv when the header has
    ``actor`` and ``issue`` columns. A file whose first line starts with a decide row
    code (``#A``, ``#P``, ``#M``, ``#D``, ``#O``, ``#/`` or ``#0``, then a tab, ``;`` or
    ``,``) is decide, whatever its extension. Any other extension is sniffed the same
    way, then taken as YAML when its first line reads like a mapping key.

    Raises
    ------
    ScenarioError
        When no format fits; the message lists those tried and points to ``--format``.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    from summitry.io.csv_formats import sniff_csv
    from summitry.io.decide_format import looks_like_decide

    if looks_like_decide(text):
        return "decide"
    found = sniff_csv(text)
    if found:
        return found
    tried = (
        "eum (header Actor,Capability,Position,Salience), ktab (first row: name, "
        "description, number of actors, number of dimensions), csv (header with actor, "
        "issue, position, salience, capability), decide (rows starting #A, #P, #M, #D)"
    )
    if suffix != ".csv":
        first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        if _LOOKS_LIKE_MAPPING.match(first):
            return "yaml"
        tried += ", yaml (a mapping of name, issues, actors, positions)"
    raise ScenarioError(
        f"cannot tell the file's format; tried {tried}. Name it with --format "
        f"({', '.join(FORMATS)})",
        file=os.fspath(path),
        location="line 1",
    )


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` so that the file is either the old one or complete.

    The text goes to a temporary file in the same folder, which then replaces ``path``
    in one step (:func:`os.replace`). An existing file keeps its permissions.

    Raises
    ------
    OSError
        When the folder cannot be written; ``path`` is then left untouched.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        binary = isinstance(text, bytes)
        options = {} if binary else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, "wb" if binary else "w", **options) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_targets(
    files: Mapping[str, Path | None] | None = None,
    folders: Mapping[str, Path | None] | None = None,
) -> None:
    """Refuse, before any work, output files and folders that could not be written.

    ``files`` and ``folders`` map an option's name (``"--output"``) to its path, or None
    when it was not given. A file is refused when it names a folder (an existing one, or
    a name ending in ``/``) or lies in a folder that does not exist; a folder when it is
    an existing file. So a command either writes every output or none.

    Raises
    ------
    ParameterError
    """
    from summitry.errors import ParameterError, one_line

    for option, path in (files or {}).items():
        if path is None:
            continue
        shown = one_line(str(path))
        if str(path).endswith(("/", os.sep)) or path.name in ("", ".", "..") or is_folder(path):
            raise ParameterError(f"{option} {shown}: it is a folder; give a file name")
        if not is_folder(path.absolute().parent):
            raise ParameterError(
                f"{option} {shown}: the folder {one_line(str(path.parent))} does not exist"
            )
    for option, path in (folders or {}).items():
        if path is not None and path.exists() and not is_folder(path):
            raise ParameterError(f"{option} {one_line(str(path))}: it is a file; give a folder")


def is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; False for a name the file system refuses to look up."""
    try:
        return path.is_dir()
    except OSError:  # a name the file system refuses to look up
        return False


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _resolve(shown: str) -> Path:
    """Return the file for ``shown``: a path on disk, else a bundled scenario."""
    from summitry.scenarios import example_path, list_examples

    path = Path(shown)
    try:
        exists = path.exists()
    except OSError as exc:  # a name the file system refuses (too long, say)
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", file=shown) from None
    if exists:
        return path
    bundled = example_path(shown)
    if bundled is not None:
        return bundled
    from summitry.library import case_path  # the case library (summitry calibrate)

    case = case_path(shown)
    if case is not None:
        return case
    names = ", ".join(name for name, _ in list_examples()) or "none installed"
    raise ScenarioError(f"no such file or bundled scenario (bundled: {names})", file=shown)


MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest scenario file read (16 MiB); a larger one is refused before it is read."""


def read_limited(path: Path, shown: str, what: str = "scenario file") -> bytes:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, or a ScenarioError.

    ``shown`` names the file in messages and ``what`` says what it should be. Folders,
    pipes, devices and sockets are refused before anything is read, and so is a name the
    file system cannot look up.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", file=shown) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"is a folder, not a {what}", file=shown)
    if not stat.S_ISREG(info.st_mode):
        # a FIFO, a device such as /dev/zero or a socket could block or never end
        raise ScenarioError("is not a regular file (a pipe, device or socket)", file=shown)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"the file has {info.st_size:,} bytes; {what}s are limited to {MAX_FILE_BYTES:,} bytes",
            file=shown,
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}", file=shown) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            f"the file grew past {MAX_FILE_BYTES:,} bytes while it was read", file=shown
        )
    return raw


def _read_text(path: Path, shown: str) -> str:
    raw = read_limited(path, shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            file=shown,
            location=f"line {line}",
        ) from None
