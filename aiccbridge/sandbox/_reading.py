"""How each LMS family reads a PutParam: the sandbox's side of ``aicc_data``.

Every reader turns the ``aicc_data`` text of a PutParam into a :class:`Report`:
what that family would save, notes on what it lost or changed on the way, or a
refusal. The framing is read with the core's lenient reader
(:func:`aiccbridge.core.hacp.parse_aicc_data`); the ``[Core]`` values are read
from their raw text, since that is where the families differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aiccbridge.core.hacp import (
    AiccData,
    HacpValueError,
    Keywords,
    Objective,
    Score,
    parse_aicc_data,
    parse_lesson_status,
    parse_score,
    parse_timespan,
)

__all__ = ["READERS", "Reader", "Report", "chamilo_decode", "raw_core"]

_HEADER = re.compile(r"\[\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*\](.*)")
_BREAK = re.compile(r"\r\n|\r|\n")
_SPEC_TIME = re.compile(r"\d{2,4}:([0-5]\d):([0-5]\d)(\.\d{1,2})?")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d+)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")
_SPEC_WORDS = {
    "passed": "passed",
    "p": "passed",
    "completed": "completed",
    "c": "completed",
    "failed": "failed",
    "f": "failed",
    "incomplete": "incomplete",
    "i": "incomplete",
    "browsed": "browsed",
    "b": "browsed",
    "not attempted": "not attempted",
    "n": "not attempted",
}
_SPEC_FLAGS = {
    "": None,
    "time-out": "time-out",
    "t": "time-out",
    "suspend": "suspend",
    "s": "suspend",
    "logout": "logout",
    "l": "logout",
}
_FLAG_LETTERS = {"t": "time-out", "s": "suspend", "l": "logout"}
_CHAMILO_LETTERS = {
    "C": "completed",
    "I": "incomplete",
    "N": "not attempted",
    "NA": "not attempted",
    "P": "passed",
    "B": "browsed",
}
#: The escapes Chamilo undoes in ``aicc_data``, in the order it applies them.
_CHAMILO_ESCAPES = (
    ("%25", "%"),
    ("%0D", "\r"),
    ("%0A", "\n"),
    ("%09", "\t"),
    ("%20", " "),
    ("%2D", "-"),
    ("%2F", "/"),
    ("%3B", ";"),
    ("%3F", "?"),
    ("%7B", "{"),
    ("%7D", "}"),
    ("%7C", "|"),
    ("%5C", "\\"),
    ("%5E", "^"),
    ("%7E", "~"),
    ("%5B", "["),
    ("%5D", "]"),
    ("%60", "`"),
    ("%23", "#"),
    ("%3E", ">"),
    ("%3C", "<"),
    ("%22", '"'),
)
_MAX_LOCATION = 255
_MAX_CORE_LESSON = 4096


@dataclass
class Report:
    """What one PutParam asks the LMS to save, as one family reads it.

    ``status`` is the status word to store; ``None`` means "not sent" (or not
    understood) everywhere. ``refused`` holds the reason
    when the family refuses the whole message.
    """

    status: str | None = None
    exit_flag: str | None = None
    score: Score | None = None
    seconds: float | None = None
    location: str | None = None
    core_lesson: str | None = None
    comments: str | None = None
    objectives: list[dict[str, object]] | None = None
    notes: list[str] = field(default_factory=list)
    refused: str | None = None


Reader = Callable[[str, str], Report]
"""``reader(aicc_data, version) -> Report``; ``version`` is the request's field."""


class _Refused(Exception):
    """Raised inside a reader to refuse the whole PutParam."""


# --------------------------------------------------------------- shared parts


def raw_core(text: str) -> Keywords:
    """The ``[Core]`` keywords as sent (trimmed), the last of repeated keys winning.

    Lines before any group header belong to ``[Core]``, as in the core's reader.
    """
    core = Keywords()
    group = "core"
    for line in _BREAK.split(text):
        header = _HEADER.fullmatch(line.strip())
        if header:
            group = "_".join(header.group(1).lower().split())
            continue
        key, sep, value = line.partition("=")
        if group == "core" and sep and key.strip():
            core[key.strip()] = value.strip()
    return core


