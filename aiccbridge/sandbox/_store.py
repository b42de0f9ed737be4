"""The sandbox's state in one SQLite file: courses, learners, sessions, records, log.

Nothing here knows HACP; :mod:`aiccbridge.sandbox._engine` decides what to
store. Every call takes one lock, so the store can be shared by the threads of
one server. Session ids are stored as they were handed out (the sandbox is a
test LMS on 127.0.0.1); the exchange log holds them masked only.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiccbridge.core.hacp import Score
from aiccbridge.errors import StoreError

__all__ = ["Course", "Exchange", "Learner", "Record", "SandboxStore", "Session"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS courses (
    course_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    zip BLOB NOT NULL,
    model TEXT NOT NULL,
    diagnostics TEXT NOT NULL,
    profile TEXT,
    retired INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 1,
    imported_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS learners (
    student_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    student_id TEXT NOT NULL,
    course_id TEXT NOT NULL,
    au_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    credit TEXT NOT NULL,
    lesson_mode TEXT NOT NULL,
    state TEXT NOT NULL,
    entry TEXT,
    floor_status TEXT,
    base_seconds REAL NOT NULL DEFAULT 0,
    pending_seconds REAL,
    exit_flag TEXT,
    putparams INTEGER NOT NULL DEFAULT 0,
    launched_at REAL NOT NULL,
    exited_at REAL
);
CREATE TABLE IF NOT EXISTS records (
    student_id TEXT NOT NULL,
    course_id TEXT NOT NULL,
    au_id TEXT NOT NULL,
    status TEXT NOT NULL,
    score_raw REAL,
    score_max REAL,
    score_min REAL,
    total_seconds REAL NOT NULL,
    location TEXT NOT NULL,
    core_lesson TEXT NOT NULL,
    comments TEXT NOT NULL,
    objectives TEXT NOT NULL,
    last_exit TEXT,
    attempts INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (student_id, course_id, au_id)
);
CREATE TABLE IF NOT EXISTS put_tables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL,
    course_id TEXT NOT NULL,
    au_id TEXT NOT NULL,
    command TEXT NOT NULL,
    header TEXT NOT NULL,
    rows TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    session TEXT NOT NULL,
    student_id TEXT,
    course_id TEXT,
    au_id TEXT,
    profile TEXT NOT NULL,
    command TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    error INTEGER,
    notes TEXT NOT NULL
);
"""

_SESSION_FIELDS = (
    "state",
    "entry",
    "floor_status",
    "base_seconds",
    "pending_seconds",
    "exit_flag",
    "putparams",
    "exited_at",
)


@dataclass
class Course:
    """An imported course: its package model (as JSON data) and its settings."""

    course_id: str
    title: str
    version: str
    source: str
    sha256: str
    model: dict[str, Any]
    diagnostics: list[dict[str, Any]]
    profile: str | None
    retired: bool
    revision: int
    imported_at: float
    updated_at: float

    @property
    def aus(self) -> list[dict[str, str]]:
        """The ``.au`` rows, every column by its model name."""
        return list(self.model.get("aus", []))

    @property
    def structure(self) -> list[dict[str, Any]]:
        """The ``.cst`` rows: ``{"block": ..., "members": [...]}``, Root first."""
        return list(self.model.get("structure", []))

    @property
    def titles(self) -> dict[str, str]:
        """Title of every AU and block, by lower-case id (from the ``.des``)."""
        rows = self.model.get("descriptors", [])
        return {row["system_id"].lower(): row["title"] for row in rows}

    def au(self, au_id: str) -> dict[str, str] | None:
        """The AU with this id (ids ignore case), or None."""
        wanted = au_id.lower()
        return next((a for a in self.aus if a["system_id"].lower() == wanted), None)

    def to_dict(self) -> dict[str, Any]:
        """The course for the JSON API."""
        return {
            "course_id": self.course_id,
            "title": self.title,
            "version": self.version,
            "source": self.source,
            "sha256": self.sha256,
            "profile": self.profile,
            "retired": self.retired,
            "revision": self.revision,
            "aus": [
                {**au, "title": self.titles.get(au["system_id"].lower(), "")}
                for au in self.aus
            ],
            "structure": self.structure,
            "diagnostics": self.diagnostics,
        }


