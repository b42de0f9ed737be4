from __future__ import annotations

from urllib.parse import quote

import pytest

from aiccbridge.testing import Project

SID = "SECRET-SID-0123456789"
BASE = "https://aicc.example.com/launch/acme/C-1"


def launch(url: str = "https://scormengine.schoox.com/hacp", base: str = BASE) -> str:
    return f"{base}?AICC_SID={SID}&AICC_URL={quote(url, safe='')}"


def check(project: Project, url: str, *args: str) -> dict:
    outcome = project.run("launch", "check", url, "--json", *args)
    assert SID not in outcome.stdout + outcome.stderr
    data = outcome.json()
    assert outcome.code == (0 if data["accepted"] else 1)
    return data


def test_accepted_launch_names_tenant_course_and_host(
    aiccbridge_project: Project,
) -> None:
    data = check(aiccbridge_project, launch())
    assert data["accepted"] and data["reason"] == "allowed_exact"
    assert (data["tenant"], data["course_id"]) == ("acme", "C-1")
    assert data["host"] == "scormengine.schoox.com"
    assert data["session"] and data["session"] != SID


@pytest.mark.parametrize(
    ("hacp_url", "reason"),
    [
        ("https://lms.evil.example/hacp", "not_listed"),
        ("https://scormengine.schoox.com.evil.net/hacp", "suffix_lookalike"),
        ("https://schoox.com@evil.example/hacp", "userinfo"),
        ("http://scormengine.schoox.com/hacp", "plain_http"),
        ("https://10.0.0.1/hacp", "ip_literal"),
    ],
)
def test_refusals_say_why(
    aiccbridge_project: Project, hacp_url: str, reason: str
) -> None:
    data = check(aiccbridge_project, launch(hacp_url))
    assert not data["accepted"] and data["reason"] == reason


def test_allow_http_tenant(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "allow_http": True, "hostnames": ["127.0.0.1"]}}
    )
    assert check(aiccbridge_project, launch("http://127.0.0.1:8766/hacp"))["accepted"]


def test_unknown_tenant_and_course(aiccbridge_project: Project) -> None:
    other = launch(base="https://aicc.example.com/launch/nobody/C-1")
    assert check(aiccbridge_project, other)["reason"] == "unknown_tenant"
    missing = launch(base="https://aicc.example.com/launch/acme/NOPE")
    assert check(aiccbridge_project, missing)["reason"] == "unknown_course"


def test_missing_session_id(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run(
        "launch", "check", f"{BASE}?AICC_URL=https://schoox.com/x", "--json"
    ).json()
    assert data["reason"] == "missing_sid"


def test_tenant_option_for_a_bare_query(aiccbridge_project: Project) -> None:
    query = launch().split("?", 1)[1]
    data = check(aiccbridge_project, "?" + query, "--tenant", "acme")
    assert data["accepted"] and data["tenant"] == "acme"


def test_text_output_masks_the_session(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run(
        "launch", "check", launch("https://evil.example/x")
    )
    outcome.assert_exit(1)
    outcome.fnmatch_lines(
        ["tenant:*acme (from the launch address)", "verdict:*REFUSED*"]
    )
    assert SID not in outcome.stdout


def test_an_address_that_is_not_a_launch_address(aiccbridge_project: Project) -> None:
    url = "https://aicc.example.com/nothing?AICC_SID=abcdefgh1234&AICC_URL=x.example"
    data = (
        aiccbridge_project.run("launch", "check", url, "--json").assert_exit(1).json()
    )
    assert data["reason"] == "not_a_launch_address" and "404" in data["detail"]


def test_text_that_is_not_a_url_is_a_usage_error(aiccbridge_project: Project) -> None:
    aiccbridge_project.run("launch", "check", "not a url").assert_exit(2)