def _free_parts(report: Report, data: AiccData, *, comments: bool = True) -> None:
    report.location = data.core.lesson_location
    report.core_lesson = data.core_lesson
    report.comments = data.comments if comments else None
    if data.objectives is not None and data.objectives.items:
        report.objectives = [_objective(item) for item in data.objectives.items]


def _objective(item: Objective) -> dict[str, object]:
    return {
        "id": item.id,
        "score": None if item.score is None else item.score.raw,
        "status": None if item.status is None else item.status.value,
    }


def _lenient_status(report: Report, raw: str | None) -> None:
    if not raw:
        return
    try:
        value = parse_lesson_status(raw)
    except HacpValueError:
        report.notes.append(f"Lesson_Status {raw!r} not understood; not saved")
        return
    report.status = value.status.value
    report.exit_flag = value.flag.value if value.flag else None


def _lenient_score(report: Report, raw: str | None) -> None:
    if not raw:
        return
    try:
        report.score = parse_score(raw)
    except HacpValueError:
        report.notes.append(f"Score {raw!r} not understood; not saved")


def _lenient_time(report: Report, raw: str | None) -> None:
    if not raw:
        return
    try:
        report.seconds = parse_timespan(raw).total_seconds()
    except HacpValueError:
        report.notes.append(f"Time {raw!r} not understood; not counted")


def _lenient(text: str) -> Report:
    core = raw_core(text)
    report = Report()
    _free_parts(report, parse_aicc_data(text))
    _lenient_status(report, core.get("lesson_status"))
    _lenient_score(report, core.get("score"))
    _lenient_time(report, core.get("time"))
    return report


def _refusing(read: Callable[[str, str], Report]) -> Reader:
    def reader(text: str, version: str) -> Report:
        try:
            return read(text, version)
        except _Refused as refusal:
            return Report(refused=str(refusal))

    return reader


# ----------------------------------------------------------------- spec


def _read_spec(text: str, version: str) -> Report:
    core = raw_core(text)
    report = Report()
    _free_parts(report, parse_aicc_data(text))
    _spec_status(report, core.get("lesson_status", ""))
    _spec_score(report, core.get("score", ""), _before_3(version))
    _spec_time(report, core.get("time", ""))
    _spec_lengths(report)
    return report


def _before_3(version: str) -> bool:
    head = version.strip().split(".", 1)[0]
    return head.isdigit() and int(head) < 3


def _spec_status(report: Report, raw: str) -> None:
    if not raw:
        return
    word, _, flag = raw.partition(",")
    status = _SPEC_WORDS.get(" ".join(word.lower().split()))
    if status is None:
        raise _Refused(f"Lesson_Status {raw!r} is not a CMI vocabulary word")
    if flag.strip().lower() not in _SPEC_FLAGS:
        raise _Refused(f"Lesson_Status {raw!r} has an exit flag outside the spec")
    report.status = status
    report.exit_flag = _SPEC_FLAGS[flag.strip().lower()]


def _spec_score(report: Report, raw: str, whole_only: bool) -> None:
    if not raw:
        return
    parts = [part.strip() for part in raw.split(",")]
    number = _INTEGER if whole_only else _DECIMAL
    if whole_only and len(parts) > 1:
        raise _Refused(f"Score {raw!r}: AICC 2.x scores have no max or min")
    if len(parts) > 3 or not all(number.fullmatch(p) for p in parts if p):
        kind = "whole number" if whole_only else "CMIDecimal raw[,max[,min]]"
        raise _Refused(f"Score {raw!r} is not a {kind}")
    report.score = parse_score(raw)


def _spec_time(report: Report, raw: str) -> None:
    if not raw:
        return
    if not _SPEC_TIME.fullmatch(raw):
        raise _Refused(f"Time {raw!r} is not a CMITimespan HH[HH]:MM:SS[.SS]")
    report.seconds = parse_timespan(raw).total_seconds()


def _spec_lengths(report: Report) -> None:
    if report.location is not None and len(report.location) > _MAX_LOCATION:
        raise _Refused(f"Lesson_Location is over {_MAX_LOCATION} characters")
    if report.core_lesson is not None and len(report.core_lesson) > _MAX_CORE_LESSON:
        raise _Refused(f"[Core_Lesson] is over {_MAX_CORE_LESSON} characters")


# --------------------------------------------------------------- moodle


