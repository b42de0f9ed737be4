from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from aiccbridge import outbox
from aiccbridge.store import StateStore
from aiccbridge.testing import DEFAULT_CATALOG, Project

ROWS = [dict(r) for r in DEFAULT_CATALOG]


def sync(project: Project, *args: str) -> dict:
    outcome = project.run("sync", "--json", *args)
    assert outcome.code in (0, 1), outcome.stderr
    (tenant,) = outcome.json()["tenants"]
    return tenant


def manifest(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))


def test_first_run_adds_everything_and_second_plans_nothing(
    aiccbridge_project: Project,
) -> None:
    first = sync(aiccbridge_project)
    assert (first["added"], first["changed"], first["retired"]) == (4, 0, 0)
    bundle = Path(first["bundle"])
    assert sorted(p.name for p in bundle.iterdir()) == [
        "C-1.zip",
        "C-2.zip",
        "P-1.zip",
        "README.txt",
        "V-1.zip",
        "manifest.csv",
        "manifest.json",
    ]
    again = sync(aiccbridge_project)
    assert (again["added"], again["changed"], again["unchanged"]) == (0, 0, 4)
    assert again["bundle"] is None
    assert len(aiccbridge_project.bundles("acme")) == 1


def test_manifest_names_every_package_with_its_sha256(
    aiccbridge_project: Project,
) -> None:
    bundle = Path(sync(aiccbridge_project)["bundle"])
    data = manifest(bundle)
    assert data["tenant"] == "acme" and data["vendor"] == "schoox"
    assert data["bundle"] == bundle.name
    for entry in data["add"]:
        digest = hashlib.sha256((bundle / entry["package"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"]
    with open(bundle / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["course_id"] for r in rows if r["action"] == "add"} == {
        "C-1",
        "C-2",
        "V-1",
        "P-1",
    }


def test_bundle_name_is_utc_time(aiccbridge_project: Project) -> None:
    name = Path(sync(aiccbridge_project)["bundle"]).name
    assert len(name) == 16 and name[8] == "T" and name.endswith("Z")


def test_one_edited_row_is_one_changed_package(aiccbridge_project: Project) -> None:
    sync(aiccbridge_project)
    rows = [dict(r) for r in ROWS]
    rows[0]["title"] = "First Course, revised"
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    # C-1 changed, and the path P-1 holds C-1's title in its .des, so it changed too
    assert result["changed"] == 2 and result["added"] == 0
    data = manifest(Path(result["bundle"]))
    assert {e["course_id"] for e in data["replace"]} == {"C-1", "P-1"}
    assert data["add"] == []


def test_edit_outside_any_path_changes_exactly_one(aiccbridge_project: Project) -> None:
    sync(aiccbridge_project)
    rows = [dict(r) for r in ROWS]
    rows[2]["title"] = "Intro video (new cut)"
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    assert (result["added"], result["changed"], result["unchanged"]) == (0, 1, 3)


def test_removed_and_inactive_rows_are_retired(aiccbridge_project: Project) -> None:
    sync(aiccbridge_project)
    rows = [dict(r, active="true") for r in ROWS if r["course_id"] != "V-1"]
    aiccbridge_project.write_catalog(rows)
    assert sync(aiccbridge_project)["retired"] == 1
    rows[0]["active"] = "false"
    rows = [r for r in rows if r["course_id"] != "P-1"]
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    assert result["retired"] == 2
    data = manifest(Path(result["bundle"]))
    assert {r["course_id"] for r in data["retire"]} == {"C-1", "P-1"}
    assert sync(aiccbridge_project)["retired"] == 0


def test_rejected_row_keeps_its_delivered_course(aiccbridge_project: Project) -> None:
    sync(aiccbridge_project)
    rows = [dict(r) for r in ROWS]
    rows[2]["title"] = ""
    aiccbridge_project.write_catalog(rows)
    outcome = aiccbridge_project.run("sync", "--json")
    outcome.assert_exit(1)
    (result,) = outcome.json()["tenants"]
    assert result["retired"] == 0
    assert result["rejected"] == [
        {"line": 4, "id": "V-1", "reason": result["rejected"][0]["reason"]}
    ]


def test_same_catalog_gives_same_names_and_bytes(tmp_path: Path) -> None:
    hashes = []
    for name in ("a", "b"):
        project = Project(tmp_path / name)
        project.root.mkdir()
        project.write_catalog()
        project.write_config()
        bundle = Path(sync(project)["bundle"])
        hashes.append(
            {
                p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in bundle.glob("*.zip")
            }
        )
    assert hashes[0] == hashes[1]


def test_full_writes_every_package(aiccbridge_project: Project) -> None:
    sync(aiccbridge_project)
    result = sync(aiccbridge_project, "--full")
    data = manifest(Path(result["bundle"]))
    assert data["full"] is True
    assert len(data["unchanged"]) == 4
    assert len(list(Path(result["bundle"]).glob("*.zip"))) == 4


def test_dry_run_writes_nothing(aiccbridge_project: Project) -> None:
    result = sync(aiccbridge_project, "--dry-run")
    assert result["added"] == 4 and result["bundle"] is None
    assert not (aiccbridge_project.root / "outbox").exists()
    assert sync(aiccbridge_project)["added"] == 4


def test_json_report_shape(aiccbridge_project: Project) -> None:
    result = sync(aiccbridge_project)
    assert set(result) >= {
        "tenant",
        "vendor",
        "added",
        "changed",
        "unchanged",
        "retired",
        "rejected",
        "transliterated",
        "failed",
        "bundle",
    }


def test_ascii_tenant_reports_transliteration(aiccbridge_project: Project) -> None:
    rows = [dict(r) for r in ROWS] + [
        {"course_id": "J-1", "title": "職場の安全", "kind": "course"},
        {"course_id": "F-1", "title": "Sécurité", "kind": "course"},
    ]
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    ids = {t["id"] for t in result["transliterated"]}
    assert "J-1" in ids and "F-1" not in ids
    bundle = Path(result["bundle"])
    with zipfile.ZipFile(bundle / "J-1.zip") as archive:
        crs = archive.read("course.crs")
    crs.decode("ascii")
    assert b"Course_Title=" in crs and b"Course_Title=\r\n" not in crs


def test_learning_path_with_unknown_member_is_rejected(
    aiccbridge_project: Project,
) -> None:
    rows = [dict(r) for r in ROWS]
    rows[3]["children"] = "C-1|NOPE"
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    assert result["rejected"][0]["id"] == "P-1"
    assert "NOPE" in result["rejected"][0]["reason"]
    assert result["added"] == 3


def test_library_selection(aiccbridge_project: Project) -> None:
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "library": {"kinds": ["video"]}}}
    )
    result = sync(aiccbridge_project)
    assert result["added"] == 1


