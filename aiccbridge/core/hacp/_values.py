"""Typed CMI values: lesson status, credit, lesson mode, times and scores.

Readers are lenient (any case, one-letter forms, words seen in real traffic);
writers produce the spec's full words and number forms.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal

from aiccbridge.core.hacp._errors import HacpValueError

__all__ = [
    "Credit",
    "LessonMode",
    "LessonStatus",
    "Score",
    "StatusFlag",
    "StatusValue",
    "format_cmi_time",
    "format_lesson_status",
    "format_score",
    "format_timespan",
    "parse_cmi_time",
    "parse_credit",
    "parse_lesson_mode",
    "parse_lesson_status",
    "parse_score",
    "parse_timespan",
]


class LessonStatus(StrEnum):
    """A lesson status; the value is the word written on the wire."""

    PASSED = "passed"
    COMPLETED = "completed"
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    BROWSED = "browsed"
    NOT_ATTEMPTED = "not attempted"


class StatusFlag(StrEnum):
    """The entry (LMS to AU) or exit (AU to LMS) flag after a lesson status."""

    AB_INITIO = "ab-initio"
    RESUME = "resume"
    TIME_OUT = "time-out"
    SUSPEND = "suspend"
    LOGOUT = "logout"

    @property
    def is_entry(self) -> bool:
        """True for the flags an LMS sends (ab-initio, resume)."""
        return self in (StatusFlag.AB_INITIO, StatusFlag.RESUME)


class Credit(StrEnum):
    """Whether the attempt counts for credit."""

    CREDIT = "credit"
    NO_CREDIT = "no-credit"


class LessonMode(StrEnum):
    """The mode the LMS launched the lesson in."""

    NORMAL = "normal"
    BROWSE = "browse"
    REVIEW = "review"


@dataclass(frozen=True)
class StatusValue:
    """A lesson status with its optional entry or exit flag."""

    status: LessonStatus
    flag: StatusFlag | None = None


_STATUS_WORDS: dict[str, LessonStatus] = {
    "passed": LessonStatus.PASSED,
    "p": LessonStatus.PASSED,
    "pass": LessonStatus.PASSED,
    "completed": LessonStatus.COMPLETED,
    "complete": LessonStatus.COMPLETED,
    "c": LessonStatus.COMPLETED,
    "failed": LessonStatus.FAILED,
    "fail": LessonStatus.FAILED,
    "f": LessonStatus.FAILED,
    "incomplete": LessonStatus.INCOMPLETE,
    "i": LessonStatus.INCOMPLETE,
    "browsed": LessonStatus.BROWSED,
    "browse": LessonStatus.BROWSED,
    "browser": LessonStatus.BROWSED,
    "b": LessonStatus.BROWSED,
    "not attempted": LessonStatus.NOT_ATTEMPTED,
    "notattempted": LessonStatus.NOT_ATTEMPTED,
    "not_attempted": LessonStatus.NOT_ATTEMPTED,
    "not-attempted": LessonStatus.NOT_ATTEMPTED,
    "n": LessonStatus.NOT_ATTEMPTED,
    "na": LessonStatus.NOT_ATTEMPTED,
}

_FLAG_WORDS: dict[str, StatusFlag] = {
    "ab-initio": StatusFlag.AB_INITIO,
    "ab initio": StatusFlag.AB_INITIO,
    "abinitio": StatusFlag.AB_INITIO,
    "ab_initio": StatusFlag.AB_INITIO,
    "ab": StatusFlag.AB_INITIO,
    "a": StatusFlag.AB_INITIO,
    "resume": StatusFlag.RESUME,
    "r": StatusFlag.RESUME,
    "time-out": StatusFlag.TIME_OUT,
    "timeout": StatusFlag.TIME_OUT,
    "time out": StatusFlag.TIME_OUT,
    "t": StatusFlag.TIME_OUT,
    "suspend": StatusFlag.SUSPEND,
    "s": StatusFlag.SUSPEND,
    "logout": StatusFlag.LOGOUT,
    "log-out": StatusFlag.LOGOUT,
    "l": StatusFlag.LOGOUT,
}

_CREDIT_WORDS: dict[str, Credit] = {
    "credit": Credit.CREDIT,
    "c": Credit.CREDIT,
    "no-credit": Credit.NO_CREDIT,
    "no credit": Credit.NO_CREDIT,
    "no_credit": Credit.NO_CREDIT,
    "nocredit": Credit.NO_CREDIT,
    "n": Credit.NO_CREDIT,
}

_MODE_WORDS: dict[str, LessonMode] = {
    "normal": LessonMode.NORMAL,
    "n": LessonMode.NORMAL,
    "browse": LessonMode.BROWSE,
    "b": LessonMode.BROWSE,
    "review": LessonMode.REVIEW,
    "r": LessonMode.REVIEW,
}


def _word(text: str) -> str:
    """Fold a vocabulary word: trim, drop quotes, lower-case, one space."""
    word = text.strip().strip("'\"").strip().casefold().replace("+", " ")
    return " ".join(word.split())


def parse_lesson_status(text: str) -> StatusValue:
    """Read ``status[,flag]`` leniently (``N,A``, ``Failed``, ``incomplete, resume``).

    Raises :class:`HacpValueError` naming the text when the status or the flag
    is not a known word or letter.
    """
    word, _, flag_text = _word(text).partition(",")
    status = _STATUS_WORDS.get(word.strip())
    if status is None:
        raise HacpValueError(f"unknown lesson status {text!r}")
    flag_word = flag_text.strip()
    if not flag_word:
        return StatusValue(status)
    flag = _FLAG_WORDS.get(flag_word)
    if flag is None:
        raise HacpValueError(f"unknown entry or exit flag in lesson status {text!r}")
    return StatusValue(status, flag)


def format_lesson_status(value: StatusValue) -> str:
    """Write a status as its full word, with ``,flag`` when there is a flag."""
    if value.flag is None:
        return value.status.value
    return f"{value.status.value},{value.flag.value}"


def parse_credit(text: str) -> Credit:
    """Read ``credit``/``no-credit`` (also ``c``/``n``, any case)."""
    credit = _CREDIT_WORDS.get(_word(text))
    if credit is None:
        raise HacpValueError(f"unknown credit value {text!r}")
    return credit


def parse_lesson_mode(text: str) -> LessonMode:
    """Read ``normal``/``browse``/``review`` (also ``n``/``b``/``r``, any case)."""
    mode = _MODE_WORDS.get(_word(text))
    if mode is None:
        raise HacpValueError(f"unknown lesson mode {text!r}")
    return mode


_CLOCK = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?")
_SPAN = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d+))?")
_SECONDS = re.compile(r"\d+(?:\.\d+)?")
_HUNDREDTH = datetime.timedelta(milliseconds=10)


def _fraction_us(digits: str | None) -> int:
    """Microseconds of a decimal fraction given by its digits."""
    if not digits:
        return 0
    return int(Decimal("0." + digits) * 1_000_000)


def parse_cmi_time(text: str) -> datetime.time:
    """Read a CMITime clock time ``HH:MM:SS[.S[S]]`` (hours 00 to 23)."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise HacpValueError(f"not a CMITime (HH:MM:SS): {text!r}")
    hours, minutes, seconds = (int(part) for part in match.group(1, 2, 3))
    if hours > 23 or minutes > 59 or seconds > 59:
        raise HacpValueError(f"CMITime out of range: {text!r}")
    return datetime.time(hours, minutes, seconds, _fraction_us(match.group(4)))