def _read_moodle(text: str, version: str) -> Report:
    pieces = text.split("\r\n")
    kept = [piece for piece in pieces if "\r" not in piece and "\n" not in piece]
    clean = "\r\n".join(kept)
    core = raw_core(clean)
    report = Report()
    _free_parts(report, parse_aicc_data(clean))
    if len(kept) < len(pieces):
        report.notes.append(
            f"{len(pieces) - len(kept)} of {len(pieces)} lines were not ended by "
            "CRLF and were lost (Moodle splits on CRLF only)"
        )
    _moodle_status(report, core.get("lesson_status", ""))
    _moodle_score(report, core.get("score", ""))
    _lenient_time(report, core.get("time"))
    return report


def _moodle_status(report: Report, raw: str) -> None:
    word, _, flag = raw.strip().partition(",")
    letter = word.strip()[:1].lower()
    status = _SPEC_WORDS.get(letter)
    if raw and status is None:
        report.notes.append(f"Lesson_Status {raw!r}: first letter unknown; not saved")
    report.status = status
    report.exit_flag = _FLAG_LETTERS.get(flag.strip()[:1].lower())


def _moodle_score(report: Report, raw: str) -> None:
    if not raw:
        return
    parts = [part.strip() for part in raw.split(",")]
    if not _DECIMAL.fullmatch(parts[0]):
        report.notes.append(f"Score {raw!r}: raw value is not a number; dropped")
        return
    value = float(parts[0])
    high = _number(parts[1]) if len(parts) > 1 else None
    low = _number(parts[2]) if len(parts) == 3 else None
    high = high if high is not None and high >= value else None
    low = low if low is not None and low <= value else None
    report.score = Score(value, high, low)


def _number(text: str) -> float | None:
    return float(text) if _DECIMAL.fullmatch(text) else None


# ---------------------------------------------------------------- ilias


def _read_ilias(text: str, version: str) -> Report:
    lines = [line.strip() for line in text.split("\n")]
    kept = [line for line in lines if not line.startswith((";", "#"))]
    dropped = [line for line in kept if line.count("=") >= 2]
    report = _lenient("\n".join(line for line in kept if line.count("=") < 2))
    if dropped:
        report.notes.append(
            f"{len(dropped)} line(s) holding two or more '=' were dropped "
            "(ILIAS drops them silently)"
        )
    return report


# -------------------------------------------------------------- chamilo


def chamilo_decode(text: str) -> str:
    """Chamilo's second decoding of ``aicc_data``: ``+`` and a fixed escape list."""
    text = text.replace("+", " ")
    for escape, character in _CHAMILO_ESCAPES:
        text = text.replace(escape, character)
    return text


def _read_chamilo(text: str, version: str) -> Report:
    decoded = chamilo_decode(text)
    core = raw_core(decoded)
    report = Report()
    _free_parts(report, parse_aicc_data(decoded), comments=False)
    if decoded != text:
        report.notes.append("aicc_data decoded a second time (Chamilo does)")
    raw = core.get("lesson_status")
    status = _CHAMILO_LETTERS.get(raw or "", raw)
    if status in _SPEC_WORDS.values():
        report.status = status
    elif raw:
        report.notes.append(f"Lesson_Status {raw!r} is not a status Chamilo knows")
    _lenient_score(report, core.get("score"))
    _chamilo_time(report, core.get("time", ""))
    return report


def _chamilo_time(report: Report, raw: str) -> None:
    if ":" in raw:
        _lenient_time(report, raw)
    elif raw and _DECIMAL.fullmatch(raw):
        report.seconds = float(raw)
    elif raw:
        report.notes.append(f"Time {raw!r} not understood; not counted")


# ------------------------------------------------------------ skillport


def _read_skillport(text: str, version: str) -> Report:
    core = raw_core(text)
    status = core.get("lesson_status")
    if not status:
        raise _Refused("Lesson_Status is missing or empty")
    for key in ("score", "time"):
        if "." in core.get(key, ""):
            raise _Refused(f"{key.title()} {core[key]!r} holds a decimal fraction")
    return _lenient(text)


READERS: dict[str, Reader] = {
    "spec": _refusing(_read_spec),
    "moodle": _refusing(_read_moodle),
    "ilias": _refusing(_read_ilias),
    "chamilo": _refusing(_read_chamilo),
    "skillport": _refusing(_read_skillport),
}
"""The PutParam reader of each family, by profile name."""
