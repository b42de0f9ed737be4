"""The gateway's durable state: learner sessions and the HACP outbox, in SQLite.

The tables live in the same file as sync's state store (``[state] path``), in
WAL mode, each with a ``gateway_`` prefix. Their schema version is a row of
``gateway_meta``; ``PRAGMA user_version`` belongs to sync and is never touched.

Several processes may share one file. Every write runs in a ``BEGIN IMMEDIATE``
transaction, so a message is claimed by one worker at a time: the claim writes
the worker id and a lease expiry, and only a lease that has run out can be
claimed again (the worker died mid-send). Messages of one session go out
strictly in order: only the oldest unfinished message of a session can be
claimed.

The session token handed to the learner's browser is stored only as its
SHA-256. The learner (tenant, LMS host, ``Student_ID``) is stored only as a
keyed hash whose key is a random value kept in ``gateway_meta``. The
``AICC_SID`` is stored as it came, because every later message needs it:
protect the state file like a credential.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiccbridge.errors import StoreError
from aiccbridge.store import open_database

__all__ = [
    "SCHEMA_VERSION",
    "Claim",
    "Clock",
    "GatewayStore",
    "Message",
    "NewSession",
    "Plan",
    "Recorded",
    "SessionRow",
]

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Seconds since the epoch, like :func:`time.time` (tests pass their own)."""

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gateway_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    course_id TEXT NOT NULL,
    lms_host TEXT NOT NULL,
    learner TEXT,
    hacp_url TEXT NOT NULL,
    aicc_sid TEXT NOT NULL,
    launched_at REAL NOT NULL,
    last_report_at REAL,
    last_report TEXT,
    ended_at REAL,
    end_reason TEXT,
    floor_status TEXT,
    floor_score REAL
);
CREATE INDEX IF NOT EXISTS gateway_sessions_learner
    ON gateway_sessions (learner, course_id, ended_at);
CREATE TABLE IF NOT EXISTS gateway_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES gateway_sessions (id),
    command TEXT NOT NULL CHECK (command IN ('PutParam', 'ExitAU')),
    aicc_data TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'done', 'failed')),
    queued_at REAL NOT NULL,
    next_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    coalesced INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    finished_at REAL,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS gateway_messages_open ON gateway_messages (state, next_at);
CREATE INDEX IF NOT EXISTS gateway_messages_session
    ON gateway_messages (session_id, state, id);
CREATE TABLE IF NOT EXISTS gateway_completions (
    learner TEXT NOT NULL,
    course_id TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL,
    completed_at REAL NOT NULL,
    PRIMARY KEY (learner, course_id)
);
"""

_OPEN = "('queued', 'sending')"
_SESSION_COLUMNS = (
    "id, tenant, course_id, lms_host, learner, hacp_url, aicc_sid, launched_at, "
    "last_report, ended_at, end_reason, floor_status, floor_score"
)
_IS_HEAD = f"""m.state IN {_OPEN}
  AND m.id = (SELECT MIN(h.id) FROM gateway_messages h
              WHERE h.session_id = m.session_id AND h.state IN {_OPEN})"""
_DUE_AT = "CASE WHEN m.state = 'queued' THEN m.next_at ELSE m.lease_until END"
_HEADS = f"""
SELECT m.id FROM gateway_messages m
WHERE {_IS_HEAD} AND {_DUE_AT} <= :now
ORDER BY m.next_at, m.id
LIMIT :limit
"""
_NEXT_DUE = f"SELECT MIN({_DUE_AT}) FROM gateway_messages m WHERE {_IS_HEAD}"
_PURGEABLE = f"""
SELECT s.id FROM gateway_sessions s
WHERE (CASE WHEN s.ended_at IS NOT NULL THEN s.ended_at
            ELSE COALESCE(s.last_report_at, s.launched_at) END) < :cutoff
  AND NOT EXISTS (SELECT 1 FROM gateway_messages m
                  WHERE m.session_id = s.id AND m.state IN {_OPEN})
"""


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One learner session as stored; the repr masks the ``AICC_SID``."""

    id: int
    tenant: str
    course_id: str
    lms_host: str
    learner: str | None
    hacp_url: str
    aicc_sid: str = field(repr=False)
    launched_at: float
    last_report: dict[str, Any] | None
    ended_at: float | None
    end_reason: str | None
    floor_status: str | None
    floor_score: float | None


