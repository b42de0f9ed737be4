"""What a consultant's slips and an operator's broken environment produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiccbridge.testing import DEFAULT_CATALOG, Project

ROWS = [dict(r) for r in DEFAULT_CATALOG]


def test_an_unwritable_outbox_fails_that_tenant_and_the_run_goes_on(
    aiccbridge_project: Project,
) -> None:
    (aiccbridge_project.root / "blocker").write_text("a file, not a folder")
    aiccbridge_project.write_config(
        {
            "a1": {"vendor": "schoox", "outbox": "blocker/sub"},
            "b2": {"vendor": "schoox"},
        }
    )
    outcome = aiccbridge_project.run("sync", "--json").assert_exit(1)
    first, second = outcome.json()["tenants"]
    assert (
        first["bundle"] is None
        and "cannot create the outbox" in first["failed"][0]["reason"]
    )
    assert second["added"] == 4 and second["bundle"]
    again = aiccbridge_project.run("sync", "--json").json()["tenants"]
    assert again[0]["added"] == 4  # nothing was recorded for the failed tenant


def test_a_header_only_catalog_syncs_nothing(aiccbridge_project: Project) -> None:
    aiccbridge_project.run("sync").assert_success()
    aiccbridge_project.catalog_path.write_text("course_id,title,kind\n")
    outcome = aiccbridge_project.run("sync").assert_exit(2)
    assert "no usable rows" in outcome.stderr
    assert len(aiccbridge_project.bundles("acme")) == 1


def test_mass_retirement_needs_to_be_asked_for(aiccbridge_project: Project) -> None:
    rows = [
        {"course_id": f"M-{n}", "title": f"Course {n}", "kind": "course"}
        for n in range(10)
    ]
    aiccbridge_project.write_catalog(rows)
    aiccbridge_project.run("sync").assert_success()
    aiccbridge_project.write_catalog(rows[:4])
    (held,) = aiccbridge_project.run("sync", "--json").assert_exit(1).json()["tenants"]
    assert "would retire 6 of 10" in held["failed"][0]["reason"]
    assert held["bundle"] is None
    (done,) = aiccbridge_project.run("sync", "--json", "--allow-mass-retire").json()[
        "tenants"
    ]
    assert done["retired"] == 6 and done["bundle"]


def test_config_check_reads_the_catalog(aiccbridge_project: Project) -> None:
    aiccbridge_project.catalog_path.unlink()
    outcome = aiccbridge_project.run("config", "check", "--json").assert_exit(2)
    (finding,) = [f for f in outcome.json()["findings"] if f["key"] == "catalog.path"]
    assert finding["severity"] == "error" and "catalog.csv" in finding["message"]


def test_config_check_json_on_an_invalid_file(aiccbridge_project: Project) -> None:
    text = aiccbridge_project.config_path.read_text() + "\n[tenants.x]\nvendor = 3\n"
    aiccbridge_project.config_path.write_text(text)
    data = aiccbridge_project.run("config", "check", "--json").assert_exit(2).json()
    assert data["ok"] is False
    assert any("tenants.x.vendor" in f["message"] for f in data["findings"])


@pytest.mark.parametrize(
    "value", ["ghp_16C7e42F292c6912E7710c838347Ae178B4a", "sk_live_abc123XYZ", "my key"]
)
def test_secret_looking_credentials_are_refused(
    aiccbridge_project: Project, value: str
) -> None:
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "credentials": {"api_key": value}}}
    )
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert value not in outcome.stdout
    assert "environment variable in capitals" in outcome.stderr


def test_vendor_hostnames_false_narrows_the_allow_list(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_config(
        {
            "acme": {
                "vendor": "schoox",
                "vendor_hostnames": False,
                "hostnames": ["scormengine.schoox.com"],
            }
        }
    )
    data = aiccbridge_project.run("config", "check", "--json").assert_success().json()
    assert not [f for f in data["findings"] if f["key"] == "hostnames"]
    url = (
        "https://aicc.example.com/launch/acme/C-1?AICC_SID=abcdefgh1234&AICC_URL="
        "https%3A%2F%2Fpusher.com%2Fx"
    )
    refused = aiccbridge_project.run("launch", "check", url, "--json").assert_exit(1)
    assert refused.json()["allow_list"] == ["scormengine.schoox.com"]


def test_full_export_lists_transliterations_again(aiccbridge_project: Project) -> None:
    rows = ROWS + [{"course_id": "J-1", "title": "職場の安全", "kind": "course"}]
    aiccbridge_project.write_catalog(rows)
    aiccbridge_project.run("sync").assert_success()
    (full,) = aiccbridge_project.run("sync", "--full", "--json").json()["tenants"]
    assert [t["id"] for t in full["transliterated"]] == ["J-1"]


def test_dry_run_creates_no_state_store(aiccbridge_project: Project) -> None:
    aiccbridge_project.run("sync", "--dry-run").assert_success()
    assert not (aiccbridge_project.root / ".aiccbridge").exists()


def test_package_build_of_a_rejected_row_says_why(aiccbridge_project: Project) -> None:
    rows = ROWS + [{"course_id": "E-1", "title": "", "kind": "course"}]
    aiccbridge_project.write_catalog(rows)
    outcome = aiccbridge_project.run("package", "build", "--course", "E-1")
    outcome.assert_exit(1)
    assert "E-1: title is empty" in outcome.stdout


def test_inspect_exits_1_for_a_broken_package(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "course.crs").write_text("[Course]\r\nCourse_ID=X\r\n")
    Project(tmp_path).run("package", "inspect", str(folder)).assert_exit(1)
    Project(tmp_path).run("package", "validate", str(tmp_path / "nope")).assert_exit(2)


def test_global_option_after_the_command_gets_a_hint(
    aiccbridge_project: Project,
) -> None:
    outcome = aiccbridge_project.run("sync", "--config", "x.toml").assert_exit(2)
    assert "global options go before the command" in outcome.stderr


def test_disabled_plugin_is_named_when_its_vendor_is_missing(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICCBRIDGE_DISABLE_PLUGINS", "schoox,schooxx")
    outcome = aiccbridge_project.run("sync").assert_exit(2)
    assert "not loaded: schoox" in outcome.stderr
    assert "'schooxx', which is not an installed plugin" in outcome.stderr
