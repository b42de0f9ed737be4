"""The sandbox's pages, its public names, the in-thread helper and the
``aiccbridge lms serve`` command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import aiccbridge.sandbox as sandbox
from aiccbridge.sandbox import PROFILES, run_in_thread
from aiccbridge.testing import Project
from tests.sandbox.conftest import TestClient, course_zip, launch, upload

PUBLIC = [
    "DEFAULT_DB",
    "PROFILES",
    "Course",
    "Exchange",
    "GetParamView",
    "HacpAnswer",
    "ImportResult",
    "Launch",
    "Learner",
    "LmsProfile",
    "Record",
    "Report",
    "RunningSandbox",
    "SandboxStore",
    "Session",
    "answer_hacp",
    "create_app",
    "get_profile",
    "import_package",
    "launch_url",
    "reply",
    "run_in_thread",
    "serve",
    "start_launch",
]


def test_public_names_are_pinned_and_load() -> None:
    assert sandbox.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(sandbox, name) is not None
    with pytest.raises(AttributeError):
        sandbox.nothing_here  # noqa: B018


def test_loading_the_vendor_does_not_load_the_web_server() -> None:
    code = (
        "import sys, aiccbridge.sandbox.vendor; "
        "print('starlette' in sys.modules, 'uvicorn' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False"]


def test_the_front_page_lists_courses_and_records(
    client: TestClient, course: str
) -> None:
    learner = launch(client, name="Doe, <Jane>")
    learner.send("GetParam")
    learner.put("[Core]\r\nLesson_Status=incomplete\r\nLesson_Location=<p3>\r\n")
    page = client.get("/").text
    assert "First Course" in page and "learner-1" in page and "incomplete" in page
    assert "&lt;p3&gt;" in page and "<p3>" not in page
    assert "target='_blank'" in page


def test_the_launch_form_opens_the_au(client: TestClient, course: str) -> None:
    form = {
        "course_id": "C-1",
        "student_id": "learner-9",
        "student_name": "Doe, Jo",
        "lesson_mode": "normal",
        "credit": "credit",
    }
    response = client.post("/launch", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://content.example.com/C-1?")
    bad = client.post("/launch", data={**form, "student_id": "a b"})
    assert bad.status_code == 400 and "Student_ID" in bad.text


def test_profile_switches_on_the_page(client: TestClient, course: str) -> None:
    client.post("/profile", data={"profile": "chamilo"})
    assert client.get("/api/profile").json() == {"profile": "chamilo"}
    client.post("/courses/C-1/profile", data={"profile": "moodle"})
    assert client.get("/api/courses/C-1").json()["profile"] == "moodle"
    assert "moodle" in client.get("/courses/C-1").text
    refused = client.post("/profile", data={"profile": "blackboard"})
    assert refused.status_code == 400 and "unknown LMS profile" in refused.text


def test_the_profiles_page_lists_every_habit(client: TestClient) -> None:
    page = client.get("/profiles").text
    api = client.get("/api/profiles").json()["profiles"]
    assert [p["name"] for p in api] == list(PROFILES)
    for profile in PROFILES.values():
        assert f"id='{profile.name}'" in page
        assert len(profile.habits) >= 3


def test_records_page_and_json(client: TestClient, course: str) -> None:
    learner = launch(client)
    learner.send("GetParam")
    learner.put("[Core]\r\nLesson_Status=i\r\nScore=40\r\n[Comments]\r\nnice")
    learner.send("PutInteractions", '"interaction_id","result"\r\n"Q1","c"\r\n')
    query = {"student": "learner-1", "course": "C-1", "au": "A1"}
    page = client.get("/record", params=query).text
    assert "Interactions" in page and "Q1" in page and "nice" in page
    (found,) = client.get("/api/records").json()["records"]
    assert found["score"] == {"raw": 40.0, "max": None, "min": None}
    assert found["comments"] == "nice"
    log = client.get("/api/log", params={"course_id": "C-1", "limit": "2"}).json()
    assert [e["command"] for e in log["exchanges"]] == ["PutParam", "PutInteractions"]


def test_unknown_pages_and_bad_json(client: TestClient) -> None:
    assert client.get("/courses/NOPE").status_code == 404
    assert client.get("/api/courses/NOPE").status_code == 404
    bad = client.put("/api/profile", content=b"{not json")
    assert bad.status_code == 400 and bad.json()["error"] == "the body is not JSON"


def test_run_in_thread_serves_on_loopback() -> None:
    with run_in_thread(profile="moodle") as running:
        assert running.url.startswith("http://127.0.0.1:")
        health = httpx.get(running.url + "/api/health").json()
        assert health["profile"] == "moodle"
        created = httpx.post(running.url + "/api/courses", content=course_zip())
        assert created.status_code == 201
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.url + "/api/health")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_lms_serve_starts_without_a_config(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "aiccbridge", "lms", "serve", "--port", str(port)]
    env = {**os.environ, "AICCBRIDGE_CONFIG": str(tmp_path / "missing.toml")}
    server = subprocess.Popen(
        [*command, "--profile", "ilias"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/api/health")
        assert health["profile"] == "ilias"
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (tmp_path / ".aiccbridge" / "sandbox.db").is_file()


def _wait_for(url: str) -> dict[str, object]:
    deadline = time.monotonic() + 10
    while True:
        try:
            return dict(httpx.get(url).json())
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_lms_serve_refuses_an_unknown_profile(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("lms", "serve", "--profile", "blackboard")
    outcome.assert_exit(2)
    assert "unknown LMS profile 'blackboard'" in outcome.stderr
    assert "spec, moodle, ilias, chamilo, skillport" in outcome.stderr


def test_uploads_with_a_profile(client: TestClient) -> None:
    assert (
        upload(client, course_zip(), profile="skillport").json()["course"]["profile"]
        == "skillport"
    )
    assert upload(client, course_zip("C-2"), profile="nope").status_code == 400
