"""The HACP codec on fixtures of our own: requests, responses, aicc_data, CSV."""

from __future__ import annotations

import ast
import datetime
import logging
import re
from pathlib import Path

import pytest

import aiccbridge.core.hacp as hacp
from aiccbridge.core.hacp import (
    DEFAULT_PROFILE,
    INTERACTION_HEADER,
    AiccData,
    CoreData,
    Credit,
    Evaluation,
    HacpNotHacpError,
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
    build_putparam,
    encode_request,
    encode_response,
    format_aicc_data,
    format_csv_table,
    parse_aicc_data,
    parse_csv_table,
    parse_request,
    parse_response,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hacp"
PACKAGE = Path(hacp.__file__).resolve().parent
S = LessonStatus


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# ------------------------------------------------------------ public face

EXPECTED_API = {
    "COMMANDS",
    "DEFAULT_PROFILE",
    "INTERACTION_HEADER",
    "STATUS_FALLBACKS",
    "AiccData",
    "CoreData",
    "Credit",
    "Evaluation",
    "HacpClient",
    "HacpError",
    "HacpHttpError",
    "HacpInvalidCommand",
    "HacpInvalidPassword",
    "HacpInvalidSession",
    "HacpLmsError",
    "HacpNetworkError",
    "HacpNotHacpError",
    "HacpRedirectError",
    "HacpRefusedError",
    "HacpRequest",
    "HacpResponse",
    "HacpValueError",
    "Keywords",
    "LessonMode",
    "LessonStatus",
    "Objective",
    "Objectives",
    "Score",
    "StatusFlag",
    "StatusValue",
    "SyncHacpClient",
    "WriteProfile",
    "build_putparam",
    "encode_request",
    "encode_response",
    "format_aicc_data",
    "format_cmi_time",
    "format_csv_table",
    "format_lesson_status",
    "format_score",
    "format_timespan",
    "is_already_exited",
    "lms_error",
    "parse_aicc_data",
    "parse_cmi_time",
    "parse_credit",
    "parse_csv_table",
    "parse_lesson_mode",
    "parse_lesson_status",
    "parse_request",
    "parse_response",
    "parse_score",
    "parse_timespan",
    "unquote_lenient",
}


def test_public_api_is_pinned() -> None:
    assert set(hacp.__all__) == EXPECTED_API
    for name in hacp.__all__:
        value = getattr(hacp, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_imports_nothing_else_of_aiccbridge() -> None:
    allowed = {"aiccbridge.core._errors"}
    for path in PACKAGE.glob("*.py"):
        ours = {name for name in _imports(path) if name.startswith("aiccbridge")}
        strays = {
            name
            for name in ours - allowed
            if not name.startswith("aiccbridge.core.hacp")
        }
        assert not strays, f"{path.name} imports {strays}"


VENDOR_WORDS = (
    "moodle",
    "chamilo",
    "ilias",
    "docent",
    "rustici",
    "skillsoft",
    "schoox",
    "totara",
    "litmos",
    "saba",
    "halyard",
    "nudoru",
    "storyline",
)


def test_no_vendor_names_in_the_code() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        assert not [word for word in VENDOR_WORDS if word in text], path.name


# ---------------------------------------------------------------- request


def test_encode_request_default() -> None:
    request = HacpRequest("PutParam", "4.0", "S 1&x", "[Core]\r\nLesson_Status=c")
    assert encode_request(request) == (
        b"command=PutParam&version=4.0&session_id=S+1%26x"
        b"&aicc_data=%5BCore%5D%0D%0ALesson_Status%3Dc"
    )


def test_encode_request_order_and_field_case() -> None:
    request = HacpRequest("GetParam", "3.5", "s1")
    spec = WriteProfile(command_first=False, field_case="spec")
    assert encode_request(request, spec) == (
        b"Session_ID=s1&Version=3.5&Command=GetParam&AICC_Data="
    )
    upper = WriteProfile(field_case="upper")
    assert encode_request(request, upper).startswith(b"COMMAND=GetParam&VERSION=")


@pytest.mark.parametrize("command", ["", "  ", "Get\nParam"])
def test_encode_request_needs_a_command(command: str) -> None:
    with pytest.raises(HacpValueError):
        encode_request(HacpRequest(command))


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ("command=PutParam&AICC_Data=Lesson_Location%3Da+b%7Ec", "a b~c"),
        ("COMMAND=PutParam&AICC_DATA=Lesson_Location%3Da%20b", "a b"),
        ("command=PutParam&aicc_data=Lesson_Location%3Da%2Bb%2Fc~d", "a+b/c~d"),
        ("command=PutParam&aicc_data=Lesson_Location%3D%E9t%E9", "été"),
        ("command=PutParam&aicc_data=Lesson_Location%3D%C3%A9t%C3%A9", "été"),
        ("command=PutParam&aicc_data=Lesson_Location%3D%u20AC5", "€5"),
    ],
)
def test_parse_request_decoding(body: str, location: str) -> None:
    request = parse_request(body.encode("ascii"))
    assert request.command == "PutParam"
    assert request.aicc_data == f"Lesson_Location={location}"


