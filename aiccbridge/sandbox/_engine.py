"""Launches and the HACP session rules: what the sandbox does with each command.

:func:`start_launch` opens an HACP session for a learner and an AU and builds
the AU's launch URL; :func:`answer_hacp` answers one HACP request under the
session's LMS profile and logs the exchange with the session id masked.

Rules (``spec``; a profile may relax them, see its habits): GetParam first;
nothing after ExitAU; a PutParam's ``Time`` is this session's time, added to
the total at ExitAU; in ``review`` mode nothing but the location and suspend
data is saved, in ``browse`` mode a first attempt becomes ``browsed``, and
``no-credit`` keeps status and score as they were; a status never drops below
what it was when the session started (a relaunch does not undo a completion).
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote_plus

from aiccbridge.core.hacp import (
    COMMANDS,
    HacpRequest,
    HacpValueError,
    parse_csv_table,
    parse_request,
)
from aiccbridge.core.launch import mask_session_id
from aiccbridge.errors import UsageError
from aiccbridge.sandbox._answers import GetParamView, reply
from aiccbridge.sandbox._profiles import LmsProfile, get_profile
from aiccbridge.sandbox._reading import Report
from aiccbridge.sandbox._store import (
    Course,
    Exchange,
    Learner,
    Record,
    SandboxStore,
    Session,
)

__all__ = [
    "CREDITS",
    "DEFAULT_PROFILE_KEY",
    "LESSON_MODES",
    "HacpAnswer",
    "Launch",
    "answer_hacp",
    "default_profile",
    "effective_profile",
    "launch_url",
    "start_launch",
]

logger = logging.getLogger(__name__)

DEFAULT_PROFILE_KEY = "default_profile"
LESSON_MODES = ("normal", "browse", "review")
CREDITS = ("credit", "no-credit")

_SID_ALPHABET = string.ascii_letters + string.digits
_SID_LENGTH = 20
_CMI_IDENTIFIER = re.compile(r"[A-Za-z0-9_:-]{1,255}")
_PRINTABLE_ID = re.compile(r"[!-~]{1,255}")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_NOT_LETTER = re.compile(r"[^A-Za-z]")
_COMMAND_NAMES = {name.lower(): name for name in COMMANDS}
_TABLE_COMMANDS = ("PutInteractions", "PutObjectives", "PutPath", "PutPerformance")
_RANK = {
    "not attempted": 0,
    "browsed": 1,
    "incomplete": 2,
    "failed": 3,
    "completed": 4,
    "passed": 5,
}


# ------------------------------------------------------------------ profiles


def default_profile(store: SandboxStore) -> LmsProfile:
    """The sandbox-wide profile (``spec`` until one is chosen)."""
    return get_profile(store.setting(DEFAULT_PROFILE_KEY) or "spec")


def effective_profile(store: SandboxStore, course: Course) -> LmsProfile:
    """The course's own profile, else the sandbox-wide one."""
    return get_profile(course.profile) if course.profile else default_profile(store)


# ------------------------------------------------------------------ launches


@dataclass(frozen=True)
class Launch:
    """A started launch: open ``url`` in a new window. ``sid`` is secret-ish."""

    url: str
    sid: str = field(repr=False)
    course_id: str
    au_id: str
    student_id: str
    profile: str

    def to_dict(self) -> dict[str, str]:
        """The launch for the JSON API (the URL necessarily holds the session)."""
        return {
            "launch_url": self.url,
            "session": mask_session_id(self.sid),
            "course_id": self.course_id,
            "au_id": self.au_id,
            "student_id": self.student_id,
            "profile": self.profile,
        }


