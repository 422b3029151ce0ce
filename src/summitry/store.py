"""The run store: every forecast recorded in an embedded SQLite database.

A :class:`RunStore` is one SQLite file (stdlib :mod:`sqlite3`, no server). Each record
holds when the run happened, the summitry version, the scenario's digest (input hash),
the seed, the models with their parameters, the number of samples, the result
(:meth:`Forecast.to_dict`), the scenario itself as canonical JSON and the source as the
user named it; so a run can be shown again without re-running it, and re-run without
the original file::

    store = RunStore()                       # default_store_path()
    run_id = store.record(result, "korea-hanoi-2019")
    store.get(run_id[:4]).result             # a unique prefix is enough
    result, same, differences = store.rerun(run_id)

Where the file lives (first that applies): the ``path`` given (``--store PATH`` on the
command line), ``$SUMMITRY_HOME/runs.sqlite``, then ``runs.sqlite`` in the user data
folder (see :func:`user_data_dir`).

Safety: a record is written in one transaction after the forecast succeeded, so an
interrupted run leaves no partial record; writers wait up to :data:`TIMEOUT_S` seconds
for each other; the schema carries its version in ``PRAGMA user_version`` and
:data:`MIGRATIONS` brings an older file up to date. Every problem with the file is a
:class:`StoreError` naming the path and what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np

from summitry.bounds import MAX_LISTED_RUNS
from summitry.errors import ParameterError, SummitryError
from summitry.forecast import Forecast, replay
from summitry.scenario import Scenario

__all__ = [
    "FILENAME",
    "LIST_MAX",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "RunRecord",
    "RunStore",
    "RunSummary",
    "StoreError",
    "UnknownRunError",
    "default_store_path",
    "new_store_note",
    "user_data_dir",
]

FILENAME = "runs.sqlite"
"""Name of the database file inside a summitry home folder."""

SCHEMA_VERSION = 2
"""Schema version written to ``PRAGMA user_version``."""

TIMEOUT_S = 30.0
"""How long a connection waits for another writer before giving up (seconds)."""

LIST_MAX = MAX_LISTED_RUNS
"""Most runs ``summitry runs list --limit N`` shows at once."""

ID_LENGTH = 12
"""Run ids are the first 12 hex digits of a random UUID."""

IGNORED_ON_RERUN = ("summitry_version", "models.*.summary")
"""Paths of the result that :meth:`RunStore.rerun` does not compare (descriptions only)."""

_HEX = re.compile(r"[0-9a-f]+")
_SQLITE_MAX_INT = 2**63 - 1


class StoreError(SummitryError):
    """The run database cannot be used; the message names the file and what to do."""


class UnknownRunError(StoreError, LookupError):
    """No run, or more than one, has the id (or id prefix) asked for."""


# -- location ------------------------------------------------------------------------------


def user_data_dir(platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The folder where summitry keeps its data when ``SUMMITRY_HOME`` is not set.

    ``%LOCALAPPDATA%/summitry`` on Windows, ``~/Library/Application Support/summitry``
    on macOS, else ``$XDG_DATA_HOME/summitry`` when that is an absolute path, else
    ``~/.local/share/summitry``.

    Parameters
    ----------
    platform, environ
        Default :data:`sys.platform` and :data:`os.environ`; given in tests.
    """
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home()
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "summitry"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "summitry"
    xdg = environ.get("XDG_DATA_HOME", "")
    base_dir = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base_dir / "summitry"


def default_store_path() -> Path:
    """The run database used when no path is given.

    ``$SUMMITRY_HOME/runs.sqlite`` when ``SUMMITRY_HOME`` is set and not empty, else
    ``runs.sqlite`` in :func:`user_data_dir`.
    """
    home = os.environ.get("SUMMITRY_HOME", "")
    folder = Path(home).expanduser() if home else user_data_dir()
    return folder / FILENAME


