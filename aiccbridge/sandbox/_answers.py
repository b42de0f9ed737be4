"""How each LMS family writes its HACP answers.

:class:`GetParamView` is what the sandbox knows about a learner's attempt when
it answers ``GetParam``; each family's writer turns it into the lines of
``aicc_data``, and :func:`reply` frames a whole answer (``error``, the error
text, ``version``, ``aicc_data``) the way that family does. The ``spec`` family
is written by the core's strict writers (``format_aicc_data(..., side="lms")``
and ``encode_response``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aiccbridge.core.hacp import (
    AiccData,
    CoreData,
    Credit,
    Evaluation,
    HacpResponse,
    HacpValueError,
    Keywords,
    LessonMode,
    Score,
    WriteProfile,
    encode_response,
    format_aicc_data,
    format_score,
    format_timespan,
    parse_lesson_status,
)

if TYPE_CHECKING:
    from aiccbridge.sandbox._profiles import LmsProfile

__all__ = ["SPEC_WRITE_PROFILE", "WRITERS", "GetParamView", "Writer", "reply"]

SPEC_WRITE_PROFILE = WriteProfile(
    score_format="decimal", score_with_range=True, hacp_version="4.0"
)
"""The core write profile the ``spec`` family answers with."""

_HOUR = 3600


@dataclass(frozen=True)
class GetParamView:
    """Everything a GetParam answer says about one learner's attempt at one AU."""

    student_id: str
    student_name: str
    course_id: str
    au_id: str
    status: str = "not attempted"
    entry: str | None = "ab-initio"
    credit: str = "credit"
    lesson_mode: str = "normal"
    lesson_location: str = ""
    score: Score | None = None
    total_seconds: float = 0.0
    core_lesson: str = ""
    core_vendor: str = ""
    comments: str = ""
    mastery_score: str = ""
    max_time_allowed: str = ""
    time_limit_action: str = ""


Writer = Callable[[GetParamView], list[str]]
"""``writer(view) -> lines`` of ``aicc_data``, ``[Core]`` header first."""


# ------------------------------------------------------------------ values


def _clock(seconds: float, *, hundredths: bool = False) -> str:
    digits: Literal[2, 4] = 4 if seconds >= 100 * _HOUR else 2
    fraction = hundredths and round(seconds * 100) % 100 != 0
    return format_timespan(seconds, hour_digits=digits, hundredths=fraction)


def _first_last(name: str) -> str:
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() else name


def _score(score: Score | None, *, empty: str = "", sep: str = ",") -> str:
    if score is None:
        return empty
    text = format_score(score, style="decimal", with_range=True)
    return text.replace(",", sep)


def _lines(text: str) -> list[str]:
    return text.splitlines() if text else []


def _or_blank(text: str) -> list[str]:
    return _lines(text) or [""]


def _with_flag(view: GetParamView, sep: str, words: dict[str, str]) -> str:
    if not view.entry:
        return view.status
    return f"{view.status}{sep}{words.get(view.entry, view.entry)}"


# ------------------------------------------------------------------ writers


def _spec(view: GetParamView) -> list[str]:
    data = AiccData(
        core=_spec_core(view),
        core_lesson=view.core_lesson,
        core_vendor=view.core_vendor or None,
        evaluation=Evaluation(course_id=view.course_id),
        student_data=Keywords(
            [
                ("Mastery_Score", view.mastery_score),
                ("Max_Time_Allowed", view.max_time_allowed),
                ("Time_Limit_Action", view.time_limit_action),
            ]
        ),
    )
    text = format_aicc_data(data, SPEC_WRITE_PROFILE, side="lms")
    return text.split(SPEC_WRITE_PROFILE.line_end)


def _spec_core(view: GetParamView) -> CoreData:
    core = CoreData(
        student_id=view.student_id,
        student_name=view.student_name,
        lesson_location=view.lesson_location,
        credit=Credit(view.credit),
        score=view.score,
        time=datetime.timedelta(seconds=view.total_seconds),
        lesson_mode=LessonMode(view.lesson_mode),
    )
    text = _with_flag(view, ",", {})
    try:
        core.lesson_status = parse_lesson_status(text)
    except HacpValueError:
        core.extra["Lesson_Status"] = text
    return core