def start_launch(
    store: SandboxStore,
    base_url: str,
    course: Course,
    learner: Learner,
    *,
    au_id: str | None = None,
    lesson_mode: str = "normal",
    credit: str = "credit",
) -> Launch:
    """Open a session and build the AU's launch URL on ``base_url`` (``/`` ended).

    Raises :class:`UsageError` for a retired course, an unknown AU, mode or
    credit, or a learner id the course's profile does not take.
    """
    profile = effective_profile(store, course)
    au = _chosen_au(course, au_id)
    _check_launch(profile, learner, lesson_mode, credit, course)
    store.save_learner(learner)
    session = Session(
        sid="".join(secrets.choice(_SID_ALPHABET) for _ in range(_SID_LENGTH)),
        student_id=learner.student_id,
        course_id=course.course_id,
        au_id=au["system_id"],
        profile=profile.name,
        credit=credit,
        lesson_mode=lesson_mode,
        launched_at=store.now(),
    )
    store.add_session(session)
    url = launch_url(base_url, course, au, session.sid, profile)
    logger.info(
        "launch %s/%s for %s (%s)",
        course.course_id,
        session.au_id,
        learner.student_id,
        profile.name,
    )
    return Launch(
        url,
        session.sid,
        course.course_id,
        session.au_id,
        learner.student_id,
        profile.name,
    )


def _chosen_au(course: Course, au_id: str | None) -> dict[str, str]:
    if not course.aus:
        raise UsageError(f"course {course.course_id!r} has no AU to launch")
    if au_id is None:
        return _first_au(course)
    au = course.au(au_id)
    if au is None:
        raise UsageError(f"course {course.course_id!r} has no AU {au_id!r}")
    return au


def _first_au(course: Course) -> dict[str, str]:
    """The first AU met walking the course structure from Root, else the first."""
    blocks = {row["block"].lower(): row["members"] for row in course.structure}
    pending = list(blocks.get("root", []))
    seen: set[str] = set()
    while pending:
        member = pending.pop(0)
        if member.lower() in seen:
            continue
        seen.add(member.lower())
        au = course.au(member)
        if au is not None:
            return au
        pending[:0] = blocks.get(member.lower(), [])
    return course.aus[0]


def _check_launch(
    profile: LmsProfile, learner: Learner, mode: str, credit: str, course: Course
) -> None:
    if course.retired:
        raise UsageError(f"course {course.course_id!r} is retired")
    if mode not in LESSON_MODES:
        modes = ", ".join(LESSON_MODES)
        raise UsageError(f"lesson mode {mode!r} is not one of {modes}")
    if credit not in CREDITS:
        raise UsageError(f"credit {credit!r} is not one of {', '.join(CREDITS)}")
    if not _PRINTABLE_ID.fullmatch(learner.student_id):
        raise UsageError(
            "a Student_ID is 1 to 255 printable characters without spaces",
            hint="use an id such as learner-1",
        )
    if not learner.name.strip() or _has_break(learner.name):
        raise UsageError("a learner name is one line of text, such as 'Doe, Jane'")
    if profile.strict_student_ids and not _CMI_IDENTIFIER.fullmatch(learner.student_id):
        raise UsageError(
            f"the {profile.name} profile takes only Student_IDs of letters, digits, "
            f"'-', '_' and ':'; {learner.student_id!r} is refused",
            hint="launch with another learner id, or another profile",
        )


def _has_break(text: str) -> bool:
    return "\r" in text or "\n" in text


def launch_url(
    base_url: str, course: Course, au: dict[str, str], sid: str, profile: LmsProfile
) -> str:
    """The AU's ``File_Name`` with ``Web_Launch``, ``AICC_SID`` and ``AICC_URL``."""
    target, _, fragment = _target(base_url, course, au["file_name"]).partition("#")
    hacp = base_url + "hacp"
    for _ in range(profile.url_encoding):
        hacp = quote(hacp, safe="")
    sid_name, url_name = ("AICC_SID", "AICC_URL")
    if profile.launch_names == "lower":
        sid_name, url_name = sid_name.lower(), url_name.lower()
    params = [au.get("web_launch", "").lstrip("?&")]
    params += [f"{sid_name}={sid}", f"{url_name}={hacp}"]
    query = "&".join(p for p in params if p)
    joined = target + ("&" if "?" in target else "?") + query
    return joined + (f"#{fragment}" if fragment else "")


def _target(base_url: str, course: Course, file_name: str) -> str:
    name = file_name.strip()
    if re.match(r"(?i)https?://", name):
        return name
    path = quote(name.replace("\\", "/").lstrip("./"), safe="/?=&")
    return f"{base_url}content/{quote(course.course_id, safe='')}/{path}"


