from __future__ import annotations

import zipfile

import pytest

from aiccbridge.testing import Project


def test_totara_needs_the_site_host(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"site": {"vendor": "totara"}})
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "tenants.site.hostnames" in outcome.stderr


def test_totara_without_a_token_uses_the_outbox(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"site": {"vendor": "totara", "hostnames": ["lms.example.com"]}}
    )
    outcome = aiccbridge_project.run("config", "check", "--json").assert_success()
    keys = {(f["key"], f["severity"]) for f in outcome.json()["findings"]}
    assert ("credentials", "warning") in keys
    result = aiccbridge_project.run("sync", "--json").assert_success().json()
    (tenant,) = result["tenants"]
    assert tenant["added"] == 4 and tenant["bundle"]


def test_totara_titles_lose_equals_signs(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOTARA_TEST_TOKEN", "t0ken")
    aiccbridge_project.write_catalog(
        [{"course_id": "T-1", "title": "E=mc² explained", "kind": "course"}]
    )
    aiccbridge_project.write_config(
        {
            "site": {
                "vendor": "totara",
                "hostnames": ["lms.example.com"],
                "credentials": {"token": "TOTARA_TEST_TOKEN"},
            }
        }
    )
    aiccbridge_project.run("config", "check").assert_success()
    out = aiccbridge_project.root / "built"
    aiccbridge_project.run("package", "build", "--out", str(out)).assert_success()
    with zipfile.ZipFile(out / "T-1.zip") as archive:
        crs = archive.read("course.crs").decode("utf-8")
    assert "Course_Title=E mc² explained\r\n" in crs