def new_store_note(path: Path) -> str:
    """The one line a command prints when its first recorded run created the store at ``path``."""
    return (
        f"note: runs are kept in {path} (created now); choose another file with --store PATH "
        "or SUMMITRY_HOME=DIR, or record nothing with --no-store (docs/runs.md)"
    )


# -- schema --------------------------------------------------------------------------------


def _create_v1(con: sqlite3.Connection) -> None:
    """Schema 1: one row per run, one row per model of a run."""
    con.execute(
        """
        CREATE TABLE runs (
            seq              INTEGER PRIMARY KEY,
            id               TEXT NOT NULL UNIQUE,
            created          TEXT NOT NULL,
            summitry_version TEXT NOT NULL,
            source           TEXT NOT NULL,
            scenario_name    TEXT NOT NULL,
            input_sha256     TEXT NOT NULL,
            seed             INTEGER NOT NULL,
            samples          INTEGER NOT NULL,
            rounds           INTEGER,
            scenario         TEXT NOT NULL,
            result           TEXT NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE run_models (
            run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name     TEXT NOT NULL,
            params   TEXT NOT NULL,
            PRIMARY KEY (run_id, position)
        )
        """
    )
    con.execute("CREATE INDEX runs_input_sha256 ON runs(input_sha256)")


def _create_v2(con: sqlite3.Connection) -> None:
    """Schema 2: the forecast ledger (:mod:`summitry.ledger`), append-only.

    ``ledger`` holds one row per sealed question or grade, ``ledger_meta`` the head hash
    and the number of entries. Triggers refuse to change or delete a ledger row, so that
    only a deliberate edit of the file (which ``summitry ledger verify`` detects) can.
    """
    con.execute(
        """
        CREATE TABLE ledger (
            seq      INTEGER PRIMARY KEY,
            id       TEXT NOT NULL UNIQUE,
            type     TEXT NOT NULL,
            question TEXT NOT NULL,
            hash     TEXT NOT NULL,
            entry    TEXT NOT NULL
        )
        """
    )
    con.execute("CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for action in ("UPDATE", "DELETE"):
        con.execute(
            f"CREATE TRIGGER ledger_no_{action.lower()} BEFORE {action} ON ledger "
            "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
        )


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _create_v1, 1: _create_v2}
"""``MIGRATIONS[v]`` takes a store from schema ``v`` to ``v + 1``, inside one transaction.

Version 0 is a new, empty file. To change the schema, add a step under the current
:data:`SCHEMA_VERSION` and raise the version by one; files already written are upgraded
the next time they are opened.
"""


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One line of :meth:`RunStore.list`."""

    id: str
    created: str
    scenario_name: str
    source: str
    models: tuple[str, ...]
    samples: int
    seed: int
    input_sha256: str


@dataclass(frozen=True)
class RunRecord:
    """Everything stored about one run.

    Attributes
    ----------
    id
        Run id (12 hex digits).
    created
        UTC time of the run, ISO 8601.
    summitry_version
        Version that produced the result.
    source
        The scenario file or bundled name as the user gave it.
    scenario_name, input_sha256, seed, samples
        As in the forecast; ``input_sha256`` is :meth:`Scenario.digest` of ``scenario``.
    rounds
        Fixed number of rounds, or None where models followed their stopping rules.
    models
        Parameters by model name (:meth:`Model.get_params`), in the order the models ran.
    scenario
        The scenario as plain data, every field written out, defaults included
        (``Scenario.model_dump(mode="json")``).
    result
        :meth:`Forecast.to_dict` of the run.
    """

    id: str
    created: str
    summitry_version: str
    source: str
    scenario_name: str
    input_sha256: str
    seed: int
    samples: int
    rounds: int | None
    models: dict[str, dict[str, Any]]
    scenario: dict[str, Any]
    result: dict[str, Any]

    def load_scenario(self) -> Scenario:
        """The stored scenario, validated again."""
        return Scenario.from_dict(self.scenario, file=f"run {self.id}")

    def result_json(self) -> str:
        """The result as the text ``summitry forecast --json`` printed for the run."""
        return json.dumps(self.result, indent=2) + "\n"


# -- the store -----------------------------------------------------------------------------


class RunStore:
    """A run database in one SQLite file.

    Parameters
    ----------
    path
        The database file; default :func:`default_store_path`. The file and its folder
        are created by the first :meth:`record`; reading a missing file finds no runs.

    Attributes
    ----------
    created
        True once this object has created the database file (it did not exist before),
        so that a command can say where its first run went (:func:`new_store_note`).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.created = False

    def __repr__(self) -> str:
        return f"RunStore({str(self.path)!r})"

    # -- writing ---------------------------------------------------------------------------

    def record(self, forecast: Forecast, source: str | os.PathLike[str]) -> str:
        """Store a finished forecast in one transaction and return its new run id.

        Parameters
        ----------
        forecast
            The result of :func:`~summitry.forecast.forecast`.
        source
            The scenario file or bundled name as the user gave it.

        Raises
        ------
        StoreError
            When the file cannot be created, read or written; nothing is stored then.
        """
        scenario = forecast.scenario.model_dump(mode="json")
        row = {
            "created": forecast.created or datetime.now(UTC).isoformat(timespec="seconds"),
            "summitry_version": forecast.summitry_version,
            "source": os.fspath(source),
            "scenario_name": forecast.scenario.name,
            "input_sha256": forecast.input_sha256,
            "seed": forecast.seed,
            "samples": forecast.n_samples,
            "rounds": forecast.rounds,
            "scenario": json.dumps(scenario, sort_keys=True, separators=(",", ":")),
            "result": _dumps(forecast.to_dict()),
        }
        models = [(name, _dumps(m.get_params())) for name, m in forecast.models.items()]
        with self._open(create=True) as con, _transaction(con):
            row["id"] = run_id = _free_id(con)
            columns = ", ".join(row)
            marks = ", ".join(f":{key}" for key in row)
            con.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row)
            _insert_models(con, run_id, models)
        return run_id

    def check(self) -> None:
        """Open the store as :meth:`record` does, creating the file when it is missing.

        A command calls this before it writes its output and records the run only after,
        so that a store it cannot use stops it before anything is written, and a command
        that fails while writing records nothing.

        Raises
        ------
        StoreError
            When the file cannot be created, read or brought up to date.
        """
        with self._open(create=True):
            pass

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """Number of recorded runs."""
        with self._open() as con:
            return 0 if con is None else con.execute("SELECT count(*) FROM runs").fetchone()[0]

    def list(self, limit: int | None = 20) -> list[RunSummary]:
        """The most recent runs, newest first; ``limit=None`` lists every run.

        A limit larger than SQLite's integers (above ``2**63 - 1``) lists every run too.

        Raises
        ------
        ParameterError
            When ``limit`` is not a whole number of 0 or more.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ParameterError(f"the limit must be a whole number; got {limit!r}")
        if limit is not None and limit < 0:
            raise ParameterError(f"the limit must be 0 or more; got {limit}")
        bound = -1 if limit is None or limit > _SQLITE_MAX_INT else limit
        with self._open() as con:
            if con is None:
                return []
            # one query, so that the runs and their models come from the same moment
            found = con.execute(
                "SELECT r.id, r.created, r.scenario_name, r.source, r.samples, r.seed,"
                " r.input_sha256, m.name FROM (SELECT * FROM runs ORDER BY seq DESC LIMIT ?) r"
                " LEFT JOIN run_models m ON m.run_id = r.id ORDER BY r.seq DESC, m.position",
                (bound,),
            ).fetchall()
        rows: dict[str, tuple[Any, ...]] = {}
        names: dict[str, list[str]] = {}
        for *row, name in found:
            rows.setdefault(row[0], tuple(row))
            names.setdefault(row[0], []).extend([] if name is None else [name])
        return [
            RunSummary(
                id=run_id,
                created=created,
                scenario_name=scenario_name,
                source=source,
                models=tuple(names[run_id]),
                samples=samples,
                seed=seed,
                input_sha256=sha,
            )
            for run_id, created, scenario_name, source, samples, seed, sha in rows.values()
        ]

    def get(self, run_id: str) -> RunRecord:
        """The run with this id, or with the only id that starts with it.

        Raises
        ------
        UnknownRunError
            When no run matches, or several do.
        """
        with self._open() as con:
            full = self._resolve(con, run_id)
            row = con.execute(
                "SELECT id, created, summitry_version, source, scenario_name, input_sha256,"
                " seed, samples, rounds, scenario, result FROM runs WHERE id = ?",
                (full,),
            ).fetchone()
            models = con.execute(
                "SELECT name, params FROM run_models WHERE run_id = ? ORDER BY position",
                (full,),
            ).fetchall()
        try:
            return RunRecord(
                *row[:9],
                models={name: json.loads(params) for name, params in models},
                scenario=json.loads(row[9]),
                result=json.loads(row[10]),
            )
        except json.JSONDecodeError as exc:
            raise StoreError(
                f"run {full} in {self.path} holds damaged JSON ({exc}); the other runs can "
                "still be read"
            ) from None

    def rerun(self, run_id: str) -> tuple[Forecast, bool, list[str]]:
        """Run a stored run again from its record and compare the results.

        Returns
        -------
        forecast
            The new forecast (not recorded).
        same
            True when every outcome, stop and hash equals the stored one exactly.
        differences
            One line per value that changed, ``"<path>: stored X, now Y"``; the version
            and model descriptions (:data:`IGNORED_ON_RERUN`) are not compared.
        """
        record = self.get(run_id)
        result = replay(
            record.load_scenario(),
            record.models,
            seed=record.seed,
            rounds=record.rounds,
            samples=record.samples,
        )
        differences = compare_results(record.result, json.loads(_dumps(result.to_dict())))
        return result, not differences, differences

    # -- connection ------------------------------------------------------------------------

    def connect(self, *, create: bool = False) -> contextlib.AbstractContextManager[Any]:
        """A connection with an up-to-date schema, for modules that keep tables here.

        Used as a context manager; it gives None for a missing file unless ``create``.
        The connection is in autocommit mode (begin a transaction explicitly); every
        :class:`sqlite3.Error` and :class:`OSError` inside the block becomes a
        :class:`StoreError`. The forecast ledger (:mod:`summitry.ledger`) uses it.
        """
        return self._open(create=create)

    @contextlib.contextmanager
    def _open(self, *, create: bool = False) -> Iterator[Any]:
        """A connection with an up-to-date schema; None for a missing file unless ``create``.

        Every :class:`sqlite3.Error` and :class:`OSError` becomes a :class:`StoreError`.
        """
        if self.path.is_dir():
            raise StoreError(
                f"the run store {self.path} is a folder; give the database file, such as "
                f"{self.path / FILENAME}"
            )
        if not create and not self.path.exists():
            yield None
            return
        con = None
        existed = self.path.exists()
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=TIMEOUT_S, isolation_level=None)
            con.execute("PRAGMA foreign_keys = ON")
            self._prepare(con)
            self.created = self.created or not existed
            yield con
        except sqlite3.Error as exc:
            raise StoreError(self._explain(exc)) from None
        except OSError as exc:
            raise StoreError(
                f"cannot create the run store {self.path}: {exc.strerror or exc}; choose "
                "another place with --store PATH or SUMMITRY_HOME, or skip it with --no-store"
            ) from None
        finally:
            if con is not None:
                con.close()

    def _prepare(self, con: sqlite3.Connection) -> None:
        """Create the schema in a new file, or bring an older one up to date."""
        if _user_version(con) == SCHEMA_VERSION:
            return
        with _transaction(con):
            version = _user_version(con)  # again: another writer may have done it
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the run store {self.path} has schema {version}, newer than this "
                    f"summitry reads ({SCHEMA_VERSION}); upgrade summitry, or use another "
                    "store with --store PATH or SUMMITRY_HOME"
                )
            if version == 0 and con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise StoreError(
                    f"{self.path} is an SQLite database but not a summitry run store; "
                    "choose another file with --store PATH or SUMMITRY_HOME"
                )
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](con)
            con.execute(f"PRAGMA user_version = {int(SCHEMA_VERSION)}")

    def _resolve(self, con: sqlite3.Connection | None, run_id: str) -> str:
        key = run_id.strip().lower()
        matches = []
        if con is not None and _HEX.fullmatch(key):
            rows = con.execute(
                "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                (key, key + "g"),
            )
            matches = [row[0] for row in rows]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownRunError(
                f"no run '{run_id}' in {self.path}; `summitry runs list` shows the run ids"
            )
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise UnknownRunError(
            f"'{run_id}' is the start of several run ids ({shown}); give more of the id"
        )

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return (
                f"the run store {self.path} stayed busy for {TIMEOUT_S:g} s ({text}); try "
                "again, or skip recording with --no-store"
            )
        return (
            f"cannot use the run store {self.path} ({text}); if it is damaged, move it "
            "aside to start a new one, or choose another with --store PATH or "
            "SUMMITRY_HOME (--no-store skips recording)"
        )


# -- helpers -------------------------------------------------------------------------------


@contextlib.contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[None]:
    """Commit what the block did, or roll all of it back if the block raised."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _user_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def _free_id(con: sqlite3.Connection) -> str:
    while True:
        run_id = uuid.uuid4().hex[:ID_LENGTH]
        if con.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            return run_id