def test_parse_request_raw_space_and_version() -> None:
    request = parse_request(b"Command=putparam&Version= 4.0 &Session_ID=SID 1")
    assert request.session_id == "SID 1"
    assert request.version == "4.0"
    assert request.command_name == "PutParam"
    assert request.aicc_data == ""


def test_parse_request_get_query() -> None:
    request = parse_request(fixture("request-get-query.txt").decode("ascii"))
    assert request.command == "getParam"
    assert request.command_name == "GetParam"
    assert request.session_id == "Q|42"
    assert request.version == "2.2"
    whole = parse_request("https://lms.example/hacp?command=ExitAU&session_id=z")
    assert (whole.command, whole.session_id) == ("ExitAU", "z")


def test_parse_request_first_field_wins_and_unknown_ignored() -> None:
    request = parse_request("x=1&command=ExitAU&COMMAND=GetParam&session_id=a")
    assert request.command == "ExitAU"


def test_parse_request_refusals() -> None:
    with pytest.raises(HacpValueError, match="no command"):
        parse_request(b"session_id=a&aicc_data=")
    with pytest.raises(HacpValueError, match="multipart"):
        parse_request(b"--x\r\n", "multipart/form-data; boundary=x")


def test_parse_request_declared_charset() -> None:
    body = "command=PutComments&aicc_data=Grüße".encode("cp1252")
    request = parse_request(body, "application/x-www-form-urlencoded; charset=cp1252")
    assert request.aicc_data == "Grüße"


def test_request_repr_hides_the_session_id() -> None:
    assert "secret-sid" not in repr(HacpRequest("GetParam", "4.0", "secret-sid"))


# --------------------------------------------------------------- response


def test_response_one_line_core_crlf() -> None:
    response = parse_response(fixture("getparam-crlf-one-line-core.txt"), "text/html")
    assert (response.error, response.error_text, response.version) == (
        0,
        "Successful",
        None,
    )
    assert response.ok
    assert response.aicc_data.startswith("[Core]\r\nStudent_ID=s-1001\r\n")
    assert response.aicc_data.endswith("Max_Time_Allowed=")


def test_response_lf_tab_error_txt() -> None:
    response = parse_response(fixture("getparam-lf-lowercase.txt"))
    assert (response.error, response.error_text, response.version) == (
        0,
        "Successful",
        "3.0",
    )
    assert response.aicc_data.startswith("[core]\r\nstudent_id=9")


def test_response_cr_cr_separators() -> None:
    response = parse_response(fixture("getparam-cr-cr.txt"))
    assert response.version == "2.0"
    data = parse_aicc_data(response.aicc_data)
    assert data.core.student_id == "b77"
    assert data.core.lesson_status == StatusValue(S.FAILED)
    assert data.core.credit is Credit.NO_CREDIT
    assert data.core.lesson_mode is LessonMode.REVIEW
    assert data.core_lesson == "p=4;q=1"
    assert data.core_vendor == ""


def test_response_spaces_around_equals_and_missing_fields() -> None:
    response = parse_response(b"  error = 3 \nerror_text = Invalid Session ID \n")
    assert (response.error, response.error_text, response.version) == (
        3,
        "Invalid Session ID",
        None,
    )
    bare = parse_response(b"ERROR=0\r\nVERSION=2.0\r\naicc_data=\r\n")
    assert (bare.error_text, bare.version, bare.aicc_data) == ("", "2.0", "")


