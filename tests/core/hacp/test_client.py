"""The HACP client against in-process mock LMSs (``httpx.MockTransport``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote_plus

import httpx
import pytest

from aiccbridge.core.hacp import (
    HacpClient,
    HacpError,
    HacpHttpError,
    HacpInvalidCommand,
    HacpInvalidPassword,
    HacpInvalidSession,
    HacpLmsError,
    HacpNetworkError,
    HacpNotHacpError,
    HacpRedirectError,
    HacpRefusedError,
    HacpValueError,
    LessonStatus,
    StatusFlag,
    StatusValue,
    SyncHacpClient,
    WriteProfile,
    build_putparam,
    is_already_exited,
    lms_error,
)

URL = "https://lms.example.com/hacp/endpoint.php?tenant=t1"
SID = "Sess-7f3a91"
SPACED = "Sess 7f3a91/x"
GETPARAM = (
    "error=0\r\nerror_text=Successful\r\nversion=3.5\r\naicc_data=[Core]\r\n"
    "Student_ID=u-5\r\nStudent_Name=Hopper, Grace\r\nLesson_Status=i, r\r\n"
    "Time=00:10:00\r\n[Core_Lesson]\r\nstep=3"
)
OK = "error=0\r\nerror_text=Successful\r\n"
LOGIN_PAGE = "<!DOCTYPE html><html><body><form>Sign in</form></body></html>"
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class FakeLms:
    """A scripted mock LMS: answers in order, records what it was sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def fields(self, index: int = -1) -> dict[str, list[str]]:
        return parse_qs(self.requests[index].content.decode("ascii"))


def text(
    body: str,
    status: int = 200,
    *,
    content_type: str = "text/plain",
    location: str | None = None,
) -> httpx.Response:
    headers = {"content-type": content_type}
    if location is not None:
        headers["location"] = location
    return httpx.Response(status, content=body.encode("utf-8"), headers=headers)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def client(lms: FakeLms, **options: Any) -> tuple[HacpClient, Sleeps]:
    sleeps = Sleeps()
    made = HacpClient(
        URL, SID, transport=httpx.MockTransport(lms), sleep=sleeps, **options
    )
    return made, sleeps


def test_get_param_success() -> None:
    lms = FakeLms(text(GETPARAM, content_type="text/html"))

    async def scenario() -> None:
        async with client(lms)[0] as hacp:
            data = await hacp.get_param()
            assert hacp.lms_version == "3.5"
        assert data.core.student_id == "u-5"
        assert data.core.lesson_status == StatusValue(
            LessonStatus.INCOMPLETE, StatusFlag.RESUME
        )
        assert data.core_lesson == "step=3"

    run(scenario())
    sent = lms.requests[0]
    assert sent.method == "POST" and str(sent.url) == URL
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.content.startswith(b"command=GetParam&version=4.0&")
    assert lms.fields() == {
        "command": ["GetParam"],
        "version": ["4.0"],
        "session_id": [SID],
    }


def test_put_param_and_other_commands() -> None:
    lms = FakeLms(text(OK))
    hacp, _ = client(lms, profile=WriteProfile(hacp_version="3.0"))
    data = build_putparam(LessonStatus.COMPLETED, percent=100, time_seconds=61)

    async def scenario() -> None:
        await hacp.put_param(data)
        await hacp.put_comments("nice")
        await hacp.put_objectives('"a"\r\n')
        await hacp.put_interactions('"b"\r\n')
        await hacp.put_performance('"c"\r\n')
        await hacp.put_path('"d"\r\n')
        answer = await hacp.exit_au()
        assert answer.ok
        await hacp.aclose()

    run(scenario())
    commands = [lms.fields(i)["command"][0] for i in range(len(lms.requests))]
    assert commands == [
        "PutParam",
        "PutComments",
        "PutObjectives",
        "PutInteractions",
        "PutPerformance",
        "PutPath",
        "ExitAU",
    ]
    first = lms.fields(0)
    assert first["aicc_data"] == [data] and first["version"] == ["3.0"]
    assert lms.fields(1)["aicc_data"] == ["nice"]


