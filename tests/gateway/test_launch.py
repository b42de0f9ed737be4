"""The launch endpoint: redirects, refusal pages, LMS failure pages."""

from __future__ import annotations

import html
import itertools
import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from aiccbridge.core.launch import (
    LAUNCH_ERROR_REASONS,
    REFUSAL_REASONS,
    mask_session_id,
)
from aiccbridge.gateway._pages import ADMIN_ADVICE
from aiccbridge.plugins import Plugins
from aiccbridge.testing import DEFAULT_CATALOG, Project
from tests.gateway.conftest import (
    FAST_GATEWAY,
    TOKEN,
    TOKEN_ENV,
    Running,
    Starter,
)
from tests.gateway.fake_lms import FakeLms

SID = "SID-launch-7d2f9b1c"
OTHER_SID = "SID-other-55aa66bb"
CONTENT = "https://content.example.com/c1?lang=en&x=a%20b"
CATALOG = [
    {**DEFAULT_CATALOG[0], "url": CONTENT + "#start"},
    *DEFAULT_CATALOG[1:],
    {"course_id": "NOURL-1", "title": "No address", "kind": "course", "url": ""},
]
TENANTS = {
    "acme": {
        "vendor": "lms365",
        "hostnames": ["127.0.0.1", "lms.acme.example"],
        "allow_http": True,
    },
    "paths": {
        "vendor": "lms365",
        "hostnames": ["127.0.0.1"],
        "allow_http": True,
        "library": {"kinds": ["learning_path"]},
    },
    "ghost": {"vendor": "no-such-vendor", "hostnames": ["127.0.0.1"]},
    "bare": {"vendor": "lms365"},
    "strict": {"vendor": "lms365", "hostnames": ["lms.strict.example"]},
}
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def lms_server() -> Iterator[FakeLms]:
    with FakeLms() as server:
        yield server


@pytest.fixture
def lms(lms_server: FakeLms) -> Iterator[FakeLms]:
    lms_server.mode = "ok"
    yield lms_server
    lms_server.mode = "ok"


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, plugins: Plugins, lms_server: FakeLms
) -> Iterator[Running]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TOKEN_ENV, TOKEN)
        project = Project(tmp_path_factory.mktemp("launch"))
        project.write_catalog(CATALOG)
        project.write_config(TENANTS, gateway=FAST_GATEWAY)
        starter = Starter(project, lms_server, plugins)
        try:
            yield starter()
        finally:
            starter.stop_all()


def get(gateway: Running, path: str, query: str) -> tuple[int, str, dict[str, str]]:
    response = gateway.client.get(f"{path}?{query}")
    return response.status_code, response.text, dict(response.headers)


def q(text: str) -> str:
    return quote(text, safe="")


def valid(lms: FakeLms, sid: str = SID) -> str:
    return f"AICC_SID={q(sid)}&AICC_URL={q(lms.url)}"


def refusal_cases(lms: FakeLms) -> dict[str, tuple[str, str]]:
    """For every refusal kind, a launch (path and query) that gets it."""
    acme = "/launch/acme/C-1"

    def hacp(url: str, path: str = acme) -> tuple[str, str]:
        return path, f"AICC_SID={q(SID)}&AICC_URL={q(url)}"

    return {
        "missing_sid": (acme, f"AICC_URL={q(lms.url)}"),
        "missing_url": (acme, f"AICC_SID={q(SID)}"),
        "duplicate_sid": (acme, f"{valid(lms)}&aicc_sid={q(OTHER_SID)}"),
        "duplicate_url": (acme, f"{valid(lms)}&aicc_url={q('https://x.example/h')}"),
        "too_long": (acme, f"{valid(lms)}&pad={'a' * 17_000}"),
        "unknown_tenant": ("/launch/nobody/C-1", valid(lms)),
        "unknown_vendor": ("/launch/ghost/C-1", valid(lms)),
        "unknown_course": ("/launch/acme/NOPE-9", valid(lms)),
        "ambiguous_url": hacp("https://127.0.0.1" + chr(92) + "@evil.example/h"),
        "bad_url": hacp("ftp://127.0.0.1/hacp"),
        "userinfo": hacp("https://me@lms.acme.example/h"),
        "encoded_host": hacp("https://lms%2eacme.example/h"),
        "empty_allow_list": ("/launch/bare/C-1", valid(lms)),
        "not_listed": hacp("https://lms.other.example/h"),
        "suffix_lookalike": hacp("https://lms.acme.example.evil.net/h"),
        "ip_literal": hacp("https://10.0.0.1/hacp"),
        "plain_http": hacp("http://lms.strict.example/h", "/launch/strict/C-1"),
    }


ALL_REASONS = sorted(
    LAUNCH_ERROR_REASONS
    | REFUSAL_REASONS
    | {"unknown_tenant", "unknown_vendor", "unknown_course"}
)


def test_every_refusal_kind_has_a_case_and_advice(lms: FakeLms) -> None:
    assert sorted(refusal_cases(lms)) == ALL_REASONS
    assert sorted(ADMIN_ADVICE) == ALL_REASONS