def format_cmi_time(value: datetime.time, *, hundredths: bool = False) -> str:
    """Write a clock time as ``HH:MM:SS`` or, with ``hundredths``, ``HH:MM:SS.SS``."""
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if hundredths:
        text += f".{value.microsecond // 10_000:02d}"
    return text


def parse_timespan(text: str) -> datetime.timedelta:
    """Read a CMITimespan leniently.

    Accepts ``H…H:MM:SS`` with any number of hour digits (the spec says 2 to
    4), minutes and seconds of one or two digits, an optional fraction, and a
    bare number of seconds (``0``, ``75.5``) as some LMSs write it.
    """
    stripped = text.strip()
    if _SECONDS.fullmatch(stripped):
        return datetime.timedelta(seconds=float(Decimal(stripped)))
    match = _SPAN.fullmatch(stripped)
    if match is None:
        raise HacpValueError(f"not a CMITimespan (HHHH:MM:SS): {text!r}")
    hours, minutes, seconds = (int(part) for part in match.group(1, 2, 3))
    if minutes > 59 or seconds > 59:
        raise HacpValueError(f"CMITimespan out of range: {text!r}")
    micro = _fraction_us(match.group(4))
    return datetime.timedelta(
        hours=hours, minutes=minutes, seconds=seconds, microseconds=micro
    )


