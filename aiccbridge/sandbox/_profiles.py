"""LMS profiles: the families of real LMSs the sandbox can answer and parse like.

A :class:`LmsProfile` gathers one family's habits: how it launches an AU, how it
frames its HACP answers and writes ``GetParam`` data, how it reads a PutParam,
and which session rules it enforces. The habits come from the LMSs' own code
as digested in the project's research notes; where a fact is unknown (the
launch of ILIAS and Chamilo), the profile says it is the sandbox's choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from aiccbridge.core.hacp import COMMANDS
from aiccbridge.errors import UsageError
from aiccbridge.sandbox._answers import WRITERS, Writer
from aiccbridge.sandbox._reading import READERS, Reader

__all__ = ["DEFAULT_PROFILE_NAME", "PROFILES", "LmsProfile", "get_profile"]

DEFAULT_PROFILE_NAME = "spec"

_SPEC_TEXTS: dict[str, tuple[int, str]] = {
    "ok": (0, "Successful"),
    "invalid_command": (1, "Invalid Command"),
    "invalid_session": (3, "Invalid Session ID"),
    "not_initialized": (1, "Invalid Command: GetParam must come first"),
    "exited": (1, "Invalid Command: the session already exited"),
    "exited_getparam": (1, "Invalid Command: the session already exited"),
    "refused": (1, "Invalid Command: {detail}"),
}


@dataclass(frozen=True)
class LmsProfile:
    """One LMS family's habits, as the sandbox imitates them.

    Launch: ``launch_names`` is the case of ``AICC_SID``/``AICC_URL``;
    ``url_encoding`` how many times ``AICC_URL`` is percent-encoded (0, 1, 2).
    Answers: ``line_end``, ``version`` (``None``: no version line),
    ``error_text_key``, ``prefix`` (bytes before ``error=``),
    ``data_on_own_line`` (``aicc_data=`` alone on its line), ``put_reply_data``
    (an empty ``aicc_data=`` on Put* replies) and ``content_type``. Session
    rules: ``enforce_order`` (GetParam first, nothing after ExitAU);
    ``time_counted`` (``"exit"``: session time added at ExitAU; ``"putparam"``:
    the latest PutParam's time counts at once); ``keeps_put_data`` (Put*
    commands other than PutParam are recorded, not discarded); ``commands``
    (the commands answered at all; others get an empty body). Requests:
    ``clean_ids`` (strip non-alphanumerics from ``session_id``, non-letters from
    ``command``), ``exact_command_key`` (read ``command`` only from a field
    spelled exactly so), ``mastery_override`` (a score with a mastery score
    sets passed/failed), ``strict_student_ids`` (launch only CMIIdentifier
    ids). ``unknown_session``: ``"hacp"`` (error 3), ``"html"`` (an error page)
    or ``"empty"``. ``texts`` maps each outcome to its error code and text.
    """

    name: str
    title: str
    habits: tuple[str, ...]
    launch_names: Literal["upper", "lower"] = "upper"
    url_encoding: Literal[0, 1, 2] = 1
    line_end: str = "\r\n"
    version: str | None = None
    error_text_key: str = "error_text"
    prefix: str = ""
    data_on_own_line: bool = False
    put_reply_data: bool = False
    content_type: str = "text/plain; charset=utf-8"
    enforce_order: bool = True
    time_counted: Literal["exit", "putparam"] = "exit"
    keeps_put_data: bool = True
    commands: frozenset[str] = frozenset(COMMANDS)
    clean_ids: bool = False
    exact_command_key: bool = False
    mastery_override: bool = False
    strict_student_ids: bool = False
    unknown_session: Literal["hacp", "html", "empty"] = "hacp"
    texts: Mapping[str, tuple[int, str]] = field(default_factory=lambda: _SPEC_TEXTS)

    @property
    def reader(self) -> Reader:
        """How this family reads a PutParam's ``aicc_data``."""
        return READERS[self.name]

    @property
    def writer(self) -> Writer:
        """How this family writes GetParam data."""
        return WRITERS[self.name]

    def text(self, outcome: str, detail: str = "") -> tuple[int, str]:
        """The error code and text this family answers for ``outcome``."""
        code, text = self.texts.get(outcome, _SPEC_TEXTS[outcome])
        return code, text.format(detail=detail)

    def to_dict(self) -> dict[str, object]:
        """The profile for the JSON API and the profiles page."""
        return {
            "name": self.name,
            "title": self.title,
            "habits": list(self.habits),
            "launch": {
                "names": self.launch_names,
                "aicc_url_encoded": self.url_encoding,
            },
        }