def test_response_complaint_line_before_error() -> None:
    body = b"Warning: cannot write the data file\r\nerror=0\r\nversion=2.0\r\n"
    response = parse_response(body)
    assert (response.error, response.version) == (0, "2.0")


def test_response_header_without_aicc_data_line() -> None:
    response = parse_response("error=0\nerror_text=OK\n[Core]\nStudent_ID=5\n")
    assert response.aicc_data == "[Core]\r\nStudent_ID=5"


def test_response_data_on_the_next_line_or_the_same() -> None:
    next_line = parse_response("error=0\naicc_data=\n\n[Core]\nStudent_ID=1\n\n\n")
    same_line = parse_response("error=0\r\naicc_data= [Core]\r\nStudent_ID=1\r\n")
    assert next_line.aicc_data == same_line.aicc_data == "[Core]\r\nStudent_ID=1"


def test_response_value_encoded_is_decoded_by_the_data_reader() -> None:
    response = parse_response(fixture("getparam-value-encoded.txt"), "text/plain")
    data = parse_aicc_data(response.aicc_data)
    assert data.core.student_name == "A. Byron"
    assert data.core.lesson_status == StatusValue(S.NOT_ATTEMPTED)
    assert data.core.time == datetime.timedelta(minutes=10)


def test_response_form_encoded_body_is_decoded_once() -> None:
    response = parse_response(fixture("getparam-form-encoded-one-line.txt"))
    assert (response.error, response.error_text, response.version) == (
        0,
        "Successful",
        "2.0",
    )
    data = parse_aicc_data(response.aicc_data)
    assert data.core.student_name == "Ada, Countess"
    assert data.core_lesson == "k=1|m=2"


def test_plain_body_is_not_decoded() -> None:
    body = "error=0\r\naicc_data=[Core]\r\nLesson_Location=50%25+more\r\nTime=00:01:00"
    data = parse_aicc_data(parse_response(body).aicc_data)
    assert data.core.lesson_location == "50%25+more"


def test_login_page_is_not_hacp() -> None:
    with pytest.raises(HacpNotHacpError) as caught:
        parse_response(fixture("login-page.html"), "text/html; charset=utf-8")
    assert caught.value.message == "the LMS answered with an HTML page, not HACP"
    assert "Sign in" not in caught.value.message


def test_pre_wrapped_hacp_is_read() -> None:
    response = parse_response(fixture("pre-wrapped.html"), "text/html")
    data = parse_aicc_data(response.aicc_data)
    assert data.core.student_id == "s&1"
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty body"),
        (b"  \r\n ", "empty body"),
        (b"Service Unavailable", "not HACP (no error= line)"),
        (b"<!doctype html><title>x</title><p>Down</p>", "HTML page"),
        (b"<html><body><pre>hello</pre></body></html>", "HTML page"),
        (b"<div>error=0</div>", "HTML page"),
        (b"error=zero\r\n", "not HACP"),
    ],
)
def test_not_hacp_bodies(body: bytes, words: str) -> None:
    with pytest.raises(HacpNotHacpError, match=re.escape(words)):
        parse_response(body)


def test_response_bytes_in_windows_1252() -> None:
    body = "error=1\r\nerror_text=Sitzung ungültig\r\n".encode("cp1252")
    assert parse_response(body).error_text == "Sitzung ungültig"


def test_encode_response() -> None:
    response = HacpResponse(0, "Successful", "4.0", "[Core]\r\nStudent_ID=1\n")
    assert encode_response(response) == (
        b"error=0\r\nerror_text=Successful\r\nversion=4.0\r\n"
        b"aicc_data=[Core]\r\nStudent_ID=1\r\n"
    )
    lf = WriteProfile(line_end="\n")
    assert encode_response(HacpResponse(101, "Terminated"), lf) == (
        b"error=101\nerror_text=Terminated\naicc_data=\n"
    )


def test_encode_response_refuses_line_breaks() -> None:
    with pytest.raises(HacpValueError):
        encode_response(HacpResponse(1, "two\nlines"))


# -------------------------------------------------------------- aicc_data