def _moodle(view: GetParamView) -> list[str]:
    return [
        "[Core]",
        f"Student_ID={view.student_id}",
        f"Student_Name={view.student_name}",
        f"Lesson_Location={view.lesson_location}",
        f"Credit={view.credit}",
        f"Lesson_Status={_with_flag(view, ', ', {})}",
        f"Score={_score(view.score, sep=', ')}",
        f"Time={_clock(view.total_seconds, hundredths=True)}",
        f"Lesson_Mode={view.lesson_mode}",
        "[Core_Lesson]",
        *_lines(view.core_lesson),
        "[Core_Vendor]",
        *_or_blank(view.core_vendor),
        "[Evaluation]",
        f"Course_ID = {{{view.au_id}}}",
        "[Student_Data]",
        f"Mastery_Score={view.mastery_score}",
        f"Max_Time_Allowed={view.max_time_allowed}",
        f"Time_Limit_Action={view.time_limit_action}",
    ]


def _ilias_status(view: GetParamView) -> str:
    letter = view.status[:1].lower()
    return f"{letter},{view.entry[:1]}" if view.entry else letter


def _ilias(view: GetParamView) -> list[str]:
    return [
        "[core]",
        f"student_id={view.student_id}",
        f"student_name={_first_last(view.student_name)}",
        f"time={_clock(view.total_seconds)}",
        "output_file=",
        f"credit={view.credit[:1]}",
        f"lesson_location={view.lesson_location}",
        f"lesson_status={_ilias_status(view)}",
        "path=",
        f"score={_score(view.score)}",
        "[core_vendor]",
        *_or_blank(view.core_vendor),
        "[student_data]",
        f"mastery_score={view.mastery_score}",
        f"max_time_allowed={view.max_time_allowed}",
        f"time_limit_action={view.time_limit_action}",
        "[student_preferences]",
        "audio=-1",
        "text=1",
        "[core_lesson]",
        *_or_blank(view.core_lesson),
    ]


def _chamilo(view: GetParamView) -> list[str]:
    return [
        "[Core]",
        f"Student_ID={view.student_id}",
        f"Student_Name={_first_last(view.student_name)}",
        f"Lesson_Location={view.lesson_location}",
        f"Credit={view.credit}",
        f"Lesson_Status={view.status}",
        f"Score={_score(view.score, empty='0')}",
        f"Time={_clock(view.total_seconds)}",
        f"Lesson_Mode={view.lesson_mode}",
        "[Core_Lesson]",
        *_or_blank(view.core_lesson),
        "[Core_Vendor]",
        "",
        "[Comments]",
        "",
        "[Evaluation]",
        f"Course_ID={{{view.course_id}}}",
        "[Student_Data]",
        f"Mastery_Score={view.mastery_score}",
    ]


def _skillport(view: GetParamView) -> list[str]:
    return [
        "[Core]",
        f"student_id={view.student_id}",
        f"student_name={view.student_name}",
        f"lesson_location={view.lesson_location}",
        f"credit={view.credit}",
        f"lesson_status={_with_flag(view, ', ', {'ab-initio': 'ab initio'})}",
        f"score={_score(view.score)}",
        f"time={_clock(view.total_seconds)}",
        f"lesson_mode={view.lesson_mode}",
        "[Core_Lesson]",
        *_or_blank(view.core_lesson),
        "[Student_Data]",
        f"mastery_score={view.mastery_score}",
    ]


WRITERS: dict[str, Writer] = {
    "spec": _spec,
    "moodle": _moodle,
    "ilias": _ilias,
    "chamilo": _chamilo,
    "skillport": _skillport,
}
"""The GetParam writer of each family, by profile name."""


# ------------------------------------------------------------------ framing


def reply(
    profile: LmsProfile, error: int, text: str, data: list[str] | None = None
) -> bytes:
    """A whole HACP answer framed as ``profile`` does.

    ``data`` holds the GetParam lines; ``None`` is an answer without data (a
    Put* or ExitAU reply, or an error).
    """
    if profile.name == "spec":
        body = SPEC_WRITE_PROFILE.line_end.join(data or [])
        response = HacpResponse(error, text, SPEC_WRITE_PROFILE.hacp_version, body)
        return encode_response(response, SPEC_WRITE_PROFILE)
    lines = [f"{profile.prefix}error={error}", f"{profile.error_text_key}={text}"]
    if profile.version:
        lines.append(f"version={profile.version}")
    lines += _data_lines(profile, error, data)
    return "".join(line + profile.line_end for line in lines).encode("utf-8")


def _data_lines(profile: LmsProfile, error: int, data: list[str] | None) -> list[str]:
    if data is None:
        return ["aicc_data="] if profile.put_reply_data and error == 0 else []
    if profile.data_on_own_line:
        return ["aicc_data=", *data]
    return ["aicc_data=" + data[0], *data[1:]]