def format_timespan(
    seconds: float | datetime.timedelta,
    *,
    hour_digits: Literal[2, 4] = 2,
    hundredths: bool = False,
) -> str:
    """Write an elapsed time as ``HH:MM:SS`` / ``HHHH:MM:SS`` (``.SS`` optional).

    The value is rounded to whole seconds (or hundredths) and clamped to the
    largest value the field holds: 99:59:59 with two hour digits, 9999:59:59
    with four (plus .99 with hundredths).  Negative values raise.
    """
    if hour_digits not in (2, 4):
        raise HacpValueError(f"hour_digits must be 2 or 4, not {hour_digits!r}")
    units = _hundredths_of(seconds)
    if not hundredths:
        units = _round_half_up(Decimal(units) / 100) * 100
    units = min(units, (10**hour_digits * 3600 - 1) * 100 + (99 if hundredths else 0))
    whole, cents = divmod(units, 100)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours:0{hour_digits}d}:{minutes:02d}:{secs:02d}"
    return f"{text}.{cents:02d}" if hundredths else text


def _hundredths_of(seconds: float | datetime.timedelta) -> int:
    """An elapsed time in whole hundredths of a second (half up), never negative."""
    if isinstance(seconds, datetime.timedelta):
        value = Decimal(seconds // datetime.timedelta(microseconds=1)) / 10_000
    else:
        if not math.isfinite(seconds):
            raise HacpValueError(f"not a finite time: {seconds!r}")
        value = Decimal(repr(float(seconds))) * 100
    if value < 0:
        raise HacpValueError(f"a time span cannot be negative: {seconds!r}")
    return _round_half_up(value)


def _round_half_up(value: Decimal) -> int:
    """Round to the nearest integer, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Score:
    """A score ``raw`` with optional ``max`` and ``min`` (CMIDecimal numbers)."""

    raw: float
    max: float | None = None
    min: float | None = None

    def __post_init__(self) -> None:
        for part in (self.raw, self.max, self.min):
            if part is not None and not math.isfinite(part):
                raise HacpValueError(f"a score must be a finite number: {part!r}")


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _number(text: str, whole: str) -> float | None:
    """Read one part of a score; empty means absent."""
    stripped = text.strip()
    if not stripped:
        return None
    if not _DECIMAL.fullmatch(stripped):
        raise HacpValueError(f"not a score (raw[,max[,min]]): {whole!r}")
    return float(stripped)


def parse_score(text: str) -> Score | None:
    """Read ``raw[,max[,min]]`` (spaces after the commas allowed); empty is None."""
    parts = text.strip().split(",")
    if len(parts) > 3:
        raise HacpValueError(f"not a score (raw[,max[,min]]): {text!r}")
    numbers = [_number(part, text) for part in parts] + [None] * (3 - len(parts))
    raw, high, low = numbers
    if raw is None:
        if high is None and low is None:
            return None
        raise HacpValueError(f"a score needs a raw value: {text!r}")
    return Score(raw, high, low)


def _format_number(value: float, style: Literal["integer", "decimal"]) -> str:
    """A number as a whole number or as a plain decimal without exponent."""
    exact = Decimal(repr(float(value)))
    if style == "integer":
        return str(_round_half_up(exact))
    if exact == exact.to_integral_value():
        return str(int(exact))
    return format(exact, "f")


def format_score(
    score: Score,
    *,
    style: Literal["integer", "decimal"] = "integer",
    with_range: bool = False,
) -> str:
    """Write a score as ``raw`` or, ``with_range``, ``raw,max[,min]``."""
    text = _format_number(score.raw, style)
    if not with_range or (score.max is None and score.min is None):
        return text
    high = "" if score.max is None else _format_number(score.max, style)
    if score.min is None:
        return f"{text},{high}"
    return f"{text},{high},{_format_number(score.min, style)}"