def test_put_param_must_start_with_core() -> None:
    lms = FakeLms(text(OK))
    hacp, _ = client(lms)
    with pytest.raises(HacpValueError, match=r"\[Core\]"):
        run(hacp.put_param("[Core_Lesson]\r\nx"))
    assert lms.requests == []


def test_retries_5xx_then_succeeds() -> None:
    lms = FakeLms(text("busy", 503), text("oops", 502), text(GETPARAM))
    hacp, sleeps = client(lms, retries=3, backoff=0.5)
    data = run(hacp.get_param())
    assert data.core.student_id == "u-5"
    assert len(lms.requests) == 3
    assert sleeps.delays == [0.5, 1.0]


def test_5xx_exhausted() -> None:
    lms = FakeLms(text("down", 500))
    hacp, sleeps = client(lms, retries=2, backoff=0.25)
    with pytest.raises(HacpHttpError) as caught:
        run(hacp.exit_au())
    assert caught.value.status == 500
    assert len(lms.requests) == 3
    assert sleeps.delays == [0.25, 0.5]


def test_network_error_exhausted() -> None:
    lms = FakeLms(httpx.ConnectError("refused"))
    hacp, sleeps = client(lms, retries=3, backoff=1.0)
    with pytest.raises(HacpNetworkError, match="lms.example.com"):
        run(hacp.get_param())
    assert len(lms.requests) == 4
    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_network_error_then_success() -> None:
    lms = FakeLms(httpx.ReadTimeout("slow"), text(OK))
    hacp, sleeps = client(lms)
    assert run(hacp.exit_au()).ok
    assert len(lms.requests) == 2 and sleeps.delays == [0.5]


def test_jitter_stays_within_bounds() -> None:
    lms = FakeLms(httpx.ConnectError("refused"))
    hacp, sleeps = client(lms, retries=4, backoff=1.0, jitter=True)
    with pytest.raises(HacpNetworkError):
        run(hacp.exit_au())
    for attempt, delay in enumerate(sleeps.delays):
        assert 0.5 * 2**attempt <= delay <= 1.5 * 2**attempt


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
def test_4xx_is_not_retried(status: int) -> None:
    lms = FakeLms(text("no", status))
    hacp, sleeps = client(lms)
    with pytest.raises(HacpHttpError) as caught:
        run(hacp.get_param())
    assert caught.value.status == status
    assert len(lms.requests) == 1 and sleeps.delays == []


def test_redirect_is_refused_and_names_the_host() -> None:
    login = f"https://sso.example.net/login?next=x&sid={SID}"
    lms = FakeLms(text("", 302, location=login))
    hacp, sleeps = client(lms)
    with pytest.raises(HacpRedirectError) as caught:
        run(hacp.get_param())
    assert caught.value.host == "sso.example.net"
    assert "sso.example.net" in caught.value.message
    assert SID not in caught.value.message
    assert len(lms.requests) == 1 and sleeps.delays == []


def test_relative_redirect_names_the_lms_host() -> None:
    lms = FakeLms(text("", 307, location="/login"))
    hacp, _ = client(lms)
    with pytest.raises(HacpRedirectError) as caught:
        run(hacp.exit_au())
    assert caught.value.host == "lms.example.com"


def test_disallowed_url_sends_nothing() -> None:
    lms = FakeLms(text(OK))
    asked: list[str] = []

    def allowed(url: str) -> bool:
        asked.append(url)
        return False

    hacp, _ = client(lms, allowed=allowed)
    with pytest.raises(HacpRefusedError, match="lms.example.com"):
        run(hacp.put_param("[Core]\r\nLesson_Status=incomplete"))
    assert lms.requests == [] and asked == [URL]


def test_allowed_is_asked_before_every_post() -> None:
    lms = FakeLms(text("busy", 503), text(OK))
    asked: list[str] = []

    def allowed(url: str) -> bool:
        asked.append(url)
        return True

    hacp, _ = client(lms, allowed=allowed)
    run(hacp.exit_au())
    assert asked == [URL, URL]


