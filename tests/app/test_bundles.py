from __future__ import annotations

from pathlib import Path

from aiccbridge.testing import DEFAULT_CATALOG, Project

ROWS = [dict(r) for r in DEFAULT_CATALOG]


def sync(project: Project) -> dict:
    (tenant,) = project.run("sync", "--json").assert_success().json()["tenants"]
    return tenant


def bundles(project: Project) -> list[dict]:
    return project.run("bundles", "--json").assert_success().json()["bundles"]


def test_new_bundles_are_listed_as_new(aiccbridge_project: Project) -> None:
    assert bundles(aiccbridge_project) == []
    name = Path(sync(aiccbridge_project)["bundle"]).name
    (listed,) = bundles(aiccbridge_project)
    assert (listed["bundle"], listed["state"], listed["packages"]) == (name, "new", 4)
    aiccbridge_project.run("bundles").assert_success().fnmatch_lines(
        [f"acme*{name}*new*4 packages*"]
    )


def test_mark_uploaded(aiccbridge_project: Project) -> None:
    name = Path(sync(aiccbridge_project)["bundle"]).name
    outcome = aiccbridge_project.run("bundles", "mark", name, "uploaded", "--json")
    assert outcome.assert_success().json()["state"] == "uploaded"
    assert bundles(aiccbridge_project)[0]["state"] == "uploaded"
    assert sync(aiccbridge_project)["added"] == 0


def test_failed_bundle_comes_back_in_the_next_sync(aiccbridge_project: Project) -> None:
    first = Path(sync(aiccbridge_project)["bundle"]).name
    aiccbridge_project.run("bundles", "mark", first, "uploaded").assert_success()
    rows = [dict(r) for r in ROWS]
    rows[2]["title"] = "Intro video, new cut"  # V-1 replaced
    rows = [r for r in rows if r["course_id"] != "C-2" and r["course_id"] != "P-1"]
    rows.append({"course_id": "N-1", "title": "Brand new", "kind": "course"})
    aiccbridge_project.write_catalog(rows)
    second = sync(aiccbridge_project)
    assert (second["added"], second["changed"], second["retired"]) == (1, 1, 2)
    aiccbridge_project.run(
        "bundles", "mark", Path(second["bundle"]).name, "failed"
    ).assert_success()
    third = sync(aiccbridge_project)
    assert (third["added"], third["changed"], third["retired"]) == (1, 1, 2)
    assert sync(aiccbridge_project)["bundle"] is None


def test_marking_mistakes(aiccbridge_project: Project) -> None:
    name = Path(sync(aiccbridge_project)["bundle"]).name
    aiccbridge_project.run(
        "bundles", "mark", "19990101T000000Z", "uploaded"
    ).assert_exit(2)
    bad = aiccbridge_project.run("bundles", "mark", name, "done").assert_exit(2)
    assert "'uploaded' or 'failed'" in bad.stderr
    aiccbridge_project.run("bundles", "mark", name, "failed").assert_success()
    again = aiccbridge_project.run("bundles", "mark", name, "uploaded").assert_exit(2)
    assert "marked failed" in again.stderr
    aiccbridge_project.run("bundles", "--tenant", "nobody").assert_exit(2)
