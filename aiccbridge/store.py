"""The state store: what each tenant has been delivered, in SQLite.

One file (by default ``.aiccbridge/state.db`` next to the config) holds, per tenant,
the last delivered fingerprint of every course, and a journal of runs. A run is
journalled before its bundle is written and closed after, so a run killed at any
point is finished by the next one: a bundle that reached its final name is
adopted, a half-written one is removed and written again.

Only one run may hold a store at a time: :meth:`StateStore.lock` takes an OS
file lock next to the database file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

from aiccbridge.errors import StoreBusyError, StoreError, UsageError

__all__ = [
    "BUNDLE_STATES",
    "BundleRecord",
    "DeliveredCourse",
    "PendingRun",
    "StateStore",
    "open_database",
    "utc_now",
]

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS delivered (
    tenant TEXT NOT NULL,
    course_id TEXT NOT NULL,
    title TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    input_key TEXT NOT NULL,
    package_file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bundle TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (tenant, course_id)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    bundle TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('writing', 'done', 'abandoned')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    plan TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_open ON runs (tenant, state);
CREATE TABLE IF NOT EXISTS bundles (
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('new', 'uploaded', 'failed')),
    created_at TEXT NOT NULL,
    marked_at TEXT,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (tenant, name)
);
"""

BUNDLE_STATES = ("new", "uploaded", "failed")


_T = TypeVar("_T")
_P = ParamSpec("_P")