def test_aicc_data_full_lms_answer() -> None:
    response = parse_response(fixture("getparam-crlf-one-line-core.txt"))
    data = parse_aicc_data(response.aicc_data)
    core = data.core
    assert (core.student_id, core.student_name, core.lesson_location) == (
        "s-1001",
        "Lovelace, Ada",
        "unit2",
    )
    assert core.credit is Credit.CREDIT
    assert core.lesson_status == StatusValue(S.INCOMPLETE, StatusFlag.RESUME)
    assert core.score == Score(45, 100)
    assert core.time == datetime.timedelta(minutes=20, seconds=5.25)
    assert core.lesson_mode is LessonMode.NORMAL
    assert data.core_lesson == "u1=ok;u2=half"
    assert data.core_vendor == ""
    assert data.evaluation == Evaluation(course_id="C-77")
    assert data.student_data == {"mastery_score": "70", "max_time_allowed": ""}


def test_aicc_data_lowercase_groups_and_extra_keys() -> None:
    data = parse_aicc_data(
        parse_response(fixture("getparam-lf-lowercase.txt")).aicc_data
    )
    assert data.core.student_name == "Ada Lovelace"
    assert data.core.lesson_status == StatusValue(S.NOT_ATTEMPTED, StatusFlag.AB_INITIO)
    assert data.core.score is None
    assert data.core.extra == {"Output_File": ""}
    assert data.student_preferences is not None
    assert data.student_preferences["Audio"] == "-1"
    assert data.core_lesson == ""


def test_aicc_data_value_encoded_putparam() -> None:
    text = fixture("putparam-value-encoded-aicc_data.txt").decode("ascii")
    data = parse_aicc_data(text)
    assert data.core.lesson_location == "/ch/2"
    assert data.core.score == Score(9, 10)
    assert data.core.time == datetime.timedelta(seconds=90)
    assert data.core_lesson == "step\n[done]"
    assert data.objectives == Objectives(
        items=[
            Objective("/ch1", None, S.PASSED),
            Objective("/ch2", Score(4), S.FAILED),
        ]
    )


def test_aicc_data_pseudo_key_kept_verbatim() -> None:
    text = fixture("putparam-uppercase-pseudo-key.txt").decode("ascii")
    data = parse_aicc_data(text)
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE, StatusFlag.SUSPEND)
    assert data.core_lesson == "Suspend_Data=x=1;y=2"
    assert data.objectives == Objectives()


def test_aicc_data_core_lesson_key_inside_core() -> None:
    data = parse_aicc_data("[CORE]\nlesson_status=incomplete\ncore_lesson=x7\n")
    assert data.core_lesson == "x7"
    assert "core_lesson" not in data.core.extra
    both = parse_aicc_data("[Core]\ncore_lesson=a\n[Core_Lesson]\nb")
    assert (both.core_lesson, both.core.extra["Core_Lesson"]) == ("b", "a")


def test_aicc_data_leading_blank_line_and_no_final_break() -> None:
    data = parse_aicc_data("\r\n[core]\r\nlesson_location=3\r\n[core_lesson]\r\nz=1")
    assert data.core.lesson_location == "3"
    assert data.core_lesson == "z=1"


def test_aicc_data_cr_only_and_same_line_text() -> None:
    data = parse_aicc_data("[core]\rlesson_status=I\r[core_lesson]1|2\r3|4")
    assert data.core.lesson_status == StatusValue(S.INCOMPLETE)
    assert data.core_lesson == "1|2\n3|4"


def test_aicc_data_course_id_with_or_without_braces() -> None:
    assert parse_aicc_data("[Evaluation]\nCourse_ID={X1}").evaluation == Evaluation(
        "X1"
    )
    plain = parse_aicc_data("[evaluation]\ncourse_id = X2\nOther=1").evaluation
    assert plain == Evaluation("X2", Keywords({"other": "1"}))


def test_aicc_data_unknown_groups_and_merging() -> None:
    text = "[Core]\nScore=1\n[Student_Demographics]\nCity=Paris\n[core]\nTime=00:00:05"
    data = parse_aicc_data(text)
    assert data.other_groups == {"student_demographics": "City=Paris"}
    assert data.core.score == Score(1)
    assert data.core.time == datetime.timedelta(seconds=5)


def test_aicc_data_group_names_with_spaces_and_indents() -> None:
    data = parse_aicc_data("[ Core ]\n   Lesson_Location = x \n[Core Lesson]\n  kept")
    assert data.core.lesson_location == "x"
    assert data.core_lesson == "  kept"


