"""Regression tests for inputs a hostile tester tried."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from aiccbridge.builder import package_file_name
from aiccbridge.testing import Project


def rows(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"course_id": i, "title": t, "kind": "course"} for i, t in pairs]


def synced(project: Project, code: int = 0) -> dict:
    (tenant,) = project.run("sync", "--json").assert_exit(code).json()["tenants"]
    return tenant


def test_long_ids_get_short_distinct_file_names() -> None:
    a, b = "X" * 255, "X" * 254 + "Y"
    assert len(package_file_name(a)) <= 124
    assert package_file_name(a) != package_file_name(b)
    assert package_file_name(a) == package_file_name(a)
    assert package_file_name("CON") == "CON_.zip"
    assert package_file_name("lpt1.x") == "lpt1.x_.zip"


def test_a_long_id_does_not_block_the_bundle(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_catalog(rows(("X" * 255, "Long"), ("OK-1", "Fine")))
    result = synced(aiccbridge_project)
    assert result["added"] == 2 and not result["failed"]


def test_huge_texts_are_cut_and_reported(aiccbridge_project: Project) -> None:
    catalog = rows(("H1", "t" * 300))
    catalog[0]["description"] = "Safety first. " * 20000
    aiccbridge_project.write_catalog(catalog)
    result = synced(aiccbridge_project)
    fields = {t["field"] for t in result["transliterated"]}
    assert fields == {"title", "description"}
    package = Path(result["bundle"]) / "H1.zip"
    aiccbridge_project.run("package", "validate", str(package)).assert_success()
    with zipfile.ZipFile(package) as archive:
        crs = archive.read("course.crs").decode("ascii")
    assert "Course_Title=" + "t" * 252 + "...\r\n" in crs


def test_a_delivered_course_keeps_its_file_name(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_catalog(rows(("abc", "lower")))
    synced(aiccbridge_project)
    aiccbridge_project.write_catalog(rows(("ABC", "upper"), ("abc", "lower")))
    result = synced(aiccbridge_project, 1)
    assert result["unchanged"] == 1 and result["added"] == 0
    assert [r["id"] for r in result["rejected"]] == ["ABC"]


def test_the_provider_name_is_fitted_too(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_catalog(rows(("P1", "Plain")))
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "encoding": "ascii", "forbidden_chars": "&()"}},
        provider={
            "name": "Académie 日本 & Co (Ltd)",
            "launch_url": "https://aicc.example.com/{tenant}/{course_id}",
        },
    )
    result = synced(aiccbridge_project)
    with zipfile.ZipFile(Path(result["bundle"]) / "P1.zip") as archive:
        crs = archive.read("course.crs").decode("ascii")
    assert "Course_Creator=Academie RiBen and Co Ltd\r\n" in crs


def test_an_inactive_member_rejects_its_path(aiccbridge_project: Project) -> None:
    catalog = rows(("C1", "One"), ("C2", "Two")) + [
        {
            "course_id": "LP",
            "title": "Path",
            "kind": "learning_path",
            "children": "C1|C2",
        }
    ]
    aiccbridge_project.write_catalog(catalog)
    synced(aiccbridge_project)
    catalog[0]["active"] = "false"
    aiccbridge_project.write_catalog(catalog)
    result = synced(aiccbridge_project, 1)
    assert [r["id"] for r in result["rejected"]] == ["LP"]
    assert "inactive" in result["rejected"][0]["reason"]
    assert result["retired"] == 1


@pytest.mark.parametrize(
    ("score", "version", "text"),
    [
        ("99.9999999", "3.5", "100"),
        ("12.3456789", "3.5", "12.35"),
        ("0.00001", "3.5", "0"),
        ("80.5", "2.2", "81"),
        ("0.5", "2.2", "1"),
        ("75", "4.0", "75"),
    ],
)
def test_mastery_scores(
    aiccbridge_project: Project, score: str, version: str, text: str
) -> None:
    catalog = rows(("M1", "Scored"))
    catalog[0]["mastery_score"] = score
    aiccbridge_project.write_catalog(catalog)
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "aicc_version": version}}
    )
    result = synced(aiccbridge_project)
    with zipfile.ZipFile(Path(result["bundle"]) / "M1.zip") as archive:
        au = archive.read("course.au").decode("ascii")
    assert f',"100","{text}",' in au


def test_package_build_refuses_clashing_names(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_catalog(rows(("A:1", "colon"), ("A_1", "underscore")))
    outcome = aiccbridge_project.run("package", "build", "--json").assert_exit(1)
    data = outcome.json()
    assert [p["course_id"] for p in data["packages"]] == ["A:1"]
    assert data["rejected"][0]["id"] == "A_1"


@pytest.mark.parametrize(
    "launch_url",
    [
        "https://x.example/l/{course_id}}",
        "https://x.example/l/{course_id}{",
        "https://x.example/l/{{course_id}}",
        "https:// x y/{course_id}",
        "https://x.example/{course_id!r}",
        "https://x.example/{course_id:>10}",
    ],
)
def test_broken_launch_templates(aiccbridge_project: Project, launch_url: str) -> None:
    aiccbridge_project.write_config(provider={"name": "P", "launch_url": launch_url})
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "provider.launch_url" in outcome.stderr


def test_config_oddities(aiccbridge_project: Project) -> None:
    cases = [
        ({"acme": {"vendor": "schoox", "allow_http": "yes"}}, "allow_http"),
        ({"Acme": {"vendor": "schoox"}, "acme": {"vendor": "schoox"}}, "only in case"),
        ({"acme": {"vendor": "schoox", "outbox": "o\0x"}}, "NUL"),
        ({"acme": {"vendor": "schoox", "hostnames": ["*", "*.com"]}}, "'*.com'"),
    ]
    for tenants, expected in cases:
        aiccbridge_project.write_config(tenants)
        outcome = aiccbridge_project.run("config", "check").assert_exit(2)
        assert expected in outcome.stderr, (tenants, outcome.stderr)
    text = aiccbridge_project.config_path.read_text()
    aiccbridge_project.config_path.write_text(text.replace('"*", ', ""))
    aiccbridge_project.write_config(
        catalog={"path": "catalog.csv", "columns": {"id": "  ", "title": "t"}}
    )
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "catalog.columns" in outcome.stderr


def test_tenant_name_with_a_trailing_newline(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config({"abc\n": {"vendor": "schoox"}})
    outcome = aiccbridge_project.run("config", "check").assert_exit(2)
    assert "tenant name" in outcome.stderr


def test_terminal_escapes_in_catalog_rows_are_shown_escaped(
    aiccbridge_project: Project,
) -> None:
    aiccbridge_project.write_catalog(rows(("X\x1b]0;owned\x07Y", "t"), ("OK", "fine")))
    outcome = aiccbridge_project.run("sync").assert_exit(1)
    assert "\x1b" not in outcome.stdout and "\\x1b" in outcome.stdout


def test_a_full_disk_or_damaged_journal_is_a_store_error(
    aiccbridge_project: Project,
) -> None:
    synced(aiccbridge_project)
    db = sqlite3.connect(aiccbridge_project.root / ".aiccbridge" / "state.db")
    db.execute(
        "INSERT INTO runs (tenant, bundle, state, started_at, plan) "
        "VALUES ('acme', 'x', 'writing', 'now', 'not json{')"
    )
    db.commit()
    db.close()
    outcome = aiccbridge_project.run("sync").assert_exit(5)
    assert "the state store failed" in outcome.stderr


def test_a_lock_path_that_is_a_folder(aiccbridge_project: Project) -> None:
    (aiccbridge_project.root / ".aiccbridge" / "state.db.lock").mkdir(parents=True)
    outcome = aiccbridge_project.run("sync").assert_exit(5)
    assert "cannot take the run lock" in outcome.stderr


def test_closed_runs_keep_only_bundle_plans(aiccbridge_project: Project) -> None:
    synced(aiccbridge_project)
    db = sqlite3.connect(aiccbridge_project.root / ".aiccbridge" / "state.db")
    plans = [json.loads(p) for (p,) in db.execute("SELECT plan FROM runs")]
    assert len(plans) == 1 and plans[0]["deliver"]