SPEC = LmsProfile(
    name="spec",
    title="AICC CMI001 as written (strict, conformant)",
    version="4.0",
    habits=(
        "Answers with CRLF, spec-case names, version=4.0 and aicc_data=[Core] on "
        "one line, written by the core's strict writer; scores as raw,max,min.",
        "Reads names in any case and any line end, but refuses a PutParam "
        "(error=1, nothing saved) whose values are outside the CMI types: a "
        "status that is not a vocabulary word or its first letter (complete, "
        "browser and na are refused), a Time that is not HH[HH]:MM:SS[.SS], a "
        "Score that is not raw[,max[,min]] decimals (whole numbers without "
        "range when the AU says version 2.x), a Lesson_Location over 255 or a "
        "[Core_Lesson] over 4096 characters.",
        "GetParam must come first; nothing is taken after ExitAU (error=1, "
        "'the session already exited'); the session's Time is added to the "
        "total at ExitAU.",
        "Launches with upper-case AICC_SID and AICC_URL, AICC_URL encoded once.",
        "Records every Put* command.",
    ),
)

MOODLE = LmsProfile(
    name="moodle",
    title="Moodle 4.5 (mod/scorm AICC)",
    launch_names="lower",
    url_encoding=0,
    content_type="text/html; charset=utf-8",
    keeps_put_data=False,
    clean_ids=True,
    mastery_override=True,
    unknown_session="html",
    texts={
        **_SPEC_TEXTS,
        "not_initialized": (1, "Not Initialized"),
        "exited": (1, "Terminated"),
        "exited_getparam": (101, "Terminated"),
    },
    habits=(
        "Answers with CRLF, no version line, aicc_data=[Core] on one line, "
        "'status, ab-initio' with a space after the comma, Score as 'raw, max', "
        "Time with hundredths when it has any, [Evaluation] Course_ID = {AU id} "
        "with spaces and braces, and [Student_Data] with the AU's mastery score, "
        "max time and time limit action; content type text/html.",
        "Splits PutParam on CRLF only: lines ended by a bare LF or CR are lost, "
        "so LF-only data saves nothing, and the answer is still error=0.",
        "Reads the status by its first letter only (complete is completed, "
        "browser is browsed) and the exit flag by the first letter after the "
        "comma.",
        "Score: a raw value that is not a number is dropped; max is kept only "
        "when it is a number at least raw, min only with three parts and at "
        "most raw. With a numeric mastery score, a score sets passed or failed.",
        "Saves the status in normal mode only; browse mode makes a first "
        "attempt browsed.",
        "Adds the session's Time only at ExitAU (an AU that never sends ExitAU "
        "records no time). PutParam before GetParam: error=1 Not Initialized; "
        "after ExitAU, GetParam gets error=101 Terminated and the rest error=1 "
        "Terminated.",
        "Strips every character but letters and digits from session_id, and "
        "every non-letter from command; an unknown session gets an HTML error "
        "page, not HACP.",
        "Accepts PutComments, PutObjectives, PutPath, PutInteractions and "
        "PutPerformance and discards their data (the exchange log keeps it).",
        "Launches with lower-case aicc_sid and aicc_url, AICC_URL not encoded.",
    ),
)