def _guarded(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Turn a database failure (disk full, damaged file) into a StoreError."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except (sqlite3.Error, ValueError) as exc:
            store = args[0]
            path = getattr(store, "path", "state store")
            raise StoreError(
                f"{path}: the state store failed: {exc}",
                hint="check the disk has room; a damaged store can be moved aside "
                "(the next sync then rebuilds the whole library)",
            ) from None

    return wrapper


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class DeliveredCourse:
    """What a tenant last received for one course."""

    course_id: str
    title: str
    fingerprint: str
    input_key: str
    package_file: str
    sha256: str
    bundle: str


@dataclass(frozen=True, slots=True)
class BundleRecord:
    """An outbox bundle and what the admin said of it."""

    tenant: str
    name: str
    path: str
    state: str
    created_at: str
    marked_at: str | None
    packages: int
    retired: int

    def to_dict(self) -> dict[str, object]:
        return {
            "tenant": self.tenant,
            "bundle": self.name,
            "path": self.path,
            "state": self.state,
            "created_at": self.created_at,
            "marked_at": self.marked_at,
            "packages": self.packages,
            "retired": self.retired,
        }


@dataclass(frozen=True, slots=True)
class PendingRun:
    """A run journalled as writing: its bundle and what it was to record."""

    id: int
    tenant: str
    bundle: str
    plan: dict[str, object]


class StateStore:
    """An open state store. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                self._db = _open_read_only(path)
            else:
                self._db = open_database(path)
                self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: the state store is damaged or not a database ({exc})",
                hint="move the file aside; the next sync rebuilds the whole library",
            ) from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the state store: {exc}") from None
        self._lock_file: int | None = None

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.unlock()
        self._db.close()

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer aiccbridge (schema {version})",
                hint="upgrade aiccbridge",
            )
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    # -- the lock ------------------------------------------------------------

    def lock(self, wait: float = 0.0) -> None:
        """Take the store's run lock, waiting up to ``wait`` seconds for it."""
        try:
            fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(
                f"{self.path}.lock: cannot take the run lock: {exc.strerror or exc}"
            ) from None
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreBusyError(
                        f"{self.path}: another aiccbridge run holds the state store",
                        hint="wait for it to finish, or pass --wait SECONDS",
                    ) from None
                time.sleep(0.1)
        self._lock_file = fd

    def unlock(self) -> None:
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None

    # -- delivered state -----------------------------------------------------

    @_guarded
    def delivered(self, tenant: str) -> dict[str, DeliveredCourse]:
        rows = self._db.execute(
            "SELECT course_id, title, fingerprint, input_key, package_file, sha256, "
            "bundle "
            "FROM delivered WHERE tenant = ?",
            (tenant,),
        )
        return {row[0]: DeliveredCourse(*row) for row in rows}

    @_guarded
    def update_input_keys(self, tenant: str, keys: dict[str, str]) -> None:
        """Remember new input keys of packages that rebuilt to the same bytes."""
        if not keys:
            return
        with self._transaction():
            self._db.executemany(
                "UPDATE delivered SET input_key = ? WHERE tenant = ? AND course_id = ?",
                [(key, tenant, course_id) for course_id, key in keys.items()],
            )

    # -- the run journal -----------------------------------------------------

    @_guarded
    def open_runs(self, tenant: str) -> list[PendingRun]:
        rows = self._db.execute(
            "SELECT id, tenant, bundle, plan FROM runs "
            "WHERE tenant = ? AND state = 'writing' ORDER BY id",
            (tenant,),
        ).fetchall()
        return [PendingRun(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    @_guarded
    def begin_run(self, tenant: str, bundle: str, plan: dict[str, object]) -> int:
        """Journal a run before anything of its bundle is written."""
        cursor = self._db.execute(
            "INSERT INTO runs (tenant, bundle, state, started_at, plan) "
            "VALUES (?, ?, 'writing', ?, ?)",
            (tenant, bundle, utc_now().isoformat(), json.dumps(plan)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    @_guarded
    def finish_run(self, run: PendingRun, path: str = "") -> None:
        """Record a written bundle's deliveries and close its run, atomically."""
        plan = run.plan
        now = utc_now().isoformat()
        with self._transaction():
            if path:
                self._db.execute(
                    "INSERT OR IGNORE INTO bundles VALUES (?, ?, ?, 'new', ?, NULL, ?)",
                    (run.tenant, run.bundle, path, now, run.id),
                )
            for item in _records(plan, "deliver"):
                self._db.execute(
                    "INSERT OR REPLACE INTO delivered "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.tenant,
                        item["course_id"],
                        item["title"],
                        item["fingerprint"],
                        item["input_key"],
                        item["package"],
                        item["sha256"],
                        run.bundle,
                        now,
                    ),
                )
            for item in _records(plan, "retire"):
                self._db.execute(
                    "DELETE FROM delivered WHERE tenant = ? AND course_id = ?",
                    (run.tenant, item["course_id"]),
                )
            self._close_run(run.id, "done", now, keep_plan=bool(path))

    # -- bundles -------------------------------------------------------------

    @_guarded
    def bundles(self, tenant: str | None = None) -> list[BundleRecord]:
        """Every recorded bundle (of one tenant), oldest first."""
        rows = self._db.execute(
            "SELECT b.tenant, b.name, b.path, b.state, b.created_at, b.marked_at, "
            "r.plan FROM bundles b JOIN runs r ON r.id = b.run_id "
            "WHERE ? IS NULL OR b.tenant = ? ORDER BY b.created_at, b.name",
            (tenant, tenant),
        ).fetchall()
        return [_bundle(row) for row in rows]

    @_guarded
    def mark_bundle(self, tenant: str, name: str, state: str) -> BundleRecord:
        """Record what the admin did with a bundle.

        Marking it ``failed`` puts its packages back: courses it added are
        forgotten (the next sync adds them again), courses it replaced are marked
        stale (the next sync replaces them again), and courses it retired are
        remembered again (the next sync retires them again).
        """
        if state not in BUNDLE_STATES:
            raise UsageError(f"unknown bundle state {state!r}")
        with self._transaction():
            record = self._find_bundle(tenant, name)
            if record.state == "failed" and state != "failed":
                raise UsageError(
                    f"bundle {name!r} is marked failed: its packages were put back "
                    "for the next sync, so it cannot be marked again",
                    hint="run `aiccbridge sync`; the next bundle holds them",
                )
            if state == "failed" and record.state != "failed":
                self._undo_bundle(tenant, name)
            self._db.execute(
                "UPDATE bundles SET state = ?, marked_at = ? "
                "WHERE tenant = ? AND name = ?",
                (state, utc_now().isoformat(), tenant, name),
            )
        return self._find_bundle(tenant, name)

    def _find_bundle(self, tenant: str, name: str) -> BundleRecord:
        found = [b for b in self.bundles(tenant) if b.name == name]
        if not found:
            raise UsageError(
                f"no bundle {name!r} for tenant {tenant!r}",
                hint="see `aiccbridge bundles --tenant " + tenant + "`",
            )
        return found[0]

    def _undo_bundle(self, tenant: str, name: str) -> None:
        (plan_text,) = self._db.execute(
            "SELECT r.plan FROM bundles b JOIN runs r ON r.id = b.run_id "
            "WHERE b.tenant = ? AND b.name = ?",
            (tenant, name),
        ).fetchone()
        plan = json.loads(plan_text)
        for item in _records(plan, "deliver"):
            if item.get("action") == "add":
                self._db.execute(
                    "DELETE FROM delivered WHERE tenant = ? AND course_id = ? "
                    "AND bundle = ?",
                    (tenant, item["course_id"], name),
                )
            elif item.get("action") == "replace":
                self._db.execute(
                    "UPDATE delivered SET fingerprint = '', input_key = '' "
                    "WHERE tenant = ? AND course_id = ? AND bundle = ?",
                    (tenant, item["course_id"], name),
                )
        for item in _records(plan, "retire"):
            self._db.execute(
                "INSERT OR IGNORE INTO delivered "
                "VALUES (?, ?, ?, '', '', '', '', ?, ?)",
                (tenant, item["course_id"], item["title"], name, utc_now().isoformat()),
            )

    @_guarded
    def abandon_run(self, run: PendingRun) -> None:
        with self._transaction():
            self._close_run(run.id, "abandoned", utc_now().isoformat())

    def _close_run(
        self, run_id: int, state: str, now: str, *, keep_plan: bool = False
    ) -> None:
        """Close a run; only a bundle's plan is kept (marking it failed needs it)."""
        self._db.execute(
            "UPDATE runs SET state = ?, finished_at = ?, "
            "plan = CASE WHEN ? THEN plan ELSE '{}' END WHERE id = ?",
            (state, now, keep_plan, run_id),
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def open_database(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A state store's SQLite file, created when missing: WAL, flushed commits.

    Sync and the gateway share the file; WAL lets several processes read while
    one writes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        path, isolation_level=None, timeout=30, check_same_thread=check_same_thread
    )
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A store that is only read: an empty one in memory when the file is missing."""
    if not path.exists():
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.executescript(_SCHEMA)
        return db
    return sqlite3.connect(
        f"{path.absolute().as_uri()}?mode=ro",
        uri=True,
        isolation_level=None,
        timeout=30,
    )


def _bundle(row: tuple[str, ...]) -> BundleRecord:
    plan = json.loads(row[6])
    return BundleRecord(
        *row[:6], len(_records(plan, "deliver")), len(_records(plan, "retire"))
    )


def _records(plan: dict[str, object], key: str) -> Sequence[dict[str, str]]:
    items = plan.get(key, [])
    assert isinstance(items, list)
    return items
