"""How each profile frames its answers: byte for byte against the reconstructed
LMS answers of the shared corpus, and against fixtures of our own."""

from __future__ import annotations

import pytest

from aiccbridge.core.hacp import Score, parse_aicc_data, parse_response
from aiccbridge.sandbox import PROFILES, GetParamView, reply
from tests.sandbox.conftest import require_corpus

FIRST = GetParamView(
    student_id="42",
    student_name="Doe, Jane",
    course_id="DEMOCOURSE",
    au_id="A001",
    max_time_allowed="9999:59:59",
    time_limit_action="C,N",
)
RESUME = GetParamView(
    student_id="42",
    student_name="Doe, Jane",
    course_id="DEMOCOURSE",
    au_id="A001",
    status="incomplete",
    entry="resume",
    lesson_location="slide7",
    score=Score(60, 100),
    total_seconds=751.5,
    core_lesson="ch1=done;ch2=half",
    mastery_score="80",
)


def getparam(profile: str, view: GetParamView) -> bytes:
    chosen = PROFILES[profile]
    return reply(chosen, 0, "Successful", chosen.writer(view))


def _view(**values: object) -> GetParamView:
    base = {
        "student_id": "42",
        "student_name": "Doe, Jane",
        "course_id": "DEMOCOURSE",
        "au_id": "A001",
    }
    return GetParamView(**{**base, **values})  # type: ignore[arg-type]


CORPUS_ANSWERS = [
    ("lms-moodle45-getparam-response.txt", "moodle", FIRST),
    ("lms-moodle45-getparam-response-resume.txt", "moodle", RESUME),
    (
        "lms-chamilo1.11-getparam-response.txt",
        "chamilo",
        _view(student_id="7", max_time_allowed="9999:59:59"),
    ),
    ("lms-ilias-legacy-getparam-response.txt", "ilias", _view(student_id="6")),
    (
        "lms-moodle-skillsoft-getparam-response.txt",
        "skillport",
        _view(student_id="jdoe", mastery_score="80"),
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "profile", "view"), CORPUS_ANSWERS)
def test_getparam_answers_match_the_corpus_byte_for_byte(
    name: str, profile: str, view: GetParamView
) -> None:
    corpus = require_corpus("hacp/reconstructed")
    assert getparam(profile, view) == (corpus / name).read_bytes()


CORPUS_REPLIES = [
    ("lms-moodle45-error-after-exitau.txt", "moodle", 101, "Terminated"),
    ("lms-moodle45-invalid-command.txt", "moodle", 1, "Invalid Command"),
    ("lms-moodle45-putparam-not-initialized.txt", "moodle", 1, "Not Initialized"),
    ("lms-chamilo1.11-putparam-response.txt", "chamilo", 0, "Successful"),
    ("lms-ilias-legacy-putparam-response.txt", "ilias", 0, "Successful"),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "profile", "code", "text"), CORPUS_REPLIES)
def test_replies_match_the_corpus_byte_for_byte(
    name: str, profile: str, code: int, text: str
) -> None:
    corpus = require_corpus("hacp/reconstructed")
    assert reply(PROFILES[profile], code, text) == (corpus / name).read_bytes()


# --- our own fixtures: the same habits on other values -----------------------


def test_moodle_own_fixture() -> None:
    view = _view(status="passed", score=Score(72.5, 100, 0), total_seconds=3725)
    assert getparam("moodle", view) == (
        b"error=0\r\nerror_text=Successful\r\naicc_data=[Core]\r\nStudent_ID=42\r\n"
        b"Student_Name=Doe, Jane\r\nLesson_Location=\r\nCredit=credit\r\n"
        b"Lesson_Status=passed, ab-initio\r\nScore=72.5, 100, 0\r\n"
        b"Time=01:02:05\r\nLesson_Mode=normal\r\n[Core_Lesson]\r\n"
        b"[Core_Vendor]\r\n\r\n[Evaluation]\r\nCourse_ID = {A001}\r\n"
        b"[Student_Data]\r\nMastery_Score=\r\nMax_Time_Allowed=\r\n"
        b"Time_Limit_Action=\r\n"
    )


def test_moodle_writes_hundredths_only_when_there_are_some() -> None:
    assert b"Time=00:00:02.25\r\n" in getparam("moodle", _view(total_seconds=2.25))
    assert b"Time=00:00:02\r\n" in getparam("moodle", _view(total_seconds=2))


def test_chamilo_own_fixture() -> None:
    view = _view(status="completed", entry="resume", core_lesson="p=3", score=None)
    assert getparam("chamilo", view) == (
        b"error=0\r\nerror_text=Successful\r\naicc_data=[Core]\r\nStudent_ID=42\r\n"
        b"Student_Name=Jane Doe\r\nLesson_Location=\r\nCredit=credit\r\n"
        b"Lesson_Status=completed\r\nScore=0\r\nTime=00:00:00\r\n"
        b"Lesson_Mode=normal\r\n[Core_Lesson]\r\np=3\r\n[Core_Vendor]\r\n\r\n"
        b"[Comments]\r\n\r\n[Evaluation]\r\nCourse_ID={DEMOCOURSE}\r\n"
        b"[Student_Data]\r\nMastery_Score=\r\n"
    )


def test_ilias_own_fixture() -> None:
    view = _view(status="incomplete", entry="resume", credit="no-credit")
    body = getparam("ilias", view)
    assert body.startswith(b"\t error=0\nerror_txt=Successful\nversion=3.0\n")
    assert b"aicc_data=\n[core]\n" in body and b"\r" not in body
    assert b"credit=n\n" in body and b"lesson_status=i,r\n" in body
    assert body.endswith(b"[core_lesson]\n\n")


def test_skillport_own_fixture() -> None:
    body = getparam("skillport", _view(student_id="jdoe", mastery_score="70"))
    assert b"lesson_status=not attempted, ab initio\r\n" in body
    assert b"aicc_data=[Core]\r\nstudent_id=jdoe\r\n" in body
    assert body.endswith(b"[Student_Data]\r\nmastery_score=70\r\n")


def test_spec_answers_with_the_core_strict_writer() -> None:
    view = _view(score=Score(72.5, 100, 0), total_seconds=65, core_lesson="a\nb")
    body = getparam("spec", view)
    assert body.startswith(b"error=0\r\nerror_text=Successful\r\nversion=4.0\r\n")
    assert b"aicc_data=[Core]\r\n" in body
    assert b"Lesson_Status=not attempted,ab-initio\r\n" in body
    assert b"Score=72.5,100,0\r\nTime=00:01:05\r\n" in body
    assert body.endswith(b"[Core_Lesson]\r\na\r\nb\r\n")


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_answer_reads_back_with_the_core_reader(profile: str) -> None:
    view = _view(status="incomplete", lesson_location="p7", total_seconds=90)
    response = parse_response(getparam(profile, view))
    assert response.ok
    data = parse_aicc_data(response.aicc_data)
    assert data.core.student_id == "42"
    assert data.core.lesson_location == "p7"
    assert data.core.time is not None and data.core.time.total_seconds() == 90
