from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aiccbridge import __version__
from aiccbridge.testing import Project

REPO = Path(__file__).resolve().parents[2]


def test_version(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("--version").assert_success()
    assert outcome.stdout.strip() == f"aiccbridge {__version__}"


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aiccbridge", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and __version__ in done.stdout


def test_root_config_runs_the_main_job(tmp_path: Path) -> None:
    shutil.copy(REPO / "aiccbridge.toml", tmp_path / "aiccbridge.toml")
    shutil.copytree(REPO / "catalog", tmp_path / "catalog")
    project = Project(tmp_path)
    outcome = project.run("sync", "--vendor", "schoox", "--json").assert_success()
    (tenant,) = outcome.json()["tenants"]
    assert tenant["tenant"] == "demo-schoox"
    assert tenant["added"] == 20 and tenant["retired"] == 0 and not tenant["rejected"]
    assert {t["id"] for t in tenant["transliterated"]} >= {
        "ACME-108",
        "ACME-109",
        "ACME-110",
    }
    bundle = Path(tenant["bundle"])
    for package in bundle.glob("*.zip"):
        project.run("package", "validate", str(package)).assert_success()
    project.run("config", "check").assert_success()


def test_missing_config_is_one_line_and_exit_2(tmp_path: Path) -> None:
    outcome = Project(tmp_path).run("sync")
    outcome.assert_exit(2)
    errors = [line for line in outcome.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "no such config file" in errors[0]
    assert "Traceback" not in outcome.stderr


def test_missing_catalog_is_a_usage_error(aiccbridge_project: Project) -> None:
    aiccbridge_project.catalog_path.unlink()
    outcome = aiccbridge_project.run("sync").assert_exit(2)
    assert str(aiccbridge_project.catalog_path) in outcome.stderr


def test_unknown_vendor_option(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("sync", "--vendor", "moodlish").assert_exit(2)
    assert "unknown vendor 'moodlish'" in outcome.stderr
    assert "schoox" in outcome.stderr


def test_vendor_without_tenants(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("sync", "--vendor", "totara").assert_exit(2)
    assert "no tenant matches vendor 'totara'" in outcome.stderr


def test_bad_option_is_a_usage_error(aiccbridge_project: Project) -> None:
    aiccbridge_project.run("sync", "--frobnicate").assert_exit(2)


def test_vendors_json_lists_the_facts(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run("vendors", "--json").assert_success().json()
    by_id = {v["id"]: v for v in data["vendors"]}
    schoox = by_id["schoox"]
    assert schoox["plugin"] == "schoox" and schoox["delivery"] == "outbox"
    shared = {h["host"] for h in schoox["hostnames"] if h["shared"]}
    assert "googleapis.com" in shared and "scormengine.schoox.com" not in shared
    assert by_id["scormcloud"]["delivery"] == "api"
    assert by_id["totara"]["mobile_tracking"] == "no"
    for row in data["vendors"]:
        assert row["mobile_tracking"] in ("yes", "no", "unknown")
        assert row["launch_mode"] in ("new_window", "iframe", "either")


def test_vendors_text_marks_shared_hosts(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("vendors").assert_success()
    outcome.fnmatch_lines(["schoox - Schoox*", "*pusher.com (shared public host)*"])


def test_plugins_json(aiccbridge_project: Project) -> None:
    data = aiccbridge_project.run("plugins", "--json").assert_success().json()
    by_name = {p["name"]: p for p in data["plugins"]}
    assert by_name["schoox"]["distribution"] == "aiccbridge-schoox"
    assert by_name["schoox"]["status"] == "loaded"
    assert set(by_name["schoox"]["vendors"]) == {"schoox", "ultipro", "paycom"}
    assert by_name["builtin-vendors"]["distribution"] == "aiccbridge"


def test_config_check_reports_errors_and_warnings(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {
            "ok": {
                "vendor": "schoox",
                "credentials": {"api_key": "UNSET_VAR_FOR_TEST"},
            },
            "self-hosted": {"vendor": "totara"},
            "ghost": {"vendor": "nobody"},
            "cloud": {"vendor": "scormcloud", "credentials": {"app_id": "CLOUD_ID"}},
        }
    )
    outcome = aiccbridge_project.run("config", "check", "--json").assert_exit(2)
    findings = outcome.json()["findings"]
    keyed = {(f["tenant"], f["key"], f["severity"]) for f in findings}
    assert ("self-hosted", "hostnames", "error") in keyed
    assert ("ghost", "vendor", "error") in keyed
    assert ("ok", "credentials.api_key", "warning") in keyed
    # an outbox vendor's credentials are optional; an API vendor's are not
    assert not [k for k in keyed if k[:2] == ("ok", "credentials.academy_id")]
    assert ("cloud", "credentials.secret_key", "error") in keyed
    assert ("cloud", "credentials.app_id", "warning") in keyed


def test_config_check_plugin_rule(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"site": {"vendor": "totara", "hostnames": ["*.example.com"]}}
    )
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "a Totara site is one host" in outcome.stderr + outcome.stdout


def test_package_build_validate_inspect(aiccbridge_project: Project) -> None:
    out = aiccbridge_project.root / "built"
    data = (
        aiccbridge_project.run(
            "package", "build", "--course", "P-1", "--out", str(out), "--json"
        )
        .assert_success()
        .json()
    )
    (row,) = data["packages"]
    path = Path(row["package"])
    assert path == out / "P-1.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [
            "course.crs",
            "course.au",
            "course.des",
            "course.cst",
        ]
    validated = aiccbridge_project.run("package", "validate", str(path), "--json")
    assert validated.assert_success().json()["ok"] is True
    inspected = aiccbridge_project.run("package", "inspect", str(path)).assert_success()
    inspected.fnmatch_lines(
        [
            "course P-1: A Path*",
            "*AU A1: https://aicc.example.com/launch/acme/C-1",
            "*AU A2:*/C-2",
            "*block Root: A1, A2",
        ]
    )


def test_package_build_unknown_course(aiccbridge_project: Project) -> None:
    outcome = aiccbridge_project.run("package", "build", "--course", "NOPE")
    outcome.assert_exit(2)


def test_validate_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "course.zip"
    bogus.write_text("hello", encoding="utf-8")
    project = Project(tmp_path)
    outcome = project.run("package", "validate", str(bogus)).assert_exit(1)
    assert "not a zip file" in outcome.stdout
    project.run("package", "inspect", str(bogus)).assert_exit(1)


@pytest.mark.parametrize(
    "command",
    [
        ["sync"],
        ["package", "build"],
        ["package", "validate"],
        ["package", "inspect"],
        ["config", "check"],
        ["plugins"],
        ["vendors"],
        ["launch", "check"],
        ["bundles"],
        ["bundles", "mark"],
        ["tenant", "add"],
        ["tenant", "list"],
        ["tenant", "show"],
        ["doctor"],
    ],
)
def test_every_command_has_help(
    aiccbridge_project: Project, command: list[str]
) -> None:
    outcome = aiccbridge_project.run(*command, "--help").assert_success()
    assert "Usage:" in outcome.stdout