def test_second_sync_on_a_locked_store_stops_clearly(
    aiccbridge_project: Project,
) -> None:
    holder = StateStore(aiccbridge_project.root / ".aiccbridge" / "state.db")
    holder.lock()
    try:
        outcome = aiccbridge_project.run("sync")
    finally:
        holder.close()
    outcome.assert_exit(3)
    assert "another aiccbridge run holds the state store" in outcome.stderr
    assert "--wait" in outcome.stderr
    aiccbridge_project.run("sync").assert_success()


def test_crash_before_the_bundle_is_complete_is_redone(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(*args: object) -> None:
        raise KeyboardInterrupt  # stands for a kill between writing and renaming

    monkeypatch.setattr(outbox.os, "rename", die)
    aiccbridge_project.run("sync")
    monkeypatch.undo()
    box = aiccbridge_project.root / "outbox" / "acme"
    assert [p.name for p in box.iterdir() if p.name.endswith(".partial")]
    assert aiccbridge_project.bundles("acme") == []
    result = sync(aiccbridge_project)
    assert result["added"] == 4
    assert not [p for p in box.iterdir() if p.name.endswith(".partial")]


def test_crash_after_the_rename_is_adopted_not_redone(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(self: StateStore, run: object) -> None:
        raise KeyboardInterrupt  # stands for a kill after the rename, before recording

    monkeypatch.setattr(StateStore, "finish_run", die)
    aiccbridge_project.run("sync")
    monkeypatch.undo()
    assert len(aiccbridge_project.bundles("acme")) == 1
    result = sync(aiccbridge_project)
    assert (result["added"], result["unchanged"], result["bundle"]) == (0, 4, None)
    assert len(aiccbridge_project.bundles("acme")) == 1


def test_unchanged_inputs_skip_the_build_and_cosmetic_edits_change_nothing(
    aiccbridge_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiccbridge import sync as sync_module

    sync(aiccbridge_project)
    calls: list[str] = []
    real = sync_module.build_entry
    monkeypatch.setattr(
        sync_module,
        "build_entry",
        lambda entry, *a: calls.append(entry.id) or real(entry, *a),
    )
    assert sync(aiccbridge_project)["unchanged"] == 4
    assert calls == []
    rows = [dict(r, duration="90") for r in ROWS]  # duration is not in the package
    aiccbridge_project.write_config(
        {"acme": {"vendor": "schoox", "encoding": "ascii"}},
        catalog={
            "path": "catalog.csv",
            "columns": {"id": "course_id", "title": "title"},
        },
    )
    aiccbridge_project.write_catalog(rows)
    result = sync(aiccbridge_project)
    assert (result["changed"], result["unchanged"], result["bundle"]) == (0, 4, None)
    assert len(calls) == 4
    calls.clear()
    assert sync(aiccbridge_project)["unchanged"] == 4
    assert calls == []