ILIAS = LmsProfile(
    name="ilias",
    title="ILIAS (legacy AICC module)",
    line_end="\n",
    version="3.0",
    error_text_key="error_txt",
    prefix="\t ",
    data_on_own_line=True,
    commands=frozenset({"GetParam", "PutParam", "ExitAU"}),
    habits=(
        "Answers start with a TAB and a space, end lines with LF, spell the "
        "second line error_txt, send version=3.0 and put aicc_data= alone on "
        "its line; lower-case groups and keys, credit=c, lesson_status as "
        "letters (n,a), no lesson_mode, [student_preferences] audio=-1, text=1.",
        "Answers only GetParam, PutParam and ExitAU; any other command gets an "
        "empty body.",
        "Splits PutParam on LF and trims each line; skips lines starting with "
        "';' or '#'; silently drops every line holding two or more '=' "
        "(suspend data such as a=1;b=2 is lost).",
        "Launches with upper-case AICC_SID and AICC_URL, encoded once (the "
        "sandbox's choice: the research has no record of ILIAS's launch).",
    ),
)

CHAMILO = LmsProfile(
    name="chamilo",
    title="Chamilo 1.11",
    launch_names="lower",
    url_encoding=2,
    put_reply_data=True,
    enforce_order=False,
    time_counted="putparam",
    keeps_put_data=False,
    exact_command_key=True,
    unknown_session="empty",
    habits=(
        "Answers with CRLF, no version line, aicc_data=[Core] on one line, the "
        "status without entry flag, Score=0 when there is none, Student_Name "
        "'First Last', always-empty [Core_Vendor] and [Comments], [Evaluation] "
        "Course_ID={course id} without spaces; Put* replies end with an empty "
        "aicc_data= line.",
        "Decodes aicc_data a second time: '+' becomes a space and a fixed list "
        "of escapes (%25 first, then %0D, %0A, %20, %2F, %3B, ...) is undone, "
        "so a literal '+' or '%20' in suspend data is corrupted.",
        "Maps only the upper-case letters C, I, N, NA, P and B to statuses and "
        "takes the six full words; anything else (lower-case letters, F, "
        "complete, a status with an exit flag such as incomplete,suspend) is "
        "not a status it knows and is not saved.",
        "A Time with ':' is HH:MM:SS, otherwise seconds; the latest PutParam's "
        "Time is the session's time, with or without ExitAU.",
        "Enforces no order: PutParam before GetParam and commands after ExitAU "
        "are taken; ExitAU does nothing special.",
        "Reads the command only from a field spelled exactly 'command'; "
        "without one, and for an unknown session, the body is empty.",
        "Ignores [Comments], objectives and the other Put* commands.",
        "Launches with lower-case aicc_sid and aicc_url, AICC_URL encoded "
        "twice (the sandbox's choice, to exercise double decoding).",
    ),
)

SKILLPORT = LmsProfile(
    name="skillport",
    title="Skillsoft SkillPort (and Skillsoft for Moodle)",
    launch_names="lower",
    keeps_put_data=False,
    strict_student_ids=True,
    habits=(
        "Answers with CRLF, no version line, aicc_data=[Core] on one line, "
        "lower-case keys inside mixed-case groups, the entry flag 'ab initio' "
        "with a space instead of the hyphen, [Student_Data] mastery_score.",
        "Refuses a PutParam (error=1, nothing saved) whose Score or Time holds "
        "a decimal fraction, or whose Lesson_Status is missing or empty.",
        "Launches only learners whose Student_ID is a strict CMIIdentifier "
        "(letters, digits, '-', '_' and ':').",
        "Accepts the other Put* commands and discards their data.",
        "Launches with lower-case aicc_sid and aicc_url, AICC_URL encoded once.",
    ),
)

PROFILES: dict[str, LmsProfile] = {
    profile.name: profile for profile in (SPEC, MOODLE, ILIAS, CHAMILO, SKILLPORT)
}
"""Every profile by name, ``spec`` first."""


def get_profile(name: str) -> LmsProfile:
    """The profile called ``name``; :class:`UsageError` names the known ones."""
    try:
        return PROFILES[name.strip().lower()]
    except KeyError:
        known = ", ".join(PROFILES)
        raise UsageError(
            f"unknown LMS profile {name!r}", hint=f"profiles: {known}"
        ) from None
