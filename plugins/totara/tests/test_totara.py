from __future__ import annotations

import zipfile
from pathlib import Path

from aiccbridge.testing import Project


def test_totara_needs_the_site_host(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"site": {"vendor": "totara"}})
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "tenants.site.hostnames" in outcome.stderr


def test_totara_titles_lose_equals_signs(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_catalog(
        [{"course_id": "T-1", "title": "E=mc² explained", "kind": "course"}]
    )
    aiccbridge_project.write_config(
        {"site": {"vendor": "totara", "hostnames": ["lms.example.com"]}}
    )
    aiccbridge_project.run("config", "check").assert_success()
    result = aiccbridge_project.run("sync", "--json").assert_success().json()
    bundle = Path(result["tenants"][0]["bundle"])
    with zipfile.ZipFile(bundle / "T-1.zip") as archive:
        crs = archive.read("course.crs").decode("utf-8")
    assert "Course_Title=E mc² explained\r\n" in crs
