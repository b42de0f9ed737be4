"""The HACP codec: requests, responses, ``aicc_data`` groups and CSV bodies.

Every reader here is lenient: any case, any line end, spaces around ``=``,
percent- or plus-encoded bodies, words seen in real traffic.  Every writer is
strict and follows a :class:`~aiccbridge.core.hacp.WriteProfile`.
``docs/hacp.md`` lists what is read and written in detail.
"""

from __future__ import annotations

import csv
import datetime
import html
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from urllib.parse import quote_plus, unquote_to_bytes

from aiccbridge.core.hacp._errors import HacpNotHacpError, HacpValueError
from aiccbridge.core.hacp._profiles import DEFAULT_PROFILE, WriteProfile
from aiccbridge.core.hacp._values import (
    Credit,
    LessonMode,
    LessonStatus,
    Score,
    StatusValue,
    format_lesson_status,
    format_score,
    format_timespan,
    parse_credit,
    parse_lesson_mode,
    parse_lesson_status,
    parse_score,
    parse_timespan,
)

__all__ = [
    "COMMANDS",
    "INTERACTION_HEADER",
    "AiccData",
    "CoreData",
    "Evaluation",
    "HacpRequest",
    "HacpResponse",
    "Keywords",
    "Objective",
    "Objectives",
    "build_putparam",
    "encode_request",
    "encode_response",
    "format_aicc_data",
    "format_csv_table",
    "parse_aicc_data",
    "parse_csv_table",
    "parse_request",
    "parse_response",
    "unquote_lenient",
]

logger = logging.getLogger(__name__)

Side = Literal["au", "lms"]

#: The HACP commands in their spec spelling.
COMMANDS: tuple[str, ...] = (
    "GetParam",
    "PutParam",
    "PutComments",
    "PutObjectives",
    "PutPath",
    "PutInteractions",
    "PutPerformance",
    "ExitAU",
)

#: The column names of a PutInteractions CSV body, in spec order.
INTERACTION_HEADER: tuple[str, ...] = (
    "course_id",
    "student_id",
    "lesson_id",
    "date",
    "time",
    "interaction_id",
    "objective_id",
    "type_interaction",
    "correct_response",
    "student_response",
    "result",
    "weighting",
    "latency",
)