@dataclass(frozen=True, slots=True)
class NewSession:
    """What a launch that passed the check and GetParam opens."""

    token: str = field(repr=False)
    tenant: str
    course_id: str
    lms_host: str
    learner: str | None
    hacp_url: str
    aicc_sid: str = field(repr=False)
    floor_status: str | None = None
    floor_score: float | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One queued HACP message; ``aicc_data`` is fixed once it was claimed."""

    id: int
    session_id: int
    command: str
    aicc_data: str
    attempts: int
    queued_at: float
    coalesced: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A message a worker holds the lease of, with its session."""

    message: Message
    session: SessionRow


@dataclass(frozen=True, slots=True)
class Plan:
    """What one progress report or exit puts in the outbox.

    ``aicc_data`` is the PutParam to queue (or coalesce), ``end`` the reason
    the session ends (an ExitAU follows), ``report`` what is remembered as
    the last report, ``completion`` the status and score to remember for
    this learner and course.
    """

    aicc_data: str | None
    end: str | None = None
    report: dict[str, Any] | None = None
    completion: tuple[str, float | None] | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """The result of :meth:`GatewayStore.record`.

    ``state`` is ``"queued"``, ``"unknown"`` (no such session) or ``"ended"``
    (the session had ended before; nothing was queued).
    """

    state: str
    session: SessionRow | None = None
    ended: bool = False
    coalesced: bool = False


