"""``aiccbridge sync --vendor scormcloud`` end to end, against replayed exchanges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from vcr.cassette import Cassette

from aiccbridge.testing import Project

Tape = Callable[[str], Any]
Played = Callable[[Cassette], list[str]]
ROOT = "/api/v2"
LISTING = f"GET {ROOT}/courses?includeRegistrationCount=true"
UPLOAD = f"POST {ROOT}/courses/importJobs/upload"


def _rows(**titles: str) -> list[dict[str, str]]:
    return [
        {"course_id": cid.replace("_", "-"), "title": title, "kind": "course"}
        for cid, title in titles.items()
    ]


@pytest.fixture
def cloud(aiccbridge_project: Project, credentials: Mapping[str, str]) -> Project:
    aiccbridge_project.write_config(
        {"cloud": {"vendor": "scormcloud", "credentials": dict(credentials)}}
    )
    return aiccbridge_project


def _sync(project: Project, *extra: str) -> dict[str, Any]:
    outcome = project.run("sync", "--vendor", "scormcloud", "--json", *extra)
    assert outcome.code in (0, 1), outcome.stderr
    (tenant,) = outcome.json()["tenants"]
    tenant["code"] = outcome.code
    return tenant  # type: ignore[no-any-return]


def _failed(result: Mapping[str, Any]) -> dict[str, str]:
    return {f["course_id"]: f["reason"] for f in result["failed"]}


def test_new_courses_are_imported_and_a_second_run_uploads_nothing(
    cloud: Project, cassette: Tape, played: Played
) -> None:
    cloud.write_catalog(_rows(N_1="Fire Safety", N_2="First Aid"))
    with cassette("sync_new_courses") as tape:
        first = _sync(cloud)
    assert (first["code"], first["added"], first["failed"]) == (0, 2, [])
    assert first["bundle"] is None and cloud.bundles("cloud") == []
    n1, n2 = (
        f"GET {ROOT}/courses/importJobs/a{i}a{i}a{i}a{i}-0000-4000-8000-00000000000{i}"
        for i in (1, 2)
    )
    assert played(tape) == [
        LISTING,
        f"GET {ROOT}/courses?more=c2VhcmNoLXBhZ2UtMg",
        f"{UPLOAD}?courseId=N-1&mayCreateNewVersion=false",
        f"{UPLOAD}?courseId=N-2&mayCreateNewVersion=false",
        n1,
        n2,
        n1,
    ]

    with cassette("sync_nothing_to_do") as tape:
        second = _sync(cloud)
    assert (second["code"], second["unchanged"], second["added"]) == (0, 2, 0)
    assert tape.play_count == 0


def test_changed_and_retired_courses_make_exactly_the_right_calls(
    cloud: Project, cassette: Tape, played: Played
) -> None:
    rows = _rows(K_1="Kitchen Hygiene", K_2="Knife Skills", K_3="Kitchen Fire Drill")
    cloud.write_catalog(rows)
    with cassette("sync_changes_1_seed") as tape:
        assert _sync(cloud)["added"] == 3
    assert played(tape).count(LISTING) == 1 and tape.play_count == 7

    cloud.write_catalog(_rows(K_1="Kitchen Hygiene, revised"))
    with cassette("sync_changes_2_changed_and_retired") as tape:
        second = _sync(cloud)
    assert played(tape) == [
        LISTING,
        f"{UPLOAD}?courseId=K-1&mayCreateNewVersion=true",
        f"GET {ROOT}/courses/importJobs/c1000000-0000-4000-8000-000000000011",
        f"PUT {ROOT}/courses/K-2/tags",
        f"PUT {ROOT}/courses/K-3/tags",
    ]
    assert (second["changed"], second["retired"], second["code"]) == (1, 2, 1)
    assert list(_failed(second)) == ["K-3"]
    assert "2 registrations" in _failed(second)["K-3"]


def test_a_course_with_registrations_is_deleted_only_with_purge(
    cloud: Project, cassette: Tape, played: Played
) -> None:
    cloud.write_catalog(
        _rows(K_1="Kitchen Hygiene", K_2="Knife Skills", K_3="Kitchen Fire Drill")
    )
    with cassette("sync_changes_1_seed"):
        _sync(cloud)
    cloud.write_catalog(_rows(K_1="Kitchen Hygiene, revised"))
    with cassette("sync_changes_2_changed_and_retired"):
        _sync(cloud)

    with cassette("sync_changes_3_kept_again") as tape:
        kept = _sync(cloud)
    assert played(tape) == [LISTING]
    assert (kept["retired"], list(_failed(kept)), kept["code"]) == (1, ["K-3"], 1)

    with cassette("sync_changes_4_purge") as tape:
        purged = _sync(cloud, "--purge")
    assert played(tape) == [LISTING, f"DELETE {ROOT}/courses/K-3"]
    assert (purged["failed"], purged["code"]) == ([], 0)

    with cassette("sync_nothing_to_do") as tape:
        assert _sync(cloud)["code"] == 0
    assert tape.play_count == 0


def test_an_import_error_is_reported_and_retried_next_run(
    cloud: Project, cassette: Tape, played: Played
) -> None:
    cloud.write_catalog(_rows(E_1="Emergency Exits"))
    with cassette("sync_error_1_import_fails") as tape:
        first = _sync(cloud)
    assert first["code"] == 1 and tape.all_played
    assert _failed(first) == {
        "E-1": "import job ended in ERROR: Import failed: storage is temporarily "
        "unavailable"
    }

    with cassette("sync_error_2_retried") as tape:
        second = _sync(cloud)
    assert (second["added"], second["failed"], second["code"]) == (1, [], 0)
    assert played(tape)[1] == f"{UPLOAD}?courseId=E-1&mayCreateNewVersion=false"
