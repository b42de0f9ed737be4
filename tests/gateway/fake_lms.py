"""A small HACP LMS for tests and benchmarks: a real HTTP server on 127.0.0.1.

It answers GetParam, PutParam and ExitAU the way two LMS families frame their
answers (``style="moodle"``: CRLF, no version, ``aicc_data=[Core]`` on one line,
``Lesson_Status=<status>, ab-initio``, an HTML content type; ``style="ilias"``:
a leading TAB and space, LF only, ``error_txt``, ``version=3.0``, lower-case
keys and one-letter statuses). It keeps each learner's record like an LMS that
adds a session's time to the total only at ExitAU, records every request, and
can be told to fail (HTTP 500), drop the connection, stall past a timeout,
answer an HTML login page, or answer "already exited" to everything.
"""

from __future__ import annotations

import datetime
import http.server
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

from aiccbridge.core.hacp import (
    format_timespan,
    parse_aicc_data,
    parse_request,
)

__all__ = ["Exchange", "FakeLms", "Learner", "Mode"]

Mode = Literal["ok", "fail", "drop", "stall", "html", "exited"]
Style = Literal["moodle", "ilias"]

_LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Log in to the site</title></head>"
    "<body><h1>Log in</h1><form method='post'><input name='username'>"
    "<input type='password' name='password'></form></body></html>\n"
)
_ILIAS_LETTERS = {
    "passed": "p",
    "completed": "c",
    "failed": "f",
    "incomplete": "i",
    "browsed": "b",
    "not attempted": "n",
}


@dataclass
class Learner:
    """One enrolment: what the LMS holds for a session id."""

    student_id: str
    name: str
    status: str = "not attempted"
    score: str = ""
    total: datetime.timedelta = datetime.timedelta()
    session_time: datetime.timedelta = datetime.timedelta()
    exited: bool = False
    attempts: int = 0


@dataclass(frozen=True)
class Exchange:
    """One request the LMS received, and how it answered (``ok`` or not)."""

    command: str
    session_id: str
    aicc_data: str
    answer: str
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.answer == "ok"


