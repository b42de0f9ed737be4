"""Write profiles: how strictly, and in which shape, HACP messages are written.

Reading is always lenient and needs no profile.  A :class:`WriteProfile`
describes one LMS family's habits generically (line ends, key case, score and
time forms, the statuses it accepts); the application layer names the
families.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aiccbridge.core.hacp._errors import HacpValueError
from aiccbridge.core.hacp._values import LessonStatus

__all__ = ["DEFAULT_PROFILE", "STATUS_FALLBACKS", "WriteProfile"]

LineEnd = Literal["\r\n", "\n", "\r"]
KeyCase = Literal["spec", "lower", "upper"]
ScoreFormat = Literal["integer", "decimal"]
TimeFormat = Literal["hh:mm:ss", "hhhh:mm:ss", "hundredths"]
ProgressTo = Literal["score", "none"]

_DEFAULT_STATUSES = frozenset(LessonStatus) - {LessonStatus.NOT_ATTEMPTED}

#: When a profile does not accept a status, the writer tries these in order.
STATUS_FALLBACKS: dict[LessonStatus, tuple[LessonStatus, ...]] = {
    LessonStatus.PASSED: (LessonStatus.COMPLETED, LessonStatus.INCOMPLETE),
    LessonStatus.COMPLETED: (LessonStatus.PASSED, LessonStatus.INCOMPLETE),
    LessonStatus.FAILED: (LessonStatus.INCOMPLETE,),
    LessonStatus.INCOMPLETE: (LessonStatus.BROWSED,),
    LessonStatus.BROWSED: (LessonStatus.INCOMPLETE,),
    LessonStatus.NOT_ATTEMPTED: (),
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "line_end": ("\r\n", "\n", "\r"),
    "key_case": ("spec", "lower", "upper"),
    "field_case": ("spec", "lower", "upper"),
    "score_format": ("integer", "decimal"),
    "time_format": ("hh:mm:ss", "hhhh:mm:ss", "hundredths"),
    "progress_to": ("score", "none"),
}


@dataclass(frozen=True)
class WriteProfile:
    """One LMS family's writing habits.

    ``line_end``: between lines of ``aicc_data``, responses and CSV bodies.
    ``key_case``: group and keyword names, ``"spec"`` (``Lesson_Status``),
    ``"lower"`` or ``"upper"``.  ``command_first``: put ``command`` first in a
    request.  ``field_case``: the form field names of a request (``"spec"``
    gives ``Command``, ``Version``, ``Session_ID``, ``AICC_Data``).
    ``score_format``: ``"integer"`` (rounded half up) or ``"decimal"``.
    ``score_with_range``: append ``,max[,min]`` when known.  ``time_format``:
    ``"hh:mm:ss"``, ``"hhhh:mm:ss"`` or ``"hundredths"`` (``HH:MM:SS.SS``).
    ``allowed_statuses``: the statuses this LMS accepts; others are mapped by
    :data:`STATUS_FALLBACKS` when ``map_statuses`` is true, else refused.
    ``progress_to``: where a progress percent goes (``"score"`` or
    ``"none"``).  ``hacp_version``: the ``version`` field of requests and
    responses.
    """

    line_end: LineEnd = "\r\n"
    key_case: KeyCase = "spec"
    command_first: bool = True
    field_case: KeyCase = "lower"
    score_format: ScoreFormat = "integer"
    score_with_range: bool = False
    time_format: TimeFormat = "hh:mm:ss"
    allowed_statuses: frozenset[LessonStatus] = field(
        default_factory=lambda: _DEFAULT_STATUSES
    )
    map_statuses: bool = True
    progress_to: ProgressTo = "score"
    hacp_version: str = "4.0"

    def __post_init__(self) -> None:
        for name, choices in _CHOICES.items():
            if getattr(self, name) not in choices:
                raise HacpValueError(
                    f"profile {name} must be one of {choices!r}, "
                    f"not {getattr(self, name)!r}"
                )
        self._check_statuses()
        if not self.hacp_version.strip() or _has_break(self.hacp_version):
            raise HacpValueError("profile hacp_version must be a one-line version")

    def _check_statuses(self) -> None:
        statuses = frozenset(LessonStatus(status) for status in self.allowed_statuses)
        if not statuses:
            raise HacpValueError("profile allowed_statuses must not be empty")
        if LessonStatus.NOT_ATTEMPTED in statuses:
            raise HacpValueError(
                "profile allowed_statuses must not hold 'not attempted'",
                hint="a writer never reports 'not attempted' to an LMS",
            )
        object.__setattr__(self, "allowed_statuses", statuses)

    @property
    def hour_digits(self) -> Literal[2, 4]:
        """How many hour digits a written time span has."""
        return 4 if self.time_format == "hhhh:mm:ss" else 2

    @property
    def hundredths(self) -> bool:
        """Whether written times carry hundredths of a second."""
        return self.time_format == "hundredths"

    def map_status(self, status: LessonStatus) -> LessonStatus:
        """The status to send for ``status``: itself, or its nearest allowed one.

        Raises :class:`HacpValueError` for ``not attempted`` and when no
        allowed status fits (or ``map_statuses`` is off).
        """
        if status is LessonStatus.NOT_ATTEMPTED:
            raise HacpValueError("the writer never sends the status 'not attempted'")
        if status in self.allowed_statuses:
            return status
        fallbacks = STATUS_FALLBACKS[status] if self.map_statuses else ()
        for candidate in fallbacks:
            if candidate in self.allowed_statuses:
                return candidate
        raise HacpValueError(
            f"this profile does not accept the status {status.value!r}"
        )

    def cased(self, name: str) -> str:
        """A group or keyword name, given in spec spelling, in the profile's case."""
        return _apply_case(name, self.key_case)

    def form_name(self, name: str) -> str:
        """A request field name (given in its spec spelling) in the profile's case."""
        return _apply_case(name, self.field_case)


def _apply_case(name: str, case: KeyCase) -> str:
    if case == "lower":
        return name.lower()
    if case == "upper":
        return name.upper()
    return name


def _has_break(text: str) -> bool:
    return "\r" in text or "\n" in text


DEFAULT_PROFILE = WriteProfile()
"""CRLF, spec key case, ``command`` first, lower-case form fields, whole-number
scores without range, ``HH:MM:SS`` times, every status but ``not attempted``,
progress as ``Score``, version 4.0."""