class GatewayStore:
    """The gateway tables of a state store; one connection, use from one thread."""

    def __init__(self, path: Path, *, clock: Clock = time.time) -> None:
        self.path = path
        self.clock = clock
        try:
            self._db = open_database(path, check_same_thread=False)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path}: the state store is damaged or not a database ({exc})",
                hint="move the file aside; undelivered progress in it is lost",
            ) from None
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the state store: {exc}") from None

    def __enter__(self) -> GatewayStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def _migrate(self) -> None:
        with self._write():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            found = self._meta("schema_version")
            if found is not None and int(found) > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: gateway tables written by a newer aiccbridge "
                    f"(schema {found})",
                    hint="upgrade aiccbridge",
                )
            self._set_meta("schema_version", str(SCHEMA_VERSION))
            if self._meta("learner_key") is None:
                self._set_meta("learner_key", secrets.token_hex(32))
        self._key = bytes.fromhex(self._meta("learner_key") or "")

    def _meta(self, key: str) -> str | None:
        row = self._db.execute(
            "SELECT value FROM gateway_meta WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO gateway_meta (key, value) VALUES (?, ?)",
            (key, value),
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction; taken before reading, so claims cannot race."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- sessions ------------------------------------------------------------

    def learner_key(self, tenant: str, lms_host: str, student_id: str) -> str:
        """The stored form of a learner: a keyed hash, never the id itself."""
        text = "\0".join((tenant, lms_host.lower(), student_id)).encode("utf-8")
        return hmac.new(self._key, text, hashlib.sha256).hexdigest()

    def open_session(self, new: NewSession) -> SessionRow:
        """Open a session; the same learner's open session of the course ends.

        The ended session gets an ExitAU when it had any report. The new
        session's status floor is the best of what the LMS said and what
        this learner completed before.
        """
        now = self.clock()
        with self._write():
            self._supersede(new, now)
            status, score = self._floor(new)
            cursor = self._db.execute(
                "INSERT INTO gateway_sessions (token_hash, tenant, course_id, "
                "lms_host, learner, hacp_url, aicc_sid, launched_at, floor_status, "
                "floor_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _token_hash(new.token),
                    new.tenant,
                    new.course_id,
                    new.lms_host,
                    new.learner,
                    new.hacp_url,
                    new.aicc_sid,
                    now,
                    status,
                    score,
                ),
            )
            session_id = cursor.lastrowid
        found = self._session_where("id = ?", (session_id,))
        if found is None:
            raise StoreError(f"{self.path}: a new session vanished")
        return found

    def _supersede(self, new: NewSession, now: float) -> None:
        if new.learner is None:
            return
        rows = self._db.execute(
            "SELECT id, last_report FROM gateway_sessions "
            "WHERE learner = ? AND course_id = ? AND ended_at IS NULL",
            (new.learner, new.course_id),
        ).fetchall()
        for session_id, last_report in rows:
            self._end(session_id, "superseded", now)
            if last_report is not None:
                self._insert(session_id, "ExitAU", "", now)
            logger.info("session %d ended: superseded by a new launch", session_id)

    def _floor(self, new: NewSession) -> tuple[str | None, float | None]:
        status, score = new.floor_status, new.floor_score
        if new.learner is None:
            return status, score
        row = self._db.execute(
            "SELECT status, score FROM gateway_completions "
            "WHERE learner = ? AND course_id = ?",
            (new.learner, new.course_id),
        ).fetchone()
        if row is None:
            return status, score
        if status != "passed":
            status = row[0]
        scores = [s for s in (score, row[1]) if s is not None]
        return status, max(scores) if scores else None

    def session(self, token: str) -> SessionRow | None:
        """The session a token names, or None."""
        return self._session_where("token_hash = ?", (_token_hash(token),))

    def _session_where(self, where: str, args: tuple[Any, ...]) -> SessionRow | None:
        row = self._db.execute(
            f"SELECT {_SESSION_COLUMNS} FROM gateway_sessions WHERE {where}", args
        ).fetchone()
        return None if row is None else _session_row(row)

    def record(self, token: str, plan: Callable[[SessionRow], Plan]) -> Recorded:
        """Queue what ``plan`` makes of a report, atomically; durable on return.

        A PutParam replaces the session's last queued PutParam when that one
        was never claimed for sending (coalescing); otherwise it is appended.
        """
        now = self.clock()
        with self._write():
            session = self._session_where("token_hash = ?", (_token_hash(token),))
            if session is None:
                return Recorded("unknown")
            if session.ended_at is not None:
                return Recorded("ended", session)
            made = plan(session)
            coalesced = self._queue_plan(session, made, now)
        return Recorded(
            "queued", session, ended=made.end is not None, coalesced=coalesced
        )

    def _queue_plan(self, session: SessionRow, made: Plan, now: float) -> bool:
        coalesced = False
        if made.aicc_data is not None:
            coalesced = self._coalesce(session.id, made.aicc_data)
            if not coalesced:
                self._insert(session.id, "PutParam", made.aicc_data, now)
        if made.report is not None:
            self._db.execute(
                "UPDATE gateway_sessions SET last_report = ?, last_report_at = ? "
                "WHERE id = ?",
                (json.dumps(made.report), now, session.id),
            )
        if made.completion is not None and session.learner is not None:
            self._remember_completion(session, *made.completion, now)
        if made.end is not None:
            self._insert(session.id, "ExitAU", "", now)
            self._end(session.id, made.end, now)
        return coalesced

    def _coalesce(self, session_id: int, aicc_data: str) -> bool:
        row = self._db.execute(
            "SELECT id, command, state, attempts FROM gateway_messages "
            f"WHERE session_id = ? AND state IN {_OPEN} ORDER BY id DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        if row is None or tuple(row[1:]) != ("PutParam", "queued", 0):
            return False
        self._db.execute(
            "UPDATE gateway_messages SET aicc_data = ?, coalesced = coalesced + 1 "
            "WHERE id = ? AND state = 'queued' AND attempts = 0",
            (aicc_data, row[0]),
        )
        return True

    def _insert(
        self, session_id: int, command: str, aicc_data: str, now: float
    ) -> None:
        self._db.execute(
            "INSERT INTO gateway_messages (session_id, command, aicc_data, state, "
            "queued_at, next_at) VALUES (?, ?, ?, 'queued', ?, ?)",
            (session_id, command, aicc_data, now, now),
        )

    def _end(self, session_id: int, reason: str, now: float) -> None:
        self._db.execute(
            "UPDATE gateway_sessions SET ended_at = ?, end_reason = ? WHERE id = ?",
            (now, reason, session_id),
        )

    def _remember_completion(
        self, session: SessionRow, status: str, score: float | None, now: float
    ) -> None:
        self._db.execute(
            "INSERT INTO gateway_completions (learner, course_id, status, score, "
            "completed_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (learner, course_id) DO UPDATE SET "
            "status = CASE WHEN status = 'passed' THEN status "
            "ELSE excluded.status END, "
            "score = MAX(COALESCE(score, excluded.score), "
            "COALESCE(excluded.score, score)), completed_at = excluded.completed_at",
            (session.learner, session.course_id, status, score, now),
        )

    # -- delivery ------------------------------------------------------------

    def claim(self, worker: str, limit: int, lease_seconds: float) -> list[Claim]:
        """Lease up to ``limit`` messages, each the oldest open one of its session."""
        now = self.clock()
        with self._write():
            ids = [
                row[0] for row in self._db.execute(_HEADS, {"now": now, "limit": limit})
            ]
            for message_id in ids:
                self._db.execute(
                    "UPDATE gateway_messages SET state = 'sending', lease_owner = ?, "
                    "lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                    (worker, now + lease_seconds, message_id),
                )
        return [self._claim(message_id) for message_id in ids]

    def _claim(self, message_id: int) -> Claim:
        row = self._db.execute(
            "SELECT id, session_id, command, aicc_data, attempts, queued_at, "
            "coalesced FROM gateway_messages WHERE id = ?",
            (message_id,),
        ).fetchone()
        message = Message(*row)
        session = self._session_where("id = ?", (message.session_id,))
        if session is None:
            raise StoreError(f"{self.path}: message {message_id} has no session")
        return Claim(message, session)

    def delivered(self, message_id: int, outcome: str = "delivered") -> None:
        """Store the LMS's acknowledgement: the message is never sent again."""
        self._finish(message_id, "done", outcome)

    def failed(self, message_id: int, outcome: str) -> None:
        """Give a message up (a refusal, or too old); later ones go on."""
        self._finish(message_id, "failed", outcome)

    def _finish(self, message_id: int, state: str, outcome: str) -> None:
        with self._write():
            self._db.execute(
                "UPDATE gateway_messages SET state = ?, outcome = ?, finished_at = ?, "
                f"lease_owner = NULL, lease_until = NULL WHERE id = ? AND state IN "
                f"{_OPEN}",
                (state, outcome, self.clock(), message_id),
            )

    def retry(self, message_id: int, worker: str, next_at: float, error: str) -> None:
        """Put a leased message back in the queue, due at ``next_at``."""
        with self._write():
            self._db.execute(
                "UPDATE gateway_messages SET state = 'queued', next_at = ?, "
                "outcome = ?, lease_owner = NULL, lease_until = NULL "
                "WHERE id = ? AND state = 'sending' AND lease_owner = ?",
                (next_at, error, message_id, worker),
            )

    def release(self, message_id: int, worker: str) -> None:
        """Give a lease back unfinished (shutdown); the message is due at once."""
        self.retry(message_id, worker, self.clock(), "interrupted")

    def next_due(self) -> float | None:
        """When a message can next be claimed (a retry or a lease falls due)."""
        row = self._db.execute(_NEXT_DUE).fetchone()
        return None if row[0] is None else float(row[0])

    def messages(self, session_id: int) -> list[tuple[str, str, str, int]]:
        """Command, state, outcome and attempts of a session's messages, in order."""
        rows = self._db.execute(
            "SELECT command, state, COALESCE(outcome, ''), attempts "
            "FROM gateway_messages WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    # -- housekeeping --------------------------------------------------------

    def purge(self, retention_seconds: float) -> int:
        """Delete sessions finished (or idle) longer ago than the retention."""
        cutoff = self.clock() - retention_seconds
        with self._write():
            ids = [row[0] for row in self._db.execute(_PURGEABLE, {"cutoff": cutoff})]
            for session_id in ids:
                self._db.execute(
                    "DELETE FROM gateway_messages WHERE session_id = ?", (session_id,)
                )
                self._db.execute(
                    "DELETE FROM gateway_sessions WHERE id = ?", (session_id,)
                )
            self._db.execute(
                "DELETE FROM gateway_completions WHERE completed_at < ?", (cutoff,)
            )
        if ids:
            logger.info("purged %d finished sessions", len(ids))
        return len(ids)

    def stats(self) -> dict[str, Any]:
        """Counts for ``/health``: sessions, messages by state, the oldest pending."""
        open_, ended = self._db.execute(
            "SELECT COALESCE(SUM(ended_at IS NULL), 0), "
            "COALESCE(SUM(ended_at IS NOT NULL), 0) FROM gateway_sessions"
        ).fetchone()
        states = dict.fromkeys(("queued", "sending", "done", "failed"), 0)
        for state, count in self._db.execute(
            "SELECT state, COUNT(*) FROM gateway_messages GROUP BY state"
        ):
            states[state] = count
        (oldest,) = self._db.execute(
            f"SELECT MIN(queued_at) FROM gateway_messages WHERE state IN {_OPEN}"
        ).fetchone()
        return {
            "sessions": {"open": open_, "ended": ended},
            "deliveries": states,
            "oldest_pending_seconds": (
                None if oldest is None else round(self.clock() - oldest, 1)
            ),
        }


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session_row(row: tuple[Any, ...]) -> SessionRow:
    values = list(row)
    values[8] = None if values[8] is None else json.loads(values[8])
    return SessionRow(*values)