class FakeLms:
    """The LMS. Use as a context manager; ``url`` is its HACP endpoint."""

    def __init__(
        self,
        *,
        style: Style = "moodle",
        latency: float = 0.0,
        auto_enrol: bool = False,
        stall_seconds: float = 3.0,
    ) -> None:
        self.style = style
        self.latency = latency
        self.auto_enrol = auto_enrol
        self.stall_seconds = stall_seconds
        self.mode: Mode = "ok"
        #: commands that stall even in ``ok`` mode (answered after the stall)
        self.stall_commands: set[str] = set()
        self.getparam_body: str | None = None
        self._learners: dict[str, Learner] = {}
        self._log: list[Exchange] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.lms = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    def __enter__(self) -> FakeLms:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hacp/aicc.php"

    def enrol(self, session_id: str, student_id: str, name: str, **state: str) -> None:
        """Open an LMS session ``session_id`` for a learner."""
        with self._lock:
            learner = Learner(student_id, name, **state)  # type: ignore[arg-type]
            self._learners[session_id] = learner

    def forget(self, session_id: str) -> None:
        """Close an LMS session: its id is unknown from now on."""
        with self._lock:
            del self._learners[session_id]

    def learner(self, session_id: str) -> Learner:
        with self._lock:
            return self._learners[session_id]

    @property
    def log(self) -> list[Exchange]:
        with self._lock:
            return list(self._log)

    def commands(self, session_id: str | None = None) -> list[str]:
        """The commands received (for one session id), answered or not."""
        return [
            e.command
            for e in self.log
            if session_id is None or e.session_id == session_id
        ]

    def repeated_acknowledgements(self) -> list[Exchange]:
        """Requests answered ``ok`` that repeat one answered ``ok`` before."""
        seen: set[tuple[str, str, str]] = set()
        repeats = []
        for exchange in self.log:
            key = (exchange.command, exchange.session_id, exchange.aicc_data)
            if exchange.ok and key in seen:
                repeats.append(exchange)
            if exchange.ok:
                seen.add(key)
        return repeats

    # -- answering -----------------------------------------------------------

    def dropped(self, body: bytes) -> None:
        """Record a request whose connection was closed without an answer."""
        request = parse_request(body)
        with self._lock:
            self._log.append(
                Exchange(request.command_name, request.session_id, "", "drop")
            )

    def answer(self, body: bytes, content_type: str | None) -> tuple[int, str, str]:
        """Status, content type and body for one request (called per request)."""
        if self.latency:
            time.sleep(self.latency)
        request = parse_request(body, content_type)
        command = request.command_name
        mode = self.mode
        if mode == "stall" or command in self.stall_commands:
            time.sleep(self.stall_seconds)
        status, text, answer = self._dispatch(
            mode, command, request.session_id, request.aicc_data
        )
        with self._lock:
            self._log.append(
                Exchange(command, request.session_id, request.aicc_data, answer)
            )
        kind = "text/html; charset=utf-8" if self.style == "moodle" else "text/plain"
        if answer == "html":
            kind = "text/html"
        return status, kind, text

    def _dispatch(
        self, mode: Mode, command: str, sid: str, aicc_data: str
    ) -> tuple[int, str, str]:
        if mode == "fail":
            return 500, "<html><body>Internal Server Error</body></html>", "http 500"
        if mode == "html":
            return 200, _LOGIN_PAGE, "html"
        if mode == "exited":
            return 200, self._error(101, "Terminated"), "error=101"
        with self._lock:
            learner = self._learner(sid)
            if learner is None:
                return 200, self._error(3, "Invalid Session ID"), "error=3"
            return self._command(learner, command, aicc_data)

    def _learner(self, sid: str) -> Learner | None:
        if sid not in self._learners and self.auto_enrol:
            self._learners[sid] = Learner(f"u{len(self._learners) + 1}", "Doe, Jane")
        return self._learners.get(sid)

    def _command(
        self, learner: Learner, command: str, aicc_data: str
    ) -> tuple[int, str, str]:
        if command == "GetParam":
            if learner.exited:
                return 200, self._error(101, "Terminated"), "error=101"
            return 200, self._getparam(learner), "ok"
        if command == "PutParam":
            if learner.exited:
                return 200, self._error(1, "Terminated"), "error=1"
            self._store(learner, aicc_data)
            return 200, self._ok(), "ok"
        if command == "ExitAU":
            if learner.exited:
                return 200, self._error(101, "Terminated"), "error=101"
            learner.total += learner.session_time
            learner.session_time = datetime.timedelta()
            learner.exited = True
            return 200, self._ok(), "ok"
        return 200, self._error(1, "Invalid Command"), "error=1"

    def _store(self, learner: Learner, aicc_data: str) -> None:
        core = parse_aicc_data(aicc_data).core
        learner.attempts += 1
        if core.lesson_status is not None:
            learner.status = core.lesson_status.status.value
        if core.score is not None:
            learner.score = f"{core.score.raw:g}"
        if core.time is not None:
            learner.session_time = core.time

    # -- framing -------------------------------------------------------------

    def _ok(self) -> str:
        if self.style == "ilias":
            return "\t error=0\nerror_txt=Successful\nversion=3.0\n"
        return "error=0\r\nerror_text=Successful\r\n"

    def _error(self, code: int, text: str) -> str:
        if self.style == "ilias":
            return f"\t error={code}\nerror_txt={text}\nversion=3.0\n"
        return f"error={code}\r\nerror_text={text}\r\n"

    def _getparam(self, learner: Learner) -> str:
        if self.getparam_body is not None:
            return self.getparam_body
        total = format_timespan(learner.total)
        if self.style == "ilias":
            letter = _ILIAS_LETTERS[learner.status]
            return "\n".join(
                [
                    "\t error=0",
                    "error_txt=Successful",
                    "version=3.0",
                    "aicc_data=",
                    "[core]",
                    f"student_id={learner.student_id}",
                    f"student_name={learner.name}",
                    f"time={total}",
                    "credit=c",
                    "lesson_location=",
                    f"lesson_status={letter},{'a' if letter == 'n' else 'r'}",
                    f"score={learner.score}",
                    "[core_lesson]",
                    "",
                ]
            )
        entry = "ab-initio" if learner.status == "not attempted" else "resume"
        return "\r\n".join(
            [
                "error=0",
                "error_text=Successful",
                "aicc_data=[Core]",
                f"Student_ID={learner.student_id}",
                f"Student_Name={learner.name}",
                "Lesson_Location=",
                "Credit=credit",
                f"Lesson_Status={learner.status}, {entry}",
                f"Score={learner.score}",
                f"Time={total}",
                "Lesson_Mode=normal",
                "[Core_Lesson]",
                "[Evaluation]",
                "Course_ID = {A001}",
                "",
            ]
        )


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    lms: FakeLms


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        lms = self.server.lms
        if lms.mode == "drop":
            lms.dropped(body)
            self.close_connection = True
            self.connection.close()
            return
        status, kind, text = lms.answer(body, self.headers.get("Content-Type"))
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output stays readable."""
