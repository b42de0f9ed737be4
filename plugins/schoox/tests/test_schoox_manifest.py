"""With Schoox credentials set, the outbox manifest says what the academy has."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aiccbridge.testing import Project


def test_the_manifest_says_which_packages_the_academy_has(
    aiccbridge_project: Project,
    cassette: Callable[[str], Any],
    secret_values: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCHOOX_KEY_FOR_TEST", secret_values["api_key"])
    monkeypatch.setenv("SCHOOX_ACADEMY_FOR_TEST", secret_values["academy_id"])
    aiccbridge_project.write_catalog(
        [
            {"course_id": "F-1", "title": "Fire Safety", "kind": "course"},
            {"course_id": "N-1", "title": "Brand New", "kind": "course"},
        ]
    )
    aiccbridge_project.write_config(
        {
            "acme": {
                "vendor": "schoox",
                "credentials": {
                    "api_key": "SCHOOX_KEY_FOR_TEST",
                    "academy_id": "SCHOOX_ACADEMY_FOR_TEST",
                },
            }
        }
    )
    with cassette("courses_paged"):
        outcome = aiccbridge_project.run("sync", "--json").assert_success()
    (tenant,) = outcome.json()["tenants"]
    bundle = Path(tenant["bundle"])
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    notes = {e["course_id"]: e["instruction"] for e in manifest["add"]}
    assert notes["F-1"].startswith("already uploaded as course 327827")
    assert notes["N-1"] == "create a course with a SCORM/AICC lecture from N-1.zip"
    assert "F-1 (F-1.zip): already uploaded" in (bundle / "README.txt").read_text()


def test_without_credentials_the_manifest_has_no_instructions(
    aiccbridge_project: Project,
) -> None:
    (tenant,) = (
        aiccbridge_project.run("sync", "--json").assert_success().json()["tenants"]
    )
    manifest = json.loads(
        (Path(tenant["bundle"]) / "manifest.json").read_text(encoding="utf-8")
    )
    assert all("instruction" not in e for e in manifest["add"])


def test_an_unreachable_academy_is_a_note_and_the_bundle_is_written(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiccbridge_schoox._api as api

    from aiccbridge.errors import VendorError

    def down(job: object) -> object:
        raise VendorError("schoox: GET courses: ConnectError")

    monkeypatch.setattr(api, "reconcile", down)
    monkeypatch.setenv("SCHOOX_KEY_FOR_TEST", "k")
    monkeypatch.setenv("SCHOOX_ACADEMY_FOR_TEST", "1")
    aiccbridge_project.write_config(
        {
            "acme": {
                "vendor": "schoox",
                "credentials": {
                    "api_key": "SCHOOX_KEY_FOR_TEST",
                    "academy_id": "SCHOOX_ACADEMY_FOR_TEST",
                },
            }
        }
    )
    (tenant,) = (
        aiccbridge_project.run("sync", "--json").assert_success().json()["tenants"]
    )
    assert tenant["bundle"] and tenant["added"] == 4
    assert tenant["notes"][0].startswith("the LMS was not checked")
