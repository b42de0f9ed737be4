"""Launches against the GetParam answers of real LMSs (shared corpus) and ours.

Each answer is served by the fake LMS as its GetParam reply; the launch must
go through, read the learner (a session keyed by the student id) and take
the LMS's status as the floor when it says the course is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aiccbridge.gateway import GatewayStore
from tests.gateway.conftest import Running

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
CORPUS_FILES = (
    "hacp/reconstructed/lms-chamilo1.11-getparam-response.txt",
    "hacp/reconstructed/lms-ilias-legacy-getparam-response.txt",
    "hacp/reconstructed/lms-moodle-skillsoft-getparam-response.txt",
    "hacp/reconstructed/lms-moodle45-getparam-response.txt",
    "hacp/reconstructed/lms-moodle45-getparam-response-resume.txt",
    "hacp/reconstructed/lms-skfriese-testenv-getparam-default.txt",
    "hacp/halyard/getparam-response.2009-07-31-537baca.txt",
    "hacp/halyard/getparam-response.2009-08-28-7a627fc.txt",
)

#: Our own answers in the same framings (made-up values), and a finished one.
OWN_ANSWERS = {
    "crlf-inline-core": "error=0\r\nerror_text=Successful\r\naicc_data=[Core]\r\n"
    "Student_ID=77\r\nStudent_Name=Roe, Rita\r\nLesson_Status=incomplete, resume\r\n"
    "Score=40, 100\r\nTime=00:03:10\r\n[Core_Lesson]\r\n",
    "tab-lf-error-txt": "\t error=0\nerror_txt=Successful\nversion=3.0\naicc_data=\n"
    "[core]\nstudent_id=78\nstudent_name=Rita Roe\ncredit=c\nlesson_status=n,a\n",
    "spaces-encoded": "error=0\naicc_data=\n[Core]\nStudent_ID = 79\n"
    "Student_Name = R.+Roe\nLesson_Status = not+attempted\nTime = 00%3a00%3a00\n",
    "passed-before": "error=0\r\nerror_text=Successful\r\naicc_data=[Core]\r\n"
    "Student_ID=80\r\nStudent_Name=Roe, Rita\r\nLesson_Status=passed\r\n"
    "Score=92\r\nTime=01:00:00\r\n",
}


@pytest.fixture
def served(gateway: Running) -> Iterator[Running]:
    yield gateway
    gateway.lms.getparam_body = None


def launch_with(gateway: Running, body: str, sid: str) -> GatewayStore:
    gateway.lms.getparam_body = body
    gateway.lms.enrol(sid, "unused", "unused")
    token = gateway.launch(sid)
    store = gateway.store()
    session = store.session(token)
    assert session is not None and session.learner is not None
    return store


@pytest.mark.parametrize("name", sorted(OWN_ANSWERS))
def test_own_getparam_answers_open_a_session(served: Running, name: str) -> None:
    with launch_with(served, OWN_ANSWERS[name], f"SID-own-{name}-0001"):
        pass


def test_a_finished_course_is_the_sessions_floor(served: Running) -> None:
    store = launch_with(served, OWN_ANSWERS["passed-before"], "SID-floor-0001")
    with store:
        row = store._db.execute(
            "SELECT floor_status, floor_score FROM gateway_sessions ORDER BY id DESC"
        ).fetchone()
    assert row == ("passed", 92.0)


@pytest.mark.corpus
@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_real_lms_getparam_answers_open_a_session(
    served: Running, relative: str
) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"the shared corpus is not next to this checkout ({path})")
    body = path.read_bytes().decode("utf-8")
    with launch_with(served, body, f"SID-corpus-{path.stem}"):
        pass
