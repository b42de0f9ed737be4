"""Typed CMI values: statuses, credit, mode, times and scores."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from aiccbridge.core.hacp import (
    Credit,
    HacpError,
    HacpValueError,
    LessonMode,
    LessonStatus,
    Score,
    StatusFlag,
    StatusValue,
    format_cmi_time,
    format_lesson_status,
    format_score,
    format_timespan,
    parse_cmi_time,
    parse_credit,
    parse_lesson_mode,
    parse_lesson_status,
    parse_score,
    parse_timespan,
)

S = LessonStatus
F = StatusFlag


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("passed", S.PASSED),
        ("PASSED", S.PASSED),
        ("p", S.PASSED),
        ("completed", S.COMPLETED),
        ("C", S.COMPLETED),
        ("complete", S.COMPLETED),
        ("failed", S.FAILED),
        ("Failed", S.FAILED),
        ("f", S.FAILED),
        ("incomplete", S.INCOMPLETE),
        ("I", S.INCOMPLETE),
        ("i", S.INCOMPLETE),
        ("browsed", S.BROWSED),
        ("browser", S.BROWSED),
        ("B", S.BROWSED),
        ("not attempted", S.NOT_ATTEMPTED),
        ("Not Attempted", S.NOT_ATTEMPTED),
        ("not+attempted", S.NOT_ATTEMPTED),
        ("'not attempted'", S.NOT_ATTEMPTED),
        ("N", S.NOT_ATTEMPTED),
        ("na", S.NOT_ATTEMPTED),
        ("  incomplete  ", S.INCOMPLETE),
    ],
)
def test_status_words(text: str, status: LessonStatus) -> None:
    assert parse_lesson_status(text) == StatusValue(status, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("N,A", StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)),
        ("n,a", StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)),
        ("not attempted, ab-initio", StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)),
        ("not attempted, ab initio", StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)),
        ("not attempted,ab", StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)),
        ("incomplete, resume", StatusValue(S.INCOMPLETE, F.RESUME)),
        ("i,r", StatusValue(S.INCOMPLETE, F.RESUME)),
        ("incomplete,time-out", StatusValue(S.INCOMPLETE, F.TIME_OUT)),
        ("incomplete , t", StatusValue(S.INCOMPLETE, F.TIME_OUT)),
        ("incomplete,suspend", StatusValue(S.INCOMPLETE, F.SUSPEND)),
        ("I,S", StatusValue(S.INCOMPLETE, F.SUSPEND)),
        ("completed, logout", StatusValue(S.COMPLETED, F.LOGOUT)),
        ("c,l", StatusValue(S.COMPLETED, F.LOGOUT)),
        ("incomplete,", StatusValue(S.INCOMPLETE, None)),
        ("Failed, ", StatusValue(S.FAILED, None)),
    ],
)
def test_status_with_flag(text: str, expected: StatusValue) -> None:
    assert parse_lesson_status(text) == expected


@pytest.mark.parametrize("text", ["", "done", "x", "passed,whenever", "pass ed"])
def test_unknown_status_names_the_text(text: str) -> None:
    with pytest.raises(HacpValueError) as caught:
        parse_lesson_status(text)
    assert repr(text) in caught.value.message
    assert isinstance(caught.value, HacpError)


def test_entry_and_exit_flags_are_told_apart() -> None:
    assert F.AB_INITIO.is_entry and F.RESUME.is_entry
    assert not any(flag.is_entry for flag in (F.TIME_OUT, F.SUSPEND, F.LOGOUT))


def test_status_is_written_as_full_word() -> None:
    assert format_lesson_status(StatusValue(S.NOT_ATTEMPTED)) == "not attempted"
    assert format_lesson_status(StatusValue(S.INCOMPLETE, F.SUSPEND)) == (
        "incomplete,suspend"
    )


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("credit", Credit.CREDIT),
        ("C", Credit.CREDIT),
        ("c", Credit.CREDIT),
        ("no-credit", Credit.NO_CREDIT),
        ("No-Credit", Credit.NO_CREDIT),
        ("n", Credit.NO_CREDIT),
    ],
)
def test_credit(text: str, credit: Credit) -> None:
    assert parse_credit(text) is credit


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("normal", LessonMode.NORMAL),
        ("Normal", LessonMode.NORMAL),
        ("N", LessonMode.NORMAL),
        ("browse", LessonMode.BROWSE),
        ("b", LessonMode.BROWSE),
        ("review", LessonMode.REVIEW),
        ("R", LessonMode.REVIEW),
    ],
)
def test_lesson_mode(text: str, mode: LessonMode) -> None:
    assert parse_lesson_mode(text) is mode


@pytest.mark.parametrize("parser", [parse_credit, parse_lesson_mode])
def test_unknown_credit_or_mode_raises(parser: Callable[[str], object]) -> None:
    with pytest.raises(HacpValueError, match="'sometimes'"):
        parser("sometimes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:03:22", datetime.time(14, 3, 22)),
        ("00:00:00", datetime.time(0, 0, 0)),
        ("23:59:59.5", datetime.time(23, 59, 59, 500_000)),
        ("08:01:02.25", datetime.time(8, 1, 2, 250_000)),
    ],
)
def test_cmi_time(text: str, expected: datetime.time) -> None:
    assert parse_cmi_time(text) == expected


@pytest.mark.parametrize("text", ["24:00:00", "12:60:00", "1:2:3", "12:00", "noon"])
def test_bad_cmi_time(text: str) -> None:
    with pytest.raises(HacpValueError):
        parse_cmi_time(text)


def test_cmi_time_format() -> None:
    value = datetime.time(9, 5, 7, 250_000)
    assert format_cmi_time(value) == "09:05:07"
    assert format_cmi_time(value, hundredths=True) == "09:05:07.25"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00", 0),
        ("00:12:31.50", 751.5),
        ("0000:01:22", 82),
        ("9999:59:59", 35_999_999),
        ("123:00:00", 442_800),
        ("00:00:01.5", 1.5),
        ("0", 0),
        ("75.5", 75.5),
    ],
)
def test_timespan_parse(text: str, seconds: float) -> None:
    assert parse_timespan(text) == datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "1:60:00", "00:00:60", "ab:cd:ef", "-00:01:00"])
def test_bad_timespan(text: str) -> None:
    with pytest.raises(HacpValueError):
        parse_timespan(text)


def test_timespan_format_forms() -> None:
    assert format_timespan(82) == "00:01:22"
    assert format_timespan(82, hour_digits=4) == "0000:01:22"
    assert format_timespan(751.5, hundredths=True) == "00:12:31.50"
    assert format_timespan(datetime.timedelta(minutes=3, seconds=10)) == "00:03:10"


def test_timespan_rounds_half_up() -> None:
    assert format_timespan(59.5) == "00:01:00"
    assert format_timespan(59.49) == "00:00:59"
    assert format_timespan(1.005, hundredths=True) == "00:00:01.01"


def test_timespan_clamps_to_the_field() -> None:
    assert format_timespan(100 * 3600) == "99:59:59"
    assert format_timespan(100 * 3600, hour_digits=4) == "0100:00:00"
    assert format_timespan(10_000 * 3600, hour_digits=4) == "9999:59:59"
    assert format_timespan(10**9, hundredths=True) == "99:59:59.99"


@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_timespan_refuses_negative_or_not_finite(value: float) -> None:
    with pytest.raises(HacpValueError):
        format_timespan(value)


def test_timespan_hour_digits_checked() -> None:
    with pytest.raises(HacpValueError):
        format_timespan(1, hour_digits=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80", Score(80)),
        ("72,100", Score(72, 100)),
        ("60, 100", Score(60, 100)),
        ("60, 100, 0", Score(60, 100, 0)),
        ("12.5,20,-5", Score(12.5, 20, -5)),
        ("7,,0", Score(7, None, 0)),
        (" 0 ", Score(0)),
    ],
)
def test_score_parse(text: str, expected: Score) -> None:
    assert parse_score(text) == expected


def test_empty_score_is_none() -> None:
    assert parse_score("") is None
    assert parse_score("  ") is None


@pytest.mark.parametrize("text", ["abc", "1,2,3,4", ",100", "1e5", "50%"])
def test_bad_score(text: str) -> None:
    with pytest.raises(HacpValueError):
        parse_score(text)


def test_score_refuses_not_finite() -> None:
    with pytest.raises(HacpValueError):
        Score(float("nan"))


def test_score_format() -> None:
    score = Score(72.5, 100, 0)
    assert format_score(score) == "73"
    assert format_score(score, style="decimal") == "72.5"
    assert format_score(score, with_range=True) == "73,100,0"
    assert format_score(Score(80.0), style="decimal") == "80"
    assert format_score(Score(0.00001), style="decimal") == "0.00001"
    assert format_score(Score(5, 10), with_range=True) == "5,10"
    assert format_score(Score(5, None, 1), with_range=True) == "5,,1"
    assert format_score(Score(5), with_range=True) == "5"