def test_html_login_page_is_not_hacp() -> None:
    lms = FakeLms(text(LOGIN_PAGE, content_type="text/html"))
    hacp, sleeps = client(lms)
    with pytest.raises(HacpNotHacpError, match="HTML page"):
        run(hacp.get_param())
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1, HacpInvalidCommand),
        (2, HacpInvalidPassword),
        (3, HacpInvalidSession),
        (7, HacpLmsError),
        (101, HacpLmsError),
    ],
)
def test_error_codes_map_to_types(code: int, kind: type[HacpLmsError]) -> None:
    lms = FakeLms(text(f"error={code}\r\nerror_text=Nope {code}\r\n"))
    hacp, sleeps = client(lms)
    with pytest.raises(HacpLmsError) as caught:
        run(hacp.put_param("[Core]\r\nLesson_Status=c"))
    assert type(caught.value) is kind
    assert caught.value.code == code and caught.value.text == f"Nope {code}"
    assert isinstance(caught.value, HacpError)
    assert len(lms.requests) == 1 and sleeps.delays == []


@pytest.mark.parametrize(
    ("code", "words", "exited"),
    [
        (101, "Terminated", True),
        (101, "", True),
        (1, "Terminated", True),
        (1, "Session already exited", True),
        (1, "Not Initialized", False),
        (1, "Invalid Command", False),
        (3, "Invalid Session ID", False),
    ],
)
def test_already_exited_rule(code: int, words: str, exited: bool) -> None:
    assert is_already_exited(lms_error(code, words)) is exited


def test_already_exited_is_false_for_other_errors() -> None:
    assert not is_already_exited(HacpNetworkError("no answer"))


def test_constructor_checks() -> None:
    with pytest.raises(HacpValueError, match="http"):
        HacpClient("lms.example.com/hacp", SID)
    with pytest.raises(HacpValueError, match="either"):
        HacpClient(
            URL,
            SID,
            client=httpx.AsyncClient(),
            transport=httpx.MockTransport(FakeLms(text(OK))),
        )
    assert SID not in repr(HacpClient(URL, SID))


def test_given_client_is_used_and_left_open() -> None:
    lms = FakeLms(text(OK))

    async def scenario() -> bool:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lms)) as given:
            async with HacpClient(URL, SID, client=given) as hacp:
                await hacp.exit_au()
            return given.is_closed

    assert run(scenario()) is False
    assert len(lms.requests) == 1


def _exchanges(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "aiccbridge.core.hacp" and record.levelno == logging.INFO
    ]


def test_one_info_line_per_exchange(caplog: pytest.LogCaptureFixture) -> None:
    lms = FakeLms(text("busy", 503), text(OK))
    hacp, _ = client(lms)
    with caplog.at_level(logging.INFO, logger="aiccbridge.core.hacp"):
        run(hacp.exit_au())
    records = _exchanges(caplog)
    assert len(records) == 1
    message = records[0].getMessage()
    assert "POST lms.example.com ExitAU -> error=0" in message
    assert "2 attempts" in message and " ms " in message
    assert "tenant=t1" not in message and "/hacp/" not in message