def _insert_models(con: sqlite3.Connection, run_id: str, models: Sequence[tuple[str, str]]) -> None:
    con.executemany(
        "INSERT INTO run_models (run_id, position, name, params) VALUES (?, ?, ?, ?)",
        [(run_id, k, name, params) for k, (name, params) in enumerate(models)],
    )


def _plain(value: Any) -> Any:
    """JSON fallback for numpy scalars and arrays among model parameters."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"cannot store a value of type {type(value).__name__}")


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), allow_nan=False, default=_plain)


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (dict, list, str)) else repr(value)


def compare_results(stored: Any, now: Any, path: str = "") -> list[str]:
    """Every difference between two :meth:`Forecast.to_dict` results, one line each.

    Lists of objects with an ``id`` (the issues) are matched by id, and shown as
    ``issues[sanctions]``; numbers must be equal exactly. Paths matching
    :data:`IGNORED_ON_RERUN` are skipped.
    """
    if isinstance(stored, dict) and isinstance(now, dict):
        out = []
        for key in dict.fromkeys([*stored, *now]):
            sub = f"{path}.{key}" if path else str(key)
            if _ignored(sub):
                continue
            if key not in now:
                out.append(f"{sub}: stored {_show(stored[key])}, now missing")
            elif key not in stored:
                out.append(f"{sub}: not stored, now {_show(now[key])}")
            else:
                out += compare_results(stored[key], now[key], sub)
        return out
    if isinstance(stored, list) and isinstance(now, list):
        old_ids, new_ids = _ids(stored), _ids(now)
        if old_ids is not None and old_ids == new_ids:
            keys = [f"{path}[{key}]" for key in old_ids]
        elif old_ids is None and new_ids is None and len(stored) == len(now):
            keys = [f"{path}[{k}]" for k in range(len(stored))]
        else:
            keys = []
        if keys:
            out = []
            for sub, a, b in zip(keys, stored, now, strict=True):
                out += compare_results(a, b, sub)
            return out
    if stored == now:
        return []
    return [f"{path}: stored {_show(stored)}, now {_show(now)}"]


def _ignored(path: str) -> bool:
    return any(fnmatchcase(path, pattern) for pattern in IGNORED_ON_RERUN)


def _ids(items: list[Any]) -> list[str] | None:
    if items and all(isinstance(x, dict) and isinstance(x.get("id"), str) for x in items):
        ids = [x["id"] for x in items]
        if len(set(ids)) == len(ids):
            return ids
    return None