@pytest.mark.parametrize("reason", ALL_REASONS)
def test_a_refused_launch_gets_a_403_page_saying_what_to_fix(
    gateway: Running, lms: FakeLms, reason: str
) -> None:
    before = len(lms.log)
    path, query = refusal_cases(lms)[reason]
    status, page, headers = get(gateway, path, query)
    assert status == 403
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-store"
    assert f"<dd>{reason}</dd>" in page
    assert html.escape(ADMIN_ADVICE[reason]) in page
    assert "For the LMS administrator" in page and "training team" in page
    assert SID not in page and OTHER_SID not in page
    assert q(SID) not in page
    assert len(lms.log) == before, "a refused launch must not reach the LMS"


def test_the_refusal_page_shows_the_session_only_masked(
    gateway: Running, lms: FakeLms
) -> None:
    path, query = refusal_cases(lms)["not_listed"]
    status, page, _ = get(gateway, path, query)
    assert status == 403
    assert f"<dd>{html.escape(mask_session_id(SID))}</dd>" in page
    assert "lms.other.example" in page


def test_the_refusal_page_escapes_what_the_launch_carried(
    gateway: Running, lms: FakeLms
) -> None:
    evil = "https://x<script>alert(1)</script>.example/h"
    status, page, _ = get(gateway, "/launch/acme/C-1", f"AICC_SID=a&AICC_URL={q(evil)}")
    assert status == 403
    assert "<script>" not in page


def enrolled(lms: FakeLms) -> str:
    sid = f"SID-ok-{next(_numbers):05d}-abcdef"
    lms.enrol(sid, "jdoe42", "Doe, Jane")
    return sid


def test_an_accepted_launch_redirects_to_the_content_with_a_token(
    gateway: Running, lms: FakeLms
) -> None:
    sid = enrolled(lms)
    status, page, headers = get(gateway, "/launch/acme/C-1", valid(lms, sid))
    assert status == 302
    location = urlsplit(headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "content.example.com",
        "/c1",
    )
    assert location.query.startswith("lang=en&x=a%20b&aiccbridge_session=")
    assert location.fragment == "start"
    token = parse_qs(location.query)["aiccbridge_session"][0]
    assert len(token) >= 40 and sid not in headers["location"]
    assert headers["referrer-policy"] == "no-referrer"
    assert lms.commands(sid) == ["GetParam"]


def test_each_launch_gets_its_own_token(gateway: Running, lms: FakeLms) -> None:
    first, second = enrolled(lms), enrolled(lms)
    assert gateway.launch(first) != gateway.launch(second)


def test_a_learning_path_member_launches_with_its_own_address(
    gateway: Running, lms: FakeLms
) -> None:
    sid = enrolled(lms)
    status, _, headers = get(gateway, "/launch/paths/C-2", valid(lms, sid))
    assert status == 302
    assert headers["location"].startswith("https://content.example.com/c2?")
    status, page, _ = get(gateway, "/launch/paths/V-1", valid(lms, sid))
    assert status == 403 and "unknown_course" in page


def test_a_course_without_a_content_address(gateway: Running, lms: FakeLms) -> None:
    sid = enrolled(lms)
    status, page, _ = get(gateway, "/launch/acme/NOURL-1", valid(lms, sid))
    assert status == 500
    assert "has no url" in page
    assert lms.commands(sid) == []


def test_other_addresses_are_404_and_head_does_nothing(
    gateway: Running, lms: FakeLms
) -> None:
    assert gateway.client.get("/somewhere/else").status_code == 404
    sid = enrolled(lms)
    response = gateway.client.head(f"/launch/acme/C-1?{valid(lms, sid)}")
    assert response.status_code == 200
    assert lms.commands(sid) == []


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hacp"


@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("fail", "HTTP 500"),
        ("html", "HTML page in place of HACP"),
        ("drop", "no answer"),
        ("stall", "no answer"),
        ("unknown", "HACP error 3"),
        ("down", "no answer"),
    ],
)
def test_an_lms_that_does_not_answer_hacp_gets_a_502_page(
    gateway: Running, lms: FakeLms, mode: str, problem: str
) -> None:
    sid = enrolled(lms) if mode != "unknown" else "SID-nobody-knows-me"
    url = closed_port_url() if mode == "down" else lms.url
    if mode in ("fail", "html", "drop", "stall"):
        lms.mode = mode  # type: ignore[assignment]
    lms.stall_seconds = 0.8
    query = f"AICC_SID={q(sid)}&AICC_URL={q(url)}"
    status, page, headers = get(gateway, "/launch/acme/C-1", query)
    assert status == 502
    assert f"<dd>{html.escape(problem)}</dd>" in page
    assert "127.0.0.1" in page and "For the LMS administrator" in page
    assert sid not in page and "jdoe42" not in page and "Doe, Jane" not in page
    assert headers["cache-control"] == "no-store"