def test_failed_exchange_logs_the_exception_class(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lms = FakeLms(text(LOGIN_PAGE))
    hacp, _ = client(lms)
    with (
        caplog.at_level(logging.INFO, logger="aiccbridge.core.hacp"),
        pytest.raises(HacpNotHacpError),
    ):
        run(hacp.get_param())
    assert "GetParam -> HacpNotHacpError" in _exchanges(caplog)[0].getMessage()


def _messages_of(error: HacpError) -> list[str]:
    return [str(error), error.message, error.hint or "", getattr(error, "text", "")]


def test_session_id_never_logged_or_raised(caplog: pytest.LogCaptureFixture) -> None:
    echoing = f"error=3\r\nerror_text=Unknown session {SID.upper()} ({SID})\r\n"
    scenarios: list[FakeLms] = [
        FakeLms(text(GETPARAM)),
        FakeLms(text(echoing)),
        FakeLms(httpx.ConnectError(f"cannot reach for {SID}")),
        FakeLms(text("", 302, location=f"https://sso.example.net/?sid={SID}")),
        FakeLms(text(f"<html><body>{SID}</body></html>")),
        FakeLms(text("down", 503)),
    ]
    errors: list[HacpError] = []
    with caplog.at_level(logging.DEBUG):
        for lms in scenarios:
            hacp, _ = client(lms, retries=1)
            try:
                run(hacp.get_param())
            except HacpError as exc:
                errors.append(exc)
    assert len(errors) == 5
    assert "[session]" in errors[0].message
    for error in errors:
        assert all(SID.lower() not in text.lower() for text in _messages_of(error))
    assert caplog.records
    for record in caplog.records:
        assert SID.lower() not in record.getMessage().lower()


def test_encoded_session_id_is_masked_too() -> None:
    lms = FakeLms(text(f"error=3\r\nerror_text=bad {quote_plus(SPACED)}\r\n"))
    hacp = HacpClient(URL, SPACED, transport=httpx.MockTransport(lms))
    with pytest.raises(HacpInvalidSession) as caught:
        run(hacp.get_param())
    assert caught.value.text == "bad [session]"
    assert lms.fields()["session_id"] == [SPACED]


def test_lms_error_is_logged_with_its_code(caplog: pytest.LogCaptureFixture) -> None:
    lms = FakeLms(text("error=3\r\nerror_text=Invalid Session ID\r\n"))
    hacp, _ = client(lms)
    with (
        caplog.at_level(logging.INFO, logger="aiccbridge.core.hacp"),
        pytest.raises(HacpInvalidSession),
    ):
        run(hacp.exit_au())
    assert "ExitAU -> error=3 HacpInvalidSession" in _exchanges(caplog)[0].getMessage()


# ------------------------------------------------------------ sync client


def sync_client(lms: FakeLms, **options: Any) -> tuple[SyncHacpClient, list[float]]:
    delays: list[float] = []
    made = SyncHacpClient(
        URL, SID, transport=httpx.MockTransport(lms), sleep=delays.append, **options
    )
    return made, delays


def test_sync_client_success_and_commands() -> None:
    lms = FakeLms(text(GETPARAM))
    with sync_client(lms)[0] as hacp:
        data = hacp.get_param()
        hacp.put_param("[Core]\r\nLesson_Status=incomplete")
        hacp.put_comments("c")
        hacp.put_objectives("o")
        hacp.put_interactions("i")
        hacp.put_performance("p")
        hacp.put_path("x")
        hacp.exit_au()
        assert hacp.lms_version == "3.5"
    assert data.core.student_name == "Hopper, Grace"
    commands = [lms.fields(i)["command"][0] for i in range(len(lms.requests))]
    assert commands[0] == "GetParam" and commands[-1] == "ExitAU"
    assert len(commands) == 8


def test_sync_client_retries_and_refusals() -> None:
    lms = FakeLms(httpx.ConnectError("x"), text("busy", 500), text(OK))
    hacp, delays = sync_client(lms, backoff=0.1)
    assert hacp.exit_au().ok
    assert delays == [0.1, 0.2]
    redirect = FakeLms(text("", 301, location="http://other.example.org/"))
    with pytest.raises(HacpRedirectError):
        sync_client(redirect)[0].exit_au()
    refused = FakeLms(text(OK))
    with pytest.raises(HacpRefusedError):
        sync_client(refused, allowed=lambda url: False)[0].exit_au()
    assert refused.requests == []
    with pytest.raises(HacpNotHacpError):
        sync_client(FakeLms(text(LOGIN_PAGE)))[0].exit_au()


def test_sync_client_error_codes_and_4xx() -> None:
    with pytest.raises(HacpInvalidSession):
        sync_client(FakeLms(text("error=3\r\n")))[0].get_param()
    lms = FakeLms(text("gone", 410))
    hacp, delays = sync_client(lms)
    with pytest.raises(HacpHttpError):
        hacp.exit_au()
    assert len(lms.requests) == 1 and delays == []


def test_sync_given_client_left_open() -> None:
    lms = FakeLms(text(OK))
    given = httpx.Client(transport=httpx.MockTransport(lms))
    with pytest.raises(HacpValueError):
        SyncHacpClient(URL, SID, client=given, transport=httpx.MockTransport(lms))
    with SyncHacpClient(URL, SID, client=given) as hacp:
        hacp.exit_au()
    assert not given.is_closed
    given.close()
