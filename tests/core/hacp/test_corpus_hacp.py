"""The HACP readers on the shared corpus of real and reconstructed messages.

The corpus lives next to the checkout (``<repo>/../shared/corpus``); these
tests skip when it is absent.  Every behaviour checked here also has a fixture
of the project's own in ``test_codec.py``.

The ``*.as-literal.txt`` captures hold ActionScript string literals: ``\\r``
is the two characters backslash and ``r``.  They are read after turning those
escapes into the control characters they stand for (what the developer's
program had in memory); read as they are, they are refused as not HACP.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from aiccbridge.core.hacp import (
    INTERACTION_HEADER,
    AiccData,
    Credit,
    HacpInvalidCommand,
    HacpNotHacpError,
    LessonMode,
    LessonStatus,
    Objective,
    Objectives,
    Score,
    StatusFlag,
    StatusValue,
    is_already_exited,
    lms_error,
    parse_aicc_data,
    parse_csv_table,
    parse_request,
    parse_response,
)

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "hacp"
S = LessonStatus
F = StatusFlag

pytestmark = pytest.mark.corpus


def require_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared HACP corpus is not next to this checkout ({CORPUS})")


def corpus_bytes(name: str) -> bytes:
    require_corpus()
    return (CORPUS / name).read_bytes()


def unescape_literal(text: str) -> str:
    return text.replace("\\r", "\r").replace("\\n", "\n")


@dataclass(frozen=True)
class Answer:
    """What one LMS answer must read as."""

    version: str | None
    student_id: str | None
    status: StatusValue | None
    score: Score | None
    time: datetime.timedelta | None
    error: int = 0
    error_text: str = "Successful"


SECONDS = datetime.timedelta(seconds=1)
NA_AB = StatusValue(S.NOT_ATTEMPTED, F.AB_INITIO)
NA = StatusValue(S.NOT_ATTEMPTED)
DOCENT_INITIAL = Answer("2.0", "a340585", NA_AB, None, 0 * SECONDS)
DOCENT_SAVED = Answer(
    "2.0", "a340585", StatusValue(S.INCOMPLETE), Score(10), 3600 * SECONDS
)
DOCENT_FAILED_31 = Answer(
    "2.0", "a340585", StatusValue(S.FAILED), Score(0), 31 * SECONDS
)
DOCENT_FAILED_82 = Answer(
    "2.0", "a340585", StatusValue(S.FAILED), Score(0), 82 * SECONDS
)
EMPTY = Answer(None, None, None, None, None)

ANSWERS: dict[str, Answer] = {
    "halyard/getparam-response.2009-07-31-537baca.txt": Answer(
        None, "12345", NA, None, 0 * SECONDS
    ),
    "halyard/getparam-response.2009-08-28-7a627fc.txt": Answer(
        None, "12345", NA, None, 0 * SECONDS
    ),
    "halyard/putparam-response.txt": EMPTY,
    "nudoru-docent/initialGetParam.decoded.txt": DOCENT_INITIAL,
    "nudoru-docent/initialGetParam.flash-escaped.txt": DOCENT_INITIAL,
    "nudoru-docent/initialGetParamUn.as-literal.txt": DOCENT_INITIAL,
    "nudoru-docent/parseGetParamData-arg.decoded.txt": DOCENT_FAILED_31,
    "nudoru-docent/parseGetParamData-arg.flash-escaped.txt": DOCENT_FAILED_31,
    "nudoru-docent/savedGetParam.decoded.txt": DOCENT_SAVED,
    "nudoru-docent/savedGetParam.flash-escaped.txt": DOCENT_SAVED,
    "nudoru-docent/savedGetParamUn.as-literal.txt": DOCENT_SAVED,
    "nudoru-docent/savedGetParam2.decoded.txt": DOCENT_FAILED_82,
    "nudoru-docent/savedGetParam2.flash-escaped.txt": DOCENT_FAILED_82,
    "reconstructed/lms-chamilo1.11-getparam-response.txt": Answer(
        None, "7", NA, Score(0), 0 * SECONDS
    ),
    "reconstructed/lms-chamilo1.11-putparam-response.txt": EMPTY,
    "reconstructed/lms-ilias-legacy-getparam-response.txt": Answer(
        "3.0", "6", NA_AB, None, 0 * SECONDS
    ),
    "reconstructed/lms-ilias-legacy-putparam-response.txt": Answer(
        "3.0", None, None, None, None
    ),
    "reconstructed/lms-moodle-skillsoft-getparam-response.txt": Answer(
        None, "jdoe", NA_AB, None, 0 * SECONDS
    ),
    "reconstructed/lms-moodle45-error-after-exitau.txt": Answer(
        None, None, None, None, None, error=101, error_text="Terminated"
    ),
    "reconstructed/lms-moodle45-getparam-response-resume.txt": Answer(
        None,
        "42",
        StatusValue(S.INCOMPLETE, F.RESUME),
        Score(60, 100),
        751.5 * SECONDS,
    ),
    "reconstructed/lms-moodle45-getparam-response.txt": Answer(
        None, "42", NA_AB, None, 0 * SECONDS
    ),
    "reconstructed/lms-moodle45-invalid-command.txt": Answer(
        None, None, None, None, None, error=1, error_text="Invalid Command"
    ),
    "reconstructed/lms-moodle45-putparam-not-initialized.txt": Answer(
        None, None, None, None, None, error=1, error_text="Not Initialized"
    ),
    "reconstructed/lms-skfriese-testenv-getparam-default.txt": Answer(
        "2.0", "demo", NA, None, 0 * SECONDS
    ),
    "reconstructed/lms-skfriese-testenv-putparam-response.txt": Answer(
        "2.0", None, None, None, None, error_text=""
    ),
}

AU_DATA = (
    "halyard/putparam-aicc_data.expected.txt",
    "reconstructed/au-elfh-spoor-putparam-aicc_data.txt",
    "reconstructed/au-nudoru-as3-putparam-aicc_data.txt",
    "reconstructed/au-profiscience-putparam-aicc_data.txt",
    "reconstructed/au-rustici-driver382-putparam-aicc_data.txt",
    "reconstructed/au-scoxapi-putparam-aicc_data.txt",
    "reconstructed/au-srs-adapter-putparam-aicc_data.txt",
)
CSV_DATA = ("reconstructed/au-rustici-driver382-putinteractions-aicc_data.txt",)
REQUESTS = {
    "reconstructed/au-request-body-elfh-style.txt": ("4.1", "a b/c~d"),
    "reconstructed/au-request-body-rustici-style.txt": ("3.5", "a b/c~d"),
    "reconstructed/au-request-body-srs-style.txt": ("4.0", "a+b/c~d"),
}
NOT_MESSAGES = ("nudoru-docent/launch-url.docent65.txt",)


def read_answer(name: str) -> tuple[int, str, str | None, AiccData]:
    body = corpus_bytes(name)
    if name.endswith(".as-literal.txt"):
        body = unescape_literal(body.decode("ascii")).encode("ascii")
    response = parse_response(body, "text/html")
    data = parse_aicc_data(response.aicc_data)
    return response.error, response.error_text, response.version, data


def test_every_corpus_file_is_covered() -> None:
    require_corpus()
    found = {path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*.txt")}
    known = {*ANSWERS, *AU_DATA, *CSV_DATA, *REQUESTS, *NOT_MESSAGES}
    assert found == known


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_lms_answer(name: str) -> None:
    expected = ANSWERS[name]
    error, error_text, version, data = read_answer(name)
    assert (error, error_text, version) == (
        expected.error,
        expected.error_text,
        expected.version,
    )
    assert data.core.student_id == expected.student_id
    assert data.core.lesson_status == expected.status
    assert data.core.score == expected.score
    assert data.core.time == expected.time


def test_halyard_answers_details() -> None:
    for name in (
        "halyard/getparam-response.2009-07-31-537baca.txt",
        "halyard/getparam-response.2009-08-28-7a627fc.txt",
    ):
        data = read_answer(name)[3]
        assert data.core.student_name == "J. Student"
        assert data.core.credit is Credit.CREDIT
        assert data.core.lesson_location == ""
        assert (data.core_lesson, data.core_vendor) == ("", "")


@pytest.mark.parametrize("kind", ["decoded", "flash-escaped"])
def test_docent_answer_details(kind: str) -> None:
    data = read_answer(f"nudoru-docent/parseGetParamData-arg.{kind}.txt")[3]
    assert data.core.student_name == "Perkins, Matthew"
    assert data.core.credit is Credit.CREDIT
    assert data.core.lesson_mode is LessonMode.NORMAL
    assert data.core.lesson_location == "0,2"
    assert data.core_lesson is not None and data.core_lesson.startswith("1,1,0,0,0,0|")
    assert data.student_data is not None
    assert data.student_data["Mastery_Score"] == "80"


def test_docent_suspend_data_on_the_header_line() -> None:
    data = read_answer("nudoru-docent/savedGetParamUn.as-literal.txt")[3]
    assert data.core_lesson == "1,1,1,1,1|1,1,1,1,1"
    assert data.core.lesson_location == "5,5"


@pytest.mark.parametrize(
    "name",
    [
        "nudoru-docent/initialGetParamUn.as-literal.txt",
        "nudoru-docent/launch-url.docent65.txt",
    ],
)
def test_literal_or_url_is_not_misread(name: str) -> None:
    with pytest.raises(HacpNotHacpError):
        parse_response(corpus_bytes(name))


def test_moodle_style_details() -> None:
    data = read_answer("reconstructed/lms-moodle45-getparam-response-resume.txt")[3]
    assert data.core.student_name == "Doe, Jane"
    assert data.core.lesson_location == "slide7"
    assert data.evaluation is not None and data.evaluation.course_id == "A001"
    assert data.core_lesson == "ch1=done;ch2=half"
    fresh = read_answer("reconstructed/lms-moodle45-getparam-response.txt")[3]
    assert fresh.student_data is not None
    assert fresh.student_data["max_time_allowed"] == "9999:59:59"
    assert fresh.student_data["time_limit_action"] == "C,N"
    assert fresh.core_lesson == "" and fresh.core_vendor == ""


def test_chamilo_style_details() -> None:
    data = read_answer("reconstructed/lms-chamilo1.11-getparam-response.txt")[3]
    assert data.core.student_name == "Jane Doe"
    assert data.core.lesson_mode is LessonMode.NORMAL
    assert data.comments == ""
    assert data.evaluation is not None and data.evaluation.course_id == "DEMOCOURSE"


def test_ilias_style_details() -> None:
    data = read_answer("reconstructed/lms-ilias-legacy-getparam-response.txt")[3]
    assert data.core.credit is Credit.CREDIT
    assert data.core.extra == {"output_file": "", "path": ""}
    assert data.student_preferences == {"audio": "-1", "text": "1"}


def test_skfriese_and_skillsoft_details() -> None:
    default = read_answer("reconstructed/lms-skfriese-testenv-getparam-default.txt")[3]
    assert default.core.credit is Credit.NO_CREDIT
    assert default.core.lesson_mode is None
    skillsoft = read_answer("reconstructed/lms-moodle-skillsoft-getparam-response.txt")
    assert skillsoft[3].core.student_name == "Doe, Jane"


def test_error_answers_map_and_exit_rule() -> None:
    exited = read_answer("reconstructed/lms-moodle45-error-after-exitau.txt")
    assert is_already_exited(lms_error(exited[0], exited[1]))
    invalid = read_answer("reconstructed/lms-moodle45-invalid-command.txt")
    error = lms_error(invalid[0], invalid[1])
    assert isinstance(error, HacpInvalidCommand)
    assert not is_already_exited(error)
    early = read_answer("reconstructed/lms-moodle45-putparam-not-initialized.txt")
    assert not is_already_exited(lms_error(early[0], early[1]))


def au_data(name: str) -> AiccData:
    return parse_aicc_data(corpus_bytes(name).decode("ascii"))


def test_au_halyard_encoded() -> None:
    data = au_data("halyard/putparam-aicc_data.expected.txt")
    assert data.core.lesson_location == "/start"
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert data.core.score == Score(72, 100)
    assert data.core.time == 300 * SECONDS
    assert data.core_lesson == "data\n[foo]"
    assert data.objectives == Objectives(
        [
            Objective("/part1", None, S.COMPLETED),
            Objective("/part2", None, S.INCOMPLETE),
        ]
    )


def test_au_elfh() -> None:
    data = au_data("reconstructed/au-elfh-spoor-putparam-aicc_data.txt")
    assert data.core.lesson_location == "page-4"
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE, F.SUSPEND)
    assert (data.core.score, data.core.time) == (Score(0), 190 * SECONDS)
    assert data.core_lesson == "Suspend_Data=abc123"
    assert data.objectives == Objectives()


def test_au_cr_only() -> None:
    data = au_data("reconstructed/au-nudoru-as3-putparam-aicc_data.txt")
    assert data.core.lesson_location == "5,5"
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert (data.core.score, data.core.time) == (None, 60 * SECONDS)
    assert data.core_lesson == "1,1,1,1,1|1,1,1,1,1"


def test_au_profiscience() -> None:
    data = au_data("reconstructed/au-profiscience-putparam-aicc_data.txt")
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert (data.core.lesson_location, data.core.score, data.core.time) == (
        "",
        None,
        None,
    )
    assert data.student_preferences is not None
    assert data.student_preferences["speed"] == "100"
    assert (data.comments, data.core_lesson) == ("", "")


def test_au_rustici_putparam() -> None:
    data = au_data("reconstructed/au-rustici-driver382-putparam-aicc_data.txt")
    assert data.core.lesson_location == "slide3"
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert data.core.time == 82 * SECONDS
    assert data.core_lesson == "ch1|ch2"


def test_au_scoxapi_and_srs() -> None:
    scoxapi = au_data("reconstructed/au-scoxapi-putparam-aicc_data.txt")
    assert scoxapi.core.lesson_location == "p3"
    assert scoxapi.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert scoxapi.core_lesson == "x"
    srs = au_data("reconstructed/au-srs-adapter-putparam-aicc_data.txt")
    assert srs.core.lesson_location == "3"
    assert srs.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert srs.core_lesson == "suspend_data=1,0,1"


def test_au_interactions_csv() -> None:
    text = corpus_bytes(CSV_DATA[0]).decode("ascii")
    header, rows = parse_csv_table(text)
    assert header == INTERACTION_HEADER
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["interaction_id"], row["type_interaction"], row["result"]) == (
        "Q1",
        "C",
        "W",
    )
    assert row["latency"] == "0000:00:07"


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_au_request_bodies(name: str) -> None:
    version, location = REQUESTS[name]
    request = parse_request(corpus_bytes(name))
    assert (request.command, request.version, request.session_id) == (
        "PutParam",
        version,
        "SID 1",
    )
    data = parse_aicc_data(request.aicc_data)
    assert data.core.lesson_location == location
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