@dataclass(frozen=True)
class Learner:
    """A learner: the ``Student_ID`` and ``Student_Name`` the sandbox sends."""

    student_id: str
    name: str


@dataclass
class Session:
    """One HACP session: a launch of one AU for one learner."""

    sid: str
    student_id: str
    course_id: str
    au_id: str
    profile: str
    credit: str
    lesson_mode: str
    state: str = "launched"
    entry: str | None = None
    floor_status: str | None = None
    base_seconds: float = 0.0
    pending_seconds: float | None = None
    exit_flag: str | None = None
    putparams: int = 0
    launched_at: float = 0.0
    exited_at: float | None = None


@dataclass
class Record:
    """What the sandbox recorded for one learner and one AU of a course."""

    student_id: str
    course_id: str
    au_id: str
    status: str = "not attempted"
    score: Score | None = None
    total_seconds: float = 0.0
    location: str = ""
    core_lesson: str = ""
    comments: str = ""
    objectives: list[dict[str, Any]] = field(default_factory=list)
    last_exit: str | None = None
    attempts: int = 0
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The record for the JSON API (without its Put* tables)."""
        score = self.score
        return {
            "student_id": self.student_id,
            "course_id": self.course_id,
            "au_id": self.au_id,
            "status": self.status,
            "score": None
            if score is None
            else {"raw": score.raw, "max": score.max, "min": score.min},
            "time_seconds": self.total_seconds,
            "location": self.location,
            "core_lesson": self.core_lesson,
            "comments": self.comments,
            "objectives": self.objectives,
            "last_exit": self.last_exit,
            "attempts": self.attempts,
        }


@dataclass(frozen=True)
class Exchange:
    """One logged HACP exchange; ``session`` is the masked session id."""

    id: int
    at: float
    session: str
    student_id: str | None
    course_id: str | None
    au_id: str | None
    profile: str
    command: str
    request: str
    response: str
    error: int | None
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The exchange for the JSON API."""
        return {
            "id": self.id,
            "at": self.at,
            "session": self.session,
            "student_id": self.student_id,
            "course_id": self.course_id,
            "au_id": self.au_id,
            "profile": self.profile,
            "command": self.command,
            "request": self.request,
            "response": self.response,
            "error": self.error,
            "notes": list(self.notes),
        }