# ------------------------------------------------------------------ HACP


@dataclass(frozen=True)
class HacpAnswer:
    """An HTTP answer to an HACP request."""

    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    status: int = 200


@dataclass
class _Exchange:
    """What one request is about, gathered while it is answered."""

    body: str
    profile: LmsProfile
    request: HacpRequest | None = None
    session: Session | None = None
    command: str = ""
    notes: list[str] = field(default_factory=list)


def answer_hacp(
    store: SandboxStore, body: bytes | str, content_type: str | None = None
) -> HacpAnswer:
    """Answer one HACP request (a POST body or a GET query) and log it."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    exchange = _Exchange(text, default_profile(store))
    try:
        exchange.request = parse_request(body, content_type)
    except HacpValueError as exc:
        exchange.notes.append(exc.message)
    answer, error = _answer(store, exchange)
    _log(store, exchange, answer, error)
    return answer


def _answer(store: SandboxStore, ex: _Exchange) -> tuple[HacpAnswer, int | None]:
    request = ex.request
    ex.session = _find_session(store, request.session_id if request else "")
    if ex.session is not None:
        ex.profile = get_profile(ex.session.profile)
    profile = ex.profile
    if request is None or (profile.exact_command_key and not _exact_command(ex.body)):
        return _not_a_command(profile)
    ex.command = _command(request.command, profile)
    if ex.session is None:
        return _unknown_session(profile)
    if ex.command not in profile.commands:
        return _not_a_command(profile)
    problem = _order_problem(ex.session, ex.command, profile)
    if problem:
        return _error(profile, problem)
    return _run(store, ex, request)


def _find_session(store: SandboxStore, sid: str) -> Session | None:
    if not sid:
        return None
    session = store.session(sid)
    if session is not None:
        return session
    cleaned = _NOT_ALNUM.sub("", sid)
    session = store.session(cleaned) if cleaned and cleaned != sid else None
    if session is not None and get_profile(session.profile).clean_ids:
        return session
    return None


def _exact_command(body: str) -> bool:
    return any(
        unquote_plus(pair.partition("=")[0]) == "command"
        for pair in body.lstrip("?").split("&")
    )


def _command(raw: str, profile: LmsProfile) -> str:
    text = _NOT_LETTER.sub("", raw) if profile.clean_ids else raw.strip()
    return _COMMAND_NAMES.get(text.lower(), text)


def _order_problem(session: Session, command: str, profile: LmsProfile) -> str:
    if not profile.enforce_order:
        return ""
    if session.state == "exited":
        return "exited_getparam" if command == "GetParam" else "exited"
    if session.state == "launched" and command != "GetParam":
        return "not_initialized"
    return ""


def _error(
    profile: LmsProfile, outcome: str, detail: str = ""
) -> tuple[HacpAnswer, int]:
    code, text = profile.text(outcome, detail)
    return HacpAnswer(reply(profile, code, text), profile.content_type), code


def _ok(profile: LmsProfile, data: list[str] | None = None) -> tuple[HacpAnswer, int]:
    code, text = profile.text("ok")
    return HacpAnswer(reply(profile, code, text, data), profile.content_type), code


def _empty(profile: LmsProfile) -> HacpAnswer:
    return HacpAnswer(b"", profile.content_type)


def _not_a_command(profile: LmsProfile) -> tuple[HacpAnswer, int | None]:
    if profile.exact_command_key or profile.commands != frozenset(COMMANDS):
        return _empty(profile), None
    return _error(profile, "invalid_command")


def _unknown_session(profile: LmsProfile) -> tuple[HacpAnswer, int | None]:
    if profile.unknown_session == "empty":
        return _empty(profile), None
    if profile.unknown_session == "html":
        page = (
            "<!DOCTYPE html><html><head><title>Error</title></head><body>"
            "<p>Invalid session: this HACP session is unknown or has expired."
            "</p></body></html>"
        )
        return HacpAnswer(page.encode("utf-8"), "text/html; charset=utf-8"), None
    return _error(profile, "invalid_session")


# ------------------------------------------------------------------ commands


def _run(
    store: SandboxStore, ex: _Exchange, request: HacpRequest
) -> tuple[HacpAnswer, int | None]:
    assert ex.session is not None
    session, profile = ex.session, ex.profile
    course = store.course(session.course_id)
    au = (course.au(session.au_id) if course else None) or {}
    record = store.record(session.student_id, session.course_id, session.au_id)
    if ex.command == "GetParam":
        return _get_param(store, ex, record, course, au)
    if ex.command == "PutParam":
        report = profile.reader(request.aicc_data, request.version)
        if report.refused:
            ex.notes.append(f"refused: {report.refused}")
            return _error(profile, "refused", report.refused)
        _put_param(store, ex, record, report, au)
    elif ex.command == "ExitAU":
        _exit_au(store, ex, record)
    elif ex.command == "PutComments":
        _put_comments(store, ex, record, request.aicc_data)
    else:
        problem = _put_table(store, ex, request.aicc_data)
        if problem and profile.name == "spec":
            return _error(profile, "refused", problem)
    return _ok(profile)


def _get_param(
    store: SandboxStore,
    ex: _Exchange,
    record: Record,
    course: Course | None,
    au: dict[str, str],
) -> tuple[HacpAnswer, int | None]:
    session = ex.session
    assert session is not None
    if session.state == "launched":
        _begin(session, record)
        with store.transaction() as db:
            store.save_session(db, session)
            store.save_record(db, record)
    learner = store.learner(session.student_id)
    view = _view(record, session, learner, course, au)
    return _ok(ex.profile, ex.profile.writer(view))


def _begin(session: Session, record: Record) -> None:
    """The first command of a session: fix its entry flag, floor and base time."""
    session.state = "active"
    session.entry = _entry(record)
    session.floor_status = record.status
    session.base_seconds = record.total_seconds
    record.attempts += 1


def _entry(record: Record) -> str | None:
    if record.status == "not attempted" and not record.core_lesson:
        return "ab-initio"
    return "resume" if record.last_exit == "suspend" else None


def _view(
    record: Record,
    session: Session,
    learner: Learner | None,
    course: Course | None,
    au: dict[str, str],
) -> GetParamView:
    return GetParamView(
        student_id=session.student_id,
        student_name=learner.name if learner else session.student_id,
        course_id=course.course_id if course else session.course_id,
        au_id=au.get("system_id", session.au_id),
        status=record.status,
        entry=session.entry,
        credit=session.credit,
        lesson_mode=session.lesson_mode,
        lesson_location=record.location,
        score=record.score,
        total_seconds=record.total_seconds,
        core_lesson=record.core_lesson,
        core_vendor=au.get("core_vendor", "").replace("<cr>", "\n"),
        comments=record.comments,
        mastery_score=au.get("mastery_score", ""),
        max_time_allowed=au.get("max_time_allowed", ""),
        time_limit_action=au.get("time_limit_action", ""),
    )


def _put_param(
    store: SandboxStore,
    ex: _Exchange,
    record: Record,
    report: Report,
    au: dict[str, str],
) -> None:
    session, profile = ex.session, ex.profile
    assert session is not None
    if session.state == "launched":
        _begin(session, record)
    ex.notes += report.notes
    _free_fields(record, report)
    _status_and_score(ex, record, report, au.get("mastery_score", ""))
    if report.exit_flag:
        session.exit_flag = report.exit_flag
    if report.seconds is not None and profile.time_counted == "putparam":
        record.total_seconds = session.base_seconds + report.seconds
    elif report.seconds is not None:
        session.pending_seconds = report.seconds
    session.putparams += 1
    with store.transaction() as db:
        store.save_session(db, session)
        store.save_record(db, record)


def _free_fields(record: Record, report: Report) -> None:
    if report.location is not None:
        record.location = report.location
    if report.core_lesson is not None:
        record.core_lesson = report.core_lesson
    if report.comments:
        record.comments = report.comments
    if report.objectives is not None:
        record.objectives = report.objectives


def _status_and_score(
    ex: _Exchange, record: Record, report: Report, mastery: str
) -> None:
    session = ex.session
    assert session is not None
    status = report.status
    if ex.profile.mastery_override and report.score is not None:
        status = _mastered(status, report.score.raw, mastery, ex.notes)
    if session.lesson_mode == "review":
        _skip(ex.notes, status, report, "review mode")
        return
    if session.lesson_mode == "browse":
        _skip(ex.notes, status, report, "browse mode")
        if status is not None and record.status == "not attempted":
            record.status = "browsed"
        return
    if session.credit == "no-credit":
        _skip(ex.notes, status, report, "no-credit")
        return
    if report.score is not None:
        record.score = report.score
    if status is not None:
        record.status = _not_backwards(status, session.floor_status, ex.notes)


def _mastered(
    status: str | None, raw: float, mastery: str, notes: list[str]
) -> str | None:
    try:
        threshold = float(mastery)
    except ValueError:
        return status
    decided = "passed" if raw >= threshold else "failed"
    if decided != status:
        notes.append(f"score {raw:g} against mastery score {mastery}: {decided}")
    return decided


def _skip(notes: list[str], status: str | None, report: Report, why: str) -> None:
    if status is not None or report.score is not None:
        notes.append(f"{why}: status and score not saved")


def _not_backwards(status: str, floor: str | None, notes: list[str]) -> str:
    new, old = _RANK.get(status), _RANK.get(floor or "")
    if new is not None and old is not None and new < old:
        notes.append(f"status kept at {floor}, not moved back to {status}")
        return floor or status
    return status


def _exit_au(store: SandboxStore, ex: _Exchange, record: Record) -> None:
    session = ex.session
    assert session is not None
    if session.putparams == 0:
        ex.notes.append("ExitAU without a PutParam (the spec wants one first)")
    if ex.profile.time_counted == "exit" and session.pending_seconds:
        record.total_seconds += session.pending_seconds
    session.pending_seconds = None
    record.last_exit = session.exit_flag
    session.state = "exited"
    session.exited_at = store.now()
    with store.transaction() as db:
        store.save_session(db, session)
        store.save_record(db, record)


def _put_comments(
    store: SandboxStore, ex: _Exchange, record: Record, text: str
) -> None:
    if not ex.profile.keeps_put_data:
        ex.notes.append(f"{ex.profile.name} discards PutComments")
        return
    comment = text.strip()
    if comment:
        record.comments = f"{record.comments}\n{comment}".strip("\n")
        with store.transaction() as db:
            store.save_record(db, record)


def _put_table(store: SandboxStore, ex: _Exchange, text: str) -> str:
    if not ex.profile.keeps_put_data:
        ex.notes.append(f"{ex.profile.name} discards {ex.command}")
        return ""
    try:
        table = parse_csv_table(text)
    except HacpValueError as exc:
        ex.notes.append(f"{ex.command} body not read: {exc.message}")
        return exc.message
    assert ex.session is not None
    with store.transaction() as db:
        store.add_table(db, ex.session, ex.command, table)
    return ""


# ------------------------------------------------------------------ log


def _log(
    store: SandboxStore, ex: _Exchange, answer: HacpAnswer, error: int | None
) -> None:
    sid = ex.request.session_id if ex.request else ""
    session = ex.session
    store.log_exchange(
        Exchange(
            id=0,
            at=store.now(),
            session=mask_session_id(sid) if sid else "",
            student_id=session.student_id if session else None,
            course_id=session.course_id if session else None,
            au_id=session.au_id if session else None,
            profile=ex.profile.name,
            command=ex.command or (ex.request.command if ex.request else ""),
            request=_masked(ex.body, sid),
            response=answer.body.decode("utf-8", "replace"),
            error=error,
            notes=tuple(ex.notes),
        )
    )
    logger.info("HACP %s %s -> %s", ex.command or "?", ex.profile.name, error)


def _masked(text: str, sid: str) -> str:
    if not sid:
        return text
    for form in _forms(sid):
        text = text.replace(form, mask_session_id(sid))
    return text


def _forms(sid: str) -> Iterable[str]:
    return sorted({sid, quote_plus(sid), quote(sid, safe="")}, key=len, reverse=True)