_BREAK = re.compile(r"\r\n|\r|\n")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_PERCENT_U = re.compile(r"%u([0-9A-Fa-f]{4})")
_ENCODED_BREAK = re.compile(r"%0[AaDd]")
_ERROR_LINE = re.compile(r"\s*error\s*=\s*([+-]?\d+)\s*", re.IGNORECASE)
_HEADER = re.compile(r"\[\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*\](.*)")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_HTML_DOC = re.compile(r"<\s*(?:!doctype|html|head|body)\b", re.IGNORECASE)
_PRE = re.compile(r"<pre\b[^>]*>(.*?)(?:</pre\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_KEYWORD = re.compile(r"[!-<>-~](?:[ -<>-~]*[!-<>-~])?")
_OBJECTIVE_KEY = re.compile(r"j_(id|score|status)\.(\d+)", re.IGNORECASE)


# --------------------------------------------------------------------- text


def _lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF alike."""
    return _BREAK.split(text)


def _has_break(text: str) -> bool:
    return "\r" in text or "\n" in text


def _is_blank(line: str) -> bool:
    return not line.strip()


def _trim_blank_lines(lines: list[str]) -> list[str]:
    """Drop whitespace-only lines at both ends."""
    start, end = 0, len(lines)
    while start < end and _is_blank(lines[start]):
        start += 1
    while end > start and _is_blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _decode_bytes(body: bytes | str, content_type: str | None) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252."""
    if isinstance(body, str):
        return body.lstrip("\ufeff")
    match = _CHARSET.search(content_type or "")
    for encoding in (match.group(1) if match else None, "utf-8", "cp1252"):
        if encoding is None:
            continue
        try:
            return body.decode(encoding).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("latin-1")


def unquote_lenient(text: str, *, plus: bool = True) -> str:
    """Undo form or ``escape()`` encoding.

    Handles ``+`` (unless ``plus`` is false), ``%XX`` bytes read as UTF-8 or
    else Latin-1, and the non-standard ``%u`` form with four hex digits.
    """
    if plus:
        text = text.replace("+", " ")
    pieces: list[str] = []
    position = 0
    for match in _PERCENT_U.finditer(text):
        pieces.append(_unquote_bytes(text[position : match.start()]))
        pieces.append(chr(int(match.group(1), 16)))
        position = match.end()
    pieces.append(_unquote_bytes(text[position:]))
    joined = "".join(pieces)
    return joined.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _unquote_bytes(text: str) -> str:
    raw = unquote_to_bytes(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# ------------------------------------------------------------------ request

_FIELDS = ("command", "version", "session_id", "aicc_data")
_FIELDS_SESSION_FIRST = ("session_id", "version", "command", "aicc_data")
_FIELD_SPEC = {
    "command": "Command",
    "version": "Version",
    "session_id": "Session_ID",
    "aicc_data": "AICC_Data",
}
_COMMAND_NAMES = {name.lower(): name for name in COMMANDS}


@dataclass(frozen=True)
class HacpRequest:
    """One HACP request as the AU sends it (the session id never shows in repr)."""

    command: str
    version: str = ""
    session_id: str = field(default="", repr=False)
    aicc_data: str = ""

    @property
    def command_name(self) -> str:
        """The command in its spec spelling when known (``getparam`` → ``GetParam``)."""
        return _COMMAND_NAMES.get(self.command.strip().lower(), self.command)


def encode_request(
    request: HacpRequest, profile: WriteProfile = DEFAULT_PROFILE
) -> bytes:
    """Write a request as an ``application/x-www-form-urlencoded`` body."""
    if not request.command.strip() or _has_break(request.command):
        raise HacpValueError("an HACP request needs a one-line command")
    names = _FIELDS if profile.command_first else _FIELDS_SESSION_FIRST
    pairs = (
        f"{quote_plus(profile.form_name(_FIELD_SPEC[name]))}="
        f"{quote_plus(getattr(request, name), safe='')}"
        for name in names
    )
    return "&".join(pairs).encode("ascii")


def parse_request(body: bytes | str, content_type: str | None = None) -> HacpRequest:
    """Read a request body (or a GET query string) leniently.

    Field names in any case (``AICC_Data``), ``+`` or ``%20`` for spaces,
    ``escape()`` forms, a leading ``?`` or a whole URL.  The first occurrence
    of a field wins; unknown fields are ignored.  ``command`` and ``version``
    are trimmed, ``session_id`` and ``aicc_data`` kept verbatim.
    """
    if content_type and "multipart/" in content_type.lower():
        raise HacpValueError("multipart HACP requests are not read; send a form body")
    fields = dict(_form_pairs(_query_part(_decode_bytes(body, content_type).strip())))
    if "command" not in fields:
        raise HacpValueError("the HACP request has no command field")
    return HacpRequest(
        command=fields["command"].strip(),
        version=fields.get("version", "").strip(),
        session_id=fields.get("session_id", ""),
        aicc_data=fields.get("aicc_data", ""),
    )


def _query_part(text: str) -> str:
    before, mark, after = text.partition("?")
    return after if mark and "=" not in before else text


def _form_pairs(text: str) -> Iterator[tuple[str, str]]:
    seen: set[str] = set()
    for pair in text.split("&"):
        name, _, value = pair.partition("=")
        key = unquote_lenient(name).strip().lower()
        if key in _FIELDS and key not in seen:
            seen.add(key)
            yield key, unquote_lenient(value)


# ----------------------------------------------------------------- response


@dataclass(frozen=True)
class HacpResponse:
    """One HACP response.

    ``aicc_data`` is the text after ``aicc_data=``, lines joined by CRLF,
    blank lines at both ends removed; read it with :func:`parse_aicc_data`.
    """

    error: int = 0
    error_text: str = ""
    version: str | None = None
    aicc_data: str = ""

    @property
    def ok(self) -> bool:
        """True when the LMS answered ``error=0``."""
        return self.error == 0


def parse_response(body: bytes | str, content_type: str | None = None) -> HacpResponse:
    """Read an LMS answer leniently; raise :class:`HacpNotHacpError` if it is not HACP.

    A body that is one percent-encoded line (a form-encoded capture) is
    decoded first.  A body in HTML markup is read only from its first
    ``<pre>`` block, and only when that block starts with an ``error=`` line;
    any other HTML page is refused.  Lines before the ``error=`` line (a
    complaint printed by the LMS) are skipped.
    """
    text = _unwrap_html(_unwrap_form_encoded(_decode_bytes(body, content_type)))
    lines = _lines(text)
    for index, line in enumerate(lines):
        match = _ERROR_LINE.fullmatch(line)
        if match:
            return _read_response(int(match.group(1)), lines[index + 1 :])
    raise _not_hacp(text)


def _unwrap_form_encoded(text: str) -> str:
    stripped = text.strip()
    if stripped and not _has_break(stripped) and _ENCODED_BREAK.search(stripped):
        return unquote_lenient(stripped)
    return text


def _unwrap_html(text: str) -> str:
    if not text.lstrip().startswith("<"):
        return text
    pre = _PRE.search(text)
    if pre is None and not _HTML_DOC.search(text):
        return text
    inner = html.unescape(pre.group(1)) if pre else ""
    first = next((line for line in _lines(inner) if not _is_blank(line)), "")
    if _ERROR_LINE.fullmatch(first):
        return inner
    raise _not_hacp(text)


def _not_hacp(text: str) -> HacpNotHacpError:
    hint = "check that AICC_URL points at the LMS's HACP endpoint"
    if not text.strip():
        return HacpNotHacpError(
            "the LMS answered with an empty body, not HACP", hint=hint
        )
    if text.lstrip().startswith("<") or _HTML_DOC.search(text):
        hint = "an HTML page is often a login or error page; " + hint
        return HacpNotHacpError(
            "the LMS answered with an HTML page, not HACP", hint=hint
        )
    return HacpNotHacpError(
        "the LMS answered with text that is not HACP (no error= line)", hint=hint
    )


def _read_response(error: int, lines: list[str]) -> HacpResponse:
    fields: dict[str, str] = {}
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _HEADER.fullmatch(stripped):
            return _response(error, fields, lines[index:])
        key, sep, value = stripped.partition("=")
        name = key.strip().lower()
        if sep and name == "aicc_data":
            return _response(error, fields, [value.lstrip(), *lines[index + 1 :]])
        if sep and name in ("error_text", "error_txt", "version"):
            fields.setdefault(name.replace("_txt", "_text"), value.strip())
    return _response(error, fields, [])


def _response(error: int, fields: dict[str, str], data: list[str]) -> HacpResponse:
    return HacpResponse(
        error=error,
        error_text=fields.get("error_text", ""),
        version=fields.get("version") or None,
        aicc_data="\r\n".join(_trim_blank_lines(data)),
    )


def encode_response(
    response: HacpResponse, profile: WriteProfile = DEFAULT_PROFILE
) -> bytes:
    """Write a response: ``error``, ``error_text``, ``version`` (when set), then
    ``aicc_data=`` with the data starting on the same line (UTF-8)."""
    for name in ("error_text", "version"):
        if _has_break(getattr(response, name) or ""):
            raise HacpValueError(f"the response {name} must be one line")
    lines = [f"error={response.error}", f"error_text={response.error_text.strip()}"]
    if response.version:
        lines.append(f"version={response.version.strip()}")
    data = _trim_blank_lines(_lines(response.aicc_data))
    lines.append("aicc_data=" + profile.line_end.join(data))
    return (profile.line_end.join(lines) + profile.line_end).encode("utf-8")


# ---------------------------------------------------------------- aicc_data


class Keywords(MutableMapping[str, str]):
    """Ordered ``name → value`` pairs whose names compare case-insensitively.

    The spelling last written is kept; equality ignores the case of names.
    """

    def __init__(
        self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> None:
        self._data: dict[str, tuple[str, str]] = {}
        self.update(items)

    def __getitem__(self, name: str) -> str:
        return self._data[name.lower()][1]

    def __setitem__(self, name: str, value: str) -> None:
        self._data[name.lower()] = (name, value)

    def __delitem__(self, name: str) -> None:
        del self._data[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._data.values())

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        theirs = {str(name).lower(): value for name, value in other.items()}
        return theirs == {key: value for key, (_, value) in self._data.items()}

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Keywords({dict(self.items())!r})"


@dataclass
class CoreData:
    """The ``[Core]`` group; ``None`` means the keyword is absent.

    Values that could not be read into their type stay in ``extra`` under
    their own name, with every unknown keyword.
    """

    student_id: str | None = None
    student_name: str | None = None
    lesson_location: str | None = None
    credit: Credit | None = None
    lesson_status: StatusValue | None = None
    score: Score | None = None
    time: datetime.timedelta | None = None
    lesson_mode: LessonMode | None = None
    extra: Keywords = field(default_factory=Keywords)


@dataclass
class Evaluation:
    """The ``[Evaluation]`` group; ``course_id`` without its braces."""

    course_id: str | None = None
    extra: Keywords = field(default_factory=Keywords)


@dataclass
class Objective:
    """One objective (``J_ID.n``, ``J_Score.n``, ``J_Status.n``)."""

    id: str
    score: Score | None = None
    status: LessonStatus | None = None


@dataclass
class Objectives:
    """The ``[Objectives_Status]`` group: objectives in ``n`` order, other keys."""

    items: list[Objective] = field(default_factory=list)
    extra: Keywords = field(default_factory=Keywords)


@dataclass
class AiccData:
    """The grouped keyword data of ``aicc_data``.

    Free-form groups (``core_lesson``, ``core_vendor``, ``comments`` and the
    unknown groups in ``other_groups``) hold text with ``\\n`` between lines;
    ``None`` means the group is absent.
    """

    core: CoreData = field(default_factory=CoreData)
    core_lesson: str | None = None
    core_vendor: str | None = None
    comments: str | None = None
    evaluation: Evaluation | None = None
    objectives: Objectives | None = None
    student_data: Keywords | None = None
    student_preferences: Keywords | None = None
    other_groups: Keywords = field(default_factory=Keywords)


_Decode = Callable[[str], str]
_Found = dict[int, dict[str, tuple[str, str]]]
_SPEC_NAMES = {
    name.lower(): name
    for name in [
        "Student_ID",
        "Student_Name",
        "Lesson_Location",
        "Credit",
        "Lesson_Status",
        "Score",
        "Time",
        "Lesson_Mode",
        "Output_File",
        "Path",
        "Course_ID",
        "Mastery_Score",
        "Max_Time_Allowed",
        "Time_Limit_Action",
        "Attempt_Number",
        "Tries_During_Lesson",
        "Audio",
        "Language",
        "Speed",
        "Text",
        "Core",
        "Core_Lesson",
        "Core_Vendor",
        "Comments",
        "Evaluation",
        "Objectives_Status",
        "Student_Data",
        "Student_Demographics",
        "Student_Preferences",
    ]
}
_TEXT_FIELDS = ("student_id", "student_name", "lesson_location")
_TYPED_FIELDS: dict[str, Callable[[str], object]] = {
    "credit": parse_credit,
    "lesson_status": parse_lesson_status,
    "score": parse_score,
    "time": parse_timespan,
    "lesson_mode": parse_lesson_mode,
}
_FREE_FORM = ("core_lesson", "core_vendor", "comments")


def _fold_group(name: str) -> str:
    return "_".join(name.lower().split())


def parse_aicc_data(text: str) -> AiccData:
    """Read ``aicc_data`` leniently into :class:`AiccData`.

    Group names and keywords in any case; CRLF, CR or LF; spaces around
    ``=``; text on the same line as a free-form group's header; ``J_*``
    objective keys also inside ``[Core]``; a ``core_lesson`` key inside
    ``[Core]`` when there is no ``[Core_Lesson]`` group.  When ``[Core]``'s
    ``Time`` or ``Score`` carries percent escapes, every value was
    percent-encoded by the writer and is decoded.
    """
    groups = _split_groups(text)
    decode = unquote_lenient if _looks_value_encoded(groups) else _same
    data = AiccData()
    objectives: _Found = {}
    for folded, (name, lines) in groups.items():
        _read_group(data, folded, name, lines, decode, objectives)
    _attach_objectives(data, objectives)
    if data.core_lesson is None and "core_lesson" in data.core.extra:
        data.core_lesson = data.core.extra.pop("core_lesson")
    return data


def _same(text: str) -> str:
    return text


def _split_groups(text: str) -> dict[str, tuple[str, list[str]]]:
    groups: dict[str, tuple[str, list[str]]] = {}
    current: list[str] | None = None
    for line in _lines(text):
        match = _HEADER.fullmatch(line.strip())
        if match:
            name = match.group(1)
            current = groups.setdefault(_fold_group(name), (name, []))[1]
            line = match.group(2)
            if _is_blank(line):
                continue
        if current is None:
            if _is_blank(line):
                continue
            current = groups.setdefault("core", ("Core", []))[1]
        current.append(line)
    return groups


def _looks_value_encoded(groups: dict[str, tuple[str, list[str]]]) -> bool:
    for line in groups.get("core", ("", []))[1]:
        key, _, value = line.partition("=")
        if key.strip().lower() in ("time", "score") and _PERCENT.search(value):
            return True
    return False


def _pairs(lines: list[str], decode: _Decode) -> Iterator[tuple[str, str]]:
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep and key.strip():
            yield key.strip(), decode(value.strip())
        elif line.strip():
            logger.debug("skipping a keyword line without '='")


def _free_text(lines: list[str], decode: _Decode) -> str:
    return decode("\n".join(_trim_blank_lines(lines)))


def _read_group(
    data: AiccData,
    folded: str,
    name: str,
    lines: list[str],
    decode: _Decode,
    objectives: _Found,
) -> None:
    if folded in _FREE_FORM:
        setattr(data, folded, _free_text(lines, decode))
    elif folded == "core":
        _read_core(data.core, _pairs(lines, decode), objectives)
    elif folded == "objectives_status":
        data.objectives = data.objectives or Objectives()
        _read_objectives(data.objectives, _pairs(lines, decode), objectives)
    elif folded == "evaluation":
        data.evaluation = _read_evaluation(_pairs(lines, decode))
    elif folded in ("student_data", "student_preferences"):
        setattr(data, folded, Keywords(_pairs(lines, decode)))
    else:
        data.other_groups[name] = _free_text(lines, decode)


def _read_core(
    core: CoreData,
    pairs: Iterable[tuple[str, str]],
    objectives: _Found,
) -> None:
    for key, value in pairs:
        folded = key.lower()
        if _collect_objective(key, value, objectives):
            continue
        if folded in _TEXT_FIELDS:
            setattr(core, folded, value)
        elif folded in _TYPED_FIELDS:
            _set_typed(core, key, value)
        else:
            core.extra[key] = value


def _set_typed(core: CoreData, key: str, value: str) -> None:
    folded = key.lower()
    if not value.strip():
        setattr(core, folded, None)
        return
    try:
        setattr(core, folded, _TYPED_FIELDS[folded](value))
    except HacpValueError as exc:
        logger.warning("[Core] %s kept as text: %s", key, exc.message)
        core.extra[key] = value


def _collect_objective(key: str, value: str, found: _Found) -> bool:
    match = _OBJECTIVE_KEY.fullmatch(key)
    if match is None:
        return False
    parts = found.setdefault(int(match.group(2)), {})
    parts[match.group(1).lower()] = (key, value)
    return True


def _read_objectives(
    group: Objectives, pairs: Iterable[tuple[str, str]], found: _Found
) -> None:
    for key, value in pairs:
        if not _collect_objective(key, value, found):
            group.extra[key] = value


def _attach_objectives(data: AiccData, found: _Found) -> None:
    if not found:
        return
    data.objectives = data.objectives or Objectives()
    for number in sorted(found):
        data.objectives.items.append(_objective(found[number], data.objectives.extra))


def _objective(parts: dict[str, tuple[str, str]], extra: Keywords) -> Objective:
    objective = Objective(id=parts.get("id", ("", ""))[1])
    score_key, score = parts.get("score", ("", ""))
    status_key, status = parts.get("status", ("", ""))
    try:
        objective.score = parse_score(score)
    except HacpValueError:
        extra[score_key] = score
    try:
        objective.status = parse_lesson_status(status).status if status else None
    except HacpValueError:
        extra[status_key] = status
    return objective


def _read_evaluation(pairs: Iterable[tuple[str, str]]) -> Evaluation:
    evaluation = Evaluation()
    for key, value in pairs:
        if key.lower() == "course_id":
            evaluation.course_id = _strip_braces(value)
        else:
            evaluation.extra[key] = value
    return evaluation


def _strip_braces(value: str) -> str:
    if len(value) >= 2 and value.startswith("{") and value.endswith("}"):
        return value[1:-1].strip()
    return value


# ------------------------------------------------------- aicc_data writing


def format_aicc_data(
    data: AiccData, profile: WriteProfile = DEFAULT_PROFILE, *, side: Side = "au"
) -> str:
    """Write ``aicc_data`` strictly per ``profile``, ``[Core]`` first.

    Groups follow in the order Core_Vendor, Comments, Evaluation,
    Objectives_Status, Student_Data, Student_Preferences, unknown groups,
    Core_Lesson last; absent (``None``) values and groups are left out.
    ``side="au"`` (a PutParam) requires a lesson status, never sends ``not
    attempted`` or an entry flag, and maps statuses the profile does not
    accept; ``side="lms"`` (a GetParam answer) writes the status as given.
    There is no line end after the last line.
    """
    lines = _core_lines(data.core, profile, side)
    for name, text in (("Core_Vendor", data.core_vendor), ("Comments", data.comments)):
        lines += _free_lines(name, text, profile)
    lines += _evaluation_lines(data.evaluation, profile)
    lines += _objective_lines(data.objectives, profile)
    lines += _keyword_group("Student_Data", data.student_data, profile)
    lines += _keyword_group("Student_Preferences", data.student_preferences, profile)
    for name, text in data.other_groups.items():
        lines += _free_lines(name, text, profile)
    lines += _free_lines("Core_Lesson", data.core_lesson, profile)
    return profile.line_end.join(lines)


def _header(name: str, profile: WriteProfile) -> str:
    match = _HEADER.fullmatch(f"[{name}]")
    if match is None or match.group(2):
        raise HacpValueError(f"{name!r} cannot be written as a group name")
    return f"[{profile.cased(_SPEC_NAMES.get(name.lower(), name))}]"


def _keyword(name: str, value: str, profile: WriteProfile) -> str:
    key = name.strip()
    if not _KEYWORD.fullmatch(key) or key.startswith("["):
        raise HacpValueError(f"{name!r} cannot be written as a keyword name")
    if _has_break(value):
        raise HacpValueError(f"the value of {key} must be one line")
    return f"{profile.cased(_SPEC_NAMES.get(key.lower(), key))}={value.strip()}"


def _core_lines(core: CoreData, profile: WriteProfile, side: Side) -> list[str]:
    values: list[tuple[str, str | None]] = [
        ("Student_ID", core.student_id),
        ("Student_Name", core.student_name),
        ("Lesson_Location", core.lesson_location),
        ("Credit", core.credit.value if core.credit else None),
        ("Lesson_Status", _status_text(core.lesson_status, profile, side)),
        ("Score", _score_text(core.score, profile)),
        ("Time", _time_text(core.time, profile)),
        ("Lesson_Mode", core.lesson_mode.value if core.lesson_mode else None),
        *core.extra.items(),
    ]
    lines = [_header("Core", profile)]
    lines += [
        _keyword(key, value, profile) for key, value in values if value is not None
    ]
    return lines


def _status_text(
    value: StatusValue | None, profile: WriteProfile, side: Side
) -> str | None:
    if side == "lms":
        return format_lesson_status(value) if value else None
    if value is None:
        raise HacpValueError(
            "a PutParam needs a lesson status", hint="report incomplete until done"
        )
    if value.flag is not None and value.flag.is_entry:
        raise HacpValueError(
            f"the entry flag {value.flag.value!r} is the LMS's to send"
        )
    return format_lesson_status(
        StatusValue(profile.map_status(value.status), value.flag)
    )


def _score_text(score: Score | None, profile: WriteProfile) -> str | None:
    if score is None:
        return None
    return format_score(
        score, style=profile.score_format, with_range=profile.score_with_range
    )


def _time_text(time: datetime.timedelta | None, profile: WriteProfile) -> str | None:
    if time is None:
        return None
    return format_timespan(
        time, hour_digits=profile.hour_digits, hundredths=profile.hundredths
    )


def _free_lines(name: str, text: str | None, profile: WriteProfile) -> list[str]:
    if text is None:
        return []
    body = _trim_blank_lines(_lines(text))
    for line in body:
        if _HEADER.fullmatch(line.strip()):
            raise HacpValueError(
                f"a line of [{name}] would read as a group header",
                hint="free-form lines must not start with '[name]'",
            )
    return [_header(name, profile), *body]


def _evaluation_lines(group: Evaluation | None, profile: WriteProfile) -> list[str]:
    if group is None:
        return []
    pairs = [] if group.course_id is None else [("Course_ID", f"{{{group.course_id}}}")]
    pairs += group.extra.items()
    return [_header("Evaluation", profile), *(_keyword(*p, profile) for p in pairs)]


def _objective_lines(group: Objectives | None, profile: WriteProfile) -> list[str]:
    if group is None:
        return []
    pairs: list[tuple[str, str | None]] = []
    for number, item in enumerate(group.items, start=1):
        pairs.append((f"J_ID.{number}", item.id))
        pairs.append((f"J_Score.{number}", _score_text(item.score, profile)))
        pairs.append((f"J_Status.{number}", item.status.value if item.status else None))
    pairs += group.extra.items()
    keywords = (
        _keyword(key, value, profile) for key, value in pairs if value is not None
    )
    return [_header("Objectives_Status", profile), *keywords]


def _keyword_group(
    name: str, group: Keywords | None, profile: WriteProfile
) -> list[str]:
    if group is None:
        return []
    return [
        _header(name, profile),
        *(_keyword(*pair, profile) for pair in group.items()),
    ]


def build_putparam(
    status: LessonStatus | StatusValue | str,
    *,
    percent: float | None = None,
    score: Score | None = None,
    time_seconds: float | datetime.timedelta,
    lesson_location: str = "",
    core_lesson: str = "",
    profile: WriteProfile = DEFAULT_PROFILE,
) -> str:
    """The ``aicc_data`` of a PutParam progress report.

    ``percent`` (0 to 100) goes to ``Score`` as a whole percent (max 100,
    min 0) when ``profile.progress_to`` is ``"score"``; an explicit ``score``
    wins over it.  ``time_seconds`` is this session's time.
    """
    core = CoreData(
        lesson_location=lesson_location,
        lesson_status=_status_value(status),
        score=score if score is not None else _progress_score(percent, profile),
        time=_as_timedelta(time_seconds),
    )
    data = AiccData(core=core, core_lesson=core_lesson)
    return format_aicc_data(data, profile, side="au")


def _status_value(status: LessonStatus | StatusValue | str) -> StatusValue:
    if isinstance(status, StatusValue):
        return status
    if isinstance(status, LessonStatus):
        return StatusValue(status)
    return parse_lesson_status(status)


def _progress_score(percent: float | None, profile: WriteProfile) -> Score | None:
    if percent is None or profile.progress_to == "none":
        return None
    if not math.isfinite(percent) or not 0 <= percent <= 100:
        raise HacpValueError(f"progress must be 0 to 100 percent, not {percent!r}")
    if profile.score_format == "integer":
        raw = float(format_score(Score(percent), style="integer"))
    else:
        raw = float(round(Decimal(repr(float(percent))), 2))
    return Score(raw, 100.0, 0.0)


_MAX_SECONDS = 10**10


def _as_timedelta(seconds: float | datetime.timedelta) -> datetime.timedelta:
    if isinstance(seconds, datetime.timedelta):
        return seconds
    if not math.isfinite(seconds):
        raise HacpValueError(f"not a finite time: {seconds!r}")
    return datetime.timedelta(seconds=min(float(seconds), _MAX_SECONDS))


# ---------------------------------------------------------------------- CSV


def parse_csv_table(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Read a Put* CSV body leniently: any line end, quoted or not, blank lines skipped.

    Header names are trimmed; cells are kept as read.  Quoted cells cannot
    hold line breaks.
    """
    lines = [line for line in _lines(text.lstrip("\ufeff")) if line.strip()]
    try:
        rows = [tuple(row) for row in csv.reader(lines, skipinitialspace=True)]
    except csv.Error as exc:
        raise HacpValueError(f"the CSV body cannot be read: {exc}") from exc
    if not rows:
        raise HacpValueError("the CSV body has no header row")
    return tuple(name.strip() for name in rows[0]), rows[1:]


def format_csv_table(
    header: Iterable[str],
    rows: Iterable[Iterable[str]],
    profile: WriteProfile = DEFAULT_PROFILE,
) -> str:
    """Write a CSV body strictly: every field quoted, the profile's line end after
    each row; every row as wide as the header."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    if not table[0]:
        raise HacpValueError("a CSV body needs at least one column")
    for number, row in enumerate(table):
        _check_row(number, row, len(table[0]))
    lines = (",".join(_quoted(cell) for cell in row) for row in table)
    return "".join(line + profile.line_end for line in lines)


def _check_row(number: int, row: tuple[str, ...], width: int) -> None:
    if len(row) != width:
        raise HacpValueError(
            f"CSV row {number} has {len(row)} fields; the header has {width}"
        )
    if any(_has_break(cell) for cell in row):
        raise HacpValueError(f"CSV row {number} has a line break in a field")


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'
