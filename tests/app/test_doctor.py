"""``aiccbridge doctor``: config checks, and probes of real HACP servers on 127.0.0.1.

Each probe test starts a small HTTP server on a free port of 127.0.0.1 that
answers the way one kind of LMS endpoint does (HACP, an HTML page, a login
redirect ...). The servers speak plain http, so their tenant lists 127.0.0.1
and sets ``allow_http = true``, which the doctor warns about.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import pytest

from aiccbridge.config import load_config
from aiccbridge.doctor import DUMMY_SESSION_ID, Check, TenantScope, run_doctor
from aiccbridge.plugins import load_plugins
from aiccbridge.testing import Project

SID = "REALSESSION0123456789XYZ"
LAUNCH = "https://aicc.example.com/launch/lab/C-1"
HACP_OK = (
    b"error=0\r\nerror_text=Successful\r\nversion=4.0\r\naicc_data=[Core]\r\n"
    b"Student_ID=S1\r\nStudent_Name=Doe, Jane\r\nLesson_Status=not attempted\r\n"
    b"Time=00:00:00\r\n"
)
HACP_BAD_SESSION = b"error=3\r\nerror_text=Invalid Session ID\r\n"
LAB = {"vendor": "lms365", "hostnames": ["127.0.0.1"], "allow_http": True}
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "hacp"

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class FakeLms:
    """What the test server answers, and what it was sent."""

    port: int = 0
    answer: Callable[[bytes], Answer] = lambda body: (200, {}, HACP_OK)
    bodies: list[bytes] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hacp"

    def replies(self, status: int, body: bytes, **headers: str) -> None:
        self.answer = lambda _: (status, headers, body)

    def fields(self) -> list[dict[str, list[str]]]:
        return [parse_qs(b.decode("utf-8")) for b in self.bodies]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is expected here."""


