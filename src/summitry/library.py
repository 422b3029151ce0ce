"""The case library: past negotiations encoded as scenarios, with what really happened.

Each case is an ordinary scenario file in the package folder ``summitry/cases/`` (its id
is the file name without ``.yaml``), encoded as of a date before the outcome was known
(``metadata.as_of``) and, once the outcome is public record, carrying the recorded
``outcome``. The bundled Korea summits :data:`BUNDLED_CASES` belong to the library too.

>>> from summitry.library import case_library, load_case
>>> ids = [case.id for case in case_library()]          # doctest: +SKIP
>>> scenario = load_case("korea-hanoi-2019")            # doctest: +SKIP

A case id is also accepted wherever a scenario FILE is (``summitry score <id>``):
:func:`summitry.io.load` looks in the library after the bundled scenarios.
:func:`library_counts` says how many cases record a deal and how many a failure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from summitry.errors import ScenarioError
from summitry.scenario import Scenario
from summitry.scenarios import example_path

__all__ = [
    "BUNDLED_CASES",
    "Case",
    "case_library",
    "case_path",
    "cases_folder",
    "library_counts",
    "load_case",
]

BUNDLED_CASES: tuple[str, ...] = ("korea-singapore-2018", "korea-hanoi-2019")
"""Bundled scenarios (``summitry examples``) that record an outcome and count as cases."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Case:
    """One case of the library: its id and its file.

    Attributes
    ----------
    id
        The file name without ``.yaml``; what ``summitry calibrate`` and ``load`` accept.
    path
        The scenario file.
    bundled
        True for the bundled scenarios of :data:`BUNDLED_CASES`.
    """

    id: str
    path: Path
    bundled: bool = False


def cases_folder() -> Path:
    """The folder of the case files (it may not exist in an installation without cases)."""
    return Path(str(files("summitry").joinpath("cases")))


def case_library() -> list[Case]:
    """Every case: the files of :func:`cases_folder`, then :data:`BUNDLED_CASES`, by id.

    The files are listed, not read; a case file that shares an id with a bundled scenario
    replaces it.
    """
    found: dict[str, Case] = {}
    for name in BUNDLED_CASES:
        path = example_path(name)
        if path is not None:
            found[name] = Case(name, path, bundled=True)
    folder = cases_folder()
    if folder.is_dir():
        for path in folder.glob("*.yaml"):
            if path.is_file() and _ID.match(path.stem):
                found[path.stem] = Case(path.stem, path)
    return [found[k] for k in sorted(found)]


def case_path(case_id: str) -> Path | None:
    """The file of the case ``case_id`` (``.yaml`` optional), or None when there is none."""
    case_id = case_id.removesuffix(".yaml")
    if not _ID.match(case_id) or ".." in case_id:
        return None
    return next((c.path for c in case_library() if c.id == case_id), None)


def load_case(case_id: str) -> Scenario:
    """Read and validate the case ``case_id``.

    Raises
    ------
    ScenarioError
        When the library has no such case (the message lists the ids), or the file
        breaks a rule.
    """
    from summitry.io import load  # summitry.io looks cases up here

    path = case_path(case_id)
    if path is None:
        ids = ", ".join(c.id for c in case_library()) or "none"
        raise ScenarioError(f"no case '{case_id}' in the library (cases: {ids})")
    try:
        return load(path, format="yaml")
    except ScenarioError as exc:
        raise ScenarioError(exc.rule, file=case_id, location=exc.location) from None


def library_counts(scenarios: Sequence[Scenario] | None = None) -> dict[str, int]:
    """How many cases the library holds: ``cases``, ``deals``, ``failures``, ``open``.

    ``open`` counts the cases without a recorded outcome yet. ``scenarios`` are the
    loaded cases; default every case of :func:`case_library`.
    """
    if scenarios is None:
        scenarios = [load_case(c.id) for c in case_library()]
    deals = sum(1 for s in scenarios if s.outcome is not None and s.outcome.deal)
    failures = sum(1 for s in scenarios if s.outcome is not None and not s.outcome.deal)
    return {
        "cases": len(scenarios),
        "deals": deals,
        "failures": failures,
        "open": len(scenarios) - deals - failures,
    }


def case_rows(scenarios: Sequence[Scenario] | None = None) -> list[dict[str, str | None]]:
    """One row per case for a listing: ``id``, ``as_of``, ``outcome``, ``date``, ``about``.

    ``outcome`` is ``deal``, ``no deal`` or ``open`` (no outcome recorded yet); ``date``
    is the outcome's date; ``about`` the first line of the description. ``scenarios``
    are the loaded cases in the order of :func:`case_library`; default every case.
    """
    if scenarios is None:
        scenarios = [load_case(c.id) for c in case_library()]
    rows: list[dict[str, str | None]] = []
    for case in scenarios:
        outcome = case.outcome
        rows.append(
            {
                "id": case.name,
                "as_of": str(case.metadata.get("as_of") or "") or None,
                "outcome": "open" if outcome is None else ("deal" if outcome.deal else "no deal"),
                "date": None if outcome is None else outcome.date,
                "about": (case.description or "").strip().split("\n", 1)[0],
            }
        )
    return rows