def test_aicc_data_keys_before_any_group_go_to_core() -> None:
    data = parse_aicc_data("Lesson_Location=top\n[Core_Lesson]\nq")
    assert data.core.lesson_location == "top"


def test_aicc_data_unreadable_value_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aiccbridge.core.hacp"):
        data = parse_aicc_data("[Core]\nLesson_Status=maybe\nTime=soon\nScore=")
    assert data.core.lesson_status is None and data.core.time is None
    assert data.core.extra == {"Lesson_Status": "maybe", "Time": "soon"}
    assert data.core.score is None
    assert len(caplog.records) == 2


def test_aicc_data_bad_objective_values_are_kept() -> None:
    data = parse_aicc_data("[Objectives_Status]\nJ_ID.1=o1\nJ_Status.1=?\nJ_Score.1=x")
    assert data.objectives == Objectives(
        items=[Objective("o1")], extra=Keywords({"J_Status.1": "?", "J_Score.1": "x"})
    )


def test_keywords_ignore_case() -> None:
    group = Keywords({"Mastery_Score": "80"})
    assert group["mastery_score"] == "80" and "MASTERY_SCORE" in group
    group["MASTERY_SCORE"] = "90"
    assert list(group) == ["MASTERY_SCORE"] and len(group) == 1
    assert group == {"mastery_score": "90"}
    assert group != {"mastery_score": "80"}
    del group["Mastery_score"]
    assert not group


# ------------------------------------------------------ aicc_data writing


def _full_data() -> AiccData:
    return AiccData(
        core=CoreData(
            student_id="s9",
            lesson_location="p2",
            lesson_status=StatusValue(S.INCOMPLETE, StatusFlag.SUSPEND),
            score=Score(50.4),
            time=datetime.timedelta(seconds=65),
            extra=Keywords({"output_file": ""}),
        ),
        core_lesson="a=1\nb=2",
        comments="hello",
        evaluation=Evaluation("C1"),
        objectives=Objectives([Objective("o1", Score(3), S.PASSED)]),
        student_preferences=Keywords({"audio": "0"}),
        other_groups=Keywords({"Extra_Group": "free"}),
    )


def test_format_aicc_data_order_and_spelling() -> None:
    assert format_aicc_data(_full_data()) == "\r\n".join(
        [
            "[Core]",
            "Student_ID=s9",
            "Lesson_Location=p2",
            "Lesson_Status=incomplete,suspend",
            "Score=50",
            "Time=00:01:05",
            "Output_File=",
            "[Comments]",
            "hello",
            "[Evaluation]",
            "Course_ID={C1}",
            "[Objectives_Status]",
            "J_ID.1=o1",
            "J_Score.1=3",
            "J_Status.1=passed",
            "[Student_Preferences]",
            "Audio=0",
            "[Extra_Group]",
            "free",
            "[Core_Lesson]",
            "a=1",
            "b=2",
        ]
    )


def test_format_aicc_data_case_and_line_end() -> None:
    lower = format_aicc_data(
        _full_data(), WriteProfile(key_case="lower", line_end="\n")
    )
    assert lower.startswith("[core]\nstudent_id=s9\n")
    assert "\r" not in lower and "[core_lesson]\na=1\nb=2" in lower
    upper = format_aicc_data(
        _full_data(), WriteProfile(key_case="upper", line_end="\r")
    )
    assert upper.startswith("[CORE]\rSTUDENT_ID=s9\r")


def test_format_aicc_data_au_side_rules() -> None:
    with pytest.raises(HacpValueError, match="needs a lesson status"):
        format_aicc_data(AiccData())
    not_attempted = AiccData(CoreData(lesson_status=StatusValue(S.NOT_ATTEMPTED)))
    with pytest.raises(HacpValueError, match="not attempted"):
        format_aicc_data(not_attempted)
    entry = AiccData(
        CoreData(lesson_status=StatusValue(S.INCOMPLETE, StatusFlag.RESUME))
    )
    with pytest.raises(HacpValueError, match="entry flag"):
        format_aicc_data(entry)