def _handler(lms: FakeLms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            lms.bodies.append(body)
            status, headers, reply = lms.answer(body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output clean."""

    return Handler


@pytest.fixture
def lms() -> Iterator[FakeLms]:
    fake = FakeLms()
    server = _QuietServer(("127.0.0.1", 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def lab(aiccbridge_project: Project) -> Project:
    aiccbridge_project.write_config({"lab": dict(LAB)})
    return aiccbridge_project


def launch(hacp_url: str, sid: str = SID) -> str:
    return f"{LAUNCH}?AICC_SID={quote(sid)}&AICC_URL={quote(hacp_url, safe='')}"


def doctor(project: Project, *args: str, code: int) -> dict[str, Check]:
    """Run ``doctor --json``; the checks by name (the last one of each name)."""
    outcome = project.run("doctor", "--json", *args).assert_exit(code)
    assert SID not in outcome.stdout + outcome.stderr
    data = outcome.json()
    assert data["ok"] is (code == 0)
    return {
        c["name"]: Check(c["status"], c["name"], c["message"], c["tenant"] or "")
        for c in data["checks"]
    }


def statuses(checks: dict[str, Check], *names: str) -> list[str]:
    return [checks[n].status if n in checks else "-" for n in names]


PROBE = ("launch", "https", "reachable", "no-login", "hacp", "hacp-error")


# --- probes --------------------------------------------------------------------


def test_a_good_hacp_answer(lab: Project, lms: FakeLms) -> None:
    checks = doctor(lab, "--url", launch(lms.url), code=0)
    assert statuses(checks, *PROBE) == ["pass", "warn", "pass", "pass", "pass", "pass"]
    assert checks["allow_http"].status == "warn"
    sent = lms.fields()
    assert len(sent) == 1
    assert sent[0]["command"] == ["GetParam"] and sent[0]["session_id"] == [SID]
    assert "RE…YZ" in checks["launch"].message


def test_a_bare_aicc_url_is_probed_with_a_dummy_session(
    lab: Project, lms: FakeLms
) -> None:
    lms.replies(200, HACP_BAD_SESSION)
    checks = doctor(lab, "--tenant", "lab", "--url", lms.url, code=0)
    assert statuses(checks, *PROBE) == ["pass", "warn", "pass", "pass", "pass", "pass"]
    assert "as expected for the made-up id" in checks["hacp-error"].message
    assert lms.fields()[0]["session_id"] == [DUMMY_SESSION_ID]


def test_a_bare_aicc_url_copied_still_encoded(lab: Project, lms: FakeLms) -> None:
    lms.replies(200, HACP_BAD_SESSION)
    encoded = quote(lms.url, safe="")
    checks = doctor(lab, "--tenant", "lab", "--url", encoded, code=0)
    assert checks["hacp-error"].status == "pass" and len(lms.bodies) == 1


def test_a_bare_url_of_another_scheme_is_refused(lab: Project, lms: FakeLms) -> None:
    url = f"ftp://127.0.0.1:{lms.port}/hacp"
    checks = doctor(lab, "--tenant", "lab", "--url", url, code=1)
    assert checks["launch"].status == "fail" and "bad_url" in checks["launch"].message
    assert "https" not in checks and lms.bodies == []


def test_a_bare_aicc_url_needs_a_tenant(lab: Project, lms: FakeLms) -> None:
    outcome = lab.run("doctor", "--url", lms.url).assert_exit(2)
    assert len(outcome.stderr.splitlines()) == 1
    assert "--tenant" in outcome.stderr
    assert lms.bodies == []


def test_a_real_session_the_lms_does_not_know(lab: Project, lms: FakeLms) -> None:
    lms.replies(200, HACP_BAD_SESSION)
    checks = doctor(lab, "--url", launch(lms.url), code=0)
    assert checks["hacp-error"].status == "warn"
    assert "launch the course again" in checks["hacp-error"].message


def test_a_refused_connection(lab: Project) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    checks = doctor(lab, "--url", launch(f"http://127.0.0.1:{closed}/hacp"), code=1)
    assert statuses(checks, *PROBE) == ["pass", "warn", "fail", "-", "-", "-"]
    assert "connection failed" in checks["reachable"].message


def test_an_endpoint_that_does_not_answer_in_time(lab: Project, lms: FakeLms) -> None:
    def stall(body: bytes) -> Answer:
        lms.release.wait(5)
        return 200, {}, HACP_OK

    lms.answer = stall
    url = launch(lms.url)
    checks = doctor(lab, "--url", url, "--timeout", "0.3", code=1)
    assert checks["reachable"].status == "fail"
    assert "did not answer in time" in checks["reachable"].message


def test_an_html_page(lab: Project, lms: FakeLms) -> None:
    page = b"<!DOCTYPE html><html><body><form>Log in</form></body></html>"
    lms.replies(200, page, Content_Type="text/html; charset=utf-8")
    checks = doctor(lab, "--url", launch(lms.url), code=1)
    assert statuses(checks, "reachable", "no-login", "hacp") == ["pass", "-", "fail"]
    assert "HTML page" in checks["hacp"].message
    assert "Log in" not in checks["hacp"].message


def test_a_login_redirect(lab: Project, lms: FakeLms) -> None:
    lms.replies(302, b"", Location="https://login.lms-sso.example/start?next=/hacp")
    checks = doctor(lab, "--url", launch(lms.url), code=1)
    assert statuses(checks, "reachable", "no-login", "hacp") == ["pass", "fail", "-"]
    assert "redirected to login.lms-sso.example" in checks["no-login"].message
    assert len(lms.bodies) == 1


@pytest.mark.parametrize(("status", "name"), [(401, "no-login"), (404, "hacp")])
def test_http_errors(lab: Project, lms: FakeLms, status: int, name: str) -> None:
    lms.replies(status, b"nope")
    checks = doctor(lab, "--url", launch(lms.url), code=1)
    assert checks[name].status == "fail" and f"HTTP {status}" in checks[name].message


def test_plain_http_without_allow_http_is_never_probed(
    aiccbridge_project: Project, lms: FakeLms
) -> None:
    aiccbridge_project.write_config({"lab": {**LAB, "allow_http": False}})
    checks = doctor(aiccbridge_project, "--url", launch(lms.url), code=1)
    assert statuses(checks, *PROBE) == ["fail", "fail", "-", "-", "-", "-"]
    assert "plain_http" in checks["launch"].message
    assert "not probed" in checks["launch"].message
    assert lms.bodies == []


def test_an_unlisted_host_is_never_probed(lab: Project, lms: FakeLms) -> None:
    checks = doctor(lab, "--url", launch(f"http://localhost:{lms.port}/hacp"), code=1)
    assert (
        checks["launch"].status == "fail" and "not_listed" in checks["launch"].message
    )
    assert lms.bodies == []


def test_an_lms_that_echoes_the_session_id(lab: Project, lms: FakeLms) -> None:
    lms.replies(200, b"error=1\r\nerror_text=Unknown command for " + SID.encode())
    outcome = lab.run("doctor", "--url", launch(lms.url))
    outcome.assert_exit(1)
    assert SID not in outcome.stdout + outcome.stderr
    outcome.fnmatch_lines(
        ["fail  hacp-error   lab: error 1 (*[[]session[]]*)*GetParam*"]
    )


def test_text_report(lab: Project, lms: FakeLms) -> None:
    outcome = lab.run("doctor", "--url", launch(lms.url)).assert_success()
    outcome.fnmatch_lines(
        [
            "pass  config       *loads: 1 tenant",
            "warn  allow_http   lab: allow_http: plain http launches are accepted*",
            "pass  launch       lab: the gateway would accept it.*",
            "warn  https        lab: plain http, accepted only because allow_http*",
            "pass  reachable    lab: 127.0.0.1 answered in * ms",
            "pass  hacp-error   lab: error 0: the LMS knows this session*",
            "doctor: * passed, 2 warnings, 0 failed",
        ]
    )
    assert SID not in outcome.stdout


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    [
        "halyard/getparam-response.2009-07-31-537baca.txt",
        "reconstructed/lms-chamilo1.11-getparam-response.txt",
        "reconstructed/lms-ilias-legacy-getparam-response.txt",
        "reconstructed/lms-moodle45-getparam-response.txt",
    ],
)
def test_real_lms_answers_count_as_hacp(lab: Project, lms: FakeLms, name: str) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared HACP corpus is not next to this checkout ({CORPUS})")
    lms.replies(200, (CORPUS / name).read_bytes())
    checks = doctor(lab, "--url", launch(lms.url), code=0)
    assert statuses(checks, "hacp", "hacp-error") == ["pass", "pass"]


# --- the config side -------------------------------------------------------------


def test_config_only_checks(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SC_APP", "x")
    monkeypatch.delenv("SC_SECRET", raising=False)
    aiccbridge_project.write_config(
        {
            "shop": {"vendor": "schoox"},
            "cloud": {
                "vendor": "scormcloud",
                "credentials": {"app_id": "SC_APP", "secret_key": "SC_SECRET"},
            },
            "lms": {"vendor": "lms365"},
        }
    )
    data = aiccbridge_project.run("doctor", "--json").assert_exit(1).json()
    found = {(c["tenant"], c["name"]): c for c in data["checks"]}
    shared = found[("shop", "allow-list")]
    assert shared["status"] == "warn" and "googleapis.com" in shared["message"]
    assert "LMS's own HACP hosts" in shared["message"]
    assert found[("shop", "credentials")]["status"] == "pass"
    unset = found[("cloud", "credentials")]
    assert unset["status"] == "warn" and "SC_SECRET is not set" in unset["message"]
    hosts = found[("lms", "allow-list")]
    assert hosts["status"] == "fail" and "list the customer's" in hosts["message"]
    assert found[("lms", "allow_http")]["status"] == "pass"
    assert data["counts"]["fail"] == 1


def test_credentials_set_in_the_environment_pass(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SC_APP", "x")
    monkeypatch.setenv("SC_SECRET", "y")
    cloud = {"credentials": {"app_id": "SC_APP", "secret_key": "SC_SECRET"}}
    aiccbridge_project.write_config({"cloud": {"vendor": "scormcloud", **cloud}})
    with _replay("scormcloud/ping.yaml"):
        checks = doctor(aiccbridge_project, code=0)
    assert checks["credentials"].status == "pass"
    assert "SC_APP, SC_SECRET" in checks["credentials"].message
    assert checks["vendor ping"].status == "pass"


def test_refused_credentials_fail_the_vendor_ping(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SC_APP", "x")
    monkeypatch.setenv("SC_SECRET", "wrong")
    cloud = {"credentials": {"app_id": "SC_APP", "secret_key": "SC_SECRET"}}
    aiccbridge_project.write_config({"cloud": {"vendor": "scormcloud", **cloud}})
    with _replay("scormcloud/ping_refused.yaml"):
        checks = doctor(aiccbridge_project, code=1)
    assert checks["vendor ping"].status == "fail"
    assert "wrong" not in checks["vendor ping"].message


def _replay(name: str) -> Any:
    import vcr

    recorder = vcr.VCR(
        cassette_library_dir=str(Path(__file__).resolve().parents[1] / "cassettes"),
        record_mode="none",
        match_on=["method", "scheme", "host", "path", "query"],
    )
    return recorder.use_cassette(name)


def test_api_credentials_none_mapped_warn_half_mapped_fail(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_config({"cloud": {"vendor": "scormcloud"}})
    checks = doctor(aiccbridge_project, code=0)
    assert checks["credentials"].status == "warn"
    assert "outbox" in checks["credentials"].message
    half = {"credentials": {"app_id": "SC_APP_UNSET"}}
    aiccbridge_project.write_config({"cloud": {"vendor": "scormcloud", **half}})
    assert doctor(aiccbridge_project, code=1)["credentials"].status == "fail"


def test_an_unknown_vendor_fails(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"old": {"vendor": "retired-lms"}})
    checks = doctor(aiccbridge_project, code=1)
    assert (
        checks["config"].status == "fail" and "retired-lms" in checks["config"].message
    )
    assert "allow-list" not in checks


def test_tenant_option_limits_the_checks(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"good": {"vendor": "paycom"}, "bad": {"vendor": "lms365"}}
    )
    data = aiccbridge_project.run("doctor", "--json", "-t", "good").assert_success()
    tenants = {c["tenant"] for c in data.json()["checks"]}
    assert tenants == {None, "good"}


@pytest.mark.parametrize(
    "args", [("--tenant", "nobody"), ("--timeout", "0"), ("--timeout", "-1")]
)
def test_bad_options_are_one_line_and_exit_2(
    aiccbridge_project: Project, args: tuple[str, ...]
) -> None:
    outcome = aiccbridge_project.run("doctor", *args).assert_exit(2)
    assert len(outcome.stderr.splitlines()) == 1


def test_a_config_that_does_not_load_exits_2(aiccbridge_project: Project) -> None:
    aiccbridge_project.config_path.write_text("[provider\n", encoding="utf-8")
    aiccbridge_project.run("doctor").assert_exit(2)


def test_one_more_tenant_check_is_one_more_function(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_config({"good": {"vendor": "paycom"}})
    config = load_config(aiccbridge_project.config_path)

    def ping(scope: TenantScope) -> list[Check]:
        return [Check("fail", "ping", "the vendor API refused", scope.tenant.name)]

    report = run_doctor(config, load_plugins(), checks=(ping,))
    assert [(c.name, c.status) for c in report if c.tenant] == [("ping", "fail")]


def test_the_cli_default_timeout_is_the_doctors() -> None:
    from aiccbridge import doctor as doctor_module
    from aiccbridge.cli import _doctor_cmd

    assert _doctor_cmd.DEFAULT_TIMEOUT == doctor_module.DEFAULT_TIMEOUT
