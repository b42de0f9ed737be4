"""The progress API's contract: status codes, bodies, authentication."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from aiccbridge.plugins import Plugins
from aiccbridge.testing import Project
from tests.gateway.conftest import (
    AUTH,
    TOKEN,
    TOKEN_ENV,
    Running,
    Starter,
    wait_until,
    write_project,
)
from tests.gateway.fake_lms import FakeLms

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, plugins: Plugins
) -> Iterator[Running]:
    """One gateway for the whole module: each test opens its own session."""
    with pytest.MonkeyPatch.context() as patch, FakeLms() as lms:
        patch.setenv(TOKEN_ENV, TOKEN)
        project = Project(tmp_path_factory.mktemp("api"))
        project.write_catalog()
        starter = Starter(write_project(project), lms, plugins)
        try:
            yield starter()
        finally:
            starter.stop_all()


@pytest.fixture
def sid(gateway: Running) -> str:
    number = next(_numbers)
    session_id = f"SID-api-{number:06d}-0123"
    gateway.lms.enrol(session_id, f"learner{number}", "Doe, Jane")
    return session_id


@pytest.fixture
def token(gateway: Running, sid: str) -> str:
    return gateway.launch(sid)


def post(gateway: Running, body: Any, headers: dict[str, str] | None = None) -> Any:
    return gateway.client.post("/v1/progress", json=body, headers=headers or AUTH)


def test_a_report_is_accepted_once_stored(gateway: Running, token: str) -> None:
    response = gateway.report(token, 40)
    assert response.status_code == 202
    assert response.json() == {
        "status": "queued",
        "session": "open",
        "coalesced": False,
    }
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ],
)
def test_wrong_or_missing_token_is_401(
    gateway: Running, sid: str, token: str, headers: dict[str, str]
) -> None:
    for path in ("/v1/progress", "/v1/exit"):
        response = gateway.client.post(
            path,
            json={"session": token, "percent": 1, "completed": False},
            headers=headers,
        )
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert gateway.lms.commands(sid) == ["GetParam"]


def test_the_token_scheme_is_case_insensitive(gateway: Running, token: str) -> None:
    headers = {"Authorization": f"bearer {TOKEN}"}
    body = {"session": token, "percent": 1, "completed": False}
    assert post(gateway, body, headers).status_code == 202


def test_unknown_session_is_404(gateway: Running) -> None:
    body = {"session": "no-such-session", "percent": 10, "completed": False}
    response = post(gateway, body)
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_session"
    exit_response = gateway.exit("no-such-session")
    assert exit_response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percent": 101}, "percent"),
        ({"percent": -1}, "percent"),
        ({"percent": "50"}, "percent"),
        ({"percent": True}, "percent"),
        ({"completed": "yes"}, "completed"),
        ({"completed": None}, "completed"),
        ({"score": 150}, "score"),
        ({"score": "high"}, "score"),
        ({"time_seconds": -5}, "time_seconds"),
        ({"session": ""}, "session"),
        ({"session": 42}, "session"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_422_naming_it(
    gateway: Running, token: str, change: dict[str, Any], field: str
) -> None:
    body = {"session": token, "percent": 50, "completed": False, **change}
    response = post(gateway, body)
    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "invalid_body"
    assert [f["field"] for f in data["fields"]] == [field]


@pytest.mark.parametrize("missing", ["session", "percent", "completed"])
def test_a_missing_field_is_422(gateway: Running, token: str, missing: str) -> None:
    body = {"session": token, "percent": 50, "completed": False}
    del body[missing]
    response = post(gateway, body)
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"field": missing, "message": "Field required"}
    ]


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b'{"percent": NaN}'])
def test_a_body_that_is_not_a_json_object_is_422(
    gateway: Running, token: str, raw: bytes
) -> None:
    response = gateway.client.post(
        "/v1/progress",
        content=raw,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["fields"]


def test_a_huge_body_is_413(gateway: Running, token: str) -> None:
    body = {"session": token, "percent": 1, "completed": False, "x": "a" * 20_000}
    assert post(gateway, body).status_code == 413


def test_optional_fields_are_taken(gateway: Running, sid: str, token: str) -> None:
    response = gateway.report(token, 30, score=72.5, time_seconds=61)
    assert response.status_code == 202
    wait_until(lambda: "PutParam" in gateway.lms.commands(sid))
    sent = [
        e.aicc_data
        for e in gateway.lms.log
        if e.command == "PutParam" and e.session_id == sid
    ][0]
    assert "Score=73" in sent and "Time=00:01:01" in sent


def test_completion_ends_the_session_and_a_later_report_is_409(
    gateway: Running, token: str
) -> None:
    done = gateway.report(token, 100, completed=True)
    assert done.status_code == 202 and done.json()["session"] == "ended"
    late = gateway.report(token, 20)
    assert late.status_code == 409
    assert late.json()["error"] == "session_ended"
    assert late.json()["ended"] == "completed"
    assert gateway.exit(token).status_code == 409


def test_exit_ends_the_session_with_exitau(
    gateway: Running, sid: str, token: str
) -> None:
    assert gateway.report(token, 35, time_seconds=90).status_code == 202
    response = gateway.exit(token)
    assert response.status_code == 202 and response.json()["session"] == "ended"
    wait_until(lambda: gateway.lms.learner(sid).exited)
    learner = gateway.lms.learner(sid)
    assert learner.status == "incomplete" and learner.score == "35"
    assert learner.total.total_seconds() == 90
    late = gateway.report(token, 40)
    assert late.status_code == 409 and late.json()["ended"] == "exit"


def test_exit_with_a_bad_body_is_422(gateway: Running, token: str) -> None:
    response = gateway.client.post("/v1/exit", json={"token": token}, headers=AUTH)
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["fields"]}
    assert fields == {"session", "token"}


def test_health_counts_sessions_and_deliveries(gateway: Running) -> None:
    before = gateway.client.get("/health").json()
    gateway.lms.enrol("SID-health-000123", "h1", "Doe, Jane")
    token = gateway.launch("SID-health-000123")
    data = gateway.client.get("/health").json()
    assert data["status"] == "ok"
    assert data["sessions"]["open"] == before["sessions"]["open"] + 1
    assert set(data["deliveries"]) == {"queued", "sending", "done", "failed"}
    gateway.report(token, 100, completed=True)
    wait_until(lambda: gateway.client.get("/health").json()["pending"] == 0)
    after = gateway.client.get("/health").json()
    assert after["deliveries"]["done"] == data["deliveries"]["done"] + 2
    assert after["sessions"]["ended"] == data["sessions"]["ended"] + 1
