"""Sync to the sandbox LMS, launch through the gateway, report, and read the record."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.conftest import PROFILES, Loop, wait_until


def launch(loop: Loop, course: str, student: str) -> str:
    """Launch a course as the sandbox does; return the gateway's session token."""
    answer = httpx.post(
        f"{loop.sandbox}/api/launches",
        timeout=10,
        json={"course_id": course, "student_id": student, "student_name": "Doe, Jane"},
    )
    assert answer.status_code == 201, answer.text
    url = answer.json()["launch_url"]
    assert url.startswith(loop.gateway + "/launch/sandbox/")
    hop = httpx.get(url, follow_redirects=False, timeout=10)
    assert hop.status_code == 302, hop.text
    target = hop.headers["location"]
    assert target.startswith(loop.content + "/")
    (token,) = parse_qs(urlsplit(target).query)["aiccbridge_session"]
    return token


@pytest.mark.parametrize("profile", PROFILES)
def test_progress_reaches_the_lms_as_completed_with_the_time(
    start_loop: Callable[[str], Loop], profile: str
) -> None:
    loop = start_loop(profile)
    token = launch(loop, "E2E-1", "learner-1")
    assert (
        loop.report(token, percent=30, completed=False, time_seconds=40).status_code
        == 202
    )
    assert (
        loop.report(token, percent=100, completed=True, time_seconds=95).status_code
        == 202
    )

    def done() -> bool:  # the status lands with PutParam, the time with ExitAU
        record = loop.record("learner-1", "E2E-1")
        return record.get("status") == "completed" and record["time_seconds"] > 0

    wait_until(done, seconds=20)
    record = loop.record("learner-1", "E2E-1")
    assert round(record["time_seconds"]) == 95
    assert record["score"]["raw"] == 100


def test_a_resync_after_a_change_replaces_in_place(
    start_loop: Callable[[str], Loop],
) -> None:
    loop = start_loop("spec")
    catalog = loop.root / "catalog.csv"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            "Safety Basics", "Safety Basics Revised"
        ),
        encoding="utf-8",
    )
    (tenant,) = loop.sync()["tenants"]
    assert (tenant["added"], tenant["changed"]) == (0, 2)  # the course and its path
    courses = httpx.get(f"{loop.sandbox}/api/courses", timeout=10).json()
    listed = courses["courses"] if isinstance(courses, dict) else courses
    assert sorted(c["course_id"] for c in listed) == ["E2E-1", "E2E-2", "E2E-P"]


def test_a_launch_from_a_host_not_allowed_is_refused(
    start_loop: Callable[[str], Loop],
) -> None:
    loop = start_loop("spec")
    url = (
        f"{loop.gateway}/launch/sandbox/E2E-1?AICC_SID=abcdef0123456789"
        "&AICC_URL=https%3A%2F%2Flms.evil.example%2Fhacp"
    )
    answer = httpx.get(url, follow_redirects=False, timeout=10)
    assert answer.status_code == 403
    assert "lms.evil.example" in answer.text and "abcdef0123456789" not in answer.text
