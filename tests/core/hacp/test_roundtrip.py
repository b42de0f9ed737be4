"""Property tests: whatever the writer produces, the reader reads back unchanged.

Every profile setting is drawn.  Free-form groups carry arbitrary printable
text without line breaks; the writer refuses the one kind of line the reader
would take for a group header (``[name]…``), and the tests check that refusal.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from aiccbridge.core.hacp import (
    AiccData,
    CoreData,
    Credit,
    Evaluation,
    HacpRequest,
    HacpResponse,
    HacpValueError,
    Keywords,
    LessonMode,
    LessonStatus,
    Objective,
    Objectives,
    Score,
    StatusFlag,
    StatusValue,
    WriteProfile,
    encode_request,
    encode_response,
    format_aicc_data,
    format_csv_table,
    format_score,
    format_timespan,
    parse_aicc_data,
    parse_csv_table,
    parse_request,
    parse_response,
    parse_score,
    parse_timespan,
)

FAST = settings(deadline=None, max_examples=100)

WRITABLE = sorted(set(LessonStatus) - {LessonStatus.NOT_ATTEMPTED})
EXIT_FLAGS = [StatusFlag.TIME_OUT, StatusFlag.SUSPEND, StatusFlag.LOGOUT]
HEADER_LIKE = re.compile(r"\s*\[\s*[A-Za-z_][A-Za-z0-9_ ]*?\s*\]")
RESERVED_KEYS = {
    "student_id",
    "student_name",
    "lesson_location",
    "credit",
    "lesson_status",
    "score",
    "time",
    "lesson_mode",
    "core_lesson",
    "course_id",
}
GROUP_NAMES = {
    "core",
    "core_lesson",
    "core_vendor",
    "comments",
    "evaluation",
    "objectives_status",
    "student_data",
    "student_preferences",
}

profiles = st.builds(
    WriteProfile,
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
    key_case=st.sampled_from(["spec", "lower", "upper"]),
    command_first=st.booleans(),
    field_case=st.sampled_from(["spec", "lower", "upper"]),
    score_format=st.sampled_from(["integer", "decimal"]),
    score_with_range=st.booleans(),
    time_format=st.sampled_from(["hh:mm:ss", "hhhh:mm:ss", "hundredths"]),
    allowed_statuses=st.frozensets(st.sampled_from(WRITABLE), min_size=1),
    map_statuses=st.booleans(),
    progress_to=st.sampled_from(["score", "none"]),
    hacp_version=st.sampled_from(["2.0", "2.2", "3.0", "3.5", "4.0"]),
)

printable = st.characters(blacklist_categories=("Cs", "Cc"))
any_text = st.text(st.characters(codec="utf-8"), max_size=40)
line = st.text(printable, max_size=30)
value = line.map(str.strip)
keys = st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,12}", fullmatch=True).filter(
    lambda key: (
        key.lower() not in RESERVED_KEYS
        and not re.fullmatch(r"j_(id|score|status)\.\d+", key.lower())
    )
)
keywords = st.lists(st.tuples(keys, value), max_size=4).map(Keywords)
group_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: name.lower() not in GROUP_NAMES
)


def header_like(text: str) -> bool:
    return HEADER_LIKE.match(text) is not None


def read_free(text: str | None) -> str | None:
    """What the reader gives back for one free-form line."""
    if text is None:
        return None
    return text if text.strip() else ""


@st.composite
def scores(draw: st.DrawFn, profile: WriteProfile) -> Score:
    if profile.score_format == "integer":
        number = st.integers(-1000, 10**6).map(float)
    else:
        number = st.integers(-(10**6), 10**8).map(lambda n: float(Decimal(n) / 100))
    if not profile.score_with_range:
        return Score(draw(number))
    return Score(draw(number), draw(st.none() | number), draw(st.none() | number))


def times(profile: WriteProfile) -> st.SearchStrategy[datetime.timedelta]:
    top = 10**profile.hour_digits * 3600 - 1
    if profile.hundredths:
        cents = st.integers(0, top * 100 + 99)
        return cents.map(lambda n: datetime.timedelta(milliseconds=10 * n))
    return st.integers(0, top).map(lambda n: datetime.timedelta(seconds=n))


@st.composite
def statuses(draw: st.DrawFn, profile: WriteProfile, side: str) -> StatusValue | None:
    if side == "au":
        status = draw(st.sampled_from(sorted(profile.allowed_statuses)))
        return StatusValue(status, draw(st.none() | st.sampled_from(EXIT_FLAGS)))
    status_value = st.builds(
        StatusValue,
        st.sampled_from(list(LessonStatus)),
        st.none() | st.sampled_from(list(StatusFlag)),
    )
    return draw(st.none() | status_value)


@st.composite
def objectives(draw: st.DrawFn, profile: WriteProfile) -> Objectives:
    item = st.builds(
        Objective,
        value,
        st.none() | scores(profile),
        st.none() | st.sampled_from(list(LessonStatus)),
    )
    return Objectives(draw(st.lists(item, max_size=3)), draw(keywords))


@st.composite
def cores(draw: st.DrawFn, profile: WriteProfile, side: str) -> CoreData:
    return CoreData(
        student_id=draw(st.none() | value),
        student_name=draw(st.none() | value),
        lesson_location=draw(st.none() | value),
        credit=draw(st.none() | st.sampled_from(list(Credit))),
        lesson_status=draw(statuses(profile, side)),
        score=draw(st.none() | scores(profile)),
        time=draw(st.none() | times(profile)),
        lesson_mode=draw(st.none() | st.sampled_from(list(LessonMode))),
        extra=draw(keywords),
    )


@st.composite
def aicc_data(draw: st.DrawFn, profile: WriteProfile, side: str) -> AiccData:
    evaluation = st.builds(Evaluation, st.none() | value, keywords)
    return AiccData(
        core=draw(cores(profile, side)),
        core_lesson=draw(st.none() | line),
        core_vendor=draw(st.none() | line),
        comments=draw(st.none() | line),
        evaluation=draw(st.none() | evaluation),
        objectives=draw(st.none() | objectives(profile)),
        student_data=draw(st.none() | keywords),
        student_preferences=draw(st.none() | keywords),
        other_groups=draw(
            st.lists(st.tuples(group_names, line), max_size=2).map(Keywords)
        ),
    )


def free_texts(data: AiccData) -> list[str]:
    texts = [
        data.core_lesson,
        data.core_vendor,
        data.comments,
        *data.other_groups.values(),
    ]
    return [text for text in texts if text is not None]


def as_read(data: AiccData) -> AiccData:
    """``data`` as the reader must give it back (blank free text reads as empty)."""
    data.core_lesson = read_free(data.core_lesson)
    data.core_vendor = read_free(data.core_vendor)
    data.comments = read_free(data.comments)
    for name, text in list(data.other_groups.items()):
        data.other_groups[name] = read_free(text) or ""
    return data


@st.composite
def cases(draw: st.DrawFn) -> tuple[WriteProfile, str, AiccData]:
    profile = draw(profiles)
    side = draw(st.sampled_from(["au", "lms"]))
    return profile, side, draw(aicc_data(profile, side))


@FAST
@given(cases())
def test_aicc_data_round_trip(case: tuple[WriteProfile, str, AiccData]) -> None:
    profile, side, data = case
    if any(header_like(text) for text in free_texts(data)):
        try:
            format_aicc_data(data, profile, side=side)  # type: ignore[arg-type]
        except HacpValueError as exc:
            assert "group header" in exc.message
            return
        raise AssertionError("a header-like free-form line was written")
    text = format_aicc_data(data, profile, side=side)  # type: ignore[arg-type]
    assert text.startswith(f"[{profile.cased('Core')}]")
    assert parse_aicc_data(text) == as_read(data)


requests = st.builds(
    HacpRequest,
    command=st.text(printable, min_size=1, max_size=20).map(str.strip).filter(bool),
    version=value,
    session_id=any_text,
    aicc_data=any_text,
)


@FAST
@given(profiles, requests)
def test_request_round_trip(profile: WriteProfile, request: HacpRequest) -> None:
    assert parse_request(encode_request(request, profile)) == request


@st.composite
def responses(draw: st.DrawFn) -> tuple[WriteProfile, HacpResponse]:
    profile, _, data = draw(cases())
    if any(header_like(text) for text in free_texts(data)):
        data.core_lesson = data.core_vendor = data.comments = None
        data.other_groups = Keywords()
    lms = WriteProfile(line_end="\r\n", key_case=profile.key_case)
    response = HacpResponse(
        error=draw(st.integers(-5, 999)),
        error_text=draw(value),
        version=draw(st.none() | value.filter(bool)),
        aicc_data=draw(st.just("") | st.just(format_aicc_data(data, lms, side="lms"))),
    )
    return profile, response


@FAST
@given(responses())
def test_response_round_trip(case: tuple[WriteProfile, HacpResponse]) -> None:
    profile, response = case
    assert parse_response(encode_response(response, profile)) == response


cells = st.text(printable, max_size=12)


@FAST
@given(
    profiles,
    st.lists(cells.map(str.strip), min_size=1, max_size=5),
    st.data(),
)
def test_csv_round_trip(
    profile: WriteProfile, header: list[str], data: st.DataObject
) -> None:
    row = st.lists(cells, min_size=len(header), max_size=len(header)).map(tuple)
    rows = data.draw(st.lists(row, max_size=4))
    text = format_csv_table(header, rows, profile)
    assert parse_csv_table(text) == (tuple(header), rows)


@FAST
@given(st.integers(0, 9999 * 3600 + 3599), st.booleans())
def test_timespan_round_trip(seconds: int, hundredths: bool) -> None:
    text = format_timespan(seconds, hour_digits=4, hundredths=hundredths)
    assert parse_timespan(text) == datetime.timedelta(seconds=seconds)


@FAST
@given(profiles, st.data())
def test_score_round_trip(profile: WriteProfile, data: st.DataObject) -> None:
    score = data.draw(scores(profile))
    text = format_score(
        score, style=profile.score_format, with_range=profile.score_with_range
    )
    assert parse_score(text) == score
