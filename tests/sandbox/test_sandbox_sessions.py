"""The HACP endpoint over HTTP: session rules, launches and the profiles'
session habits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote_plus

import httpx
import pytest

from aiccbridge.core import AssignableUnit
from aiccbridge.core.hacp import is_already_exited, lms_error, parse_response
from aiccbridge.core.launch import parse_launch
from aiccbridge.sandbox import SandboxStore, create_app
from tests.sandbox.conftest import (
    Clock,
    TestClient,
    course_zip,
    launch,
    record,
    require_corpus,
    upload,
)

STATUS = "[Core]\r\nLesson_Status={status}\r\nTime={time}\r\nScore={score}\r\n"


def put_status(status: str, time: str = "00:01:00", score: str = "") -> str:
    return STATUS.format(status=status, time=time, score=score)


def answer(response: httpx.Response) -> tuple[int, str]:
    parsed = parse_response(response.content)
    return parsed.error, parsed.error_text


def use_profile(client: TestClient, name: str) -> None:
    assert client.put("/api/profile", json={"profile": name}).status_code == 200


# --- spec session rules ----------------------------------------------------------


def test_getparam_must_come_first(client: TestClient, course: str) -> None:
    learner = launch(client)
    for command in ("PutParam", "ExitAU"):
        assert answer(learner.send(command, put_status("i"))) == (
            1,
            "Invalid Command: GetParam must come first",
        )
    assert answer(learner.send("GetParam"))[0] == 0


def test_nothing_is_taken_after_exitau(client: TestClient, course: str) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put(put_status("incomplete"))
    assert answer(learner.send("ExitAU")) == (0, "Successful")
    for command in ("GetParam", "PutParam", "ExitAU"):
        code, text = answer(learner.send(command, put_status("passed")))
        assert code == 1 and is_already_exited(lms_error(code, text))
    assert record(client)["status"] == "incomplete"


def test_time_is_added_up_at_exit(client: TestClient, course: str) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put(put_status("incomplete", "00:01:00"))
    learner.put(put_status("incomplete", "00:02:30"))
    assert record(client)["time_seconds"] == 0
    learner.send("ExitAU")
    assert record(client)["time_seconds"] == 150
    again = launch(client)
    body = again.send("GetParam").text
    assert "Time=00:02:30" in body
    again.put(put_status("incomplete", "00:00:30"))
    again.send("ExitAU")
    assert record(client)["time_seconds"] == 180


def test_a_session_without_exitau_records_no_time(
    client: TestClient, course: str
) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put(put_status("incomplete", "00:05:00"))
    assert record(client)["time_seconds"] == 0


def test_entry_flags_and_the_data_sent_back(client: TestClient, course: str) -> None:
    first = launch(client)
    assert "Lesson_Status=not attempted,ab-initio" in first.send("GetParam").text
    first.put(
        "[Core]\r\nLesson_Location=p4\r\nLesson_Status=incomplete,suspend\r\n"
        "[Core_Lesson]\r\nstate=7"
    )
    first.send("ExitAU")
    body = launch(client).send("GetParam").text
    assert "Lesson_Status=incomplete,resume" in body
    assert "Lesson_Location=p4" in body and body.endswith(
        "[Core_Lesson]\r\nstate=7\r\n"
    )


def test_status_is_not_moved_backwards_by_a_relaunch(
    client: TestClient, course: str
) -> None:
    first = launch(client)
    first.send("GetParam")
    first.put(put_status("completed", score="90"))
    first.send("ExitAU")
    second = launch(client)
    second.send("GetParam")
    assert answer(second.put(put_status("incomplete")))[0] == 0
    second.send("ExitAU")
    assert record(client)["status"] == "completed"
    notes = client.get("/api/log").json()["exchanges"][-2]["notes"]
    assert any("not moved back" in note for note in notes)


def test_within_one_session_the_au_may_change_its_mind(
    client: TestClient, course: str
) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put(put_status("completed"))
    learner.put(put_status("incomplete"))
    assert record(client)["status"] == "incomplete"


def test_no_credit_keeps_status_and_score(client: TestClient, course: str) -> None:
    learner = launch(client, credit="no-credit")
    assert "Credit=no-credit" in learner.send("GetParam").text
    learner.put("[Core]\r\nLesson_Location=p2\r\nLesson_Status=passed\r\nScore=99\r\n")
    found = record(client)
    assert (found["status"], found["score"], found["location"]) == (
        "not attempted",
        None,
        "p2",
    )


def test_review_and_browse_modes(client: TestClient, course: str) -> None:
    review = launch(client, lesson_mode="review")
    assert "Lesson_Mode=review" in review.send("GetParam").text
    review.put(put_status("passed", score="80"))
    assert record(client)["status"] == "not attempted"
    browse = launch(client, student_id="learner-2", lesson_mode="browse")
    browse.send("GetParam")
    browse.put(put_status("passed"))
    (found,) = client.get("/api/records", params={"student_id": "learner-2"}).json()[
        "records"
    ]
    assert found["status"] == "browsed"


def test_unknown_sessions_and_commands(client: TestClient, course: str) -> None:
    learner = launch(client)
    assert answer(learner.send("GetParam", session_id="nope")) == (
        3,
        "Invalid Session ID",
    )
    assert answer(learner.send("Dance")) == (1, "Invalid Command")
    assert answer(client.post("/hacp", data={"version": "4.0"})) == (
        1,
        "Invalid Command",
    )


def test_a_get_query_is_read_like_a_post(client: TestClient, course: str) -> None:
    learner = launch(client)
    query = f"command=getparam&version=2.2&session_id={learner.sid}"
    response = client.get("/hacp?" + query)
    assert answer(response)[0] == 0 and "Student_ID=learner-1" in response.text


def test_comments_and_interactions_are_recorded(
    client: TestClient, course: str
) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.send("PutComments", "first remark")
    learner.send("PutComments", "second remark")
    table = '"interaction_id","result"\r\n"Q1","c"\r\n"Q2","w"\r\n'
    assert answer(learner.send("PutInteractions", table))[0] == 0
    assert answer(learner.send("PutObjectives", '"id"\r\n"O1"\r\n'))[0] == 0
    found = record(client)
    assert found["comments"] == "first remark\nsecond remark"
    assert found["interactions"] == [
        {"interaction_id": "Q1", "result": "c"},
        {"interaction_id": "Q2", "result": "w"},
    ]
    assert found["tables"] == {"PutObjectives": [{"id": "O1"}]}


@pytest.mark.corpus
def test_corpus_interactions_are_recorded(client: TestClient, course: str) -> None:
    folder = require_corpus("hacp/reconstructed")
    csv = (folder / "au-rustici-driver382-putinteractions-aicc_data.txt").read_text()
    learner = launch(client)
    learner.send("GetParam")
    assert answer(learner.send("PutInteractions", csv))[0] == 0
    (row,) = record(client)["interactions"]
    assert (row["interaction_id"], row["type_interaction"], row["result"]) == (
        "Q1",
        "C",
        "W",
    )


def test_the_log_never_shows_a_session_id(client: TestClient, course: str) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put(put_status("incomplete"))
    learner.send("GetParam", session_id=learner.sid + "x")
    log = client.get("/api/log").text + client.get("/log").text
    assert learner.sid not in log
    assert learner.sid[:2] + "…" + learner.sid[-2:] in log
    record_page = client.get(
        "/record", params={"student": "learner-1", "course": "C-1", "au": "A1"}
    ).text
    assert learner.sid not in record_page and "PutParam" in record_page


# --- launches ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "names", "hacp_in_url"),
    [
        ("spec", "AICC_SID", "http%3A%2F%2Ftestserver%2Fhacp"),
        ("ilias", "AICC_SID", "http%3A%2F%2Ftestserver%2Fhacp"),
        ("moodle", "aicc_sid", "http://testserver/hacp"),
        ("chamilo", "aicc_sid", "http%253A%252F%252Ftestserver%252Fhacp"),
        ("skillport", "aicc_sid", "http%3A%2F%2Ftestserver%2Fhacp"),
    ],
)
def test_launch_urls_follow_the_profile(
    client: TestClient, course: str, profile: str, names: str, hacp_in_url: str
) -> None:
    use_profile(client, profile)
    learner = launch(client)
    assert learner.launch_url.startswith("https://content.example.com/C-1?")
    assert f"{names}={learner.sid}&" in learner.launch_url
    assert learner.launch_url.endswith(hacp_in_url)
    params = parse_launch(learner.launch_url)
    assert (params.session_id, params.hacp_url) == (
        learner.sid,
        "http://testserver/hacp",
    )


def test_relative_file_names_are_served_from_the_package(client: TestClient) -> None:
    package = course_zip("LOCAL", aus=(AssignableUnit("A1", "player/index.html"),))
    buffer = io.BytesIO(package)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("player/index.html", "<p>hello</p>")
    assert upload(client, buffer.getvalue()).status_code == 201
    learner = launch(client, "LOCAL")
    assert learner.launch_url.startswith(
        "http://testserver/content/LOCAL/player/index.html?"
    )
    assert client.get(learner.launch_url).text == "<p>hello</p>"
    assert client.get("/content/LOCAL/missing.html").status_code == 404


def test_a_course_profile_overrides_the_sandbox_one(
    client: TestClient, course: str
) -> None:
    assert (
        client.patch("/api/courses/C-1", json={"profile": "moodle"}).json()["profile"]
        == "moodle"
    )
    assert "aicc_sid=" in launch(client).launch_url
    assert (
        client.patch("/api/courses/C-1", json={"profile": None}).json()["profile"]
        is None
    )
    assert "AICC_SID=" in launch(client).launch_url


def test_bad_launches_are_refused(client: TestClient, course: str) -> None:
    base = {"course_id": "C-1", "student_id": "learner-1"}
    for change, words in (
        ({"lesson_mode": "fast"}, "lesson mode"),
        ({"credit": "maybe"}, "credit"),
        ({"student_id": "two words"}, "Student_ID"),
        ({"au_id": "A9"}, "no AU"),
    ):
        response = client.post("/api/launches", json={**base, **change})
        assert response.status_code == 400 and words in response.json()["error"]
    missing = client.post("/api/launches", json={**base, "course_id": "X"})
    assert missing.status_code == 404


# --- moodle ------------------------------------------------------------------


def test_moodle_session_rules(client: TestClient, course: str) -> None:
    use_profile(client, "moodle")
    learner = launch(client)
    assert answer(learner.put(put_status("i"))) == (1, "Not Initialized")
    learner.send("GetParam")
    learner.put(put_status("i", "00:00:10.50"))
    learner.send("ExitAU")
    assert answer(learner.send("GetParam")) == (101, "Terminated")
    assert answer(learner.put(put_status("c"))) == (1, "Terminated")
    assert record(client)["time_seconds"] == 10.5


def test_moodle_cleans_ids_and_pages_unknown_sessions(
    client: TestClient, course: str
) -> None:
    use_profile(client, "moodle")
    learner = launch(client)
    dirty = learner.sid[:5] + "-" + learner.sid[5:] + " "
    assert answer(learner.send("Get_Param!", session_id=dirty))[0] == 0
    unknown = learner.send("GetParam", session_id="zzzz")
    assert unknown.headers["content-type"].startswith("text/html")
    assert "<html>" in unknown.text and "error=" not in unknown.text


def test_spec_does_not_clean_ids(client: TestClient, course: str) -> None:
    learner = launch(client)
    dirty = learner.sid[:5] + "-" + learner.sid[5:]
    assert answer(learner.send("GetParam", session_id=dirty))[0] == 3


def test_moodle_saves_nothing_from_lf_data(client: TestClient, course: str) -> None:
    use_profile(client, "moodle")
    learner = launch(client)
    learner.send("GetParam")
    lf = "[Core]\nLesson_Location=p9\nLesson_Status=completed\n"
    assert answer(learner.put(lf)) == (0, "Successful")
    found = record(client)
    assert (found["status"], found["location"]) == ("not attempted", "")


def test_moodle_turns_a_score_into_passed_with_a_mastery_score(
    client: TestClient,
) -> None:
    unit = AssignableUnit("A1", "https://content.example.com/m", mastery_score="80")
    upload(client, course_zip("M-1", aus=(unit,)), profile="moodle")
    learner = launch(client, "M-1")
    assert "Mastery_Score=80" in learner.send("GetParam").text
    learner.put(put_status("incomplete", score="85"))
    assert record(client, "M-1")["status"] == "passed"


def test_moodle_discards_the_other_put_commands(
    client: TestClient, course: str
) -> None:
    use_profile(client, "moodle")
    learner = launch(client)
    learner.send("GetParam")
    assert answer(learner.send("PutInteractions", '"a"\r\n"1"\r\n'))[0] == 0
    assert answer(learner.send("PutComments", "hello"))[0] == 0
    found = record(client)
    assert found["interactions"] == [] and found["comments"] == ""


# --- ilias, chamilo, skillport ---------------------------------------------


def test_ilias_answers_only_three_commands(client: TestClient, course: str) -> None:
    use_profile(client, "ilias")
    learner = launch(client)
    assert learner.send("GetParam").text.startswith("\t error=0\n")
    response = learner.send("PutComments", "hello")
    assert response.status_code == 200 and response.content == b""


def test_chamilo_enforces_no_order_and_counts_time_at_once(
    client: TestClient, course: str
) -> None:
    use_profile(client, "chamilo")
    learner = launch(client)
    assert answer(learner.put(put_status("I", "00:02:00"))) == (0, "Successful")
    assert record(client)["time_seconds"] == 120
    learner.send("ExitAU")
    assert answer(learner.put(put_status("C", "00:03:00")))[0] == 0
    found = record(client)
    assert (found["status"], found["time_seconds"]) == ("completed", 180)


def test_chamilo_reads_only_a_lower_case_command_field(
    client: TestClient, course: str
) -> None:
    use_profile(client, "chamilo")
    learner = launch(client)
    body = f"Command=GetParam&version=4.0&session_id={learner.sid}&aicc_data="
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/hacp", content=body, headers=headers).content == b""
    assert learner.send("GetParam", session_id="nope").content == b""
    assert answer(learner.send("GetParam"))[0] == 0


def test_skillport_refuses_ids_and_fractions(client: TestClient, course: str) -> None:
    use_profile(client, "skillport")
    bad = client.post(
        "/api/launches", json={"course_id": "C-1", "student_id": "jane@example.com"}
    )
    assert bad.status_code == 400 and "skillport" in bad.json()["error"]
    learner = launch(client, student_id="jdoe")
    learner.send("GetParam")
    code, text = answer(learner.put(put_status("passed", score="72.5")))
    assert code == 1 and "decimal fraction" in text
    assert record(client)["status"] == "not attempted"


# --- the encoders real AUs use ---------------------------------------------


OWN_BODIES = {
    "escape-plus": "session_id={sid}&version=3.5&command=PutParam&aicc_data="
    "%5BCore%5D%0D%0ALesson_Location%3Da+b/c%7Ed%0D%0ALesson_Status%3DI%0D%0A",
    "uri-component": "command=PutParam&version=4.0&session_id={sid}&AICC_Data="
    "%5BCore%5D%0D%0ALesson_Location%3Da%2Bb%2Fc~d%0D%0ALesson_Status%3DI%0D%0A",
}


def _post_body(client: TestClient, body: str) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/hacp", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("spec", ["a b/c~d", "a+b/c~d"]), ("chamilo", ["a b/c~d", "a b/c~d"])],
)
def test_own_encoder_bodies(
    client: TestClient, course: str, profile: str, expected: list[str]
) -> None:
    use_profile(client, profile)
    seen = []
    for body in OWN_BODIES.values():
        learner = launch(client)
        learner.send("GetParam")
        _post_body(client, body.format(sid=learner.sid))
        seen.append(record(client)["location"])
    assert seen == expected


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("spec", {"elfh": "a b/c~d", "rustici": "a b/c~d", "srs": "a+b/c~d"}),
        ("chamilo", {"elfh": "a b/c~d", "rustici": "a b/c~d", "srs": "a b/c~d"}),
    ],
)
def test_corpus_encoder_bodies(
    client: TestClient, course: str, profile: str, expected: dict[str, str]
) -> None:
    folder = require_corpus("hacp/reconstructed")
    use_profile(client, profile)
    seen = {}
    for name in expected:
        body = (folder / f"au-request-body-{name}-style.txt").read_text().strip()
        learner = launch(client)
        learner.send("GetParam")
        for placeholder in ("SID%201", "SID+1", "SID 1"):
            body = body.replace(placeholder, quote_plus(learner.sid))
        _post_body(client, body)
        seen[name] = record(client)["location"]
    assert seen == expected


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    with TestClient(
        create_app(SandboxStore(path, clock=Clock()), profile="ilias")
    ) as c:
        upload(c, course_zip())
        learner = launch(c)
        learner.send("GetParam")
    with TestClient(create_app(db=path)) as again:
        assert again.get("/api/health").json() == {
            "status": "ok",
            "version": again.get("/api/health").json()["version"],
            "profile": "ilias",
            "courses": 1,
        }
        assert (
            answer(
                again.post(
                    "/hacp", data={"command": "ExitAU", "session_id": learner.sid}
                )
            )[0]
            == 0
        )