class SandboxStore:
    """The sandbox's SQLite file (``":memory:"`` keeps it in memory).

    Raises :class:`aiccbridge.errors.StoreError` when the file cannot be opened
    or is not a sandbox database.
    """

    def __init__(
        self, path: str | Path, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = str(path)
        self._clock = clock
        self._lock = threading.RLock()
        self._db = self._open(self.path)

    @staticmethod
    def _open(path: str) -> sqlite3.Connection:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: cannot open the sandbox database: {exc}",
                hint="point --db at a new file, or remove the damaged one",
            ) from None
        return db

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()

    def now(self) -> float:
        """The store's clock (seconds since the epoch)."""
        return self._clock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the block as one transaction."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- settings ------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A value of the ``meta`` table, or None."""
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        """Write a value of the ``meta`` table."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- courses ---------------------------------------------------------------

    def save_course(self, course: Course, data: bytes) -> None:
        """Insert or replace a course (its records stay)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO courses VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    course.course_id,
                    course.title,
                    course.version,
                    course.source,
                    course.sha256,
                    data,
                    json.dumps(course.model),
                    json.dumps(course.diagnostics),
                    course.profile,
                    int(course.retired),
                    course.revision,
                    course.imported_at,
                    course.updated_at,
                ),
            )

    def course(self, course_id: str) -> Course | None:
        """The course with this id, retired or not."""
        rows = self._rows("SELECT * FROM courses WHERE course_id = ?", (course_id,))
        return _course(rows[0]) if rows else None

    def courses(self, *, retired: bool = False) -> list[Course]:
        """Every course (with the retired ones when asked), by id."""
        sql = "SELECT * FROM courses" + ("" if retired else " WHERE retired = 0")
        return [_course(row) for row in self._rows(sql + " ORDER BY course_id")]

    def course_zip(self, course_id: str) -> bytes | None:
        """The package as it was uploaded."""
        rows = self._rows("SELECT zip FROM courses WHERE course_id = ?", (course_id,))
        return bytes(rows[0]["zip"]) if rows else None

    def update_course(self, course_id: str, **values: Any) -> None:
        """Change ``profile`` or ``retired`` of a course."""
        allowed = {"profile", "retired"}
        names = sorted(set(values) & allowed)
        sets = ", ".join(f"{name} = ?" for name in names)
        args = [values[name] for name in names]
        with self.transaction() as db:
            db.execute(
                f"UPDATE courses SET {sets}, updated_at = ? WHERE course_id = ?",
                (*args, self.now(), course_id),
            )

    def delete_course(self, course_id: str) -> None:
        """Remove a course and everything recorded for it."""
        with self.transaction() as db:
            for table in ("courses", "sessions", "records", "put_tables"):
                db.execute(f"DELETE FROM {table} WHERE course_id = ?", (course_id,))

    # -- learners and sessions -------------------------------------------------

    def save_learner(self, learner: Learner) -> None:
        """Add a learner, or rename one."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO learners VALUES (?, ?)",
                (learner.student_id, learner.name),
            )

    def learner(self, student_id: str) -> Learner | None:
        """The learner with this id."""
        rows = self._rows("SELECT * FROM learners WHERE student_id = ?", (student_id,))
        return Learner(rows[0]["student_id"], rows[0]["name"]) if rows else None

    def learners(self) -> list[Learner]:
        """Every learner, by id."""
        rows = self._rows("SELECT * FROM learners ORDER BY student_id")
        return [Learner(row["student_id"], row["name"]) for row in rows]

    def add_session(self, session: Session) -> None:
        """Store a new session."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sessions (sid, student_id, course_id, au_id, profile, "
                "credit, lesson_mode, state, launched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session.sid,
                    session.student_id,
                    session.course_id,
                    session.au_id,
                    session.profile,
                    session.credit,
                    session.lesson_mode,
                    session.state,
                    session.launched_at,
                ),
            )

    def session(self, sid: str) -> Session | None:
        """The session with exactly this id."""
        rows = self._rows("SELECT * FROM sessions WHERE sid = ?", (sid,))
        return Session(**dict(rows[0])) if rows else None

    def sessions(self, student_id: str, course_id: str) -> list[Session]:
        """A learner's sessions of a course, newest first."""
        rows = self._rows(
            "SELECT * FROM sessions WHERE student_id = ? AND course_id = ? "
            "ORDER BY launched_at DESC",
            (student_id, course_id),
        )
        return [Session(**dict(row)) for row in rows]

    def save_session(self, db: sqlite3.Connection, session: Session) -> None:
        """Write a session's changing fields, inside ``transaction()``."""
        sets = ", ".join(f"{name} = ?" for name in _SESSION_FIELDS)
        args = [getattr(session, name) for name in _SESSION_FIELDS]
        db.execute(f"UPDATE sessions SET {sets} WHERE sid = ?", (*args, session.sid))

    # -- records ---------------------------------------------------------------

    def record(self, student_id: str, course_id: str, au_id: str) -> Record:
        """The record of one learner and AU (a fresh one when there is none)."""
        rows = self._rows(
            "SELECT * FROM records WHERE student_id = ? AND course_id = ? "
            "AND au_id = ?",
            (student_id, course_id, au_id),
        )
        if not rows:
            return Record(student_id, course_id, au_id)
        return _record(rows[0])

    def records(
        self, *, student_id: str | None = None, course_id: str | None = None
    ) -> list[Record]:
        """Every record, or those of one learner and/or course."""
        where, args = _filters(student_id=student_id, course_id=course_id)
        rows = self._rows(
            f"SELECT * FROM records{where} ORDER BY student_id, course_id, au_id", args
        )
        return [_record(row) for row in rows]

    def save_record(self, db: sqlite3.Connection, record: Record) -> None:
        """Write a record, inside ``transaction()``."""
        score = record.score
        db.execute(
            "INSERT OR REPLACE INTO records VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.student_id,
                record.course_id,
                record.au_id,
                record.status,
                None if score is None else score.raw,
                None if score is None else score.max,
                None if score is None else score.min,
                record.total_seconds,
                record.location,
                record.core_lesson,
                record.comments,
                json.dumps(record.objectives),
                record.last_exit,
                record.attempts,
                self.now(),
            ),
        )

    def add_table(
        self,
        db: sqlite3.Connection,
        session: Session,
        command: str,
        table: tuple[tuple[str, ...], list[tuple[str, ...]]],
    ) -> None:
        """Keep the CSV body of a PutInteractions (or other Put*), inside a
        ``transaction()``."""
        header, rows = table
        db.execute(
            "INSERT INTO put_tables (student_id, course_id, au_id, command, header, "
            "rows, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session.student_id,
                session.course_id,
                session.au_id,
                command,
                json.dumps(list(header)),
                json.dumps([list(row) for row in rows]),
                self.now(),
            ),
        )

    def tables(
        self, student_id: str, course_id: str, au_id: str
    ) -> dict[str, list[dict[str, str]]]:
        """The Put* CSV rows kept for one record, as dicts, by command."""
        rows = self._rows(
            "SELECT command, header, rows FROM put_tables WHERE student_id = ? AND "
            "course_id = ? AND au_id = ? ORDER BY id",
            (student_id, course_id, au_id),
        )
        found: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            header = json.loads(row["header"])
            rows_of = found.setdefault(row["command"], [])
            for cells in json.loads(row["rows"]):
                rows_of.append(dict(zip(header, cells, strict=False)))
        return found

    # -- exchange log ------------------------------------------------------------

    def log_exchange(self, exchange: Exchange) -> None:
        """Append one exchange to the log (its id is assigned here)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO exchanges (at, session, student_id, course_id, au_id, "
                "profile, command, request, response, error, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    exchange.at,
                    exchange.session,
                    exchange.student_id,
                    exchange.course_id,
                    exchange.au_id,
                    exchange.profile,
                    exchange.command,
                    exchange.request,
                    exchange.response,
                    exchange.error,
                    json.dumps(list(exchange.notes)),
                ),
            )

    def exchanges(
        self,
        *,
        student_id: str | None = None,
        course_id: str | None = None,
        limit: int = 200,
    ) -> list[Exchange]:
        """The latest exchanges (oldest first), optionally of a learner/course."""
        where, args = _filters(student_id=student_id, course_id=course_id)
        rows = self._rows(
            f"SELECT * FROM exchanges{where} ORDER BY id DESC LIMIT ?", (*args, limit)
        )
        return [_exchange(row) for row in reversed(rows)]


def _filters(**values: str | None) -> tuple[str, tuple[str, ...]]:
    given = {name: value for name, value in values.items() if value is not None}
    if not given:
        return "", ()
    where = " WHERE " + " AND ".join(f"{name} = ?" for name in given)
    return where, tuple(given.values())


def _course(row: sqlite3.Row) -> Course:
    return Course(
        course_id=row["course_id"],
        title=row["title"],
        version=row["version"],
        source=row["source"],
        sha256=row["sha256"],
        model=json.loads(row["model"]),
        diagnostics=json.loads(row["diagnostics"]),
        profile=row["profile"],
        retired=bool(row["retired"]),
        revision=row["revision"],
        imported_at=row["imported_at"],
        updated_at=row["updated_at"],
    )


def _record(row: sqlite3.Row) -> Record:
    raw = row["score_raw"]
    score = None if raw is None else Score(raw, row["score_max"], row["score_min"])
    return Record(
        student_id=row["student_id"],
        course_id=row["course_id"],
        au_id=row["au_id"],
        status=row["status"],
        score=score,
        total_seconds=row["total_seconds"],
        location=row["location"],
        core_lesson=row["core_lesson"],
        comments=row["comments"],
        objectives=json.loads(row["objectives"]),
        last_exit=row["last_exit"],
        attempts=row["attempts"],
        updated_at=row["updated_at"],
    )


def _exchange(row: sqlite3.Row) -> Exchange:
    values = dict(row)
    values["notes"] = tuple(json.loads(values["notes"]))
    return Exchange(**values)