def test_format_aicc_data_lms_side_writes_what_it_is_given() -> None:
    flag = StatusValue(S.NOT_ATTEMPTED, StatusFlag.AB_INITIO)
    data = AiccData(CoreData(student_id="1", lesson_status=flag, credit=Credit.CREDIT))
    assert format_aicc_data(data, side="lms") == (
        "[Core]\r\nStudent_ID=1\r\nCredit=credit\r\n"
        "Lesson_Status=not attempted,ab-initio"
    )
    assert format_aicc_data(AiccData(), side="lms") == "[Core]"


def test_format_aicc_data_maps_statuses() -> None:
    narrow = WriteProfile(allowed_statuses=frozenset({S.COMPLETED, S.INCOMPLETE}))
    for asked, sent in [(S.PASSED, "completed"), (S.FAILED, "incomplete")]:
        text = format_aicc_data(
            AiccData(CoreData(lesson_status=StatusValue(asked))), narrow
        )
        assert f"Lesson_Status={sent}" in text
    strict = WriteProfile(allowed_statuses=frozenset({S.COMPLETED}), map_statuses=False)
    with pytest.raises(HacpValueError, match="does not accept"):
        format_aicc_data(
            AiccData(CoreData(lesson_status=StatusValue(S.PASSED))), strict
        )


@pytest.mark.parametrize("line", ["[Core]", "  [x] y", "[Core_Lesson]rest"])
def test_format_refuses_header_like_free_text(line: str) -> None:
    data = AiccData(CoreData(lesson_status=StatusValue(S.INCOMPLETE)), core_lesson=line)
    with pytest.raises(HacpValueError, match="group header"):
        format_aicc_data(data)


def test_format_keeps_bracket_text_that_is_no_header() -> None:
    data = AiccData(
        CoreData(lesson_status=StatusValue(S.INCOMPLETE)), core_lesson="[1,2]"
    )
    assert format_aicc_data(data).endswith("[Core_Lesson]\r\n[1,2]")
    assert parse_aicc_data(format_aicc_data(data)).core_lesson == "[1,2]"


@pytest.mark.parametrize(
    "core",
    [
        CoreData(lesson_status=StatusValue(S.INCOMPLETE), lesson_location="a\nb"),
        CoreData(lesson_status=StatusValue(S.INCOMPLETE), extra=Keywords({"a=b": "1"})),
        CoreData(lesson_status=StatusValue(S.INCOMPLETE), extra=Keywords({"[x": "1"})),
    ],
)
def test_format_refuses_bad_keywords(core: CoreData) -> None:
    with pytest.raises(HacpValueError):
        format_aicc_data(AiccData(core))


def test_format_refuses_bad_group_name() -> None:
    data = AiccData(
        CoreData(lesson_status=StatusValue(S.INCOMPLETE)),
        other_groups=Keywords({"a]b": ""}),
    )
    with pytest.raises(HacpValueError, match="group name"):
        format_aicc_data(data)


# ---------------------------------------------------------- build_putparam


def test_build_putparam_default() -> None:
    text = build_putparam(
        "incomplete",
        percent=57.5,
        time_seconds=125.4,
        lesson_location="p3",
        core_lesson="a|b",
    )
    assert text == (
        "[Core]\r\nLesson_Location=p3\r\nLesson_Status=incomplete\r\n"
        "Score=58\r\nTime=00:02:05\r\n[Core_Lesson]\r\na|b"
    )


def test_build_putparam_profile_forms() -> None:
    profile = WriteProfile(
        line_end="\n",
        score_with_range=True,
        score_format="decimal",
        time_format="hhhh:mm:ss",
    )
    text = build_putparam(
        S.COMPLETED, percent=33.333, time_seconds=3 * 3600, profile=profile
    )
    assert "Score=33.33,100,0\nTime=0003:00:00\n" in text
    hundredths = WriteProfile(time_format="hundredths")
    assert "Time=00:00:01.50" in build_putparam(
        S.INCOMPLETE, time_seconds=1.5, profile=hundredths
    )


def test_build_putparam_progress_targets() -> None:
    silent = WriteProfile(progress_to="none")
    assert "Score" not in build_putparam(
        S.INCOMPLETE, percent=40, time_seconds=1, profile=silent
    )
    explicit = build_putparam(S.PASSED, percent=40, score=Score(9), time_seconds=1)
    assert "Score=9\r\n" in explicit
    assert "Score" not in build_putparam(S.INCOMPLETE, time_seconds=0)


@pytest.mark.parametrize("percent", [-1, 100.5, float("nan")])
def test_build_putparam_refuses_bad_percent(percent: float) -> None:
    with pytest.raises(HacpValueError, match="0 to 100"):
        build_putparam(S.INCOMPLETE, percent=percent, time_seconds=1)


def test_build_putparam_status_forms() -> None:
    flagged = StatusValue(S.INCOMPLETE, StatusFlag.LOGOUT)
    assert "Lesson_Status=incomplete,logout" in build_putparam(flagged, time_seconds=1)
    assert "Lesson_Status=completed" in build_putparam("c", time_seconds=1)
    with pytest.raises(HacpValueError, match="not attempted"):
        build_putparam("not attempted", time_seconds=1)
    with pytest.raises(HacpValueError):
        build_putparam(S.INCOMPLETE, time_seconds=float("inf"))


def test_build_putparam_huge_time_clamps() -> None:
    text = build_putparam(S.INCOMPLETE, time_seconds=1e30)
    assert "Time=99:59:59" in text


# --------------------------------------------------------------------- CSV


def test_parse_csv_fixture() -> None:
    header, rows = parse_csv_table(fixture("interactions.csv").decode("ascii"))
    assert header == INTERACTION_HEADER
    assert rows == [
        (
            "C-77",
            "s-1001",
            "A001",
            "2024/02/29",
            "09:15:00",
            "Q7",
            "OBJ1",
            "C",
            "a",
            "a, b",
            "W",
            "1",
            "0000:00:12",
        )
    ]


def test_parse_csv_lenient() -> None:
    text = '\ufeffcourse_id, "lesson_id" \r\r"c1",l1\rc2, "l, 2"\n\n'
    assert parse_csv_table(text) == (
        ("course_id", "lesson_id"),
        [("c1", "l1"), ("c2", "l, 2")],
    )
    with pytest.raises(HacpValueError, match="no header"):
        parse_csv_table("\r\n \r\n")


def test_format_csv_strict() -> None:
    text = format_csv_table(("a", "b"), [("1", 'say "hi"'), ("", "x,y")])
    assert text == '"a","b"\r\n"1","say ""hi"""\r\n"","x,y"\r\n'
    lf = format_csv_table(("a",), [("1",)], WriteProfile(line_end="\n"))
    assert lf == '"a"\n"1"\n'


def test_format_csv_refusals() -> None:
    with pytest.raises(HacpValueError, match="2 fields"):
        format_csv_table(("a",), [("1", "2")])
    with pytest.raises(HacpValueError, match="line break"):
        format_csv_table(("a",), [("1\r\n",)])
    with pytest.raises(HacpValueError, match="one column"):
        format_csv_table((), [])


# ----------------------------------------------------------------- profile


@pytest.mark.parametrize(
    "settings",
    [
        {"line_end": "\n\r"},
        {"key_case": "title"},
        {"field_case": "camel"},
        {"score_format": "float"},
        {"time_format": "seconds"},
        {"progress_to": "lesson_location"},
        {"allowed_statuses": frozenset()},
        {"allowed_statuses": frozenset({S.NOT_ATTEMPTED, S.PASSED})},
        {"hacp_version": ""},
        {"hacp_version": "4.0\n"},
    ],
)
def test_profile_validation(settings: dict[str, object]) -> None:
    with pytest.raises(HacpValueError):
        WriteProfile(**settings)  # type: ignore[arg-type]


def test_default_profile() -> None:
    assert DEFAULT_PROFILE.line_end == "\r\n"
    assert DEFAULT_PROFILE.allowed_statuses == frozenset(S) - {S.NOT_ATTEMPTED}
    assert (DEFAULT_PROFILE.hour_digits, DEFAULT_PROFILE.hundredths) == (2, False)
    assert DEFAULT_PROFILE.map_status(S.BROWSED) is S.BROWSED


def test_status_map_fallbacks() -> None:
    only_passed = WriteProfile(allowed_statuses=frozenset({S.PASSED, S.BROWSED}))
    assert only_passed.map_status(S.COMPLETED) is S.PASSED
    assert only_passed.map_status(S.INCOMPLETE) is S.BROWSED
    with pytest.raises(HacpValueError):
        only_passed.map_status(S.FAILED)
